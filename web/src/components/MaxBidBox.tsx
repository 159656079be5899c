import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { Listing, MaxBid, MaxBidState } from "../api/types";
import { revokeMaximum, setMaximum } from "../bid/maxBid";
import type { Chain } from "../chain/contracts";
import { describeError } from "../chain/errors";
import { AmountError, formatAmpled, parseAmpled, roundUpToWhole, toInputValue } from "../lib/amount";
import { formatInstant } from "../lib/time";
import type { Connection } from "../wallet/connection";

interface Props {
  listing: Listing;
  chain: Chain;
  conn: Connection;
  minimum: bigint;
  onChanged: () => void;
}

export const MAX_STATE_LABEL: Record<MaxBidState, string> = {
  active: "active: the Commissary bids for you when someone outbids you",
  exhausted: "reached: someone bid more than your maximum",
  revoked: "revoked",
  expired: "expired",
};

/**
 * The endpoint is not there (a service without max bids): the control hides instead of
 * failing. The fallback route answers 405, or 404 "route not found" (a 404 for the
 * member's own maximum just means there is none).
 */
const missing = (e: unknown) =>
  e instanceof ApiError && (e.status === 405 || (e.status === 404 && /^route\b/.test(e.message)));

/** "Set a maximum": one gasless signature, the Commissary bids for the member up to it. */
export function MaxBidBox({ listing, chain, conn, minimum, onChanged }: Props) {
  const [current, setCurrent] = useState<MaxBid | null | undefined>(undefined);
  const [hidden, setHidden] = useState(false);
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState(toInputValue(roundUpToWhole(minimum)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    // GET …/max-bid answers 404 when there is none (a console error in browsers), so ask
    // only when "my bids" says this auction has one of the member's maximums.
    api
      .myBids(undefined, controller.signal)
      .then((page) => {
        const mine = page.items.find((b) => b.listing.id === listing.id);
        return mine?.max_bid_state ? api.maxBid(listing.id, controller.signal) : null;
      })
      .then(setCurrent, (e) => {
        if (controller.signal.aborted) return;
        if (missing(e)) setHidden(true);
        else setCurrent(null);
      });
    return () => controller.abort();
  }, [listing.id, listing.highest_bid, conn.account]);

  useEffect(() => {
    if (!busy && !open) setAmount(toInputValue(roundUpToWhole(minimum)));
  }, [minimum]);

  if (hidden) return null;
  const active = current?.state === "active";

  const run = async (work: () => Promise<MaxBid>) => {
    setBusy(true);
    setError(null);
    try {
      const next = await work();
      setCurrent(next);
      setOpen(false);
      onChanged();
    } catch (e) {
      if (missing(e)) setHidden(true);
      else setError(describeError(e));
    } finally {
      setBusy(false);
      setPrompt(null);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    let value: bigint;
    try {
      value = parseAmpled(amount);
      if (value < minimum)
        throw new AmountError(`Your maximum must be at least the next bid, ${formatAmpled(minimum)}.`);
    } catch (e) {
      setError(describeError(e));
      input.current?.focus();
      return;
    }
    run(() =>
      setMaximum(conn, {
        listingId: listing.id,
        listingTitle: listing.title,
        chainId: chain.chainId,
        maxAmount: value,
        onPrompt: setPrompt,
      }),
    );
  };

  const revoke = () => current && run(() => revokeMaximum(conn, current, listing.title, chain.chainId, setPrompt));

  return (
    <section class="max-bid" aria-labelledby="max-bid-heading" data-testid="max-bid">
      <h3 id="max-bid-heading">Bid up to a maximum</h3>
      {current && (
        <p class="max-state" data-state={current.state} data-testid="max-bid-state">
          Your maximum: {formatAmpled(current.max_amount)}, {MAX_STATE_LABEL[current.state]}
          {active && ` (until ${formatInstant(new Date(current.deadline * 1000).toISOString())})`}.
        </p>
      )}
      {active ? (
        <p>
          <button type="button" class="btn secondary" disabled={busy} onClick={revoke}>
            {busy ? "Revoking…" : "Revoke my maximum"}
          </button>
        </p>
      ) : !open ? (
        <p>
          <button
            type="button"
            class="btn secondary"
            aria-expanded="false"
            onClick={() => {
              setOpen(true);
              setTimeout(() => input.current?.focus(), 0);
            }}
          >
            Set a maximum…
          </button>
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p class="hint" id="max-bid-explain">
            Enter the most you will pay. Whenever someone else takes the lead, the Commissary bids for you the minimum
            needed, never above your maximum. One signature, no gas; you can revoke it at any time.
          </p>
          <label for="max-amount">Your maximum (AMPLED)</label>
          <div class="input-row">
            <input
              id="max-amount"
              ref={input}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              aria-invalid={error ? "true" : undefined}
              aria-describedby="max-bid-explain max-bid-error"
              onInput={(e) => setAmount((e.currentTarget as HTMLInputElement).value)}
              disabled={busy}
            />
            <button type="submit" class="btn" disabled={busy}>
              {busy ? "Signing…" : "Sign my maximum"}
            </button>
          </div>
        </form>
      )}
      <p class="field-error" id="max-bid-error" role="alert" data-testid="max-bid-error">
        {error ?? ""}
      </p>
      {prompt && busy && (
        <p class="prompt" data-testid="max-sign-prompt">
          {prompt}
        </p>
      )}
    </section>
  );
}
