// The local development wallet: one of anvil's unlocked accounts, signing and sending
// through the node itself. Offered only when the service lists `dev_accounts`, which
// only `commissary dev` does.

import type { EIP1193Provider } from "viem";

let nextId = 0;

export function devWalletProvider(rpcUrl: string, account: `0x${string}`): EIP1193Provider {
  async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++nextId, method, params }),
    });
    const body = (await response.json()) as {
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    if (body.error) throw Object.assign(new Error(body.error.message), body.error);
    return body.result;
  }
  const request = async ({ method, params }: { method: string; params?: unknown }) => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [account];
      default:
        return rpc(method, (params as unknown[] | undefined) ?? []);
    }
  };
  return { request, on: () => undefined, removeListener: () => undefined } as unknown as EIP1193Provider;
}
