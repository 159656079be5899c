import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { RelayFailed } from "../bid/gaslessBid";
import type { BidMethod, BidProgress, BidStep } from "../bid/method";
import { RelayUnavailable, STEP_LABEL, STEP_ORDER } from "../bid/method";
import { describeError } from "../chain/errors";
import { AmountError, formatAmpled, parseAmpled, roundUpToWhole, suggestedBids, toInputValue } from "../lib/amount";

interface Props {
  listingId: string;
  title: string;
  auctionId: bigint;
  minimum: bigint;
  methods: BidMethod[];
  /** Why a method cannot be used by this member now (e.g. no ETH for gas), by id. */
  unusable?: Partial<Record<BidMethod["id"], string>>;
  /** The relay turned out unavailable while bidding: the panel offers the wallet instead. */
  onRelayUnavailable?: (reason: string | null) => void;
  /** The bid to beat, when it is someone else's: a new one means the box starts over. */
  resetKey: string | null;
  onPlaced: () => void;
}

export function BidForm({
  listingId,
  title,
  auctionId,
  minimum,
  methods,
  unusable = {},
  onRelayUnavailable,
  resetKey,
  onPlaced,
}: Props) {
  const suggestions = suggestedBids(minimum);
  const [amount, setAmount] = useState(toInputValue(roundUpToWhole(minimum)));
  const [touched, setTouched] = useState(false);
  const usable = methods.filter((m) => !unusable[m.id]);
  const [methodId, setMethodId] = useState<BidMethod["id"] | undefined>(usable[0]?.id);
  // The methods on offer change (the relay became unavailable, ETH arrived): keep a usable one.
  const method = usable.find((m) => m.id === methodId) ?? usable[0];
  const [progress, setProgress] = useState<BidProgress | null>(null);
  const [seen, setSeen] = useState<BidStep[]>([]);
  const [error, setError] = useState<string | null>(null);
  /** The minimum a `bid_too_low` refusal named: that message stays when the page learns of the bid. */
  const [refusedBelow, setRefusedBelow] = useState<bigint | null>(null);
  /** A relayed bid outbid before it was mined: the bid that beat it is the next reset's news. */
  const [keepOnce, setKeepOnce] = useState(false);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // Someone else bid: the old amount, steps and messages no longer apply.
  useEffect(() => {
    if (busy || resetKey === null) return;
    setAmount(toInputValue(roundUpToWhole(minimum)));
    setTouched(false);
    setProgress(null);
    setSeen([]);
    // A refusal caused by this very bid (it names this new minimum, or the chain took it
    // before ours) is still the news.
    if (!keepOnce && (refusedBelow === null || refusedBelow !== minimum)) setError(null);
    setRefusedBelow(null);
    setKeepOnce(false);
  }, [resetKey]);

  // A new minimum overrides a suggestion the member has not edited.
  useEffect(() => {
    if (!touched && !busy) setAmount(toInputValue(roundUpToWhole(minimum)));
  }, [minimum]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setRefusedBelow(null);
    setKeepOnce(false);
    let value: bigint;
    try {
      value = parseAmpled(amount);
      if (value < minimum) throw new AmountError(`Bid at least ${formatAmpled(minimum)}.`);
    } catch (e) {
      setError(describeError(e));
      input.current?.focus();
      return;
    }
    if (!method) return;
    setBusy(true);
    setSeen([]);
    try {
      const result = await method.place({
        listingId,
        listingTitle: title,
        auctionId,
        amount: value,
        onProgress: (p) => {
          setProgress(p);
          setSeen((old) => (old.includes(p.step) ? old : [...old, p.step]));
        },
      });
      if (!result.indexed) setProgress({ step: "mined", hash: result.hash });
      setTouched(false);
      onPlaced();
    } catch (e) {
      setProgress(null);
      setError(describeError(e));
      if (e instanceof ApiError && e.code === "bid_too_low" && typeof e.extra.min_next_bid === "string") {
        setRefusedBelow(BigInt(e.extra.min_next_bid));
      }
      if (e instanceof RelayFailed && e.code === "bid_too_low") setKeepOnce(true);
      if (e instanceof RelayUnavailable) onRelayUnavailable?.(e.reason);
    } finally {
      setBusy(false);
    }
  };

  const errorId = `bid-error-${listingId}`;
  return (
    <form class="bid-form" onSubmit={submit} noValidate data-testid="bid-form">
      <label for="bid-amount">Your bid (AMPLED)</label>
      <div class="input-row">
        <input
          id="bid-amount"
          ref={input}
          data-focus-target
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={`bid-min ${errorId}`}
          onInput={(e) => {
            setAmount((e.currentTarget as HTMLInputElement).value);
            setTouched(true);
          }}
          disabled={busy}
        />
        <button type="submit" class="btn" disabled={busy || !method}>
          {busy ? "Bidding…" : "Place bid"}
        </button>
      </div>
      <p class="hint" id="bid-min">
        Minimum {formatAmpled(minimum)}.
      </p>
      <fieldset class="suggestions">
        <legend class="visually-hidden">Suggested bids</legend>
        {suggestions.map((s) => (
          <button
            key={s.toString()}
            type="button"
            class="btn small secondary"
            disabled={busy}
            onClick={() => {
              setAmount(toInputValue(s));
              setTouched(true);
            }}
          >
            {formatAmpled(s)}
          </button>
        ))}
      </fieldset>
      {methods.length > 1 && (
        <fieldset class="methods" data-testid="bid-methods">
          <legend>How to send it</legend>
          {methods.map((m) => (
            <div key={m.id} class="method">
              <label class="check">
                <input
                  type="radio"
                  name="method"
                  value={m.id}
                  checked={m.id === method?.id}
                  disabled={busy || Boolean(unusable[m.id])}
                  aria-describedby={unusable[m.id] ? `method-note-${m.id}` : undefined}
                  onChange={() => setMethodId(m.id)}
                />
                {m.label}
              </label>
              {unusable[m.id] && (
                <p class="hint" id={`method-note-${m.id}`}>
                  {unusable[m.id]}
                </p>
              )}
            </div>
          ))}
        </fieldset>
      )}
      <p class="field-error" id={errorId} role="alert" data-testid="bid-error">
        {error ?? ""}
      </p>
      {progress?.prompt && busy && (
        <p class="prompt" data-testid="sign-prompt">
          {progress.prompt}
        </p>
      )}
      {seen.length > 0 && (
        <ol class="steps" aria-label="Bid progress">
          {STEP_ORDER.filter((step) => seen.includes(step)).map((step) => (
            <li key={step} data-state={step === progress?.step && busy ? "active" : "done"}>
              {STEP_LABEL[step]}
            </li>
          ))}
        </ol>
      )}
    </form>
  );
}
