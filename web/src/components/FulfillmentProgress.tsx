import type { Fulfillment, FulfillmentState } from "../api/types";
import { FULFILLMENT_LABEL } from "../lib/labels";
import { formatInstant } from "../lib/time";

/** The way of a won item: claim → claimed → ready (or shipped) → handed over. */
function stepsOf(f: Fulfillment): FulfillmentState[] {
  if (f.state === "unclaimed") return ["awaiting_claim", "unclaimed"];
  return ["awaiting_claim", "claimed", f.method === "shipping" ? "shipped" : "ready_for_pickup", "handed_over"];
}

export function FulfillmentProgress({ fulfillment: f }: { fulfillment: Fulfillment }) {
  const steps = stepsOf(f);
  const current = steps.indexOf(f.state);
  return (
    <div>
      <ol class="progress-steps" aria-label="Where your item is">
        {steps.map((step, i) => (
          <li
            key={step}
            class={i < current ? "done" : i === current ? "current" : undefined}
            aria-current={i === current ? "step" : undefined}
          >
            {step === "awaiting_claim" ? "Won" : FULFILLMENT_LABEL[step]}
          </li>
        ))}
      </ol>
      <p data-testid="fulfillment-state">
        <strong>{FULFILLMENT_LABEL[f.state]}</strong>
        {f.state === "awaiting_claim" && <> · claim by {formatInstant(f.claim_by)}</>}
        {f.tracking && <> · tracking: {f.tracking}</>}
      </p>
      {f.history && f.history.length > 0 && (
        <details class="history">
          <summary>History</summary>
          <ul>
            {f.history.map((h) => (
              <li key={`${h.at}-${h.to}`}>
                <time dateTime={h.at}>{formatInstant(h.at)}</time>: {FULFILLMENT_LABEL[h.to]}
                {h.note ? ` (${h.note})` : ""}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
