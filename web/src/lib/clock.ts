// The chain decides when an auction ends: countdowns tick on the chain's clock (the
// latest block's timestamp plus the time since it was read), not the visitor's.

import { useEffect, useState } from "preact/hooks";
import { serverNow } from "../api/client";

let chainOffsetMs: number | null = null;

export function noteChainTime(blockTimestampSecs: bigint, readAtMs = Date.now()): void {
  chainOffsetMs = Number(blockTimestampSecs) * 1000 - readAtMs;
}

export const chainNow = (): number => (chainOffsetMs === null ? serverNow() : Date.now() + chainOffsetMs);

const listeners = new Set<() => void>();
let timer: number | undefined;

function tick() {
  for (const listener of listeners) listener();
}

/** Re-renders once a second with the chain's "now". */
export function useNow(): number {
  const [now, setNow] = useState(chainNow);
  useEffect(() => {
    const update = () => setNow(chainNow());
    listeners.add(update);
    if (timer === undefined) timer = window.setInterval(tick, 1000);
    return () => {
      listeners.delete(update);
      if (listeners.size === 0) {
        window.clearInterval(timer);
        timer = undefined;
      }
    };
  }, []);
  return now;
}
