// The JSON the service sends (crates/api). Token amounts are decimal strings of base
// units; times are RFC 3339 UTC.

export type ListingStatus =
  | "draft"
  | "publishing"
  | "scheduled"
  | "live"
  | "ended"
  | "settled"
  | "unsold"
  | "cancelled";

export interface Photo {
  id: string;
  sha256: string;
  width: number;
  height: number;
  position: number;
  /** Rendition name (`full`, `w320`, `w1024`, `w2048`) to its URL. */
  urls: Record<string, string>;
}

export interface Settlement {
  tx_hash: string;
  winner: string | null;
  /** Present once the API knows members' profiles. */
  winner_name?: string | null;
  amount: string;
}

export interface Listing {
  id: string;
  status: ListingStatus;
  title: string;
  description: string;
  category: string;
  condition: string;
  donor_credit: string | null;
  reserve_price: string;
  current_price: string;
  starts_at: string;
  ends_at: string;
  min_increment_bps: number;
  extension_secs: number;
  pickup: { available: boolean; location?: string | null };
  shipping: { available: boolean; note?: string | null };
  photos: Photo[];
  listing_hash: string | null;
  auction_id: string | null;
  tx_hash: string | null;
  highest_bid: string | null;
  highest_bidder: string | null;
  highest_bidder_name?: string | null;
  min_next_bid: string | null;
  bid_count: number;
  /** How many members watch it. */
  watch_count?: number;
  settlement: Settlement | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Bid {
  bidder: string;
  /** Present once the API knows members' profiles. */
  bidder_name?: string | null;
  amount: string;
  ends_at: string;
  placed_at: string;
  tx_hash: string;
  block_number: number;
}

export type Role = "member" | "steward";

export interface Me {
  address: string;
  roles: Role[];
  display_name?: string | null;
}

export interface PublicConfig {
  chain_id: number;
  token_address: string | null;
  auction_address: string | null;
  rpc_url: string | null;
  /** Unlocked anvil accounts; non-empty only under `commissary dev`. */
  dev_accounts: string[];
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** What the editor sends; `null` clears an optional field. */
export interface ListingInput {
  title?: string;
  description?: string;
  category?: string;
  condition?: string;
  donor_credit?: string | null;
  reserve_price?: string;
  starts_at?: string;
  ends_at?: string;
  min_increment_bps?: number;
  extension_secs?: number;
  pickup?: { available: boolean; location?: string | null };
  shipping?: { available: boolean; note?: string | null };
}

export type ListingSort = "ending_soon" | "newest" | "price_low" | "price_high";

export interface ListingQuery {
  status?: string;
  category?: string;
  q?: string;
  sort?: ListingSort;
  cursor?: string;
  limit?: number;
}

/** A frame of the live streams (`/events`, `/listings/{id}/events`, `/me/events`). */
export interface LiveEvent {
  listing_id: string;
  auction_id?: string;
  tx_hash?: string;
  block_number?: number;
  /** `bid`/`bid_removed`: that bid; `settled`: the winner (or null). */
  bidder?: string;
  winner?: string | null;
  amount?: string;
  your_bid?: string;
  highest_bid?: string | null;
  highest_bidder?: string | null;
  min_next_bid?: string | null;
  ends_at?: string;
  bid_count?: number;
  status?: ListingStatus;
  previous?: ListingStatus;
}

export type PublicEventKind = "bid" | "bid_removed" | "settled" | "cancelled" | "status";
export type PersonalEventKind = "outbid" | "won" | "lost" | "notification" | "relay";

export type BidderState = "winning" | "outbid" | "won" | "lost" | "cancelled";

export interface MyBid {
  listing: { id: string; title: string; status: ListingStatus; category: string; photo: Photo | null };
  auction_id: string;
  my_highest_bid: string;
  my_bid_count: number;
  highest_bid: string | null;
  highest_bidder: string | null;
  min_next_bid: string;
  ends_at: string;
  state: BidderState;
  /** The member's own maximum on this auction (only to them), when max bids exist. */
  max_bid?: string | null;
  max_bid_state?: MaxBidState | null;
}

export interface CreditEntry {
  kind: "credited" | "withdrawn";
  amount: string;
  tx_hash: string;
  block_number: number;
  at: string;
}

export interface Credits {
  address: string;
  credits: string;
  /** `credits(address)` read from the contract now; null without a chain. */
  on_chain: string | null;
  withdraw: { to: string | null; function: string; data: `0x${string}` };
  history: CreditEntry[];
}

export type FulfillmentState =
  | "awaiting_claim"
  | "claimed"
  | "ready_for_pickup"
  | "shipped"
  | "handed_over"
  | "unclaimed";

export interface PostalAddress {
  lines: string[];
  city: string;
  postal_code: string;
  country: string;
}

export interface ContactDetails {
  name: string;
  email: string;
  phone?: string | null;
  address?: PostalAddress | null;
  note?: string | null;
}

export interface FulfillmentStep {
  actor: string;
  at: string;
  from: FulfillmentState | null;
  to: FulfillmentState;
  note: string | null;
}

export interface Fulfillment {
  listing_id: string;
  auction_id: string;
  winner: string;
  amount: string;
  settlement_tx: string;
  settled_at: string;
  claim_by: string;
  state: FulfillmentState;
  method: "pickup" | "shipping" | null;
  contact: ContactDetails | null;
  tracking: string | null;
  claimed_at: string | null;
  state_changed_at: string;
  closed_at: string | null;
  erased: boolean;
  overdue: boolean;
  allowed_transitions: FulfillmentState[];
  history?: FulfillmentStep[];
}

export interface ClaimInput {
  method: "pickup" | "shipping";
  name: string;
  email: string;
  phone?: string;
  address?: PostalAddress;
  note?: string;
}

export type NotificationKind = "outbid" | "won" | "lost" | "ending_soon" | "claim_reminder" | "fulfillment_update";

export interface NotificationItem {
  id: string;
  kind: NotificationKind;
  headline: string;
  listing_id: string | null;
  auction_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
  read: boolean;
}

export interface Inbox {
  items: NotificationItem[];
  unread: number;
  next_cursor: string | null;
}

export interface NotificationSettings {
  email: Record<string, boolean>;
}

export interface Profile {
  display_name: string | null;
  email: string | null;
  pending_email: string | null;
}

export interface SummaryRow {
  month: string;
  category: string;
  auctions: number;
  sold: number;
  unsold: number;
  ampled_redeemed: string;
}

/** An EIP-712 document exactly as `eth_signTypedData_v4` takes it. */
export interface TypedDataDocument {
  domain: { name: string; version: string; chainId: number; verifyingContract: `0x${string}` };
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, string>;
}

/** Why the relay would not take a bid now; null when it would. */
export type RelayReason =
  | "not_configured"
  | "member_hourly_bids"
  | "member_daily_gas"
  | "daily_gas"
  | "relayer_balance";

export interface RelayAvailability {
  available: boolean;
  reason: RelayReason | null;
  /** Gas the relayer may still spend for this member today. */
  remaining_today: number;
}

export interface BidQuote {
  auction_id: string;
  min_next_bid: string;
  ends_at: string | null;
  balance: string;
  allowance: string;
  nonce: string;
  /** Unix seconds. */
  deadline: number;
  typed_data: TypedDataDocument;
  permit_typed_data: TypedDataDocument | null;
  relay: RelayAvailability;
}

export interface SignedPermit {
  value: string;
  deadline: number;
  signature: `0x${string}`;
}

export interface RelayInput {
  amount: string;
  nonce: string;
  deadline: number;
  signature: `0x${string}`;
  permit: SignedPermit | null;
}

export type RelayState = "queued" | "sent" | "mined" | "failed";

export interface RelayStatus {
  relay_id: string;
  listing_id: string;
  auction_id: string;
  amount: string;
  status: RelayState;
  tx_hash: string | null;
  block_number: number | null;
  failure: { code: string; message: string } | null;
}

export interface MaxBidQuote {
  auction_id: string;
  min_next_bid: string;
  balance: string;
  allowance: string;
  salt: string;
  /** Unix seconds. */
  deadline: number;
  typed_data: TypedDataDocument;
  permit_typed_data: TypedDataDocument | null;
  relay: RelayAvailability;
}

export type MaxBidState = "active" | "exhausted" | "revoked" | "expired";

export interface MaxBid {
  listing_id: string;
  auction_id: string;
  max_amount: string;
  state: MaxBidState;
  /** Unix seconds. */
  deadline: number;
  hash: string;
  revocation_typed_data: TypedDataDocument | null;
  relay_id: string | null;
}

export interface MaxBidInput {
  max_amount: string;
  salt: string;
  deadline: number;
  signature: `0x${string}`;
  permit: SignedPermit | null;
}
