// The steward's one-click actions, each with a confirmation in plain words.

import { api, uploadPhoto } from "../api/client";
import type { Listing, ListingInput } from "../api/types";
import { confirmAction } from "../components/ConfirmDialog";
import { formatInstant } from "../lib/time";

export async function publishListing(listing: Listing): Promise<Listing | null> {
  const minutes = Math.round(listing.extension_secs / 60);
  const ok = await confirmAction(
    `Publish “${listing.title}”?`,
    `The listing is frozen as it is now and the auction is created on chain: it opens ${formatInstant(listing.starts_at)} and closes ${formatInstant(listing.ends_at)}${minutes > 0 ? ` (a bid in the last ${minutes} min pushes the close back)` : ""}. You cannot edit it afterwards; you can cancel it only until the first bid.`,
    "Publish on chain",
  );
  return ok ? api.publish(listing.id) : null;
}

export async function cancelListing(listing: Listing): Promise<Listing | null> {
  const ok = await confirmAction(
    `Cancel the auction of “${listing.title}”?`,
    listing.status === "draft"
      ? "The draft is marked cancelled. Nothing is on chain yet."
      : "The auction is cancelled on chain: nobody can bid any more and it cannot be reopened. This works only while it has no bids.",
    "Cancel the auction",
    true,
  );
  return ok ? api.cancel(listing.id) : null;
}

export async function discardDraft(listing: Listing): Promise<boolean> {
  const ok = await confirmAction(
    `Discard the draft “${listing.title}”?`,
    "The draft and its photos are deleted for good. Nothing was on chain.",
    "Discard the draft",
    true,
  );
  if (ok) await api.deleteListing(listing.id);
  return ok;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** An unsold item as a new draft: same text, terms and photos; a fresh week from now. */
export async function relist(listing: Listing): Promise<Listing> {
  const start = Math.ceil((Date.now() + 10 * 60 * 1000) / 60000) * 60000;
  const input: ListingInput = {
    title: listing.title,
    description: listing.description,
    category: listing.category,
    condition: listing.condition,
    donor_credit: listing.donor_credit,
    reserve_price: listing.reserve_price,
    starts_at: isoSeconds(start),
    ends_at: isoSeconds(start + 7 * DAY_MS),
    min_increment_bps: listing.min_increment_bps,
    extension_secs: listing.extension_secs,
    pickup: listing.pickup,
    shipping: listing.shipping,
  };
  const draft = await api.createListing(input);
  for (const photo of listing.photos) {
    const blob = await fetch(photo.urls.full).then((r) => r.blob());
    await uploadPhoto(draft.id, new File([blob], `${photo.sha256.slice(0, 12)}`, { type: blob.type }), () => undefined);
  }
  return api.listing(draft.id);
}
