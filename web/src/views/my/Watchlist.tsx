import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { Listing } from "../../api/types";
import { describeError } from "../../chain/errors";
import { ListingCard } from "../../components/ListingCard";
import { href } from "../../router";

export function Watchlist() {
  const [items, setItems] = useState<Listing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.watchlist(controller.signal).then(
      (w) => setItems(w.items),
      (e) => !controller.signal.aborted && setError(describeError(e)),
    );
    return () => controller.abort();
  }, []);
  if (error) return <p class="panel error-panel">{error}</p>;
  if (!items) return <p class="loading">Loading your watchlist…</p>;
  if (items.length === 0)
    return (
      <p class="panel">
        You watch nothing yet. “Watch” on a listing puts it here, and you hear when it ends soon.{" "}
        <a href={href.browse()}>Browse the gear</a>.
      </p>
    );
  return (
    <ul class="cards" data-testid="watchlist">
      {items.map((l, i) => (
        <ListingCard key={l.id} listing={l} eager={i < 2} />
      ))}
    </ul>
  );
}
