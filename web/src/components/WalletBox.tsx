import { useState } from "preact/hooks";
import { withdrawCredits } from "../bid/walletBid";
import type { Chain } from "../chain/contracts";
import { describeError } from "../chain/errors";
import { formatAmpled } from "../lib/amount";
import { notify } from "../lib/notices";
import type { Connection } from "../wallet/connection";

interface Props {
  chain: Chain;
  conn: Connection;
  balance: bigint | null;
  credits: bigint | null;
  onChanged: () => void;
}

/** The member's $AMPLED and refunds waiting in the auction contract. */
export function WalletBox({ chain, conn, balance, credits, onChanged }: Props) {
  const [busy, setBusy] = useState(false);
  const withdraw = async () => {
    setBusy(true);
    try {
      await withdrawCredits(chain, conn);
      notify("Your refunded $AMPLED is back in your wallet.", "ok", "wallet");
      onChanged();
    } catch (e) {
      notify(describeError(e), "error", "wallet");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="wallet-box" data-testid="wallet-box">
      <dl class="facts">
        <dt>In your wallet</dt>
        <dd data-testid="balance">{balance === null ? "…" : formatAmpled(balance)}</dd>
        {credits !== null && credits > 0n && (
          <>
            <dt>Refunds to collect</dt>
            <dd>
              {formatAmpled(credits)}{" "}
              <button type="button" class="btn small secondary" disabled={busy} onClick={withdraw}>
                {busy ? "Withdrawing…" : "Withdraw"}
              </button>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
