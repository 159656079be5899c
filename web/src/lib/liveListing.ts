// What a public live event changes in a listing the page already shows. The event
// carries the auction as it is after it, so the price, minimum, end and count move at
// once; the rest (bid history, names) comes from the reload the view schedules.

import type { Listing, LiveEvent } from "../api/types";

export const PUBLIC_EVENTS = ["bid", "bid_removed", "settled", "cancelled", "status"] as const;

export function applyEvent(listing: Listing, kind: string, e: LiveEvent): Listing {
  if (e.listing_id !== listing.id) return listing;
  switch (kind) {
    case "bid":
    case "bid_removed":
      return {
        ...listing,
        highest_bid: e.highest_bid ?? null,
        highest_bidder: e.highest_bidder ?? null,
        highest_bidder_name: undefined,
        min_next_bid: e.min_next_bid ?? listing.min_next_bid,
        ends_at: e.ends_at ?? listing.ends_at,
        bid_count: e.bid_count ?? listing.bid_count,
        current_price: e.highest_bid ?? listing.reserve_price,
      };
    case "status":
      return e.status ? { ...listing, status: e.status } : listing;
    case "cancelled":
      return { ...listing, status: "cancelled" };
    default:
      return listing;
  }
}
