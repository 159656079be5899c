// What this service offers beyond the basics, read from its OpenAPI description. Flows
// whose endpoints are not there (yet) stay hidden instead of pretending.

import { store } from "../lib/store";
import { api } from "./client";

export interface Features {
  /** `GET /listings/{id}/bid-quote` + `POST /listings/{id}/bids/relay`: gasless bids. */
  gaslessBids: boolean;
  /** `GET /events`: server-sent events. */
  liveEvents: boolean;
  /** `GET /me/bids`: a member's own bids and wins. */
  myBids: boolean;
  /** `GET /listings/{id}/max-bid-quote` + `/listings/{id}/max-bid`: "Set a maximum". */
  maxBids: boolean;
}

const NONE: Features = { gaslessBids: false, liveEvents: false, myBids: false, maxBids: false };

export function featuresFrom(paths: Iterable<string>): Features {
  const set = new Set(paths);
  return {
    gaslessBids: set.has("/api/v1/listings/{id}/bid-quote") && set.has("/api/v1/listings/{id}/bids/relay"),
    liveEvents: set.has("/api/v1/events"),
    myBids: set.has("/api/v1/me/bids"),
    maxBids: set.has("/api/v1/listings/{id}/max-bid-quote") && set.has("/api/v1/listings/{id}/max-bid"),
  };
}

export const features = store<Features>(NONE);

/** Reads the OpenAPI description once; until it arrives, only the basics show. */
export async function loadFeatures(): Promise<void> {
  try {
    const doc = await api.openapi();
    features.set(featuresFrom(Object.keys(doc.paths ?? {})));
  } catch {
    features.set(NONE);
  }
}
