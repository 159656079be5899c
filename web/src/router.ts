// Hash routes, so the binary only serves `/`: #/, #/listing/<id>, #/me/<section>,
// #/steward, #/steward/new, #/steward/edit/<id>, #/steward/fulfillment,
// #/steward/reports. Browse filters live in the hash's query.

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "browse"; query: URLSearchParams }
  | { name: "listing"; id: string }
  | { name: "me"; section: MySection }
  | { name: "desk" }
  | { name: "fulfillment" }
  | { name: "reports" }
  | { name: "editor"; id: string | null }
  | { name: "not_found" };

export const MY_SECTIONS = ["bids", "wins", "watchlist", "credits", "inbox", "settings"] as const;
export type MySection = (typeof MY_SECTIONS)[number];

export function parseRoute(hash: string): Route {
  const [path, search = ""] = hash.replace(/^#/, "").split("?");
  const query = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0) return { name: "browse", query };
  if (parts[0] === "listing" && parts.length === 2) return { name: "listing", id: decodeURIComponent(parts[1]) };
  if (parts[0] === "me" && parts.length <= 2) {
    const section = (parts[1] ?? "bids") as MySection;
    return MY_SECTIONS.includes(section) ? { name: "me", section } : { name: "not_found" };
  }
  if (parts[0] === "steward" && parts.length === 1) return { name: "desk" };
  if (parts[0] === "steward" && parts[1] === "fulfillment" && parts.length === 2) return { name: "fulfillment" };
  if (parts[0] === "steward" && parts[1] === "reports" && parts.length === 2) return { name: "reports" };
  if (parts[0] === "steward" && parts[1] === "new" && parts.length === 2) return { name: "editor", id: null };
  if (parts[0] === "steward" && parts[1] === "edit" && parts.length === 3)
    return { name: "editor", id: decodeURIComponent(parts[2]) };
  return { name: "not_found" };
}

export const href = {
  browse: (query?: URLSearchParams) => (query && [...query].length ? `#/?${query}` : "#/"),
  listing: (id: string) => `#/listing/${encodeURIComponent(id)}`,
  me: (section: MySection = "bids") => `#/me/${section}`,
  desk: () => "#/steward",
  fulfillment: () => "#/steward/fulfillment",
  reports: () => "#/steward/reports",
  newListing: () => "#/steward/new",
  edit: (id: string) => `#/steward/edit/${encodeURIComponent(id)}`,
};

export const navigate = (to: string, { replace = false } = {}) => {
  if (replace) history.replaceState(null, "", to);
  else location.hash = to;
  if (replace) window.dispatchEvent(new HashChangeEvent("hashchange"));
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
