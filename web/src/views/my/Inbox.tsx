import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { NotificationItem } from "../../api/types";
import { describeError } from "../../chain/errors";
import { formatAmpled } from "../../lib/amount";
import { FULFILLMENT_LABEL } from "../../lib/labels";
import { notify } from "../../lib/notices";
import { personalTick, unread } from "../../lib/personal";
import { useStore } from "../../lib/store";
import { formatInstant } from "../../lib/time";
import { href } from "../../router";

/** A line of what happened, from the notification's public facts. */
function detail(n: NotificationItem): string {
  const d = n.data;
  const amount = typeof d.amount === "string" ? formatAmpled(d.amount) : null;
  switch (n.kind) {
    case "outbid":
      return amount ? `The highest bid is now ${amount}.` : "";
    case "won":
      return amount ? `You won it for ${amount}: claim it under Wins.` : "Claim it under Wins.";
    case "lost":
      return amount ? `It went for ${amount}.` : "";
    case "ending_soon":
      return typeof d.ends_at === "string" ? `It closes ${formatInstant(d.ends_at)}.` : "";
    case "claim_reminder":
      return typeof d.claim_by === "string" ? `Claim it by ${formatInstant(d.claim_by)}.` : "";
    case "fulfillment_update":
      return typeof d.to === "string" && d.to in FULFILLMENT_LABEL
        ? `Now: ${FULFILLMENT_LABEL[d.to as keyof typeof FULFILLMENT_LABEL]}.`
        : "";
    default:
      return "";
  }
}

export function Inbox() {
  const [items, setItems] = useState<NotificationItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tick = useStore(personalTick);
  const mountTick = useRef(tick);

  useEffect(() => {
    const controller = new AbortController();
    // A burst of events (outbid, then its notification): one reload.
    const timer = window.setTimeout(
      () =>
        api.inbox(undefined, controller.signal).then(
          (inbox) => {
            setItems(inbox.items);
            setCursor(inbox.next_cursor);
            unread.set(inbox.unread);
            setError(null);
          },
          (e) => !controller.signal.aborted && setError(describeError(e)),
        ),
      tick === mountTick.current ? 0 : 200,
    );
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [tick]);

  const markRead = async (ids?: string[]) => {
    try {
      await api.markRead(ids);
      setItems((list) => list?.map((n) => (!ids || ids.includes(n.id) ? { ...n, read: true } : n)) ?? null);
      const inbox = await api.inbox();
      unread.set(inbox.unread);
    } catch (e) {
      notify(describeError(e), "error", "inbox");
    }
  };
  const more = async () => {
    if (!cursor) return;
    try {
      const inbox = await api.inbox(cursor);
      setItems((list) => [...(list ?? []), ...inbox.items]);
      setCursor(inbox.next_cursor);
    } catch (e) {
      notify(describeError(e), "error", "inbox");
    }
  };

  if (error) return <p class="panel error-panel">{error}</p>;
  if (!items) return <p class="loading">Loading your notifications…</p>;
  if (items.length === 0) return <p class="panel">No notifications yet.</p>;
  const anyUnread = items.some((n) => !n.read);
  return (
    <section aria-labelledby="inbox-heading">
      <div class="section-head">
        <h2 id="inbox-heading">Notifications</h2>
        {anyUnread && (
          <button type="button" class="btn small secondary" onClick={() => markRead()}>
            Mark all as read
          </button>
        )}
      </div>
      <ul class="inbox" data-testid="inbox">
        {items.map((n) => (
          <li key={n.id} class={n.read ? "read" : "unread"} data-testid="inbox-item">
            <p class="headline">
              {!n.read && <span class="visually-hidden">Unread: </span>}
              <strong>{n.headline}</strong>
            </p>
            <p>
              {detail(n)}{" "}
              {n.listing_id && (
                <a href={href.listing(n.listing_id)} onClick={() => !n.read && markRead([n.id])}>
                  See the listing
                </a>
              )}
            </p>
            <p class="hint">
              <time dateTime={n.created_at}>{formatInstant(n.created_at)}</time>
              {!n.read && (
                <>
                  {" · "}
                  <button type="button" class="link-button" onClick={() => markRead([n.id])}>
                    Mark as read
                  </button>
                </>
              )}
            </p>
          </li>
        ))}
      </ul>
      {cursor && (
        <div class="load-more">
          <button type="button" class="btn secondary" onClick={more}>
            Show older
          </button>
        </div>
      )}
    </section>
  );
}
