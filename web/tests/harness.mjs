// The web tests' harness: the real `commissary dev` (anvil + contracts + API + chain
// worker + the embedded page) on free ports, Debian's Chromium through playwright-core,
// and an EIP-1193 wallet injected into the page (announced over EIP-6963) that forwards
// to anvil and signs with anvil's public dev keys through viem's privateKeyToAccount.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "../..");
export const screenshots = join(here, "screenshots");

/** anvil's public development keys, from the one list the service uses (`commissary dev` funds 1–5). */
export const KEYS = [
  ...readFileSync(join(root, "crates/chain/src/deploy.rs"), "utf8")
    .match(/ANVIL_DEV_KEYS[^=]*=\s*\[([^\]]*)\]/)[1]
    .matchAll(/"(0x[0-9a-f]{64})"/g),
].map((m) => m[1]);

/**
 * `commissary dev`'s gasless member: $AMPLED and exactly 0 ETH (anvil account 10, whose ETH
 * `commissary dev` takes away). Pass "gasless" where a key index is taken.
 */
export const GASLESS_KEY = readFileSync(join(root, "crates/commissary/src/dev.rs"), "utf8").match(
  /GASLESS_MEMBER_KEY[^=]*=\s*"(0x[0-9a-f]{64})"/,
)[1];

/** A key by anvil index, "gasless", or a 0x key itself. */
export const keyOf = (key) => (key === "gasless" ? GASLESS_KEY : typeof key === "string" ? key : KEYS[key]);

/** The address of `keyOf(key)`. */
export const addressOf = (key) => privateKeyToAccount(keyOf(key)).address;

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const binary = () =>
  process.env.COMMISSARY_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache/commissary-target"), "debug/commissary");

/** Starts `commissary dev` and waits until it serves the page and has published its demo listings. */
export async function startCommissary() {
  const [port, anvilPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), "commissary-web-"));
  const child = spawn(
    binary(),
    ["dev", "--listen", `127.0.0.1:${port}`, "--anvil-port", String(anvilPort), "--data-dir", dataDir],
    {
      cwd: root,
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn", COMMISSARY_LOG__FILTER: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let failed = null;
  child.on("error", (error) => {
    failed = error;
  });
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const url = `http://localhost:${port}`;
  const rpcUrl = `http://127.0.0.1:${anvilPort}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (failed) throw new Error(`cannot start ${binary()}: ${failed.message} (build it: cargo build -p commissary)`);
    if (child.exitCode !== null) throw new Error(`commissary dev exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`commissary dev did not come up:\n${output}`);
    const page = await fetch(`${url}/api/v1/listings?status=live,scheduled`)
      .then((r) => r.json())
      .catch(() => null);
    if (page?.items?.length === 5 && page.items.every((l) => l.auction_id)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    rpcUrl,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function rpc(rpcUrl, method, params = []) {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** An account's ETH balance in wei, from anvil. */
export const ethBalance = async (rpcUrl, address) => BigInt(await rpc(rpcUrl, "eth_getBalance", [address, "latest"]));

/** Moves chain time forward and mines a block (never wait for real time). */
export async function advanceChain(rpcUrl, seconds) {
  await rpc(rpcUrl, "evm_increaseTime", [seconds]);
  await rpc(rpcUrl, "evm_mine");
}

/** Chromium with a fresh profile: playwright's launch() passes its own new --user-data-dir. */
export const launchBrowser = async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
};

/**
 * What the injected wallet answers itself; everything else goes to anvil. `hooks.beforeSign`
 * (when set) runs before each eth_signTypedData_v4 with the parsed document: a test can look
 * at the page's prompt, let something happen on chain meanwhile, or decline (throw).
 */
function walletHandler(rpcUrl, key, hooks) {
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, chain: foundry, transport: http(rpcUrl) });
  return async (method, params) => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [account.address];
      case "personal_sign":
        return account.signMessage({ message: { raw: params[0] } });
      case "eth_signTypedData_v4": {
        // Any key, anvil's or not: the document is signed here, never by the node.
        const document = JSON.parse(params[1]);
        if (hooks.beforeSign) await hooks.beforeSign(document);
        return account.signTypedData(document);
      }
      case "eth_sendTransaction": {
        const tx = params[0];
        return wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : undefined,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
        });
      }
      case "wallet_switchEthereumChain":
        return null;
      default:
        return rpc(rpcUrl, method, params);
    }
  };
}

/**
 * A browser context whose pages have a wallet for `keyIndex` (an anvil key index,
 * "gasless", or none), a record of CSP violations, and console errors. `wallet.hooks` are
 * the wallet's test hooks (see walletHandler).
 */
export async function walletContext(browser, app, keyIndex, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({
    baseURL: app.url,
    viewport: { width, height },
    timezoneId: "UTC",
    locale: "en-GB",
    reducedMotion: "reduce",
  });
  const wallet = { hooks: { beforeSign: null } };
  if (keyIndex !== null) {
    const handle = walletHandler(app.rpcUrl, keyOf(keyIndex), wallet.hooks);
    await context.exposeBinding("__testWallet", async (_source, method, params) => {
      try {
        return { result: await handle(method, params ?? []) };
      } catch (error) {
        return { error: { code: error.code ?? -32603, message: error.shortMessage ?? error.message } };
      }
    });
    await context.addInitScript(() => {
      const provider = {
        async request({ method, params }) {
          const answer = await window.__testWallet(method, params);
          if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
          return answer.result;
        },
        on() {},
        removeListener() {},
      };
      const info = Object.freeze({
        uuid: "8f7e0c3a-6d1b-4b6e-9c1e-2b7a4f0d5e11",
        name: "Test Wallet",
        icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' fill='%237a2e3a'/%3E%3C/svg%3E",
        rdns: "coop.ampled.test-wallet",
      });
      const announce = () =>
        window.dispatchEvent(
          new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }),
        );
      window.addEventListener("eip6963:requestProvider", announce);
      announce();
    });
  }
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const consoleErrors = [];
  context.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  context.on("weberror", (error) => consoleErrors.push(String(error.error())));
  return { context, consoleErrors, wallet };
}

export async function screenshot(page, name) {
  await mkdir(screenshots, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshots, `${name}-${width}.png`), fullPage: false });
}

/** Signs in through the page's dialog with the injected test wallet. */
export async function signIn(page) {
  await page.getByTestId("sign-in").click();
  await page.getByRole("button", { name: /Test Wallet/ }).click();
  await page.getByTestId("me-address").waitFor();
}

/** The listing the API has, by title. */
export async function listingByTitle(app, title, status = "publishing,scheduled,live,ended,settled,unsold,cancelled") {
  const page = await fetch(`${app.url}/api/v1/listings?status=${status}&limit=100`).then((r) => r.json());
  return page.items.find((l) => l.title === title);
}

/** Waits until `check()` returns something truthy (polling; for the API side of a flow). */
export async function eventually(check, { timeoutMs = 30_000, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function chainParts(app, keyIndex, config) {
  const account = privateKeyToAccount(keyOf(keyIndex));
  const wallet = createWalletClient({ account, chain: foundry, transport: http(app.rpcUrl) });
  const { abi: auctionAbi } = JSON.parse(
    readFileSync(join(root, "auction-contract/abi/CommissaryAuction.json"), "utf8"),
  );
  const { abi: tokenAbi } = JSON.parse(readFileSync(join(root, "auction-contract/abi/AmpledToken.json"), "utf8"));
  return { account, wallet, auctionAbi, tokenAbi, config };
}

/** Waits for a transaction's receipt (it must succeed). */
export async function mined(app, hash) {
  for (;;) {
    const receipt = await rpc(app.rpcUrl, "eth_getTransactionReceipt", [hash]);
    if (receipt) {
      if (receipt.status !== "0x1") throw new Error(`transaction ${hash} reverted`);
      return receipt;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `approve(auction, amount)` from anvil key `keyIndex`, mined. */
export async function approveOnChain(app, keyIndex, amount) {
  const config = await fetch(`${app.url}/api/v1/config`).then((r) => r.json());
  const { wallet, tokenAbi } = chainParts(app, keyIndex, config);
  return mined(
    app,
    await wallet.writeContract({
      address: config.token_address,
      abi: tokenAbi,
      functionName: "approve",
      args: [config.auction_address, amount],
    }),
  );
}

/** `bid(auctionId, amount)` from anvil key `keyIndex`, sent and NOT waited for (`fees`: viem's fee fields). */
export async function sendBid(app, keyIndex, auctionId, amount, fees = {}) {
  const config = await fetch(`${app.url}/api/v1/config`).then((r) => r.json());
  const { wallet, auctionAbi } = chainParts(app, keyIndex, config);
  return wallet.writeContract({
    address: config.auction_address,
    abi: auctionAbi,
    functionName: "bid",
    args: [BigInt(auctionId), amount],
    ...fees,
  });
}

/**
 * A bid sent straight to the contract from anvil key `keyIndex` (approve, then bid), as a
 * member's own wallet elsewhere would: no page involved.
 */
export async function bidOnChain(app, keyIndex, auctionId, amount) {
  await approveOnChain(app, keyIndex, amount);
  return mined(app, await sendBid(app, keyIndex, auctionId, amount));
}
