import { useEffect, useMemo, useState } from "preact/hooks";
import { features as featureStore } from "./api/features";
import type { PublicConfig } from "./api/types";
import { chainFrom, chainTime } from "./chain/contracts";
import { ConfirmDialog } from "./components/ConfirmDialog";
import { Header } from "./components/Header";
import { Notices } from "./components/Notices";
import { SignInDialog } from "./components/SignInDialog";
import { AppContext } from "./context";
import { focusMain } from "./lib/focus";
import { clearNotices } from "./lib/notices";
import { usePersonalStream } from "./lib/personal";
import { useStore } from "./lib/store";
import { usePoll } from "./lib/usePoll";
import { type Route, useRoute } from "./router";
import { isSteward, session } from "./session";
import { Browse } from "./views/Browse";
import { FulfillmentBoard } from "./views/FulfillmentBoard";
import { ListingEditor } from "./views/ListingEditor";
import { ListingPage } from "./views/ListingPage";
import { MyCommissary } from "./views/MyCommissary";
import { NotFound } from "./views/NotFound";
import { Reports } from "./views/Reports";
import { StewardDesk } from "./views/StewardDesk";
import { wallets as walletStore } from "./wallet/discovery";

interface Props {
  config: PublicConfig | null;
}

function View({ route }: { route: Route }) {
  const me = useStore(session);
  switch (route.name) {
    case "browse":
      return <Browse query={route.query} />;
    case "listing":
      return <ListingPage id={route.id} />;
    case "me":
      return <MyCommissary section={route.section} />;
    case "desk":
    case "editor":
    case "fulfillment":
    case "reports":
      if (!isSteward(me)) {
        return <NotFound title="Stewards only" text="Sign in with a steward's wallet to run the desk." />;
      }
      if (route.name === "fulfillment") return <FulfillmentBoard />;
      if (route.name === "reports") return <Reports />;
      return route.name === "desk" ? <StewardDesk /> : <ListingEditor id={route.id} />;
    default:
      return <NotFound />;
  }
}

const CHAIN_CLOCK_MS = 5000;

const routeKey = (route: Route) =>
  route.name === "listing"
    ? `listing:${route.id}`
    : route.name === "editor"
      ? `editor:${route.id}`
      : route.name === "me"
        ? `me:${route.section}`
        : route.name;

export function App({ config }: Props) {
  const features = useStore(featureStore);
  const wallets = useStore(walletStore);
  const route = useRoute();
  const [signingIn, setSigningIn] = useState(false);
  const chain = useMemo(() => chainFrom(config), [config]);
  const key = routeKey(route);
  const me = useStore(session);
  // Outbid, won, lost: told on whatever page the member is.
  usePersonalStream(me?.address ?? null);

  // Countdowns everywhere tick on the chain's clock.
  usePoll(
    async () => {
      if (chain) await chainTime(chain);
    },
    CHAIN_CLOCK_MS,
    [chain],
  );

  // Navigation: old notices go, focus moves to the new page's heading.
  const [first, setFirst] = useState(true);
  useEffect(() => {
    if (first) {
      setFirst(false);
      return;
    }
    clearNotices();
    document.title = "Ampled Commissary";
    window.scrollTo(0, 0);
    focusMain();
  }, [key]);

  const context = useMemo(
    () => ({ config, chain, features, wallets, openSignIn: () => setSigningIn(true) }),
    [config, chain, features, wallets],
  );

  return (
    <AppContext.Provider value={context}>
      <button type="button" class="skip-link" onClick={focusMain}>
        Skip to content
      </button>
      <Header route={route} />
      <Notices />
      <main id="main" tabIndex={-1}>
        <View key={key} route={route} />
      </main>
      <footer class="site-footer">
        <p>
          Gear donated by members, for members. Bids are in <strong>$AMPLED</strong>, earned for co-op work, and held in
          an on-chain escrow until the auction settles.
        </p>
        {!chain && <p class="chain-line">Browse-only: the chain is not configured.</p>}
      </footer>
      {signingIn && <SignInDialog onClose={() => setSigningIn(false)} />}
      <ConfirmDialog />
    </AppContext.Provider>
  );
}
