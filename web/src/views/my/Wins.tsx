import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../../api/client";
import type { Fulfillment, Listing, MyBid } from "../../api/types";
import { describeError } from "../../chain/errors";
import { ClaimForm } from "../../components/ClaimForm";
import { FulfillmentProgress } from "../../components/FulfillmentProgress";
import { formatAmpled } from "../../lib/amount";
import { notify } from "../../lib/notices";
import { personalTick } from "../../lib/personal";
import { useStore } from "../../lib/store";
import { href } from "../../router";

interface Win {
  bid: MyBid;
  listing: Listing;
  /** null: settled, but the record is not there yet (the indexer writes it with the settlement). */
  fulfillment: Fulfillment | null;
}

async function loadWin(bid: MyBid, signal?: AbortSignal): Promise<Win> {
  const [listing, fulfillment] = await Promise.all([
    api.listing(bid.listing.id, signal),
    api.fulfillment(bid.listing.id, signal).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
  ]);
  return { bid, listing, fulfillment };
}

function WinCard({ win, onChange }: { win: Win; onChange: (f: Fulfillment) => void }) {
  const { listing, fulfillment: f } = win;
  const [amending, setAmending] = useState(false);
  const [busy, setBusy] = useState(false);
  const receipt = async () => {
    setBusy(true);
    try {
      onChange(await api.confirmReceipt(listing.id));
      notify("Thanks: the hand-over is recorded.", "ok", "wins");
    } catch (e) {
      notify(describeError(e), "error", "wins");
    } finally {
      setBusy(false);
    }
  };
  const canClaim = f && (f.state === "awaiting_claim" || (f.state === "claimed" && amending));
  return (
    <li class="panel win" data-testid="win">
      <h2>
        <a href={href.listing(listing.id)}>{listing.title}</a>
      </h2>
      <p>Won for {formatAmpled(f?.amount ?? win.bid.highest_bid ?? win.bid.my_highest_bid)}.</p>
      {!f ? (
        <p class="muted">The settlement is being recorded; the claim opens in a moment.</p>
      ) : (
        <>
          <FulfillmentProgress fulfillment={f} />
          {f.state === "claimed" && !amending && (
            <p>
              {f.method === "shipping"
                ? "The stewards will ship it to you."
                : "The stewards will tell you when it is ready for pickup."}{" "}
              <button type="button" class="btn small secondary" onClick={() => setAmending(true)}>
                Change my claim
              </button>
            </p>
          )}
          {canClaim && (
            <ClaimForm
              listing={listing}
              contact={f.contact}
              method={f.state === "claimed" ? f.method : null}
              onClaimed={(next) => {
                setAmending(false);
                onChange(next);
                notify(`Your claim for “${listing.title}” is in.`, "ok", "wins");
              }}
            />
          )}
          {f.allowed_transitions.includes("handed_over") && (
            <p>
              <button type="button" class="btn" disabled={busy} onClick={receipt}>
                {f.method === "shipping" ? "I received it" : "I picked it up"}
              </button>
            </p>
          )}
        </>
      )}
    </li>
  );
}

export function Wins() {
  const [wins, setWins] = useState<Win[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tick = useStore(personalTick);

  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      try {
        const page = await api.myBids(undefined, controller.signal);
        const won = page.items.filter((b) => b.state === "won");
        setWins(await Promise.all(won.map((b) => loadWin(b, controller.signal))));
        setError(null);
      } catch (e) {
        if (!controller.signal.aborted) setError(describeError(e));
      }
    })();
    return () => controller.abort();
  }, [tick]);

  if (error) return <p class="panel error-panel">{error}</p>;
  if (!wins) return <p class="loading">Loading your wins…</p>;
  if (wins.length === 0) return <p class="panel">No wins yet. When you win an auction, you claim the item here.</p>;
  return (
    <ul class="wins">
      {wins.map((w) => (
        <WinCard
          key={w.listing.id}
          win={w}
          onChange={(f) =>
            setWins((all) => all?.map((x) => (x.listing.id === w.listing.id ? { ...x, fulfillment: f } : x)) ?? null)
          }
        />
      ))}
    </ul>
  );
}
