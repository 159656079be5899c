import { useEffect, useState } from "preact/hooks";
import { getBalance } from "viem/actions";
import { ApiError, api } from "../api/client";
import { relayReason } from "../api/messages";
import type { Bid, Listing, RelayAvailability } from "../api/types";
import { gaslessBidMethod } from "../bid/gaslessBid";
import type { BidMethod } from "../bid/method";
import { walletBidMethod } from "../bid/walletBid";
import { readBalance, readCredits } from "../chain/contracts";
import { useApp } from "../context";
import { memberLabel, sameAddress } from "../lib/address";
import { formatAmpled } from "../lib/amount";
import { useNow } from "../lib/clock";
import { percentFromBps } from "../lib/labels";
import { useStore } from "../lib/store";
import { session } from "../session";
import { connect, connection } from "../wallet/connection";
import { BidForm } from "./BidForm";
import { Countdown } from "./Countdown";
import { MaxBidBox } from "./MaxBidBox";
import { Price } from "./Price";
import { WalletBox } from "./WalletBox";

interface Props {
  listing: Listing;
  bids: Bid[];
  scheduledEnd: string | null;
  isIndexed: (hash: `0x${string}`) => Promise<boolean>;
  refresh: () => void;
}

function Outcome({ listing }: { listing: Listing }) {
  const me = useStore(session);
  const s = listing.settlement;
  if (listing.status === "settled" && s?.winner) {
    const mine = sameAddress(s.winner, me?.address);
    return (
      <p class={mine ? "you-lead" : "outcome"} data-testid="outcome">
        {mine ? "You won this auction" : `Won by ${memberLabel(s.winner, s.winner_name)}`} for {formatAmpled(s.amount)}.
      </p>
    );
  }
  if (listing.status === "unsold" || (listing.status === "settled" && !s?.winner)) {
    return (
      <p class="outcome" data-testid="outcome">
        Closed without bids: unsold.
      </p>
    );
  }
  if (listing.status === "cancelled") return <p class="outcome">This auction was cancelled.</p>;
  return (
    <p class="outcome" data-testid="outcome">
      Bidding has closed. The result is being settled on chain…
    </p>
  );
}

export function BidPanel({ listing, bids, scheduledEnd, isIndexed, refresh }: Props) {
  const { chain, features, openSignIn, wallets } = useApp();
  const me = useStore(session);
  const conn = useStore(connection);
  const now = useNow();
  const [balance, setBalance] = useState<bigint | null>(null);
  const [credits, setCredits] = useState<bigint | null>(null);
  const [eth, setEth] = useState<bigint | null>(null);
  const [relay, setRelay] = useState<RelayAvailability | null>(null);

  const loadWallet = () => {
    if (!chain || !conn) return;
    readBalance(chain, conn.account).then(setBalance, () => setBalance(null));
    readCredits(chain, conn.account).then(setCredits, () => setCredits(null));
    getBalance(chain.client, { address: conn.account }).then(setEth, () => setEth(null));
  };
  useEffect(loadWallet, [chain, conn?.account, listing.highest_bid, listing.status]);

  // Whether the co-op's relayer would take a bid from this member now, asked before the
  // form is shown (a quote reads the chain but prompts nothing).
  const gasless = features.gaslessBids && Boolean(listing.auction_id);
  useEffect(() => {
    if (!gasless || !conn) {
      setRelay(null);
      return;
    }
    const controller = new AbortController();
    api.bidQuote(listing.id, conn.account, undefined, controller.signal).then(
      (quote) => setRelay(quote.relay),
      (e) => {
        if (controller.signal.aborted) return;
        const reason = e instanceof ApiError && typeof e.extra.reason === "string" ? e.extra.reason : null;
        setRelay({
          available: false,
          reason: (reason ?? "not_configured") as RelayAvailability["reason"],
          remaining_today: 0,
        });
      },
    );
    return () => controller.abort();
  }, [gasless, conn?.account, listing.id, listing.highest_bid]);

  const iLead = sameAddress(listing.highest_bidder, me?.address);
  const iBid = bids.some((b) => sameAddress(b.bidder, me?.address));
  const outbid = Boolean(me && iBid && !iLead && listing.highest_bidder);

  const open = ["live", "scheduled"].includes(listing.status) && now < Date.parse(listing.ends_at);
  const started = now >= Date.parse(listing.starts_at);

  let body = null;
  if (!open) {
    body = <Outcome listing={listing} />;
  } else if (!listing.auction_id || !listing.min_next_bid) {
    body = <p class="muted">This listing is being put on chain; bidding opens when it is there.</p>;
  } else if (!chain) {
    body = <p class="muted">Bidding is unavailable: the Commissary has no chain connection configured.</p>;
  } else if (!started) {
    body = <p class="muted">Bidding opens when the countdown ends.</p>;
  } else if (!me) {
    body = (
      <p>
        <button type="button" class="btn" onClick={openSignIn} data-focus-target>
          Sign in to bid
        </button>
      </p>
    );
  } else if (!conn || !sameAddress(conn.account, me.address)) {
    const remembered = wallets.find((w) => w.devAccount && sameAddress(w.devAccount, me.address));
    body = (
      <p>
        <button
          type="button"
          class="btn"
          onClick={() => (remembered ? connect(remembered) : openSignIn())}
          data-focus-target
        >
          Connect the wallet of {memberLabel(me.address, me.display_name)} to bid
        </button>
      </p>
    );
  } else if (balance === 0n) {
    body = (
      <p class="muted" data-testid="no-ampled">
        This account holds no $AMPLED, so it cannot bid. Members earn $AMPLED for co-op work.
      </p>
    );
  } else {
    // Gasless first (the default) while the relay takes bids; the wallet is always offered,
    // usable when the account holds ETH for gas.
    const relayOpen = gasless && relay?.available !== false;
    const methods: BidMethod[] = [
      ...(relayOpen ? [gaslessBidMethod(chain, conn, isIndexed)] : []),
      walletBidMethod(chain, conn, isIndexed),
    ];
    const unusable: Partial<Record<BidMethod["id"], string>> =
      eth === 0n ? { wallet: "This account holds no ETH to pay gas, so it can only bid gaslessly." } : {};
    body = (
      <>
        {iLead && (
          <p class="you-lead" data-testid="you-lead">
            You are the highest bidder.
          </p>
        )}
        {outbid && (
          <p class="outbid" role="alert" data-testid="outbid">
            You have been outbid: the highest bid is now {formatAmpled(listing.highest_bid ?? "0")}.
          </p>
        )}
        {gasless && relay && !relay.available && (
          <p class="relay-note" data-testid="relay-note">
            {relayReason(relay.reason)}{" "}
            {eth === 0n
              ? "This account holds no ETH for gas, so it cannot bid from the wallet either; try again later."
              : "You can bid from your wallet instead (you pay a little ETH for gas)."}
          </p>
        )}
        <BidForm
          listingId={listing.id}
          title={listing.title}
          auctionId={BigInt(listing.auction_id)}
          minimum={BigInt(listing.min_next_bid)}
          methods={methods}
          unusable={unusable}
          onRelayUnavailable={(reason) =>
            setRelay({ available: false, reason: reason as RelayAvailability["reason"], remaining_today: 0 })
          }
          resetKey={iLead ? null : (listing.highest_bid ?? "")}
          onPlaced={() => {
            refresh();
            loadWallet();
          }}
        />
        {features.maxBids && (
          <MaxBidBox
            listing={listing}
            chain={chain}
            conn={conn}
            minimum={BigInt(listing.min_next_bid)}
            onChanged={() => {
              refresh();
              loadWallet();
            }}
          />
        )}
        <WalletBox chain={chain} conn={conn} balance={balance} credits={credits} onChanged={loadWallet} />
      </>
    );
  }

  return (
    <section class="panel bid-panel" aria-labelledby="bid-heading">
      <h2 id="bid-heading" class="visually-hidden">
        Bidding
      </h2>
      <Price listing={listing} big />
      <p>
        <Countdown startsAt={listing.starts_at} endsAt={listing.ends_at} scheduledEnd={scheduledEnd} long />
      </p>
      <p class="hint">
        {listing.bid_count} bid{listing.bid_count === 1 ? "" : "s"} · minimum raise:{" "}
        {percentFromBps(listing.min_increment_bps)} %
        {listing.extension_secs > 0 &&
          ` · a bid in the last ${Math.round(listing.extension_secs / 60) || 1} min extends the end`}
      </p>
      {body}
    </section>
  );
}
