// The member's relayed bids as their `relay` events arrive on the personal stream
// (lib/personal.ts). A flow following one relay wakes on its event instead of waiting a
// whole polling interval; it still asks GET /relay/{id} itself, so a dropped stream only
// makes it slower.

import type { RelayStatus } from "../api/types";
import { store } from "./store";

export const relayUpdates = store<RelayStatus | null>(null);

/** Resolves on the next `relay` event or after `ms`, whichever comes first. */
export function nextRelayUpdate(ms: number): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    unsubscribe = relayUpdates.subscribe(() => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}
