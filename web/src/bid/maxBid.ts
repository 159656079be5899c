// "Set a maximum": the member signs once (EIP-712 `MaxBid`, plus an EIP-2612 permit when
// the allowance is short), gaslessly, and the Commissary bids for them at the minimum
// needed whenever someone else takes the lead, never above the maximum (the contract
// enforces it). The quote comes before any wallet prompt; revoking signs the service's
// revocation document, which the relayer submits.

import { api } from "../api/client";
import { relayReason } from "../api/messages";
import type { MaxBid } from "../api/types";
import { BidRefusal } from "../chain/errors";
import { formatAmpled } from "../lib/amount";
import { type Connection, ensureChain } from "../wallet/connection";
import { deadlineWords, signDocument, signPermit } from "./gaslessBid";
import { RelayUnavailable } from "./method";

export interface MaxBidRequest {
  listingId: string;
  listingTitle: string;
  chainId: number;
  maxAmount: bigint;
  /** What the wallet is about to ask, in words. */
  onPrompt: (prompt: string) => void;
}

export async function setMaximum(conn: Connection, request: MaxBidRequest): Promise<MaxBid> {
  const { maxAmount, listingTitle, onPrompt } = request;
  const quote = await api.maxBidQuote(request.listingId, conn.account, maxAmount);
  if (!quote.relay.available) throw new RelayUnavailable(relayReason(quote.relay.reason), quote.relay.reason);
  const minimum = BigInt(quote.min_next_bid);
  if (maxAmount < minimum) {
    throw new BidRefusal(`Your maximum must be at least the next bid, ${formatAmpled(minimum)}.`);
  }
  const balance = BigInt(quote.balance);
  if (balance < maxAmount) {
    throw new BidRefusal(
      `Not enough $AMPLED to back this maximum: it needs ${formatAmpled(maxAmount)} and you hold ${formatAmpled(balance)}.`,
    );
  }
  await ensureChain(conn, request.chainId);
  if (quote.permit_typed_data) {
    onPrompt(
      `Your wallet asks you to sign a permission (no gas, no transaction): the auction contract may take up to ${formatAmpled(quote.permit_typed_data.message.value)} of your $AMPLED for bids on “${listingTitle}”, valid until ${deadlineWords(Number(quote.permit_typed_data.message.deadline))}. Only what is bid is taken.`,
    );
  }
  const permit = await signPermit(conn, quote.permit_typed_data);
  onPrompt(
    `Your wallet asks you to sign a maximum of ${formatAmpled(maxAmount)} on “${listingTitle}” (auction ${quote.auction_id}), valid until ${deadlineWords(quote.deadline)}: the Commissary may then bid for you, only when someone else leads and only the minimum needed, never above ${formatAmpled(maxAmount)}. Signing costs no gas; you can revoke it at any time.`,
  );
  const signature = await signDocument(conn, quote.typed_data);
  return api.setMaxBid(request.listingId, {
    max_amount: maxAmount.toString(),
    salt: quote.salt,
    deadline: quote.deadline,
    signature,
    permit,
  });
}

export async function revokeMaximum(
  conn: Connection,
  current: MaxBid,
  listingTitle: string,
  chainId: number,
  onPrompt: (prompt: string) => void,
): Promise<MaxBid> {
  if (!current.revocation_typed_data) throw new BidRefusal("This maximum can no longer be revoked.");
  await ensureChain(conn, chainId);
  onPrompt(
    `Your wallet asks you to sign the revocation of your maximum of ${formatAmpled(current.max_amount)} on “${listingTitle}”: the Commissary stops bidding for you. Bids already placed stay. Signing costs no gas.`,
  );
  const signature = await signDocument(conn, current.revocation_typed_data);
  return api.revokeMaxBid(current.listing_id, signature);
}
