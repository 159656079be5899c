import { describeError } from "../chain/errors";
import { useApp } from "../context";
import { memberLabel } from "../lib/address";
import { notify } from "../lib/notices";
import { unread } from "../lib/personal";
import { useStore } from "../lib/store";
import type { Route } from "../router";
import { href } from "../router";
import { isSteward, session, signOut } from "../session";

export function Header({ route }: { route: Route }) {
  const me = useStore(session);
  const count = useStore(unread);
  const { openSignIn } = useApp();
  const current = (name: string) => (route.name === name ? "page" : undefined);
  const steward = isSteward(me);
  const out = () => signOut().catch((e) => notify(describeError(e), "error"));
  return (
    <header class={me ? "site-header signed-in" : "site-header"}>
      <div class="bar">
        <a class="brand" href="#/" aria-label="Ampled Commissary, home">
          <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="8" />
            <path d="M6 18h3l2-7 3 13 3-16 3 12 2-4h4" />
          </svg>
          <span class="brand-text">
            <span class="brand-co">Ampled</span> Commissary
          </span>
        </a>
        <nav class="site-nav" aria-label="Main">
          <ul>
            <li>
              <a href={href.browse()} aria-current={current("browse") ?? current("listing")}>
                Gear
              </a>
            </li>
            {me && (
              <li>
                <a href={href.me()} aria-current={current("me")} data-testid="my-link">
                  My commissary
                  {count ? (
                    <span class="count" data-testid="unread-count">
                      {count}
                      <span class="visually-hidden"> unread</span>
                    </span>
                  ) : null}
                </a>
              </li>
            )}
            {steward && (
              <li>
                <a
                  href={href.desk()}
                  aria-current={current("desk") ?? current("editor") ?? current("fulfillment") ?? current("reports")}
                >
                  Steward desk
                </a>
              </li>
            )}
          </ul>
        </nav>
        <div class="account">
          {me ? (
            <>
              <span class="who" title={me.address}>
                {steward && <span class="role">Steward</span>}
                <span class="visually-hidden">Signed in as </span>
                <span data-testid="me-address">{memberLabel(me.address, me.display_name)}</span>
              </span>
              <button type="button" class="btn quiet small" onClick={out}>
                Sign out
              </button>
            </>
          ) : (
            <button type="button" class="btn small" onClick={openSignIn} data-testid="sign-in">
              Sign in
            </button>
          )}
        </div>
      </div>
    </header>
  );
}
