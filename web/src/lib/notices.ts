// Page-wide notices: one at a time per topic (a new one replaces the old instead of
// stacking), success notices clear themselves, and navigating clears the rest.

import { store } from "./store";

export type NoticeKind = "info" | "ok" | "error";

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  /** Notices with the same topic replace each other. */
  topic: string;
}

export const notices = store<Notice[]>([]);
let nextId = 0;
const MAX = 2;

export function notify(text: string, kind: NoticeKind = "info", topic: string = kind): void {
  const notice = { id: ++nextId, kind, text, topic };
  notices.set([...notices.get().filter((n) => n.topic !== topic), notice].slice(-MAX));
  if (kind === "ok") setTimeout(() => dismiss(notice.id), 6000);
}

export const dismiss = (id: number) => notices.set(notices.get().filter((n) => n.id !== id));
export const clearNotices = () => notices.set([]);
