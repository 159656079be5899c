// The wallet a member connected: its EIP-1193 provider wrapped in a viem wallet client.

import {
  type Account,
  type Address,
  type Client,
  createClient,
  custom,
  getAddress,
  numberToHex,
  type Transport,
} from "viem";
import { getChainId } from "viem/actions";
import { store } from "../lib/store";
import type { WalletOption } from "./discovery";

export interface Connection {
  option: WalletOption;
  account: Address;
  client: Client<Transport, undefined, Account>;
}

export const connection = store<Connection | null>(null);

const REMEMBERED = "commissary.wallet";

export class WalletRefusal extends Error {}

export async function connect(option: WalletOption): Promise<Connection> {
  const accounts = (await option.provider.request({ method: "eth_requestAccounts" })) as string[];
  if (!accounts?.length) throw new WalletRefusal("The wallet did not share an account.");
  const account = getAddress(accounts[0]);
  const client = createClient({ account, transport: custom(option.provider) });
  const next = { option, account, client };
  connection.set(next);
  localStorage.setItem(REMEMBERED, option.id);
  return next;
}

export const rememberedWallet = () => localStorage.getItem(REMEMBERED);

export function forgetWallet(): void {
  localStorage.removeItem(REMEMBERED);
  connection.set(null);
}

/** Puts the wallet on the co-op's chain, asking it to switch if needed. */
export async function ensureChain(c: Connection, chainId: number): Promise<void> {
  const current = await getChainId(c.client);
  if (current === chainId) return;
  try {
    await c.option.provider.request({
      method: "wallet_switchEthereumChain",
      params: [{ chainId: numberToHex(chainId) }],
    });
  } catch {
    throw new WalletRefusal(`Switch your wallet to chain ${chainId} (it is on chain ${current}).`);
  }
}
