import { render } from "preact";
import { api } from "./api/client";
import { loadFeatures } from "./api/features";
import type { PublicConfig } from "./api/types";
import { App } from "./app";
import { loadSession, restoreWallet } from "./session";
import { discoverWallets, wallets } from "./wallet/discovery";
import "./style.css";

async function boot() {
  const [config] = await Promise.all([api.config().catch((): PublicConfig | null => null), loadSession()]);
  const root = document.getElementById("app");
  if (root) {
    root.replaceChildren();
    render(<App config={config} />, root);
  }
  loadFeatures();
  wallets.set(await discoverWallets(config));
  await restoreWallet(wallets.get()).catch(() => undefined);
}

boot();
