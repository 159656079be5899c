// The words the page uses for the API's codes.

import type { BidderState, FulfillmentState, Listing, ListingStatus, NotificationKind } from "../api/types";

export const CATEGORIES: [string, string][] = [
  ["instruments", "Instruments"],
  ["amplifiers", "Amplifiers"],
  ["effects", "Effects"],
  ["recording", "Recording"],
  ["audio", "Audio"],
  ["accessories", "Accessories"],
  ["other", "Other"],
];

export const CONDITIONS: [string, string][] = [
  ["new", "New"],
  ["like_new", "Like new"],
  ["good", "Good"],
  ["fair", "Fair"],
  ["for_parts", "For parts"],
];

const lookup = (pairs: [string, string][]) => Object.fromEntries(pairs) as Record<string, string>;
const CATEGORY_LABEL = lookup(CATEGORIES);
const CONDITION_LABEL = lookup(CONDITIONS);

export const categoryLabel = (code: string) => CATEGORY_LABEL[code] ?? code;
export const conditionLabel = (code: string) => CONDITION_LABEL[code] ?? code;

export const STATUS_LABEL: Record<ListingStatus, string> = {
  draft: "Draft",
  publishing: "Publishing",
  scheduled: "Upcoming",
  live: "Live",
  ended: "Ended",
  settled: "Settled",
  unsold: "Unsold",
  cancelled: "Cancelled",
};

/** The badge a card shows: the status, refined by the clock for open auctions. */
export type Badge = ListingStatus | "ending_soon" | "extended";

export const BADGE_LABEL: Record<Badge, string> = {
  ...STATUS_LABEL,
  ending_soon: "Ending soon",
  extended: "Extended",
};

const ENDING_SOON_MS = 60 * 60 * 1000;

/** A late bid moved the end past the scheduled one. */
export function wasExtended(listing: Listing, scheduledEnd?: string): boolean {
  if (!scheduledEnd) return false;
  return Date.parse(listing.ends_at) > Date.parse(scheduledEnd);
}

export function badgeOf(listing: Listing, nowMs: number, scheduledEnd?: string): Badge {
  if (listing.status !== "live") return listing.status;
  const end = Date.parse(listing.ends_at);
  if (nowMs >= end) return "ended";
  if (wasExtended(listing, scheduledEnd)) return "extended";
  if (end - nowMs <= ENDING_SOON_MS) return "ending_soon";
  return "live";
}

/** "minimum raise: 5 %" from the API's basis points (500). */
export function percentFromBps(bps: number): string {
  const whole = Math.floor(bps / 100);
  const rest = bps % 100;
  return rest === 0 ? `${whole}` : `${whole}.${String(rest).padStart(2, "0").replace(/0$/, "")}`;
}

/** "5 %" or "2.5 %" typed by a steward, as basis points; null when not a percentage. */
export function bpsFromPercent(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

export const reserveMet = (listing: Listing) =>
  listing.highest_bid !== null && BigInt(listing.highest_bid) >= BigInt(listing.reserve_price);

export const BIDDER_STATE_LABEL: Record<BidderState, string> = {
  winning: "Winning",
  outbid: "Outbid",
  won: "Won",
  lost: "Lost",
  cancelled: "Cancelled",
};

export const FULFILLMENT_LABEL: Record<FulfillmentState, string> = {
  awaiting_claim: "Waiting for your claim",
  claimed: "Claimed",
  ready_for_pickup: "Ready for pickup",
  shipped: "Shipped",
  handed_over: "Handed over",
  unclaimed: "Not claimed in time",
};

/** The steward's words for the same states (the winner's claim is "awaiting claim"). */
export const FULFILLMENT_STEWARD_LABEL: Record<FulfillmentState, string> = {
  ...FULFILLMENT_LABEL,
  awaiting_claim: "Awaiting the winner's claim",
};

/** What a steward's button says for moving a record to a state. */
export const TRANSITION_ACTION: Record<FulfillmentState, string> = {
  awaiting_claim: "Back to awaiting claim",
  claimed: "Mark claimed",
  ready_for_pickup: "Ready for pickup",
  shipped: "Mark shipped",
  handed_over: "Handed over",
  unclaimed: "Record as unclaimed",
};

export const NOTIFICATION_KIND_LABEL: Record<NotificationKind, string> = {
  outbid: "Someone outbids me",
  won: "I win an auction",
  lost: "An auction I bid on goes to someone else",
  ending_soon: "An auction I bid on or watch ends soon",
  claim_reminder: "A reminder to claim an item I won",
  fulfillment_update: "News about an item I won (ready, shipped, …)",
};
