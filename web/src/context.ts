import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Features } from "./api/features";
import type { PublicConfig } from "./api/types";
import type { Chain } from "./chain/contracts";
import type { WalletOption } from "./wallet/discovery";

export interface AppContextValue {
  /** null: the service has no /api/v1/config (browse-only). */
  config: PublicConfig | null;
  /** null: no RPC URL or contracts configured, so no chain reads and no bidding. */
  chain: Chain | null;
  features: Features;
  wallets: WalletOption[];
  openSignIn: () => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("AppContext missing");
  return value;
}
