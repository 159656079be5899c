// Durations and countdowns. All instants are UTC epoch milliseconds; the caller passes
// "now" from the chain's clock (see clock.ts), so the page agrees with the contract.

const pad2 = (n: number) => String(n).padStart(2, "0");

/** "2d 03h 04m", "3h 04m 05s", "4m 05s", "5s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${pad2(h)}h ${pad2(m)}m`;
  if (h > 0) return `${h}h ${pad2(m)}m ${pad2(s)}s`;
  if (m > 0) return `${m}m ${pad2(s)}s`;
  return `${s}s`;
}

export type Phase = "upcoming" | "open" | "over";

export function phaseAt(startsAt: string, endsAt: string, nowMs: number): Phase {
  if (nowMs < Date.parse(startsAt)) return "upcoming";
  if (nowMs < Date.parse(endsAt)) return "open";
  return "over";
}

/** "Tue 1 Dec, 14:05:30" in the viewer's zone — with seconds, since extensions are short. */
export function formatInstant(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** The value of an <input type="datetime-local"> for a UTC instant, in the viewer's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value (viewer's zone) as RFC 3339 UTC; "" when empty. */
export function fromLocalInput(value: string): string {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
