import type { Listing } from "../api/types";
import { categoryLabel, conditionLabel } from "../lib/labels";
import { href } from "../router";
import { Countdown } from "./Countdown";
import { PhotoImg } from "./PhotoImg";
import { Placeholder } from "./Placeholder";
import { Price } from "./Price";
import { StatusBadge } from "./StatusBadge";

const CARD_SIZES = "(min-width: 1180px) 280px, (min-width: 560px) 45vw, 92vw";

export function ListingCard({ listing, eager }: { listing: Listing; eager: boolean }) {
  const photo = listing.photos[0];
  const open = listing.status === "live" || listing.status === "scheduled" || listing.status === "publishing";
  return (
    <li class="card" data-testid="listing-card">
      <div class="thumb">
        {photo ? <PhotoImg photo={photo} alt="" sizes={CARD_SIZES} eager={eager} /> : <Placeholder />}
      </div>
      <StatusBadge listing={listing} />
      <div class="card-body">
        <h2>
          <a href={href.listing(listing.id)}>{listing.title}</a>
        </h2>
        <p class="meta">
          {categoryLabel(listing.category)} · {conditionLabel(listing.condition)}
        </p>
        <div class="price-line">
          <Price listing={listing} />
          {open && <Countdown startsAt={listing.starts_at} endsAt={listing.ends_at} />}
        </div>
      </div>
    </li>
  );
}
