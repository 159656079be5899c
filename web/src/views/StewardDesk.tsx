import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Listing, ListingStatus } from "../api/types";
import { describeError } from "../chain/errors";
import { PhotoImg } from "../components/PhotoImg";
import { Placeholder } from "../components/Placeholder";
import { StewardNav } from "../components/StewardNav";
import { memberLabel } from "../lib/address";
import { formatAmpled } from "../lib/amount";
import { STATUS_LABEL } from "../lib/labels";
import { notify } from "../lib/notices";
import { formatInstant } from "../lib/time";
import { usePoll } from "../lib/usePoll";
import { href, navigate } from "../router";
import { cancelListing, discardDraft, publishListing, relist } from "../steward/actions";

const GROUPS: [string, ListingStatus[]][] = [
  ["Drafts", ["draft"]],
  ["On chain: publishing, upcoming and live", ["publishing", "scheduled", "live"]],
  ["Ended, waiting for settlement", ["ended"]],
  ["Settled", ["settled"]],
  ["Unsold", ["unsold"]],
  ["Cancelled", ["cancelled"]],
];
const ALL = GROUPS.flatMap(([, statuses]) => statuses).join(",");

async function everyListing(signal: AbortSignal): Promise<Listing[]> {
  const items: Listing[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listings({ status: ALL, sort: "newest", limit: 100, cursor }, signal);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

function summary(listing: Listing): string {
  switch (listing.status) {
    case "draft":
      return `Opens ${formatInstant(listing.starts_at)}`;
    case "settled":
      return listing.settlement?.winner
        ? `Won by ${memberLabel(listing.settlement.winner, listing.settlement.winner_name)} for ${formatAmpled(listing.settlement.amount)}`
        : "Closed without a winner";
    case "unsold":
      return "No bids: relist it as a new draft";
    case "cancelled":
      return "Cancelled";
    default:
      return `${listing.bid_count} bid${listing.bid_count === 1 ? "" : "s"} · ${formatAmpled(listing.current_price)} · closes ${formatInstant(listing.ends_at)}`;
  }
}

export function StewardDesk() {
  const [items, setItems] = useState<Listing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  usePoll(
    async (signal) => {
      try {
        setItems(await everyListing(signal));
        setError(null);
      } catch (e) {
        if (!signal.aborted) setError(describeError(e));
      }
    },
    5000,
    [tick],
  );

  const act = async (listing: Listing, action: () => Promise<unknown>, done: string) => {
    setBusy(listing.id);
    try {
      const result = await action();
      if (result) notify(done, "ok", "desk");
      setTick((t) => t + 1);
    } catch (e) {
      notify(describeError(e), "error", "desk");
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>Steward desk</h1>
        <a class="btn" href={href.newListing()}>
          New listing
        </a>
      </div>
      <StewardNav current="desk" />
      {error && (
        <p class="panel" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p class="loading">Loading listings…</p>}
      {items &&
        GROUPS.map(([title, statuses]) => {
          const group = items.filter((l) => statuses.includes(l.status));
          if (group.length === 0) return null;
          return (
            <section key={title} class="desk-group" aria-label={title}>
              <h2>
                {title} <span class="muted">({group.length})</span>
              </h2>
              <ul class="steward-list">
                {group.map((listing) => (
                  <li key={listing.id} class="steward-item" data-testid="desk-item">
                    <div class="mini">
                      {listing.photos[0] ? <PhotoImg photo={listing.photos[0]} alt="" sizes="72px" /> : <Placeholder />}
                    </div>
                    <div>
                      <h3>
                        <a href={href.listing(listing.id)}>{listing.title}</a>{" "}
                        <span class="badge" data-status={listing.status}>
                          {STATUS_LABEL[listing.status]}
                        </span>
                      </h3>
                      <p class="muted">{summary(listing)}</p>
                    </div>
                    <div class="row">
                      {listing.status === "draft" && (
                        <>
                          <a class="btn small secondary" href={href.edit(listing.id)}>
                            Edit
                          </a>
                          <button
                            type="button"
                            class="btn small"
                            disabled={busy === listing.id}
                            onClick={() =>
                              act(listing, () => publishListing(listing), `“${listing.title}” is being put on chain.`)
                            }
                          >
                            Publish
                          </button>
                          <button
                            type="button"
                            class="btn small danger"
                            disabled={busy === listing.id}
                            onClick={() => act(listing, () => discardDraft(listing), "The draft was discarded.")}
                          >
                            Discard
                          </button>
                        </>
                      )}
                      {(listing.status === "scheduled" || listing.status === "live") && listing.bid_count === 0 && (
                        <button
                          type="button"
                          class="btn small danger"
                          disabled={busy === listing.id}
                          onClick={() => act(listing, () => cancelListing(listing), "The auction is being cancelled.")}
                        >
                          Cancel
                        </button>
                      )}
                      {listing.status === "unsold" && (
                        <button
                          type="button"
                          class="btn small"
                          disabled={busy === listing.id}
                          onClick={() =>
                            act(
                              listing,
                              async () => {
                                const draft = await relist(listing);
                                navigate(href.edit(draft.id));
                                return draft;
                              },
                              "A new draft was made from the unsold item: check its dates and publish it.",
                            )
                          }
                        >
                          Relist
                        </button>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
    </>
  );
}
