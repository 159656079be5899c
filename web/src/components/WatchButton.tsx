import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Listing } from "../api/types";
import { describeError } from "../chain/errors";
import { notify } from "../lib/notices";

/** Watch / stop watching; watchers hear when the auction ends soon. */
export function WatchButton({ listing }: { listing: Listing }) {
  const [watching, setWatching] = useState<boolean | null>(null);
  const [count, setCount] = useState(listing.watch_count ?? 0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.watchlist().then(
      (w) => setWatching(w.items.some((l) => l.id === listing.id)),
      () => setWatching(null),
    );
  }, [listing.id]);
  useEffect(() => setCount(listing.watch_count ?? 0), [listing.watch_count]);
  if (watching === null) return null;
  const toggle = async () => {
    setBusy(true);
    try {
      if (watching) await api.unwatch(listing.id);
      else await api.watch(listing.id);
      setCount((c) => Math.max(0, c + (watching ? -1 : 1)));
      setWatching(!watching);
    } catch (e) {
      notify(describeError(e), "error", "watch");
    } finally {
      setBusy(false);
    }
  };
  return (
    <p class="watch-line">
      <button type="button" class="btn small secondary" disabled={busy} onClick={toggle} data-testid="watch">
        {watching ? "Stop watching" : "Watch"}
      </button>{" "}
      <span class="hint">
        {count} watcher{count === 1 ? "" : "s"}
      </span>
    </p>
  );
}
