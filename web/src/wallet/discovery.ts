// Wallet discovery: EIP-6963 announcements (every modern extension), falling back to the
// legacy `window.ethereum`; plus the dev wallet when the service runs as `commissary dev`.

import type { EIP1193Provider } from "viem";
import type { PublicConfig } from "../api/types";
import { shortAddress } from "../lib/address";
import { store } from "../lib/store";
import { devWalletProvider } from "./devWallet";

export interface WalletOption {
  /** Stable across reloads: the EIP-6963 rdns, "injected", or "dev:<address>". */
  id: string;
  name: string;
  icon?: string;
  provider: EIP1193Provider;
  /** The dev wallet is one fixed anvil account. */
  devAccount?: `0x${string}`;
}

interface Eip6963Detail {
  info: { uuid: string; name: string; icon: string; rdns: string };
  provider: EIP1193Provider;
}

/** The wallets found at start-up (the sign-in dialog looks again when opened). */
export const wallets = store<WalletOption[]>([]);

const announced = new Map<string, WalletOption>();

window.addEventListener("eip6963:announceProvider", (event) => {
  const detail = (event as CustomEvent<Eip6963Detail>).detail;
  if (!detail?.info || !detail.provider) return;
  announced.set(detail.info.rdns || detail.info.uuid, {
    id: detail.info.rdns || detail.info.uuid,
    name: detail.info.name,
    // Only data: icons: a wallet cannot make the page load anything.
    icon: detail.info.icon?.startsWith("data:image/") ? detail.info.icon : undefined,
    provider: detail.provider,
  });
});

/** Asks wallets to announce themselves and gives them a moment to answer. */
export async function discoverWallets(config: PublicConfig | null): Promise<WalletOption[]> {
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const options = [...announced.values()];
  const legacy = (window as { ethereum?: EIP1193Provider }).ethereum;
  if (options.length === 0 && legacy && typeof legacy.request === "function") {
    options.push({ id: "injected", name: "Browser wallet", provider: legacy });
  }
  if (config?.rpc_url) {
    for (const account of config.dev_accounts) {
      const address = account as `0x${string}`;
      options.push({
        id: `dev:${address}`,
        name: `Dev wallet ${shortAddress(address)}`,
        provider: devWalletProvider(config.rpc_url, address),
        devAccount: address,
      });
    }
  }
  return options;
}
