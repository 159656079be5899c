import type { Bid } from "../api/types";
import { memberLabel, sameAddress } from "../lib/address";
import { formatAmpled } from "../lib/amount";
import { formatInstant } from "../lib/time";

interface Props {
  bids: Bid[];
  me: string | null;
  /** The end the auction was created with; a bid that moved the end says so. */
  scheduledEnd: string | null;
}

export function BidHistory({ bids, me, scheduledEnd }: Props) {
  if (bids.length === 0)
    return <p class="muted">No bids yet: the first bid at the starting price wins if no one else bids.</p>;
  // Bids arrive newest first; an extension is an end later than the one before it.
  const previousEnd = (i: number) => (i + 1 < bids.length ? bids[i + 1].ends_at : scheduledEnd);
  return (
    <div class="table-wrap">
      <table data-testid="bid-history">
        <caption class="visually-hidden">Bids, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Bidder</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {bids.map((bid, i) => {
            const before = previousEnd(i);
            const extended = before !== null && Date.parse(bid.ends_at) > Date.parse(before);
            return (
              <tr key={bid.tx_hash} class={sameAddress(bid.bidder, me) ? "mine" : undefined}>
                <td>
                  {memberLabel(bid.bidder, bid.bidder_name)}
                  {sameAddress(bid.bidder, me) && " (you)"}
                </td>
                <td class="num">{formatAmpled(bid.amount)}</td>
                <td>
                  <time dateTime={bid.placed_at}>{formatInstant(bid.placed_at)}</time>
                  {extended && <span class="extended-note"> · extended the end to {formatInstant(bid.ends_at)}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
