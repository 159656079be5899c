// Plain words for what a wallet, the node or the contract refused.

import { BaseError, ContractFunctionRevertedError, UserRejectedRequestError } from "viem";
import { ApiError } from "../api/client";
import { apiMessage } from "../api/messages";
import { AmountError, formatAmpled } from "../lib/amount";
import { WalletRefusal } from "../wallet/connection";

/** A refusal worked out before any wallet prompt (closed auction, bid too low, …). */
export class BidRefusal extends Error {}

const REVERTS: Record<string, (args: readonly unknown[]) => string> = {
  AuctionEnded: () => "The auction has ended: bids are no longer accepted.",
  AuctionClosed: () => "The auction is closed.",
  AuctionNotStarted: () => "The auction has not opened yet.",
  AuctionNotFound: () => "This auction is not on the chain (yet).",
  BidTooLow: (a) => `Your bid is below the minimum of ${formatAmpled(a[2] as bigint)}. Someone may have just bid.`,
  EnforcedPause: () => "Bidding is paused by the co-op for now. Try again later.",
  NothingToWithdraw: () => "There is nothing to withdraw.",
  InsufficientTokensReceived: () => "The token moved less than the bid; the bid was not placed.",
  TokenTransferFailed: () => "The $AMPLED transfer failed: check your balance and allowance.",
  ERC20InsufficientBalance: (a) =>
    `Not enough $AMPLED: you have ${formatAmpled(a[1] as bigint)} and need ${formatAmpled(a[2] as bigint)}.`,
  ERC20InsufficientAllowance: () => "The auction may not move that much of your $AMPLED yet; approve again.",
};

export function describeError(error: unknown): string {
  if (error instanceof BidRefusal || error instanceof AmountError || error instanceof WalletRefusal)
    return error.message;
  if (error instanceof ApiError) return apiMessage(error);
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError)) return "You declined the request in your wallet.";
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      const name = revert.data?.errorName;
      if (name && REVERTS[name]) return REVERTS[name](revert.data?.args ?? []);
      if (revert.reason) return `The contract refused: ${revert.reason}.`;
    }
    return error.shortMessage;
  }
  const code = (error as { code?: number } | null)?.code;
  if (code === 4001) return "You declined the request in your wallet.";
  return error instanceof Error ? error.message : String(error);
}
