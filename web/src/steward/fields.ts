// The editor's fields: API names, the labels stewards see, and the API's validation
// messages in those words (no "min_increment_bps", no basis points).

import type { FieldError, Listing } from "../api/types";

export const FIELD_LABEL: Record<string, string> = {
  title: "Title",
  description: "Description",
  category: "Category",
  condition: "Condition",
  donor_credit: "Donor credit",
  reserve_price: "Starting price",
  starts_at: "Opens",
  ends_at: "Closes",
  min_increment_bps: "Minimum raise",
  extension_secs: "Late-bid extension",
  pickup: "Pickup",
  "pickup.location": "Pickup location",
  shipping: "Shipping",
  "shipping.note": "Shipping note",
  photos: "Photos",
};

const PLAIN: Record<string, string> = {
  "min_increment_bps:out_of_range": "The minimum raise must be between 0.01 % and 100 %.",
  "reserve_price:must_be_positive": "The starting price must be more than 0 AMPLED.",
  "extension_secs:out_of_range": "The late-bid extension must be between 0 and 1 440 minutes.",
};

/** The API's message with its field names replaced by the labels on the form. */
export function plainMessage(error: FieldError): string {
  const known = PLAIN[`${error.field}:${error.code}`];
  if (known) return known;
  let text = error.message;
  for (const [field, label] of Object.entries(FIELD_LABEL)) {
    text = text.replaceAll(field, label.toLowerCase());
  }
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/([^.])$/, "$1.");
}

/** What publishing needs that the draft lacks, said before the steward clicks publish. */
export function publishProblems(listing: Listing, nowMs: number): FieldError[] {
  const problems: FieldError[] = [];
  if (listing.photos.length === 0)
    problems.push({ field: "photos", code: "required", message: "Add at least one photo." });
  if (!listing.description.trim())
    problems.push({ field: "description", code: "required", message: "Write a description." });
  if (Date.parse(listing.starts_at) < nowMs)
    problems.push({
      field: "starts_at",
      code: "in_the_past",
      message: "The opening time has passed: pick a later one.",
    });
  return problems;
}
