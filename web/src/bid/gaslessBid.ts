// Gasless bidding through the co-op's relayer (the default): the Commissary quotes the
// auction, the member's balance, allowance, nonce and the EIP-712 documents BEFORE any
// wallet prompt; the member signs the `Bid` (and, when the allowance is short, an
// EIP-2612 permit) with eth_signTypedData_v4, which costs no gas; the relayer sends it.
// The page then follows the relay (queued → sent → mined, or failed with the contract's
// reason) and waits for the indexer, as the wallet method does.

import { signTypedData } from "viem/actions";
import { ApiError, api } from "../api/client";
import { apiMessage, relayReason } from "../api/messages";
import type { BidQuote, RelayStatus, SignedPermit, TypedDataDocument } from "../api/types";
import { type Chain, chainTime } from "../chain/contracts";
import { BidRefusal } from "../chain/errors";
import { formatAmpled } from "../lib/amount";
import { nextRelayUpdate } from "../lib/relayWatch";
import { formatInstant } from "../lib/time";
import { type Connection, ensureChain } from "../wallet/connection";
import { awaitIndexed, type BidMethod, type BidRequest, RelayUnavailable } from "./method";

const RELAY_WAIT_MS = 120_000;

export const deadlineWords = (unixSecs: number) => formatInstant(new Date(unixSecs * 1000).toISOString());

/** Asks the member's wallet to sign one of the service's EIP-712 documents. */
export function signDocument(conn: Connection, doc: TypedDataDocument): Promise<`0x${string}`> {
  return signTypedData(conn.client, {
    account: conn.account,
    domain: doc.domain,
    types: doc.types,
    primaryType: doc.primaryType,
    message: doc.message,
  } as Parameters<typeof signTypedData>[1]);
}

/** The permit's signature in the form the relay takes, after the member signed it. */
export async function signPermit(conn: Connection, permit: TypedDataDocument | null): Promise<SignedPermit | null> {
  if (!permit) return null;
  const signature = await signDocument(conn, permit);
  return { value: permit.message.value, deadline: Number(permit.message.deadline), signature };
}

/** Everything the relay would refuse that the quote already shows. */
export function checkQuote(quote: BidQuote, amount: bigint, nowSecs: number): void {
  if (!quote.relay.available) throw new RelayUnavailable(relayReason(quote.relay.reason), quote.relay.reason);
  if (quote.ends_at && Date.parse(quote.ends_at) / 1000 <= nowSecs) {
    throw new BidRefusal("The auction has ended: bids are no longer accepted.");
  }
  const minimum = BigInt(quote.min_next_bid);
  if (amount < minimum) {
    throw new BidRefusal(`The minimum bid is now ${formatAmpled(minimum)}: someone may have just bid.`);
  }
  const balance = BigInt(quote.balance);
  if (balance < amount) {
    throw new BidRefusal(
      `Not enough $AMPLED: this bid needs ${formatAmpled(amount)} and you hold ${formatAmpled(balance)}.`,
    );
  }
}

/** A relayed bid the chain refused (`failure.code`, e.g. `bid_too_low`: outbid before it was mined). */
export class RelayFailed extends BidRefusal {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** A relay that ended `failed`, in words (the contract's reason, e.g. outbid before it was mined). */
function failureMessage(status: RelayStatus): string {
  const code = status.failure?.code ?? "reverted";
  if (code === "bid_too_low")
    return "Someone else's bid reached the chain first, so yours was refused; nothing was taken. Bid again.";
  return apiMessage(new ApiError(409, code, status.failure?.message ?? ""));
}

/** Follows a relay until it is mined (its hash) or failed (a BidRefusal). */
export async function followRelay(relay: RelayStatus, onSent: (hash: `0x${string}`) => void): Promise<`0x${string}`> {
  const deadline = Date.now() + RELAY_WAIT_MS;
  let status = relay;
  let announced = false;
  for (;;) {
    if (status.tx_hash && !announced && status.status !== "failed") {
      announced = true;
      onSent(status.tx_hash as `0x${string}`);
    }
    if (status.status === "mined" && status.tx_hash) return status.tx_hash as `0x${string}`;
    if (status.status === "failed") throw new RelayFailed(failureMessage(status), status.failure?.code ?? "reverted");
    if (Date.now() > deadline) {
      throw new BidRefusal(
        "The relayer has not sent your bid yet. It stays queued; check My commissary → Bids in a few minutes.",
      );
    }
    await nextRelayUpdate(1000);
    status = await api.relayStatus(relay.relay_id).catch(() => status);
  }
}

export function gaslessBidMethod(
  chain: Chain,
  conn: Connection,
  isIndexed: (hash: `0x${string}`) => Promise<boolean>,
): BidMethod {
  return {
    id: "gasless",
    label: "Gasless: I sign, the co-op's relayer pays the gas",
    async place(request: BidRequest) {
      const { onProgress, amount } = request;
      onProgress({ step: "checking" });
      const [quote, now] = await Promise.all([api.bidQuote(request.listingId, conn.account, amount), chainTime(chain)]);
      checkQuote(quote, amount, Number(now));
      await ensureChain(conn, chain.chainId);
      const until = deadlineWords(quote.deadline);

      let permit: SignedPermit | null = null;
      if (quote.permit_typed_data) {
        onProgress({
          step: "permit",
          prompt: `Your wallet asks you to sign a permission (no gas, no transaction): the auction contract may take up to ${formatAmpled(quote.permit_typed_data.message.value)} of your $AMPLED for your bid on “${request.listingTitle}”, valid until ${deadlineWords(Number(quote.permit_typed_data.message.deadline))}. Nothing is paid until the bid is placed.`,
        });
        permit = await signPermit(conn, quote.permit_typed_data);
      }
      onProgress({
        step: "signing",
        prompt: `Your wallet asks you to sign a bid of ${formatAmpled(amount)} on “${request.listingTitle}” (auction ${quote.auction_id}), valid until ${until}. Signing costs no gas: the co-op's relayer sends it. If you are outbid, your $AMPLED comes back as a credit.`,
      });
      const signature = await signDocument(conn, quote.typed_data);
      const relay = await api.relayBid(request.listingId, {
        amount: amount.toString(),
        nonce: quote.nonce,
        deadline: quote.deadline,
        signature,
        permit,
      });
      onProgress({ step: "queued" });
      const hash = await followRelay(relay, (sent) => onProgress({ step: "sent", hash: sent }));
      onProgress({ step: "mined", hash });

      return awaitIndexed(hash, isIndexed, onProgress);
    },
  };
}
