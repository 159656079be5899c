// Live updates over Server-Sent Events, with polling as the fallback.
//
// The streams replay what a client missed when it reconnects with `Last-Event-ID`
// (EventSource sends it by itself on its own retries; a stream we reopen gets
// `?last_event_id=`), but a first connection starts with the *next* event. So the view
// loads its data again each time a stream opens: nothing that happened between that load
// and the subscription is lost. When EventSource is missing or the stream is refused
// (an HTTP error, a proxy that does not stream), the view polls as before and tries the
// stream again now and then.

import { useEffect, useRef, useState } from "preact/hooks";
import type { LiveEvent } from "../api/types";

export type LiveMode = "connecting" | "live" | "polling";

export interface LiveOptions {
  /** The stream; null: none (e.g. signed out), only the first load runs. */
  url: string | null;
  /** The `event:` names to listen for. */
  events: readonly string[];
  onEvent: (kind: string, data: LiveEvent, id: string) => void;
  /** Loads the view's data: at first, whenever the stream opens, and as the poll. */
  refresh: (signal: AbortSignal) => Promise<void>;
  /** How often to poll while the stream is down. */
  pollMs: number;
}

/** How long a refused stream waits before it is tried again (polling meanwhile). */
const RETRY_STREAM_MS = 30_000;

export function withLastEventId(url: string, id: string | null): string {
  if (!id) return url;
  return `${url}${url.includes("?") ? "&" : "?"}last_event_id=${encodeURIComponent(id)}`;
}

export function useLive({ url, events, onEvent, refresh, pollMs }: LiveOptions): LiveMode {
  const latest = useRef({ onEvent, refresh });
  latest.current = { onEvent, refresh };
  const [mode, setMode] = useState<LiveMode>("connecting");
  const eventKey = events.join(",");

  useEffect(() => {
    const controller = new AbortController();
    let source: EventSource | null = null;
    let pollTimer: number | undefined;
    let retryTimer: number | undefined;
    let lastId: string | null = null;
    let stopped = false;

    const load = () => latest.current.refresh(controller.signal).catch(() => undefined);

    const poll = async () => {
      window.clearTimeout(pollTimer);
      if (document.visibilityState === "visible") await load();
      if (!stopped) pollTimer = window.setTimeout(poll, pollMs);
    };
    const startPolling = () => {
      setMode("polling");
      if (pollTimer === undefined) pollTimer = window.setTimeout(poll, pollMs);
    };
    const stopPolling = () => {
      window.clearTimeout(pollTimer);
      pollTimer = undefined;
    };

    const listener = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastId = message.lastEventId;
      let data: LiveEvent;
      try {
        data = JSON.parse(message.data) as LiveEvent;
      } catch {
        return;
      }
      latest.current.onEvent(message.type, data, message.lastEventId);
    };

    const open = () => {
      if (stopped || !url) return;
      if (typeof EventSource === "undefined") {
        startPolling();
        return;
      }
      const es = new EventSource(withLastEventId(url, lastId));
      source = es;
      for (const name of events) es.addEventListener(name, listener as EventListener);
      es.onopen = () => {
        stopPolling();
        setMode("live");
        load();
      };
      es.onerror = () => {
        if (stopped) return;
        // CONNECTING: the browser retries by itself (with Last-Event-ID); poll meanwhile.
        // CLOSED: refused for good; poll and try a new stream later.
        startPolling();
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          source = null;
          retryTimer = window.setTimeout(open, RETRY_STREAM_MS);
        }
      };
    };

    load();
    if (url) open();
    else setMode("polling");

    return () => {
      stopped = true;
      controller.abort();
      source?.close();
      stopPolling();
      window.clearTimeout(retryTimer);
    };
  }, [url, eventKey, pollMs]);

  return mode;
}
