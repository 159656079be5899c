import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { MyBid } from "../../api/types";
import { describeError } from "../../chain/errors";
import { Countdown } from "../../components/Countdown";
import { MAX_STATE_LABEL } from "../../components/MaxBidBox";
import { PhotoImg } from "../../components/PhotoImg";
import { Placeholder } from "../../components/Placeholder";
import { formatAmpled } from "../../lib/amount";
import { BIDDER_STATE_LABEL } from "../../lib/labels";
import { useLive } from "../../lib/live";
import { PUBLIC_EVENTS } from "../../lib/liveListing";
import { personalTick } from "../../lib/personal";
import { useStore } from "../../lib/store";
import { href } from "../../router";

/** Every bid's listing, watched live: an outbid, a raise or a close shows at once. */
function streamOf(items: MyBid[] | null): string | null {
  const open = (items ?? []).filter((b) => b.state === "winning" || b.state === "outbid");
  if (open.length === 0) return null;
  const ids = [...new Set(open.map((b) => b.listing.id))].sort();
  return `/api/v1/events?${ids.map((id) => `listing=${encodeURIComponent(id)}`).join("&")}`;
}

const EPOCH = "1970-01-01T00:00:00Z";

function StateLine({ bid }: { bid: MyBid }) {
  switch (bid.state) {
    case "winning":
      return <>You are the highest bidder.</>;
    case "outbid":
      return (
        <>
          You have been outbid: the highest bid is {formatAmpled(bid.highest_bid ?? "0")}; bid at least{" "}
          {formatAmpled(bid.min_next_bid)} to lead again.
        </>
      );
    case "won":
      return (
        <>
          You won it for {formatAmpled(bid.highest_bid ?? bid.my_highest_bid)}. <a href={href.me("wins")}>Claim it</a>
        </>
      );
    case "lost":
      return <>Another bid won ({formatAmpled(bid.highest_bid ?? "0")}). Your $AMPLED was refunded.</>;
    default:
      return <>The auction was cancelled; nothing was taken.</>;
  }
}

export function MyBids() {
  const [items, setItems] = useState<MyBid[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tick = useStore(personalTick);

  const load = async (signal?: AbortSignal) => {
    try {
      const page = await api.myBids(undefined, signal);
      setItems(page.items);
      setError(null);
    } catch (e) {
      if (!signal?.aborted) setError(describeError(e));
    }
  };
  // The member's own events (outbid, won, lost) come on the personal stream.
  const firstTick = useRef(tick);
  useEffect(() => {
    if (tick !== firstTick.current) load();
  }, [tick]);
  useLive({
    url: streamOf(items),
    events: PUBLIC_EVENTS,
    onEvent: () => load(),
    refresh: load,
    pollMs: 5000,
  });

  if (error) return <p class="panel error-panel">{error}</p>;
  if (!items) return <p class="loading">Loading your bids…</p>;
  if (items.length === 0)
    return (
      <p class="panel">
        You have not bid yet. <a href={href.browse()}>Find some gear</a>.
      </p>
    );
  return (
    <ul class="my-list" data-testid="my-bids">
      {items.map((bid) => (
        <li key={bid.auction_id} class={`my-item state-${bid.state}`} data-testid="my-bid">
          <div class="my-thumb">
            {bid.listing.photo ? <PhotoImg photo={bid.listing.photo} alt="" sizes="96px" /> : <Placeholder />}
          </div>
          <div class="my-body">
            <h2>
              <a href={href.listing(bid.listing.id)}>{bid.listing.title}</a>
            </h2>
            <p>
              <span class={`state-badge ${bid.state}`} data-testid="my-bid-state">
                {BIDDER_STATE_LABEL[bid.state]}
              </span>{" "}
              <StateLine bid={bid} />
            </p>
            <p class="hint">
              Your highest bid: {formatAmpled(bid.my_highest_bid)} ({bid.my_bid_count} bid
              {bid.my_bid_count === 1 ? "" : "s"})
              {(bid.state === "winning" || bid.state === "outbid") && (
                <>
                  {" · "}
                  <Countdown startsAt={EPOCH} endsAt={bid.ends_at} />
                </>
              )}
            </p>
            {bid.max_bid && bid.max_bid_state && (
              <p class="hint" data-testid="my-max-bid">
                Your maximum: {formatAmpled(bid.max_bid)}, {MAX_STATE_LABEL[bid.max_bid_state]}.
              </p>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
