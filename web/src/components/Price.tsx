import type { Listing } from "../api/types";
import { formatAmpled } from "../lib/amount";
import { reserveMet } from "../lib/labels";

const OPEN = new Set(["scheduled", "live", "ended"]);

/** The current price in exact AMPLED, labelled by what it is. */
export function Price({ listing, big = false }: { listing: Listing; big?: boolean }) {
  const sold = listing.settlement?.winner;
  const label = sold ? "Sold for" : listing.highest_bid ? "Highest bid" : "Starting at";
  return (
    <div class="price-block">
      <span class="price-label">{label}</span>
      <span class={big ? "big-price" : "price"} data-testid="price">
        {formatAmpled(sold && listing.settlement ? listing.settlement.amount : listing.current_price)}
      </span>
      {OPEN.has(listing.status) && !reserveMet(listing) && <span class="reserve-note">Reserve not met</span>}
    </div>
  );
}
