// The signed-in member's own stream (`/api/v1/me/events`: outbid, won, lost, relay, and each
// in-app notification as it reaches the inbox): a notice wherever the member is, the
// unread count in the header, and a signal the "My commissary" views reload on.

import { api } from "../api/client";
import type { LiveEvent, PersonalEventKind, RelayStatus } from "../api/types";
import { formatAmpled } from "./amount";
import { useLive } from "./live";
import { notify } from "./notices";
import { relayUpdates } from "./relayWatch";
import { store } from "./store";

export const PERSONAL_EVENTS: readonly PersonalEventKind[] = ["outbid", "won", "lost", "notification", "relay"];

/** Unread in-app notifications; null before the first count (or signed out). */
export const unread = store<number | null>(null);

/** Bumped on each personal event: views that show the member's auctions reload. */
export const personalTick = store(0);

const FALLBACK_POLL_MS = 30_000;

const titles = new Map<string, string>();
async function titleOf(id: string): Promise<string> {
  const known = titles.get(id);
  if (known) return known;
  const title = await api.listing(id).then(
    (l) => l.title,
    () => "an auction",
  );
  titles.set(id, title);
  return title;
}

export async function refreshUnread(signal?: AbortSignal): Promise<void> {
  const inbox = await api.inbox(undefined, signal);
  unread.set(inbox.unread);
}

export async function personalNotice(kind: string, e: LiveEvent): Promise<string | null> {
  const title = `“${await titleOf(e.listing_id)}”`;
  switch (kind) {
    case "outbid":
      return `You have been outbid on ${title}: the highest bid is now ${formatAmpled(e.amount ?? "0")}.`;
    case "won":
      return `You won ${title} for ${formatAmpled(e.amount ?? "0")}. Claim it under My commissary → Wins.`;
    case "lost":
      return `${title} closed: another bid won${e.amount ? ` with ${formatAmpled(e.amount)}` : ""}.`;
    default:
      return null;
  }
}

export function usePersonalStream(address: string | null): void {
  useLive({
    url: address ? "/api/v1/me/events" : null,
    events: PERSONAL_EVENTS,
    onEvent: (kind, data) => {
      // A relayed bid moved (queued → sent → mined / failed): the bid form following it wakes.
      if (kind === "relay") {
        relayUpdates.set(data as unknown as RelayStatus);
        return;
      }
      personalTick.set(personalTick.get() + 1);
      // The inbox copy comes as its own `notification` event, in the transaction that stores it.
      if (kind === "notification") refreshUnread().catch(() => undefined);
      else personalNotice(kind, data).then((text) => text && notify(text, kind === "won" ? "ok" : "info", "personal"));
    },
    refresh: async (signal) => {
      if (address) await refreshUnread(signal);
      else unread.set(null);
    },
    pollMs: FALLBACK_POLL_MS,
  });
}
