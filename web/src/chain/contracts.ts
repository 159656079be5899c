// The co-op's contracts, read through viem with the ABIs committed in
// auction-contract/abi (exported by forge; the contract suite checks they are current).

import {
  type Abi,
  type Address,
  type Client,
  createClient,
  getAddress,
  http,
  isAddressEqual,
  parseEventLogs,
} from "viem";
import { getBlock, getTransactionReceipt, readContract } from "viem/actions";
import tokenArtifact from "../../../auction-contract/abi/AmpledToken.json";
import auctionArtifact from "../../../auction-contract/abi/CommissaryAuction.json";
import type { PublicConfig } from "../api/types";
import { noteChainTime } from "../lib/clock";

export const auctionAbi = auctionArtifact.abi as Abi;
export const tokenAbi = tokenArtifact.abi as Abi;

/** The contract's `Auction` struct (ICommissaryAuction.Auction). */
export interface ChainAuction {
  reservePrice: bigint;
  startTime: number;
  endTime: number;
  minIncrementBps: number;
  extensionWindow: number;
  status: number;
  highestBidder: Address;
  highestBid: bigint;
}

export interface Chain {
  chainId: number;
  /** A bare viem client; actions are imported one by one so the bundle keeps only those. */
  client: Client;
  token: Address;
  auction: Address;
}

/** The chain the page reads, when the service names an RPC URL and both contracts. */
export function chainFrom(config: PublicConfig | null): Chain | null {
  if (!config?.rpc_url || !config.token_address || !config.auction_address) return null;
  return {
    chainId: config.chain_id,
    client: createClient({ transport: http(config.rpc_url, { batch: true }) }),
    token: getAddress(config.token_address),
    auction: getAddress(config.auction_address),
  };
}

/** The latest block's timestamp, also fed to the page's clock. */
export async function chainTime(chain: Chain): Promise<bigint> {
  const readAt = Date.now();
  const block = await getBlock(chain.client, { blockTag: "latest" });
  noteChainTime(block.timestamp, readAt);
  return block.timestamp;
}

export async function readAuction(chain: Chain, auctionId: bigint): Promise<ChainAuction> {
  const raw = (await readContract(chain.client, {
    address: chain.auction,
    abi: auctionAbi,
    functionName: "getAuction",
    args: [auctionId],
  })) as ChainAuction;
  return {
    ...raw,
    startTime: Number(raw.startTime),
    endTime: Number(raw.endTime),
    minIncrementBps: Number(raw.minIncrementBps),
    extensionWindow: Number(raw.extensionWindow),
    status: Number(raw.status),
  };
}

export const readMinNextBid = (chain: Chain, auctionId: bigint) =>
  readContract(chain.client, {
    address: chain.auction,
    abi: auctionAbi,
    functionName: "minNextBid",
    args: [auctionId],
  }) as Promise<bigint>;

export const readBalance = (chain: Chain, owner: Address) =>
  readContract(chain.client, {
    address: chain.token,
    abi: tokenAbi,
    functionName: "balanceOf",
    args: [owner],
  }) as Promise<bigint>;

export const readAllowance = (chain: Chain, owner: Address) =>
  readContract(chain.client, {
    address: chain.token,
    abi: tokenAbi,
    functionName: "allowance",
    args: [owner, chain.auction],
  }) as Promise<bigint>;

export const readCredits = (chain: Chain, owner: Address) =>
  readContract(chain.client, {
    address: chain.auction,
    abi: auctionAbi,
    functionName: "credits",
    args: [owner],
  }) as Promise<bigint>;

/** The end the auction was created with (from its AuctionCreated event), to tell extensions. */
export async function scheduledEnd(chain: Chain, createTx: `0x${string}`): Promise<string | null> {
  const receipt = await getTransactionReceipt(chain.client, { hash: createTx });
  const ours = receipt.logs.filter((log) => isAddressEqual(log.address, chain.auction));
  const [created] = parseEventLogs({ abi: auctionAbi, logs: ours, eventName: "AuctionCreated" }) as unknown as {
    args: { endTime: bigint | number };
  }[];
  return created ? new Date(Number(created.args.endTime) * 1000).toISOString() : null;
}
