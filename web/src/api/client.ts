// Typed calls to the service's JSON API. One function per endpoint; every failure is an
// ApiError carrying the API's machine-readable code and field details.

import type {
  Bid,
  BidQuote,
  ClaimInput,
  Credits,
  FieldError,
  Fulfillment,
  FulfillmentState,
  Inbox,
  Listing,
  ListingInput,
  ListingQuery,
  MaxBid,
  MaxBidInput,
  MaxBidQuote,
  Me,
  MyBid,
  NotificationSettings,
  Page,
  Photo,
  Profile,
  PublicConfig,
  RelayInput,
  RelayStatus,
  SummaryRow,
} from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  /** `details` when the API sends an object (e.g. `invalid_transition`: `{from, to, allowed}`). */
  readonly extra: Record<string, unknown>;
  /** Seconds from a `Retry-After` header. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details: FieldError[] = [],
    extra: Record<string, unknown> = {},
    retryAfter: number | null = null,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.extra = extra;
    this.retryAfter = retryAfter;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: FieldError[] | Record<string, unknown> };
}

let serverOffsetMs = 0;

/** The server's idea of now (from the Date header), for pages without a chain. */
export const serverNow = (): number => Date.now() + serverOffsetMs;

function noteServerClock(response: Response): void {
  const date = Date.parse(response.headers.get("date") ?? "");
  if (!Number.isFinite(date)) return;
  const offset = date + 500 - Date.now();
  serverOffsetMs = Math.abs(offset) > 3000 ? offset : 0;
}

interface RequestOptions {
  method?: string;
  json?: unknown;
  signal?: AbortSignal;
}

async function request<T>(path: string, { method = "GET", json, signal }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  let body: string | undefined;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: "same-origin", signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(
      0,
      "network",
      "The Commissary cannot be reached right now. Check your connection and try again.",
    );
  }
  noteServerClock(response);
  if (response.status === 204) return undefined as T;
  const parsed: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFrom(response.status, parsed as ErrorBody | null, response.headers.get("retry-after"));
  return parsed as T;
}

function errorFrom(status: number, body: ErrorBody | null, retryAfter: string | null = null): ApiError {
  const details = body?.error?.details;
  const wait = Number(retryAfter);
  return new ApiError(
    status,
    body?.error?.code ?? `http_${status}`,
    body?.error?.message ?? `The server answered ${status}.`,
    Array.isArray(details) ? details : [],
    details && !Array.isArray(details) ? details : {},
    retryAfter !== null && Number.isFinite(wait) ? wait : null,
  );
}

function query(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const listingPath = (id: string) => `/api/v1/listings/${encodeURIComponent(id)}`;

export const api = {
  config: (signal?: AbortSignal) => request<PublicConfig>("/api/v1/config", { signal }),
  openapi: (signal?: AbortSignal) => request<{ paths?: Record<string, unknown> }>("/api/openapi.json", { signal }),

  nonce: () => request<{ nonce: string }>("/api/v1/auth/nonce"),
  login: (message: string, signature: string) =>
    request<Me>("/api/v1/auth/login", { method: "POST", json: { message, signature } }),
  logout: () => request<void>("/api/v1/auth/logout", { method: "POST" }),
  me: () => request<Me>("/api/v1/me"),

  listings: (q: ListingQuery, signal?: AbortSignal) =>
    request<Page<Listing>>(`/api/v1/listings${query(q)}`, { signal }),
  listing: (id: string, signal?: AbortSignal) => request<Listing>(listingPath(id), { signal }),
  bids: (id: string, signal?: AbortSignal) => request<Page<Bid>>(`${listingPath(id)}/bids?limit=50`, { signal }),

  createListing: (input: ListingInput) => request<Listing>("/api/v1/listings", { method: "POST", json: input }),
  updateListing: (id: string, input: ListingInput) =>
    request<Listing>(listingPath(id), { method: "PATCH", json: input }),
  deleteListing: (id: string) => request<void>(listingPath(id), { method: "DELETE" }),
  publish: (id: string) => request<Listing>(`${listingPath(id)}/publish`, { method: "POST" }),
  cancel: (id: string) => request<Listing>(`${listingPath(id)}/cancel`, { method: "POST" }),
  deletePhoto: (id: string, photoId: string) =>
    request<void>(`${listingPath(id)}/photos/${encodeURIComponent(photoId)}`, { method: "DELETE" }),
  reorderPhotos: (id: string, photoIds: string[]) =>
    request<Photo[]>(`${listingPath(id)}/photos/order`, { method: "PUT", json: { photo_ids: photoIds } }),

  bidQuote: (id: string, bidder: string, amount?: bigint, signal?: AbortSignal) =>
    request<BidQuote>(`${listingPath(id)}/bid-quote${query({ bidder, amount: amount?.toString() })}`, { signal }),
  relayBid: (id: string, input: RelayInput) =>
    request<RelayStatus>(`${listingPath(id)}/bids/relay`, { method: "POST", json: input }),
  relayStatus: (relayId: string) => request<RelayStatus>(`/api/v1/relay/${encodeURIComponent(relayId)}`),

  maxBidQuote: (id: string, bidder: string, maxAmount: bigint) =>
    request<MaxBidQuote>(`${listingPath(id)}/max-bid-quote${query({ bidder, max_amount: maxAmount.toString() })}`),
  setMaxBid: (id: string, input: MaxBidInput) =>
    request<MaxBid>(`${listingPath(id)}/max-bid`, { method: "PUT", json: input }),
  maxBid: (id: string, signal?: AbortSignal) => request<MaxBid>(`${listingPath(id)}/max-bid`, { signal }),
  revokeMaxBid: (id: string, signature: `0x${string}`) =>
    request<MaxBid>(`${listingPath(id)}/max-bid`, { method: "DELETE", json: { signature } }),

  myBids: (cursor?: string, signal?: AbortSignal) =>
    request<Page<MyBid>>(`/api/v1/me/bids${query({ cursor, limit: 50 })}`, { signal }),
  myCredits: (signal?: AbortSignal) => request<Credits>("/api/v1/me/credits", { signal }),
  watchlist: (signal?: AbortSignal) => request<{ items: Listing[] }>("/api/v1/me/watchlist", { signal }),
  watch: (id: string) => request<void>(`/api/v1/me/watchlist/${encodeURIComponent(id)}`, { method: "PUT" }),
  unwatch: (id: string) => request<void>(`/api/v1/me/watchlist/${encodeURIComponent(id)}`, { method: "DELETE" }),
  inbox: (cursor?: string, signal?: AbortSignal) =>
    request<Inbox>(`/api/v1/me/notifications${query({ cursor, limit: 50 })}`, { signal }),
  markRead: (ids?: string[]) =>
    request<{ marked: number }>("/api/v1/me/notifications/read", { method: "POST", json: ids ? { ids } : {} }),
  notificationSettings: (signal?: AbortSignal) =>
    request<NotificationSettings>("/api/v1/me/notification-settings", { signal }),
  setNotificationSettings: (email: Record<string, boolean>) =>
    request<NotificationSettings>("/api/v1/me/notification-settings", { method: "PUT", json: { email } }),
  profile: (signal?: AbortSignal) => request<Profile>("/api/v1/me/profile", { signal }),
  setProfile: (input: { display_name?: string; email?: string }) =>
    request<Profile>("/api/v1/me/profile", { method: "PUT", json: input }),
  confirmEmail: (code: string) =>
    request<Profile>("/api/v1/me/profile/email/confirm", { method: "POST", json: { code } }),

  fulfillment: (id: string, signal?: AbortSignal) => request<Fulfillment>(`${listingPath(id)}/fulfillment`, { signal }),
  claim: (id: string, input: ClaimInput) =>
    request<Fulfillment>(`${listingPath(id)}/claim`, { method: "POST", json: input }),
  confirmReceipt: (id: string) =>
    request<Fulfillment>(`${listingPath(id)}/fulfillment/confirm-receipt`, { method: "POST" }),
  moveFulfillment: (id: string, to: FulfillmentState, note?: string, tracking?: string) =>
    request<Fulfillment>(`${listingPath(id)}/fulfillment/transitions`, {
      method: "POST",
      json: { to, note: note || undefined, tracking: tracking || undefined },
    }),
  fulfillmentQueue: (signal?: AbortSignal) => request<{ items: Fulfillment[] }>("/api/v1/fulfillment", { signal }),
  reportSummary: (signal?: AbortSignal) => request<{ items: SummaryRow[] }>("/api/v1/reports/summary", { signal }),
};

export const AUCTIONS_CSV = "/api/v1/reports/auctions.csv";

/**
 * Uploads one photo with progress (fetch has no upload progress, XMLHttpRequest does).
 */
export function uploadPhoto(id: string, file: File, onProgress: (fraction: number) => void): Promise<Photo> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${listingPath(id)}/photos`);
    xhr.responseType = "json";
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(xhr.response as Photo);
      } else {
        reject(errorFrom(xhr.status, xhr.response as ErrorBody | null));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "The upload was interrupted. Try again."));
    const form = new FormData();
    form.append("photo", file);
    xhr.send(form);
  });
}
