import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import type { FieldError, Listing, ListingInput } from "../api/types";
import { describeError } from "../chain/errors";
import { PhotoManager } from "../components/PhotoManager";
import { type AmountError, parseAmpled, toInputValue } from "../lib/amount";
import { bpsFromPercent, CATEGORIES, CONDITIONS, percentFromBps } from "../lib/labels";
import { notify } from "../lib/notices";
import { fromLocalInput, toLocalInput } from "../lib/time";
import { href, navigate } from "../router";
import { discardDraft, publishListing } from "../steward/actions";
import { plainMessage, publishProblems } from "../steward/fields";

interface Form {
  title: string;
  description: string;
  category: string;
  condition: string;
  donor_credit: string;
  reserve: string;
  starts_at: string;
  ends_at: string;
  raise: string;
  extension_min: string;
  pickup: boolean;
  pickup_location: string;
  shipping: boolean;
  shipping_note: string;
}

const HOUR_MS = 3600_000;

function blankForm(): Form {
  const start = Math.ceil((Date.now() + HOUR_MS) / HOUR_MS) * HOUR_MS;
  return {
    title: "",
    description: "",
    category: "instruments",
    condition: "good",
    donor_credit: "",
    reserve: "",
    starts_at: toLocalInput(new Date(start).toISOString()),
    ends_at: toLocalInput(new Date(start + 7 * 24 * HOUR_MS).toISOString()),
    raise: "5",
    extension_min: "5",
    pickup: true,
    pickup_location: "",
    shipping: false,
    shipping_note: "",
  };
}

function formOf(l: Listing): Form {
  return {
    title: l.title,
    description: l.description,
    category: l.category,
    condition: l.condition,
    donor_credit: l.donor_credit ?? "",
    reserve: toInputValue(BigInt(l.reserve_price)),
    starts_at: toLocalInput(l.starts_at),
    ends_at: toLocalInput(l.ends_at),
    raise: percentFromBps(l.min_increment_bps),
    extension_min: String(Math.round(l.extension_secs / 60)),
    pickup: l.pickup.available,
    pickup_location: l.pickup.location ?? "",
    shipping: l.shipping.available,
    shipping_note: l.shipping.note ?? "",
  };
}

/** The form as the API's input; problems the page can see itself come back as field errors. */
function inputOf(f: Form): { input: ListingInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  let reserve = "";
  try {
    reserve = parseAmpled(f.reserve).toString();
  } catch (e) {
    errors.push({ field: "reserve_price", code: "invalid", message: (e as AmountError).message });
  }
  const bps = bpsFromPercent(f.raise);
  if (bps === null)
    errors.push({ field: "min_increment_bps", code: "invalid", message: "Enter a percentage, like 5 or 2.5." });
  const minutes = Number(f.extension_min);
  if (!Number.isInteger(minutes) || minutes < 0)
    errors.push({ field: "extension_secs", code: "invalid", message: "Enter whole minutes, like 5 (0 for none)." });
  return {
    errors,
    input: {
      title: f.title,
      description: f.description,
      category: f.category,
      condition: f.condition,
      donor_credit: f.donor_credit.trim() ? f.donor_credit : null,
      reserve_price: reserve || undefined,
      starts_at: fromLocalInput(f.starts_at) || undefined,
      ends_at: fromLocalInput(f.ends_at) || undefined,
      min_increment_bps: bps ?? undefined,
      extension_secs: Number.isInteger(minutes) ? minutes * 60 : undefined,
      pickup: { available: f.pickup, location: f.pickup_location.trim() || null },
      shipping: { available: f.shipping, note: f.shipping_note.trim() || null },
    },
  };
}

/** Which form control shows an API field's error. */
const CONTROL: Record<string, string> = {
  reserve_price: "reserve",
  min_increment_bps: "raise",
  extension_secs: "extension_min",
  "pickup.location": "pickup_location",
  "shipping.note": "shipping_note",
};
const controlOf = (field: string) => CONTROL[field] ?? field;

export function ListingEditor({ id }: { id: string | null }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [form, setForm] = useState<Form | null>(id ? null : blankForm());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!id) {
      setListing(null);
      setForm(blankForm());
      return;
    }
    api.listing(id).then(
      (l) => {
        setListing(l);
        setForm(formOf(l));
      },
      (e) => setLoadError(describeError(e)),
    );
  }, [id]);

  if (loadError) {
    return (
      <section class="panel">
        <h1>This draft cannot be opened</h1>
        <p>{loadError}</p>
        <a href={href.desk()}>Back to the desk</a>
      </section>
    );
  }
  if (!form) return <p class="loading">Loading…</p>;
  if (listing && listing.status !== "draft") {
    return (
      <section class="panel">
        <h1>{listing.title}</h1>
        <p>This listing is no longer a draft, so it cannot be edited.</p>
        <a href={href.listing(listing.id)}>See the listing</a>
      </section>
    );
  }

  const set = (key: keyof Form) => (event: Event) => {
    const target = event.currentTarget as HTMLInputElement;
    setForm({ ...form, [key]: target.type === "checkbox" ? target.checked : target.value });
  };

  const showErrors = (list: FieldError[]) => {
    const map: Record<string, string> = {};
    for (const e of list) map[controlOf(e.field)] ??= plainMessage(e);
    setErrors(map);
    requestAnimationFrame(() => summary.current?.focus());
  };

  const save = async (): Promise<Listing | null> => {
    const { input, errors: local } = inputOf(form);
    if (local.length) {
      showErrors(local);
      return null;
    }
    setSaving(true);
    try {
      const saved = listing ? await api.updateListing(listing.id, input) : await api.createListing(input);
      setErrors({});
      setListing(saved);
      setForm(formOf(saved));
      if (!listing) navigate(href.edit(saved.id), { replace: true });
      return saved;
    } catch (e) {
      if (e instanceof ApiError && e.details.length) showErrors(e.details);
      else notify(describeError(e), "error", "editor");
      return null;
    } finally {
      setSaving(false);
    }
  };

  const publish = async () => {
    const saved = await save();
    if (!saved) return;
    const problems = publishProblems(saved, Date.now());
    if (problems.length) {
      showErrors(problems);
      return;
    }
    try {
      if (await publishListing(saved)) {
        notify(`“${saved.title}” is being put on chain.`, "ok", "editor");
        navigate(href.desk());
      }
    } catch (e) {
      if (e instanceof ApiError && e.details.length) showErrors(e.details);
      else notify(describeError(e), "error", "editor");
    }
  };

  const discard = async () => {
    if (!listing) {
      navigate(href.desk());
      return;
    }
    try {
      if (await discardDraft(listing)) {
        notify("The draft was discarded.", "ok", "editor");
        navigate(href.desk());
      }
    } catch (e) {
      notify(describeError(e), "error", "editor");
    }
  };

  const field = (key: keyof Form, label: string, control: preact.JSX.Element, hint?: string) => (
    <div class="field">
      <label for={`e-${key}`}>{label}</label>
      {control}
      {hint && (
        <p class="hint" id={`e-${key}-hint`}>
          {hint}
        </p>
      )}
      <p class="field-error" id={`e-${key}-error`}>
        {errors[key] ?? ""}
      </p>
    </div>
  );
  const attrs = (key: keyof Form) => ({
    id: `e-${key}`,
    name: key,
    "aria-invalid": errors[key] ? ("true" as const) : undefined,
    "aria-describedby": `e-${key}-error e-${key}-hint`,
  });
  const errorList = Object.entries(errors);
  const upcomingProblems = listing ? publishProblems(listing, Date.now()) : [];

  return (
    <form
      class="editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save().then((s) => s && notify("Draft saved.", "ok", "editor"));
      }}
    >
      <div class="page-head">
        <h1>{listing ? `Edit “${listing.title}”` : "New listing"}</h1>
        <a href={href.desk()}>Back to the desk</a>
      </div>
      <div class="form-summary" ref={summary} tabIndex={-1} role={errorList.length ? "alert" : undefined}>
        {errorList.length > 0 && (
          <>
            <p>Please fix {errorList.length === 1 ? "this" : `these ${errorList.length}`}:</p>
            <ul>
              {errorList.map(([key, message]) => (
                <li key={key}>
                  <a
                    href={`#e-${key}`}
                    onClick={(ev) => {
                      ev.preventDefault();
                      document.getElementById(`e-${key}`)?.focus();
                    }}
                  >
                    {message}
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div class="form-grid">
        <div class="wide">
          {field(
            "title",
            "Title",
            <input {...attrs("title")} value={form.title} onInput={set("title")} maxLength={120} />,
          )}
        </div>
        <div class="wide">
          {field(
            "description",
            "Description",
            <textarea {...attrs("description")} value={form.description} onInput={set("description")} />,
            "What it is, its condition in detail, what comes with it.",
          )}
        </div>
        {field(
          "category",
          "Category",
          <select {...attrs("category")} value={form.category} onChange={set("category")}>
            {CATEGORIES.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>,
        )}
        {field(
          "condition",
          "Condition",
          <select {...attrs("condition")} value={form.condition} onChange={set("condition")}>
            {CONDITIONS.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>,
        )}
        {field(
          "donor_credit",
          "Donor credit",
          <input {...attrs("donor_credit")} value={form.donor_credit} onInput={set("donor_credit")} />,
          "Shown as “Donated by …”; leave empty for anonymous.",
        )}
        {field(
          "reserve",
          "Starting price (AMPLED)",
          <input {...attrs("reserve")} inputMode="decimal" value={form.reserve} onInput={set("reserve")} />,
          "The first bid must be at least this (the reserve).",
        )}
        {field(
          "starts_at",
          "Opens",
          <input {...attrs("starts_at")} type="datetime-local" value={form.starts_at} onInput={set("starts_at")} />,
        )}
        {field(
          "ends_at",
          "Closes",
          <input {...attrs("ends_at")} type="datetime-local" value={form.ends_at} onInput={set("ends_at")} />,
        )}
        {field(
          "raise",
          "Minimum raise (%)",
          <input {...attrs("raise")} inputMode="decimal" value={form.raise} onInput={set("raise")} />,
          `Each bid beats the last by at least this much: minimum raise: ${form.raise || "…"} %.`,
        )}
        {field(
          "extension_min",
          "Late-bid extension (minutes)",
          <input
            {...attrs("extension_min")}
            inputMode="numeric"
            value={form.extension_min}
            onInput={set("extension_min")}
          />,
          "A bid this close to the end pushes the end back by as much.",
        )}
      </div>
      <fieldset>
        <legend>How the winner gets it</legend>
        <label class="check">
          <input type="checkbox" name="pickup" checked={form.pickup} onChange={set("pickup")} /> Pickup
        </label>
        {form.pickup &&
          field(
            "pickup_location",
            "Pickup location",
            <input {...attrs("pickup_location")} value={form.pickup_location} onInput={set("pickup_location")} />,
          )}
        <label class="check">
          <input type="checkbox" name="shipping" checked={form.shipping} onChange={set("shipping")} /> Shipping
        </label>
        {form.shipping &&
          field(
            "shipping_note",
            "Shipping note",
            <input {...attrs("shipping_note")} value={form.shipping_note} onInput={set("shipping_note")} />,
          )}
        <p class="field-error">{errors.pickup ?? ""}</p>
      </fieldset>
      {listing ? (
        <PhotoManager
          listingId={listing.id}
          photos={listing.photos}
          onChange={(photos) => setListing({ ...listing, photos })}
        />
      ) : (
        <p class="hint">Save the draft to add photos.</p>
      )}
      {errors.photos && <p class="field-error">{errors.photos}</p>}
      {listing && upcomingProblems.length > 0 && (
        <div class="publish-check" data-testid="publish-check">
          <p>Before it can be published:</p>
          <ul>
            {upcomingProblems.map((p) => (
              <li key={p.field}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="row editor-actions">
        <button type="submit" class="btn secondary" disabled={saving}>
          {saving ? "Saving…" : "Save draft"}
        </button>
        {listing && (
          <button type="button" class="btn" disabled={saving} onClick={publish}>
            Publish…
          </button>
        )}
        <button type="button" class="btn danger" onClick={discard}>
          {listing ? "Discard draft…" : "Cancel"}
        </button>
      </div>
    </form>
  );
}
