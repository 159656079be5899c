import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Listing } from "../api/types";
import { describeError } from "../chain/errors";
import { Filters, type FilterValues, filtersFrom, STATUS_FILTERS } from "../components/Filters";
import { ListingCard } from "../components/ListingCard";
import { useLive } from "../lib/live";
import { applyEvent, PUBLIC_EVENTS } from "../lib/liveListing";
import { href, navigate } from "../router";

const PAGE_SIZE = 24;
/** Polling while the live stream is down. */
const FALLBACK_POLL_MS = 15_000;
const RELOAD_DEBOUNCE_MS = 300;

function apiQuery(values: FilterValues, cursor?: string) {
  const status = STATUS_FILTERS.find(([code]) => code === values.show)?.[2] ?? "";
  return { status, category: values.category, q: values.q, sort: values.sort, cursor, limit: PAGE_SIZE };
}

export function Browse({ query }: { query: URLSearchParams }) {
  const values = filtersFrom(query);
  const key = JSON.stringify(values);
  const [items, setItems] = useState<Listing[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const extended = useRef(false);

  const reloadTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);
  const shownItems = useRef(items);
  shownItems.current = items;

  // Only the newest load may fill the list: an older one (the stream's reload, the filters
  // before a search) that answers late would otherwise put the stale list back.
  const loads = useRef(0);
  const load = async (signal?: AbortSignal) => {
    const mine = ++loads.current;
    try {
      const page = await api.listings(apiQuery(values), signal);
      if (mine !== loads.current) return;
      // After "Show more" the refresh leaves the longer list alone.
      if (extended.current) return;
      setItems(page.items);
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if (mine === loads.current && !signal?.aborted) setError(describeError(e));
    }
  };

  const mode = useLive({
    url: "/api/v1/events",
    events: PUBLIC_EVENTS,
    onEvent: (kind, data) => {
      const shown = Boolean(shownItems.current?.some((l) => l.id === data.listing_id));
      if (shown) setItems((list) => list?.map((l) => applyEvent(l, kind, data)) ?? null);
      // A new, closed or settled auction may enter or leave the filtered list (or change
      // its order): load it again, once per burst. A bid only moves numbers on a card.
      if (kind !== "bid" || !shown) {
        window.clearTimeout(reloadTimer.current);
        reloadTimer.current = window.setTimeout(() => load(), RELOAD_DEBOUNCE_MS);
      }
    },
    refresh: load,
    pollMs: FALLBACK_POLL_MS,
  });
  // New filters: a new list (the stream stays the same).
  const firstKey = useRef(key);
  useEffect(() => {
    if (key !== firstKey.current) {
      firstKey.current = key;
      load();
    }
  }, [key]);

  const change = (next: FilterValues) => {
    const q = new URLSearchParams();
    if (next.q) q.set("q", next.q);
    if (next.category) q.set("category", next.category);
    if (next.show !== "open") q.set("show", next.show);
    if (next.sort !== "ending_soon") q.set("sort", next.sort);
    setItems(null);
    extended.current = false;
    navigate(href.browse(q), { replace: true });
  };

  const loadMore = async () => {
    if (!cursor) return;
    setMore(true);
    extended.current = true;
    try {
      const page = await api.listings(apiQuery(values, cursor));
      setItems([...(items ?? []), ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setMore(false);
    }
  };

  return (
    <>
      <div class="page-head browse-head" data-live={mode}>
        <h1>Gear for members</h1>
        <p class="intro">Donated instruments, amps and audio gear. Bid with the $AMPLED you earned.</p>
      </div>
      <Filters values={values} onChange={change} />
      {error && (
        <p class="panel error-panel" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p class="loading">Loading gear…</p>}
      {items && (
        <p class="result-count" aria-live="polite">
          {items.length === 0
            ? "Nothing matches yet."
            : `${items.length}${cursor ? "+" : ""} item${items.length === 1 ? "" : "s"}`}
        </p>
      )}
      {items && items.length > 0 && (
        <ul class="cards">
          {items.map((listing, index) => (
            <ListingCard key={listing.id} listing={listing} eager={index < 2} />
          ))}
        </ul>
      )}
      {cursor && (
        <div class="load-more">
          <button type="button" class="btn secondary" onClick={loadMore} disabled={more}>
            {more ? "Loading…" : "Show more"}
          </button>
        </div>
      )}
    </>
  );
}
