import { useEffect } from "preact/hooks";
import { useApp } from "../context";
import { unread } from "../lib/personal";
import { useStore } from "../lib/store";
import { href, type MySection } from "../router";
import { session } from "../session";
import { CreditsView } from "./my/CreditsView";
import { Inbox } from "./my/Inbox";
import { MyBids } from "./my/MyBids";
import { Settings } from "./my/Settings";
import { Watchlist } from "./my/Watchlist";
import { Wins } from "./my/Wins";

const SECTIONS: [MySection, string][] = [
  ["bids", "Bids"],
  ["wins", "Wins"],
  ["watchlist", "Watchlist"],
  ["credits", "Refunds"],
  ["inbox", "Inbox"],
  ["settings", "Settings"],
];

export function MyCommissary({ section }: { section: MySection }) {
  const me = useStore(session);
  const count = useStore(unread);
  const { openSignIn } = useApp();
  const label = SECTIONS.find(([s]) => s === section)?.[1] ?? "";
  useEffect(() => {
    document.title = `My commissary: ${label} · Ampled Commissary`;
  }, [label]);

  if (!me) {
    return (
      <section class="panel">
        <h1>My commissary</h1>
        <p>Your bids, wins, watchlist and notifications are here once you sign in with your wallet.</p>
        <button type="button" class="btn" onClick={openSignIn}>
          Sign in
        </button>
      </section>
    );
  }
  const View = {
    bids: MyBids,
    wins: Wins,
    watchlist: Watchlist,
    credits: CreditsView,
    inbox: Inbox,
    settings: Settings,
  }[section];
  return (
    <>
      <div class="page-head">
        <h1>My commissary</h1>
      </div>
      <nav class="subnav" aria-label="My commissary">
        <ul>
          {SECTIONS.map(([s, text]) => (
            <li key={s}>
              <a href={href.me(s)} aria-current={s === section ? "page" : undefined}>
                {text}
                {s === "inbox" && count ? (
                  <span class="count">
                    {count}
                    <span class="visually-hidden"> unread</span>
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <View />
    </>
  );
}
