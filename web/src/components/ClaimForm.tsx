import { useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { fieldMessage } from "../api/messages";
import type { ClaimInput, ContactDetails, Fulfillment, Listing } from "../api/types";
import { describeError } from "../chain/errors";

interface Props {
  listing: Listing;
  contact: ContactDetails | null;
  method: "pickup" | "shipping" | null;
  onClaimed: (f: Fulfillment) => void;
}

type Field = "method" | "name" | "email" | "phone" | "note" | "lines" | "city" | "postal_code" | "country";

/** The API's field names to this form's controls. */
const FIELD: Record<string, Field> = {
  "address.lines": "lines",
  "address.city": "city",
  "address.postal_code": "postal_code",
  "address.country": "country",
  address: "lines",
};

/** The winner's claim: pickup or shipping, with the contact details the co-op needs. */
export function ClaimForm({ listing, contact, method: claimed, onClaimed }: Props) {
  const pickup = listing.pickup.available;
  const shipping = listing.shipping.available;
  const [method, setMethod] = useState<"pickup" | "shipping">(claimed ?? (pickup || !shipping ? "pickup" : "shipping"));
  const [values, setValues] = useState<Record<Field, string>>({
    method: "",
    name: contact?.name ?? "",
    email: contact?.email ?? "",
    phone: contact?.phone ?? "",
    note: contact?.note ?? "",
    lines: contact?.address?.lines.join("\n") ?? "",
    city: contact?.address?.city ?? "",
    postal_code: contact?.address?.postal_code ?? "",
    country: contact?.address?.country ?? "",
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (f: Field) => `claim-${listing.id}-${f}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const input: ClaimInput = {
      method,
      name: values.name,
      email: values.email,
      phone: values.phone.trim() || undefined,
      note: values.note.trim() || undefined,
    };
    if (method === "shipping") {
      input.address = {
        lines: values.lines.split("\n").filter((l) => l.trim()),
        city: values.city,
        postal_code: values.postal_code,
        country: values.country.trim().toUpperCase(),
      };
    }
    setBusy(true);
    setProblem(null);
    try {
      const f = await api.claim(listing.id, input);
      setErrors({});
      onClaimed(f);
    } catch (e) {
      if (e instanceof ApiError && e.details.length) {
        const map: Partial<Record<Field, string>> = {};
        for (const d of e.details) map[FIELD[d.field] ?? (d.field as Field)] ??= fieldMessage(d);
        setErrors(map);
        setProblem("Some details need a look: see the marked fields.");
      } else {
        setProblem(describeError(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const text = (f: Field, label: string, attrs: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={id(f)}>{label}</label>
      <input
        id={id(f)}
        name={f}
        value={values[f]}
        onInput={(e) => setValues({ ...values, [f]: (e.currentTarget as HTMLInputElement).value })}
        aria-invalid={errors[f] ? "true" : undefined}
        aria-describedby={`${id(f)}-error`}
        {...attrs}
      />
      <p class="field-error" id={`${id(f)}-error`}>
        {errors[f] ?? ""}
      </p>
    </div>
  );

  return (
    <form class="claim-form" onSubmit={submit} noValidate data-testid="claim-form">
      <fieldset class="choice">
        <legend>How do you want to get it?</legend>
        <label>
          <input
            type="radio"
            name={`method-${listing.id}`}
            checked={method === "pickup"}
            disabled={!pickup}
            onChange={() => setMethod("pickup")}
          />{" "}
          Pick it up{listing.pickup.location ? ` (${listing.pickup.location})` : ""}
          {!pickup && " — not offered"}
        </label>
        <label>
          <input
            type="radio"
            name={`method-${listing.id}`}
            checked={method === "shipping"}
            disabled={!shipping}
            onChange={() => setMethod("shipping")}
          />{" "}
          Have it shipped{listing.shipping.note ? ` (${listing.shipping.note})` : ""}
          {!shipping && " — not offered"}
        </label>
        {errors.method && <p class="field-error">{errors.method}</p>}
      </fieldset>
      {text("name", "Your name", { autocomplete: "name" })}
      {text("email", "Email for the hand-over", { type: "email", autocomplete: "email" })}
      {text("phone", "Phone (optional)", { type: "tel", autocomplete: "tel" })}
      {method === "shipping" && (
        <>
          <div class="field">
            <label for={id("lines")}>Street address (one line each, up to 3)</label>
            <textarea
              id={id("lines")}
              rows={3}
              value={values.lines}
              onInput={(e) => setValues({ ...values, lines: (e.currentTarget as HTMLTextAreaElement).value })}
              aria-invalid={errors.lines ? "true" : undefined}
              aria-describedby={`${id("lines")}-error`}
              autocomplete="street-address"
            />
            <p class="field-error" id={`${id("lines")}-error`}>
              {errors.lines ?? ""}
            </p>
          </div>
          {text("city", "City", { autocomplete: "address-level2" })}
          {text("postal_code", "Postal code", { autocomplete: "postal-code" })}
          {text("country", "Country (two letters, like GB)", { autocomplete: "country", maxLength: 2 })}
        </>
      )}
      {text("note", "A note for the stewards (optional)")}
      <p class="hint">
        Only you and the co-op's stewards see these details; they are erased some weeks after the hand-over.
      </p>
      {problem && (
        <p class="error-text" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" class="btn" disabled={busy}>
        {busy ? "Sending…" : claimed ? "Update my claim" : "Claim it"}
      </button>
    </form>
  );
}
