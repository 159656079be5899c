// A way of placing a bid. Today: from the member's wallet (they pay gas). The gasless
// relay (quote → sign `Bid` (+ permit) → relay) plugs in as another BidMethod once the API
// offers `POST /listings/{id}/bid-quote` and `POST /bids/relay` (see api/features.ts).

export type BidStep = "checking" | "approving" | "signing" | "sent" | "mined" | "indexed";

export interface BidProgress {
  step: BidStep;
  /** What the member is asked to sign or confirm, in words. */
  prompt?: string;
  hash?: `0x${string}`;
}

export interface BidRequest {
  listingId: string;
  listingTitle: string;
  auctionId: bigint;
  amount: bigint;
  onProgress: (progress: BidProgress) => void;
}

export interface BidMethod {
  id: "wallet" | "gasless";
  label: string;
  place(request: BidRequest): Promise<{ hash: `0x${string}`; indexed: boolean }>;
}

export const STEP_LABEL: Record<BidStep, string> = {
  checking: "Checking the auction on chain",
  approving: "Allowing the auction to take your $AMPLED",
  signing: "Confirming the bid in your wallet",
  sent: "Bid sent, waiting for a block",
  mined: "In a block, waiting for the Commissary to see it",
  indexed: "Your bid is in",
};
