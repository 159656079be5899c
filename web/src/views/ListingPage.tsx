import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Bid, Listing } from "../api/types";
import { scheduledEnd as readScheduledEnd } from "../chain/contracts";
import { describeError } from "../chain/errors";
import { BidHistory } from "../components/BidHistory";
import { BidPanel } from "../components/BidPanel";
import { Gallery } from "../components/Gallery";
import { StatusBadge } from "../components/StatusBadge";
import { WatchButton } from "../components/WatchButton";
import { useApp } from "../context";
import { sameAddress } from "../lib/address";
import { formatAmpled } from "../lib/amount";
import { categoryLabel, conditionLabel } from "../lib/labels";
import { useLive } from "../lib/live";
import { applyEvent, PUBLIC_EVENTS } from "../lib/liveListing";
import { useStore } from "../lib/store";
import { href } from "../router";
import { isSteward, session } from "../session";

/** Polling while the live stream is down. */
const FALLBACK_POLL_MS = 2000;
/** Events come in bursts (a bid, then a status): one reload for the lot. */
const RELOAD_DEBOUNCE_MS = 150;

export function ListingPage({ id }: { id: string }) {
  const { chain } = useApp();
  const me = useStore(session);
  const [listing, setListing] = useState<Listing | null>(null);
  const [bids, setBids] = useState<Bid[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [scheduledEnd, setScheduledEnd] = useState<string | null>(null);
  const reloadTimer = useRef<number | undefined>(undefined);

  const load = async (signal?: AbortSignal) => {
    try {
      const [l, b] = await Promise.all([api.listing(id, signal), api.bids(id, signal)]);
      setListing(l);
      setBids(b.items);
      setError(null);
    } catch (e) {
      if (!signal?.aborted) setError(describeError(e));
    }
  };
  const reloadSoon = () => {
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => load(), RELOAD_DEBOUNCE_MS);
  };
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  const mode = useLive({
    url: `/api/v1/listings/${encodeURIComponent(id)}/events`,
    events: PUBLIC_EVENTS,
    onEvent: (kind, data) => {
      setListing((l) => (l ? applyEvent(l, kind, data) : l));
      reloadSoon();
    },
    refresh: load,
    pollMs: FALLBACK_POLL_MS,
  });
  // A sign-in changes what the listing shows (drafts for stewards, "you" in the history).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else load();
  }, [me?.address]);

  const createTx = listing?.tx_hash;
  useEffect(() => {
    if (!chain || !createTx) return;
    readScheduledEnd(chain, createTx as `0x${string}`).then(setScheduledEnd, () => setScheduledEnd(null));
  }, [chain, createTx]);

  useEffect(() => {
    if (listing) document.title = `${listing.title} · Ampled Commissary`;
  }, [listing?.title]);

  if (error && !listing) {
    return (
      <section class="panel">
        <h1>This listing cannot be shown</h1>
        <p>{error}</p>
        <a href={href.browse()}>Back to all gear</a>
      </section>
    );
  }
  if (!listing) return <p class="loading">Loading…</p>;

  const isIndexed = async (hash: `0x${string}`) => {
    const page = await api.bids(id);
    return page.items.some((b) => b.tx_hash.toLowerCase() === hash.toLowerCase());
  };

  return (
    <article class="detail" data-live={mode}>
      <div class="detail-media">
        <a class="back" href={href.browse()}>
          ← All gear
        </a>
        <Gallery photos={listing.photos} title={listing.title} />
      </div>
      <div class="detail-aside">
        <div class="title-row">
          <h1>{listing.title}</h1>
          <StatusBadge listing={listing} scheduledEnd={scheduledEnd} />
        </div>
        {listing.donor_credit && <p class="donor">Donated by {listing.donor_credit}</p>}
        <BidPanel
          listing={listing}
          bids={bids}
          scheduledEnd={scheduledEnd}
          isIndexed={isIndexed}
          refresh={() => load()}
        />
        {me && listing.status === "settled" && sameAddress(listing.settlement?.winner, me.address) && (
          <p>
            <a class="btn" href={href.me("wins")} data-testid="claim-link">
              Claim it: pickup or shipping
            </a>
          </p>
        )}
        {me && listing.status !== "draft" && <WatchButton listing={listing} />}
        {isSteward(me) && listing.status === "draft" && (
          <p>
            <a class="btn secondary" href={href.edit(listing.id)}>
              Edit this draft
            </a>
          </p>
        )}
      </div>
      <div class="detail-info">
        <section class="panel">
          <h2>About this item</h2>
          <p class="description">{listing.description || "No description yet."}</p>
          <dl class="facts">
            <dt>Category</dt>
            <dd>{categoryLabel(listing.category)}</dd>
            <dt>Condition</dt>
            <dd>{conditionLabel(listing.condition)}</dd>
            <dt>Donor</dt>
            <dd>{listing.donor_credit ?? "Anonymous"}</dd>
            <dt>Reserve</dt>
            <dd>{formatAmpled(listing.reserve_price)}</dd>
            <dt>Pickup</dt>
            <dd>{listing.pickup.available ? (listing.pickup.location ?? "Yes") : "No"}</dd>
            <dt>Shipping</dt>
            <dd>{listing.shipping.available ? (listing.shipping.note ?? "Yes") : "No"}</dd>
            {listing.auction_id && (
              <>
                <dt>Auction</dt>
                <dd class="mono">#{listing.auction_id}</dd>
              </>
            )}
          </dl>
        </section>
        <section class="panel" aria-labelledby="bids-heading">
          <h2 id="bids-heading">Bid history</h2>
          <BidHistory bids={bids} me={me?.address ?? null} scheduledEnd={scheduledEnd} />
        </section>
      </div>
    </article>
  );
}
