import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Fulfillment, FulfillmentState, Listing } from "../api/types";
import { describeError } from "../chain/errors";
import { FulfillmentProgress } from "../components/FulfillmentProgress";
import { StewardNav } from "../components/StewardNav";
import { memberLabel } from "../lib/address";
import { formatAmpled } from "../lib/amount";
import { FULFILLMENT_STEWARD_LABEL, TRANSITION_ACTION } from "../lib/labels";
import { notify } from "../lib/notices";
import { formatInstant } from "../lib/time";
import { usePoll } from "../lib/usePoll";
import { href } from "../router";

const COLUMNS: FulfillmentState[] = [
  "awaiting_claim",
  "claimed",
  "ready_for_pickup",
  "shipped",
  "handed_over",
  "unclaimed",
];

const titles = new Map<string, string>();

function Contact({ f }: { f: Fulfillment }) {
  const c = f.contact;
  if (!c) return null;
  if (f.erased) return <p class="muted">Contact details erased after the retention period.</p>;
  return (
    <dl class="facts contact">
      <dt>Winner</dt>
      <dd>{c.name}</dd>
      <dt>Email</dt>
      <dd>
        <a href={`mailto:${c.email}`}>{c.email}</a>
      </dd>
      {c.phone && (
        <>
          <dt>Phone</dt>
          <dd>{c.phone}</dd>
        </>
      )}
      {c.address && (
        <>
          <dt>Ship to</dt>
          <dd>{[...c.address.lines, `${c.address.postal_code} ${c.address.city}`, c.address.country].join(", ")}</dd>
        </>
      )}
      {c.note && (
        <>
          <dt>Note</dt>
          <dd>{c.note}</dd>
        </>
      )}
    </dl>
  );
}

function Item({ f, onMoved }: { f: Fulfillment; onMoved: () => void }) {
  const [open, setOpen] = useState<Fulfillment | null>(null);
  const [note, setNote] = useState("");
  const [tracking, setTracking] = useState("");
  const [busy, setBusy] = useState(false);
  const title = titles.get(f.listing_id) ?? "…";
  const id = `fb-${f.listing_id}`;
  const move = async (to: FulfillmentState) => {
    setBusy(true);
    try {
      await api.moveFulfillment(f.listing_id, to, note.trim(), to === "shipped" ? tracking.trim() : undefined);
      notify(`“${title}”: ${FULFILLMENT_STEWARD_LABEL[to]}.`, "ok", "fulfillment");
      setNote("");
      setTracking("");
      onMoved();
    } catch (e) {
      notify(describeError(e), "error", "fulfillment");
      onMoved();
    } finally {
      setBusy(false);
    }
  };
  const toggle = async () => {
    if (open) setOpen(null);
    else setOpen(await api.fulfillment(f.listing_id).catch(() => f));
  };
  return (
    <li class={f.overdue ? "panel board-item overdue" : "panel board-item"} data-testid="board-item">
      <h3>
        <a href={href.listing(f.listing_id)}>{title}</a>
      </h3>
      {f.overdue && (
        <p class="overdue-note" data-testid="overdue">
          Overdue{f.state === "awaiting_claim" ? ": the claim period has passed" : ": not moved for a while"}
        </p>
      )}
      <p class="hint">
        {memberLabel(f.winner)} · {formatAmpled(f.amount)} ·{" "}
        {f.method === "shipping" ? "shipping" : f.method === "pickup" ? "pickup" : "not claimed yet"}
        {f.state === "awaiting_claim" && ` · claim by ${formatInstant(f.claim_by)}`}
      </p>
      <Contact f={f} />
      {f.allowed_transitions.length > 0 && (
        <div class="transition">
          <div class="field">
            <label for={`${id}-note`}>Note for the history (optional)</label>
            <input
              id={`${id}-note`}
              value={note}
              onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          {f.allowed_transitions.includes("shipped") && (
            <div class="field">
              <label for={`${id}-tracking`}>Tracking number (optional)</label>
              <input
                id={`${id}-tracking`}
                value={tracking}
                onInput={(e) => setTracking((e.currentTarget as HTMLInputElement).value)}
              />
            </div>
          )}
          <div class="actions">
            {f.allowed_transitions.map((to) => (
              <button key={to} type="button" class="btn small" disabled={busy} onClick={() => move(to)}>
                {TRANSITION_ACTION[to]}
              </button>
            ))}
          </div>
        </div>
      )}
      <button type="button" class="link-button" aria-expanded={Boolean(open)} onClick={toggle}>
        {open ? "Hide the history" : "Show the history"}
      </button>
      {open && <FulfillmentProgress fulfillment={open} />}
    </li>
  );
}

/** Won items by state, oldest sale first; overdue ones marked; moved along with the allowed steps. */
export function FulfillmentBoard() {
  const [items, setItems] = useState<Fulfillment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [onlyOverdue, setOnlyOverdue] = useState(false);
  useEffect(() => {
    document.title = "Fulfillment · Ampled Commissary";
  }, []);

  usePoll(
    async (signal) => {
      try {
        const queue = await api.fulfillmentQueue(signal);
        const missing = queue.items.filter((f) => !titles.has(f.listing_id));
        await Promise.all(
          missing.map((f) =>
            api.listing(f.listing_id, signal).then(
              (l: Listing) => titles.set(l.id, l.title),
              () => undefined,
            ),
          ),
        );
        setItems(queue.items);
        setError(null);
      } catch (e) {
        if (!signal.aborted) setError(describeError(e));
      }
    },
    15_000,
    [tick],
  );

  const shown = (items ?? []).filter((f) => !onlyOverdue || f.overdue);
  const overdue = (items ?? []).filter((f) => f.overdue).length;
  return (
    <>
      <div class="page-head">
        <h1>Fulfillment</h1>
      </div>
      <StewardNav current="fulfillment" />
      {error && (
        <p class="panel error-panel" role="alert">
          {error}
        </p>
      )}
      {!items && !error && <p class="loading">Loading…</p>}
      {items && (
        <p>
          {items.length} won item{items.length === 1 ? "" : "s"}
          {overdue > 0 && `, ${overdue} overdue`}.{" "}
          <label class="inline-check">
            <input
              type="checkbox"
              checked={onlyOverdue}
              onChange={(e) => setOnlyOverdue((e.currentTarget as HTMLInputElement).checked)}
            />{" "}
            Only overdue
          </label>
        </p>
      )}
      {items &&
        COLUMNS.map((state) => {
          const list = shown.filter((f) => f.state === state);
          if (list.length === 0) return null;
          return (
            <section key={state} class="board-column" aria-labelledby={`col-${state}`} data-testid={`column-${state}`}>
              <h2 id={`col-${state}`}>
                {FULFILLMENT_STEWARD_LABEL[state]} <span class="count-plain">({list.length})</span>
              </h2>
              <ul class="board-list">
                {list.map((f) => (
                  <Item key={`${f.listing_id}-${f.state}`} f={f} onMoved={() => setTick((t) => t + 1)} />
                ))}
              </ul>
            </section>
          );
        })}
    </>
  );
}
