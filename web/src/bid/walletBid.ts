// Bidding from the member's own wallet (the member pays gas): every check is made on
// chain before the wallet is asked for anything, approve is sent only when the allowance
// is short, and the bid is simulated first so a refusal arrives in words.

import { simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import {
  auctionAbi,
  type Chain,
  chainTime,
  readAllowance,
  readAuction,
  readBalance,
  readMinNextBid,
  tokenAbi,
} from "../chain/contracts";
import { BidRefusal } from "../chain/errors";
import { sameAddress } from "../lib/address";
import { formatAmpled } from "../lib/amount";
import { formatInstant } from "../lib/time";
import { type Connection, ensureChain } from "../wallet/connection";
import { awaitIndexed, type BidMethod, type BidRequest } from "./method";

const OPEN = 1;

/** Everything the contract would refuse, checked with reads only. */
export async function precheck(chain: Chain, conn: Connection, request: BidRequest) {
  const [now, auction, minimum, balance, allowance] = await Promise.all([
    chainTime(chain),
    readAuction(chain, request.auctionId),
    readMinNextBid(chain, request.auctionId),
    readBalance(chain, conn.account),
    readAllowance(chain, conn.account),
  ]);
  const nowSecs = Number(now);
  if (auction.status !== OPEN || nowSecs >= auction.endTime) {
    throw new BidRefusal("The auction has ended: bids are no longer accepted.");
  }
  if (nowSecs < auction.startTime) throw new BidRefusal("The auction has not opened yet.");
  if (request.amount < minimum) {
    throw new BidRefusal(`The minimum bid is now ${formatAmpled(minimum)}: someone may have just bid.`);
  }
  // Raising one's own highest bid only pulls the difference.
  const needed = sameAddress(auction.highestBidder, conn.account)
    ? request.amount - auction.highestBid
    : request.amount;
  if (balance < needed) {
    throw new BidRefusal(
      `Not enough $AMPLED: this bid needs ${formatAmpled(needed)} and you hold ${formatAmpled(balance)}.`,
    );
  }
  return { auction, needed, allowance };
}

export function walletBidMethod(
  chain: Chain,
  conn: Connection,
  isIndexed: (hash: `0x${string}`) => Promise<boolean>,
): BidMethod {
  return {
    id: "wallet",
    label: "From my wallet (I pay the gas)",
    async place(request) {
      const { onProgress } = request;
      onProgress({ step: "checking" });
      await ensureChain(conn, chain.chainId);
      const { auction, needed, allowance } = await precheck(chain, conn, request);
      const account = conn.account;

      if (allowance < needed) {
        onProgress({
          step: "approving",
          prompt: `Your wallet asks you to allow the auction contract to take up to ${formatAmpled(needed)} for your bid on “${request.listingTitle}”. Nothing is paid until the bid is placed.`,
        });
        const approval = await writeContract(conn.client, {
          address: chain.token,
          abi: tokenAbi,
          functionName: "approve",
          args: [chain.auction, needed],
          account,
          chain: null,
        });
        await waitForTransactionReceipt(chain.client, { hash: approval });
      }

      await simulateContract(chain.client, {
        address: chain.auction,
        abi: auctionAbi,
        functionName: "bid",
        args: [request.auctionId, request.amount],
        account,
      });
      onProgress({
        step: "signing",
        prompt: `Your wallet asks you to confirm a bid of ${formatAmpled(request.amount)} on “${request.listingTitle}”. The auction ends ${formatInstant(new Date(auction.endTime * 1000).toISOString())} (later if someone bids in the last minutes); if you are outbid, your $AMPLED comes back as a credit.`,
      });
      const hash = await writeContract(conn.client, {
        address: chain.auction,
        abi: auctionAbi,
        functionName: "bid",
        args: [request.auctionId, request.amount],
        account,
        chain: null,
      });
      onProgress({ step: "sent", hash });
      const receipt = await waitForTransactionReceipt(chain.client, { hash });
      if (receipt.status !== "success") throw new BidRefusal("The bid was mined but reverted; nothing was taken.");
      onProgress({ step: "mined", hash });

      return awaitIndexed(hash, isIndexed, onProgress);
    },
  };
}

/** Sends refunded credits back to the member's wallet. */
export async function withdrawCredits(chain: Chain, conn: Connection): Promise<`0x${string}`> {
  await ensureChain(conn, chain.chainId);
  await simulateContract(chain.client, {
    address: chain.auction,
    abi: auctionAbi,
    functionName: "withdraw",
    account: conn.account,
  });
  const hash = await writeContract(conn.client, {
    address: chain.auction,
    abi: auctionAbi,
    functionName: "withdraw",
    account: conn.account,
    chain: null,
  });
  await waitForTransactionReceipt(chain.client, { hash });
  return hash;
}
