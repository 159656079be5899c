import { useEffect, useState } from "preact/hooks";
import { sendTransaction, waitForTransactionReceipt } from "viem/actions";
import { api } from "../../api/client";
import type { Credits } from "../../api/types";
import { describeError } from "../../chain/errors";
import { useApp } from "../../context";
import { sameAddress } from "../../lib/address";
import { formatAmpled } from "../../lib/amount";
import { notify } from "../../lib/notices";
import { useStore } from "../../lib/store";
import { formatInstant } from "../../lib/time";
import { session } from "../../session";
import { connection, ensureChain } from "../../wallet/connection";

/**
 * Refunds the contract could not push back (it credits them instead) wait here until
 * the member withdraws them: the API says which call to send (`withdraw()` on the
 * auction contract) and the wallet sends it.
 */
export function CreditsView() {
  const { chain, openSignIn } = useApp();
  const me = useStore(session);
  const conn = useStore(connection);
  const [credits, setCredits] = useState<Credits | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    api.myCredits(controller.signal).then(
      (c) => {
        setCredits(c);
        setError(null);
      },
      (e) => !controller.signal.aborted && setError(describeError(e)),
    );
    return () => controller.abort();
  }, [tick]);

  if (error) return <p class="panel error-panel">{error}</p>;
  if (!credits) return <p class="loading">Loading your refunds…</p>;
  // The contract's own figure when the service could read it: the index may lag a block.
  const amount = BigInt(credits.on_chain ?? credits.credits);
  const connected = conn && sameAddress(conn.account, me?.address);

  const withdraw = async () => {
    if (!conn || !chain || !credits.withdraw.to) return;
    setBusy(true);
    try {
      await ensureChain(conn, chain.chainId);
      const hash = await sendTransaction(conn.client, {
        account: conn.account,
        chain: null,
        to: credits.withdraw.to as `0x${string}`,
        data: credits.withdraw.data,
      });
      await waitForTransactionReceipt(chain.client, { hash });
      notify(`${formatAmpled(amount)} is back in your wallet.`, "ok", "credits");
      setTick((t) => t + 1);
    } catch (e) {
      notify(describeError(e), "error", "credits");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="credits-heading" data-testid="credits">
      <h2 id="credits-heading">Refunds to collect</h2>
      <p class="big-price" data-testid="credits-amount">
        {formatAmpled(amount)}
      </p>
      {amount === 0n ? (
        <p class="muted">
          Nothing to collect. When you are outbid, your $AMPLED goes straight back to your wallet; only if that transfer
          fails does the auction keep it here for you.
        </p>
      ) : !chain || !credits.withdraw.to ? (
        <p class="muted">Withdrawing needs the chain, which this Commissary is not connected to.</p>
      ) : connected ? (
        <p>
          <button type="button" class="btn" disabled={busy} onClick={withdraw}>
            {busy ? "Withdrawing…" : `Withdraw ${formatAmpled(amount)}`}
          </button>
          <span class="hint">
            {" "}
            Your wallet asks you to send <code>{credits.withdraw.function}</code> to the auction contract (you pay the
            gas).
          </span>
        </p>
      ) : (
        <p>
          <button type="button" class="btn" onClick={openSignIn}>
            Connect your wallet to withdraw
          </button>
        </p>
      )}
      {credits.history.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a table that scrolls sideways on a phone needs keyboard access
        <section class="table-wrap" tabIndex={0} aria-label="Refund history">
          <table>
            <caption>History, newest first</caption>
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {credits.history.map((h) => (
                <tr key={`${h.tx_hash}-${h.kind}`}>
                  <td>{h.kind === "credited" ? "Refund credited" : "Withdrawn"}</td>
                  <td class="num">{formatAmpled(h.amount)}</td>
                  <td>
                    <time dateTime={h.at}>{formatInstant(h.at)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
