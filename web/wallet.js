// Wallets and the chain: EIP-1193 providers (a browser wallet, or the local "dev
// wallet" that talks JSON-RPC to anvil's unlocked accounts), token/auction reads via
// eth_call, and the bid flow (approve if needed → bid → mined → indexed).
// Everything here takes its provider and callbacks as arguments, so it can be driven
// by a fake provider in tests.

import { calldata, decodeRevert, decodeUint, sameAddress, toChecksumAddress, utf8ToHex } from './lib.js';

export class WalletError extends Error {
  constructor(message, { code, cause } = {}) {
    super(message);
    this.code = code;
    this.cause = cause;
  }
}

let rpcId = 0;

/** Plain JSON-RPC over fetch, as an EIP-1193 `request` function. */
export function jsonRpc(url) {
  return async ({ method, params = [] }) => {
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
      });
    } catch (cause) {
      throw new WalletError(`The chain node at ${url} cannot be reached.`, { cause });
    }
    const body = await response.json().catch(() => null);
    if (!body) throw new WalletError(`The chain node answered ${response.status} without JSON.`);
    if (body.error) {
      const err = new WalletError(body.error.message || 'JSON-RPC error', { code: body.error.code });
      err.data = body.error.data;
      throw err;
    }
    return body.result;
  };
}

/**
 * The local development wallet: one of anvil's unlocked accounts, signing and sending
 * through the node itself. Only offered when the service lists `dev_accounts`.
 */
export class DevWallet {
  constructor(rpcUrl, account) {
    this.rpc = jsonRpc(rpcUrl);
    this.account = toChecksumAddress(account);
    this.isDevWallet = true;
  }

  async request({ method, params = [] }) {
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [this.account];
      case 'personal_sign':
        // anvil signs with its unlocked keys; eth_sign is the older spelling.
        try {
          return await this.rpc({ method: 'personal_sign', params });
        } catch {
          return this.rpc({ method: 'eth_sign', params: [params[1], params[0]] });
        }
      default:
        return this.rpc({ method, params });
    }
  }
}

/** The browser wallet, if any (MetaMask, Rabby, Frame, … all expose window.ethereum). */
export function injectedProvider() {
  return typeof window !== 'undefined' && window.ethereum && typeof window.ethereum.request === 'function'
    ? window.ethereum
    : null;
}

/** Human message for whatever a wallet or node threw. */
export function describeWalletError(error) {
  if (!error) return 'Something went wrong.';
  if (error.code === 4001 || error.code === 'ACTION_REJECTED') return 'You declined the request in your wallet.';
  const data = error.data?.data ?? error.data ?? error.error?.data;
  const revert = decodeRevert(typeof data === 'string' ? data : data?.data);
  if (revert) return revert.message;
  return error.message || String(error);
}

export async function requestAccount(provider) {
  const accounts = await provider.request({ method: 'eth_requestAccounts' });
  if (!accounts?.length) throw new WalletError('The wallet did not share an account.');
  return toChecksumAddress(accounts[0]);
}

/** Makes sure an injected wallet is on `chainId`, asking it to switch if not. */
export async function ensureChain(provider, chainId) {
  const current = parseInt(await provider.request({ method: 'eth_chainId' }), 16);
  if (current === chainId) return;
  try {
    await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: '0x' + chainId.toString(16) }] });
  } catch (cause) {
    throw new WalletError(`Switch your wallet to chain ${chainId} (it is on ${current}).`, { cause });
  }
}

/** Reads the co-op's token and auction contracts. */
export class ChainReader {
  /** @param request an EIP-1193 request function (the RPC URL's, or the wallet's) */
  constructor(request, { tokenAddress, auctionAddress }) {
    this.request = request;
    this.token = tokenAddress;
    this.auction = auctionAddress;
  }

  async call(to, data) {
    return decodeUint(await this.request({ method: 'eth_call', params: [{ to, data }, 'latest'] }));
  }

  balanceOf(owner) {
    return this.call(this.token, calldata.balanceOf(owner));
  }

  allowance(owner) {
    return this.call(this.token, calldata.allowance(owner, this.auction));
  }

  credits(owner) {
    return this.call(this.auction, calldata.credits(owner));
  }

  async receipt(hash) {
    return this.request({ method: 'eth_getTransactionReceipt', params: [hash] });
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls for a receipt; throws when the transaction reverted. */
export async function waitForReceipt(getReceipt, hash, { timeoutMs = 120_000, intervalMs = 1000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await getReceipt(hash);
    if (receipt) {
      if (receipt.status !== undefined && BigInt(receipt.status) === 0n) {
        throw new WalletError('The transaction was mined but reverted.', { code: 'reverted' });
      }
      return receipt;
    }
    if (Date.now() > deadline) throw new WalletError('The transaction is taking long to be mined.', { code: 'timeout' });
    await sleep(intervalMs);
  }
}

/**
 * Simulates a call first so a doomed transaction shows the contract's reason (e.g.
 * "below the minimum") instead of a wallet's generic gas error.
 */
async function simulate(request, tx) {
  try {
    await request({ method: 'eth_call', params: [tx, 'latest'] });
  } catch (error) {
    throw new WalletError(describeWalletError(error), { cause: error });
  }
}

/**
 * Places a bid. Steps reported through `onState(step, info)`:
 *   'approving' {hash?}  → ERC-20 approve sent (skipped when the allowance suffices)
 *   'approved'
 *   'sending'            → bid sent to the wallet
 *   'sent' {hash}
 *   'mined' {hash, blockNumber}
 *   'indexed'            → `isIndexed(hash)` returned true (the service saw the bid)
 * Returns {hash, indexed}. `indexed` is false when the service did not catch up
 * within `indexTimeoutMs` (the bid stands on chain regardless).
 */
export async function placeBid({
  wallet,
  reader,
  account,
  auctionId,
  amount,
  currentHighest = 0n,
  currentBidder = null,
  onState = () => {},
  isIndexed = async () => true,
  receiptTimeoutMs = 120_000,
  indexTimeoutMs = 60_000,
  pollMs = 1000,
}) {
  const from = toChecksumAddress(account);
  const value = BigInt(amount);
  // The highest bidder raising their own bid only pays the difference.
  const needed = sameAddress(currentBidder, from) ? value - BigInt(currentHighest) : value;
  const getReceipt = (hash) => reader.receipt(hash);

  const allowance = await reader.allowance(from);
  if (allowance < needed) {
    const tx = { from, to: reader.token, data: calldata.approve(reader.auction, needed) };
    onState('approving', {});
    const hash = await wallet.request({ method: 'eth_sendTransaction', params: [tx] });
    onState('approving', { hash });
    await waitForReceipt(getReceipt, hash, { timeoutMs: receiptTimeoutMs, intervalMs: pollMs });
  }
  onState('approved', { skipped: allowance >= needed });

  const tx = { from, to: reader.auction, data: calldata.bid(auctionId, value) };
  await simulate(reader.request, tx);
  onState('sending', {});
  const hash = await wallet.request({ method: 'eth_sendTransaction', params: [tx] });
  onState('sent', { hash });
  const receipt = await waitForReceipt(getReceipt, hash, { timeoutMs: receiptTimeoutMs, intervalMs: pollMs });
  onState('mined', { hash, blockNumber: receipt.blockNumber ? Number(BigInt(receipt.blockNumber)) : null });

  const deadline = Date.now() + indexTimeoutMs;
  while (Date.now() < deadline) {
    if (await isIndexed(hash)) {
      onState('indexed', { hash });
      return { hash, indexed: true };
    }
    await sleep(pollMs);
  }
  return { hash, indexed: false };
}

/** Withdraws refunds credited to the sender. */
export async function withdrawCredits({ wallet, reader, account, pollMs = 1000 }) {
  const tx = { from: toChecksumAddress(account), to: reader.auction, data: calldata.withdraw() };
  await simulate(reader.request, tx);
  const hash = await wallet.request({ method: 'eth_sendTransaction', params: [tx] });
  await waitForReceipt((h) => reader.receipt(h), hash, { intervalMs: pollMs });
  return hash;
}

/** personal_sign with the message as 0x-hex UTF-8 (what MetaMask and anvil both accept). */
export function personalSign(provider, message, address) {
  return provider.request({ method: 'personal_sign', params: [utf8ToHex(message), address] });
}
