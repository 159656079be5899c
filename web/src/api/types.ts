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
