// Every refusal code the API can send, in the page's words. The API's own `message` is
// for developers ("the message URI must be …"); members and stewards get these. A unit
// test reads the codes out of the Rust sources (crates/api, the database conflicts, the
// domain's refusals, the photo errors) and fails when one has no sentence here.

import { formatAmpled } from "../lib/amount";
import { FULFILLMENT_STEWARD_LABEL } from "../lib/labels";
import type { ApiError } from "./client";
import type { FieldError, FulfillmentState } from "./types";

type Message = string | ((e: ApiError) => string);

/** Why the co-op's relayer would not take a bid now (`relay.reason` of a quote, `details.reason` of a 503). */
export const RELAY_REASONS: Record<string, string> = {
  not_configured: "This Commissary has no relayer set up, so bids cannot be sent without gas here.",
  member_hourly_bids: "You have sent as many gasless bids as allowed for this hour.",
  member_daily_gas: "You have used up today's gasless bids the co-op pays for.",
  daily_gas: "The co-op's budget for gasless bids is spent for today.",
  relayer_balance: "The co-op's relayer is low on ETH for gas until a steward tops it up.",
};

export const relayReason = (reason: unknown): string =>
  (typeof reason === "string" && RELAY_REASONS[reason]) || "The co-op's relayer cannot send bids right now.";

const seconds = (e: ApiError) => (e.retryAfter ? ` Try again in ${e.retryAfter} s.` : " Try again in a moment.");

const stateList = (value: unknown) =>
  Array.isArray(value) && value.length
    ? value.map((s) => FULFILLMENT_STEWARD_LABEL[s as FulfillmentState] ?? String(s)).join(" or ")
    : "nothing (it is where it can stay)";

export const MESSAGES: Record<string, Message> = {
  // Reaching the service at all.
  network: "The Commissary cannot be reached right now. Check your connection and try again.",
  internal_error: "Something went wrong on the Commissary's side. Try again; if it keeps happening, tell a steward.",
  unavailable: (e) => `The Commissary is briefly unavailable.${seconds(e)}`,
  storage_error: "The photo could not be stored. Try again in a moment.",
  rate_limited: (e) => `That was a lot of requests in a short time.${seconds(e)}`,

  // Who is asking.
  unauthenticated: "Your session has ended. Sign in with your wallet again.",
  forbidden: "Only the co-op's stewards can do this.",
  not_found: "This does not exist (any more), or it is not yours to see.",

  // Signing in.
  invalid_siwe_message: "The sign-in message was not in the expected form. Start the sign-in again.",
  siwe_domain_mismatch:
    "The sign-in message names another site. Open the Commissary at its own address and sign in again.",
  siwe_uri_mismatch:
    "The sign-in message names another address. Open the Commissary at its own address and sign in again.",
  siwe_chain_mismatch: "Your wallet is on another network. Switch it to the co-op's chain and sign in again.",
  siwe_expired: "The sign-in request expired. Sign in again (and check your computer's clock).",
  invalid_nonce: "The sign-in request was already used or is too old. Sign in again.",
  invalid_signature: "The signature does not belong to this account. Sign in again with the same wallet account.",
  invalid_signature_encoding:
    "Your wallet returned a signature in an unexpected form. Try again, or try another wallet.",

  // Requests the page builds (should not happen; if they do, reloading helps).
  invalid_json: "The request was not understood. Reload the page and try again.",
  invalid_query: "The request was not understood. Reload the page and try again.",
  method_not_allowed: "The request was not understood. Reload the page and try again.",
  invalid_limit: "The request asked for too many items at once. Reload the page.",
  invalid_cursor: "The list changed while you were paging through it. Reload the page.",
  invalid_listing: "That is not a listing's address. Check the link.",
  invalid_status: "That status filter is not known. Reset the filters.",
  invalid_category: "That category is not known. Reset the filters.",
  invalid_sort: "That sort order is not known. Reset the filters.",
  invalid_state: "That fulfillment state is not known. Reload the page.",
  invalid_kind: "That kind of notification is not known.",
  invalid_last_event_id: "Live updates could not resume; the page reloads its data instead.",
  validation_failed: "Some fields need a look: see the marked ones.",

  // Listings and photos (stewards).
  listing_not_draft: "This listing is no longer a draft, so it cannot be changed. Reload to see it as it is.",
  status_changed: "The listing changed meanwhile. Reload and try again.",
  duplicate_listing: "An identical listing (same text, times and photos) is already published.",
  not_cancellable: "This auction can no longer be cancelled.",
  auction_has_bids: "The auction has bids, so it cannot be cancelled any more.",
  too_many_photos: "A listing has at most 12 photos. Remove one first.",
  duplicate_photo: "This photo is already on the listing.",
  photo_order_mismatch: "The photos changed meanwhile. Reload and order them again.",
  invalid_multipart: "The upload was not understood. Try the photo again.",
  missing_photo_field: "The upload had no photo in it. Choose the file again.",
  unexpected_field: "The upload held more than the photo. Choose the file again.",
  photo_empty: "That file is empty.",
  upload_too_large: "That photo is too large: at most 20 MiB.",
  payload_too_large: "That is too large to send.",
  image_too_large: "That photo has too many pixels: at most 40 megapixels.",
  unsupported_media_type: "Only JPEG, PNG and WebP photos can be uploaded.",
  image_corrupt: "That photo could not be read: the file may be damaged.",

  // The database's own conflicts (retrying usually helps).
  unique_violation: "That exists already. Reload the page.",
  cursor_moved: "The Commissary was busy with the same thing. Try again.",
  lease_lost: "The Commissary was busy with the same thing. Try again.",
  intent_state_changed: "The Commissary was busy with the same thing. Try again.",

  // After the hammer.
  claim_period_over: "The time to claim this item has passed. Contact a steward if you still want it.",
  claim_not_amendable: "The item is already on its way, so the claim can no longer be changed.",
  fulfillment_changed: "A steward moved this item meanwhile. Reload to see where it is.",
  invalid_transition: (e) =>
    `It cannot move to “${FULFILLMENT_STEWARD_LABEL[e.extra.to as FulfillmentState] ?? e.extra.to}” from here; it can move to ${stateList(e.extra.allowed)}. Reload to see where it is.`,

  // Profile and email.
  email_unavailable: (e) =>
    e.retryAfter
      ? `The confirmation code could not be mailed.${seconds(e)}`
      : "This Commissary sends no email, so no address can be added.",
  invalid_code: (e) => {
    const left = Number(e.extra.remaining_attempts);
    return Number.isFinite(left) && left > 0
      ? `That code is not right: ${left} ${left === 1 ? "try" : "tries"} left.`
      : "That code is not right, and it is now void. Save the address again for a new code.";
  },
  no_pending_code: "There is no code waiting: save the email address again to get a new one.",

  // Bids through the co-op's relayer.
  invalid_amount: "That amount is not valid for a bid.",
  auction_not_live: "The auction is not open for bids (not started yet, or already closed).",
  signature_expired: "The signed bid expired before it was sent. Place the bid again.",
  nonce_mismatch: "Another bid of yours was signed meanwhile. Place the bid again.",
  bid_too_low: (e) =>
    typeof e.extra.min_next_bid === "string"
      ? `Someone bid meanwhile: bid at least ${formatAmpled(e.extra.min_next_bid)}.`
      : "Someone bid meanwhile: your bid is below the new minimum.",
  insufficient_balance: "You do not hold enough $AMPLED for this bid.",
  insufficient_allowance: "The auction may not move that much of your $AMPLED yet; sign the permission again.",
  relay_unavailable: (e) =>
    `${relayReason(e.extra.reason)}${seconds(e)} You can also bid from your wallet if it holds a little ETH for gas.`,
  simulation_failed: "The auction contract would refuse this bid right now. Reload the page and try again.",
  // A relayed bid that reverted on chain for a reason the relay does not name.
  reverted: "The bid reached the chain but was refused there; nothing was taken. Try again.",

  // Maximum bids ("Set a maximum").
  max_bid_too_low: (e) =>
    typeof e.extra.min_next_bid === "string"
      ? `Your maximum must be at least the next bid, ${formatAmpled(e.extra.min_next_bid)}.`
      : "Your maximum is below the next bid: raise it.",
  // Why a re-bid under a maximum failed (a relay's failure.code).
  max_bid_revoked: "That maximum was revoked, so the Commissary no longer bids with it. Set a new one.",
  already_leading: "You already lead this auction, so no bid was needed.",
  max_bid_unfunded: "A maximum could not be used: its bidder's $AMPLED or permission no longer covers it.",
};

/** The sentence for an API refusal; the API's own message for a code the page does not know. */
export function apiMessage(e: ApiError): string {
  const message = MESSAGES[e.code];
  if (typeof message === "function") return message(e);
  if (message) return message;
  if (e.status === 401) return MESSAGES.unauthenticated as string;
  return e.message;
}

const FIELD_CODES: Record<string, string> = {
  required: "This is needed.",
  too_long: "This is too long.",
  invalid_characters: "Remove the line breaks or control characters.",
  invalid_email: "Enter an email address like name@example.org.",
  invalid_phone: "Enter 5 to 20 digits (spaces, + - ( ) are fine).",
  invalid_country: "Enter the two-letter country code, like GB or DE.",
  method_not_offered: "This item is not offered that way.",
  invalid_method: "Choose pickup or shipping.",
  too_many_lines: "At most 3 address lines.",
};

/** A field's problem in words (the API's message when the code is specific to one field). */
export const fieldMessage = (e: FieldError) => FIELD_CODES[e.code] ?? e.message;
