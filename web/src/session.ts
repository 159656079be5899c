// Who is signed in (SIWE session cookie) and with which wallet.

import { getChainId, signMessage } from "viem/actions";
import { createSiweMessage } from "viem/siwe";
import { ApiError, api } from "./api/client";
import type { Me, PublicConfig } from "./api/types";
import { sameAddress } from "./lib/address";
import { store } from "./lib/store";
import { connect, connection, ensureChain, forgetWallet, rememberedWallet } from "./wallet/connection";
import type { WalletOption } from "./wallet/discovery";

export const session = store<Me | null>(null);

// Set while the page believes a session exists, so an anonymous visit never calls
// /api/v1/me (which answers 401, logged by browsers as a console error).
const SIGNED_IN = "commissary.signedIn";
export const STATEMENT = "Sign in to the Ampled Commissary.";
const MESSAGE_TTL_MS = 10 * 60 * 1000;

export const isSteward = (me: Me | null) => Boolean(me?.roles.includes("steward"));

export async function loadSession(): Promise<void> {
  if (!localStorage.getItem(SIGNED_IN)) return;
  try {
    session.set(await api.me());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) localStorage.removeItem(SIGNED_IN);
  }
}

/** The SIWE message for this page: it names the origin the browser is on. */
export function siweMessage(address: `0x${string}`, chainId: number, nonce: string, now = new Date()): string {
  return createSiweMessage({
    domain: location.host,
    uri: location.origin,
    address,
    statement: STATEMENT,
    version: "1",
    chainId,
    nonce,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + MESSAGE_TTL_MS),
  });
}

export async function signIn(option: WalletOption, config: PublicConfig | null): Promise<Me> {
  const conn = await connect(option);
  if (config) await ensureChain(conn, config.chain_id);
  const chainId = config?.chain_id ?? (await getChainId(conn.client));
  const { nonce } = await api.nonce();
  const message = siweMessage(conn.account, chainId, nonce);
  const signature = await signMessage(conn.client, { account: conn.account, message });
  const me = await api.login(message, signature);
  localStorage.setItem(SIGNED_IN, "1");
  session.set(me);
  return me;
}

export async function signOut(): Promise<void> {
  try {
    await api.logout();
  } finally {
    localStorage.removeItem(SIGNED_IN);
    forgetWallet();
    session.set(null);
  }
}

/** After a reload: reconnects the wallet used to sign in, without a prompt. */
export async function restoreWallet(options: WalletOption[]): Promise<void> {
  const me = session.get();
  const option = options.find((o) => o.id === rememberedWallet());
  if (!me || !option) return;
  const accounts = option.devAccount
    ? [option.devAccount]
    : ((await option.provider.request({ method: "eth_accounts" }).catch(() => [])) as string[]);
  if (accounts.some((a) => sameAddress(a, me.address))) await connect(option);
  else if (connection.get()) forgetWallet();
}
