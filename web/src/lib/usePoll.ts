import { useEffect, useRef } from "preact/hooks";

/**
 * Runs `load` now and then every `intervalMs` while the page is visible. For views with
 * no live stream (the steward desk and board); the others use `useLive` (SSE), which
 * falls back to polling itself.
 */
export function usePoll(load: (signal: AbortSignal) => Promise<void>, intervalMs: number, deps: unknown[]): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    let stopped = false;
    const run = async () => {
      if (document.visibilityState === "visible") {
        await latest.current(controller.signal).catch(() => undefined);
      }
      if (!stopped) timer = window.setTimeout(run, intervalMs);
    };
    run();
    return () => {
      stopped = true;
      controller.abort();
      window.clearTimeout(timer);
    };
  }, deps);
}
