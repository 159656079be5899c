// A way of placing a bid: gasless through the co-op's relayer (the default: the member
// signs, the relayer pays the gas; gaslessBid.ts) or from the member's own wallet (they
// pay gas; walletBid.ts). BidForm shows the steps each one reports.

export type BidStep = "checking" | "approving" | "permit" | "signing" | "queued" | "sent" | "mined" | "indexed";

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
  permit: "Signing the permission for the auction to take your $AMPLED (no gas)",
  signing: "Confirming the bid in your wallet",
  queued: "The co-op's relayer has your signed bid",
  sent: "Bid sent, waiting for a block",
  mined: "In a block, waiting for the Commissary to see it",
  indexed: "Your bid is in",
};

export const STEP_ORDER: BidStep[] = [
  "checking",
  "approving",
  "permit",
  "signing",
  "queued",
  "sent",
  "mined",
  "indexed",
];

/** The relay would not take a bid now (`relay.reason`): the form offers the wallet instead. */
export class RelayUnavailable extends Error {
  readonly reason: string | null;
  constructor(message: string, reason: string | null) {
    super(message);
    this.reason = reason;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a mined bid may take to show in the Commissary before the page stops waiting. */
const INDEX_WAIT_MS = 30_000;

/** Waits until the Commissary has indexed the bid's transaction (or gives up): a bid counts
 * for the page once it shows everywhere, not when it is mined. */
export async function awaitIndexed(
  hash: `0x${string}`,
  isIndexed: (hash: `0x${string}`) => Promise<boolean>,
  onProgress: (progress: BidProgress) => void,
): Promise<{ hash: `0x${string}`; indexed: boolean }> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  while (Date.now() < deadline) {
    if (await isIndexed(hash)) {
      onProgress({ step: "indexed", hash });
      return { hash, indexed: true };
    }
    await sleep(1000);
  }
  return { hash, indexed: false };
}
