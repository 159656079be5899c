import type { Listing } from "../api/types";
import { useNow } from "../lib/clock";
import { BADGE_LABEL, badgeOf } from "../lib/labels";

export function StatusBadge({ listing, scheduledEnd }: { listing: Listing; scheduledEnd?: string | null }) {
  const now = useNow();
  const badge = badgeOf(listing, now, scheduledEnd ?? undefined);
  return (
    <span class="badge" data-status={badge} data-testid="status-badge">
      {BADGE_LABEL[badge]}
    </span>
  );
}
