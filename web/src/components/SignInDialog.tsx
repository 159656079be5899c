import { useEffect, useState } from "preact/hooks";
import { describeError } from "../chain/errors";
import { useApp } from "../context";
import { memberLabel } from "../lib/address";
import { focusMain } from "../lib/focus";
import { notify } from "../lib/notices";
import { signIn } from "../session";
import { discoverWallets, type WalletOption } from "../wallet/discovery";
import { Modal } from "./Modal";

export function SignInDialog({ onClose }: { onClose: () => void }) {
  const { config } = useApp();
  const [options, setOptions] = useState<WalletOption[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    discoverWallets(config).then(setOptions);
  }, [config]);

  const choose = async (option: WalletOption) => {
    setBusy(option.id);
    setError(null);
    try {
      const me = await signIn(option, config);
      onClose();
      notify(`Signed in as ${memberLabel(me.address, me.display_name)}.`, "ok", "session");
      focusMain();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal title="Sign in with your wallet" onClose={onClose} testId="sign-in-dialog">
      <p>
        Your wallet will ask you to sign a message saying “{"Sign in to the Ampled Commissary"}” for this site. It
        proves the address is yours: it is not a transaction, costs nothing and expires in 10 minutes.
      </p>
      {options === null && <p class="muted">Looking for wallets…</p>}
      {options?.length === 0 && (
        <p>No wallet found in this browser. Install a wallet extension (any that supports Ethereum), then reload.</p>
      )}
      {options && options.length > 0 && (
        <ul class="wallet-list">
          {options.map((option) => (
            <li key={option.id}>
              <button
                type="button"
                class="btn secondary wallet-choice"
                disabled={busy !== null}
                onClick={() => choose(option)}
              >
                {option.icon && <img src={option.icon} alt="" width={24} height={24} />}
                {option.name}
                {busy === option.id && " — check your wallet…"}
              </button>
            </li>
          ))}
        </ul>
      )}
      {config && config.dev_accounts.length > 0 && (
        <p class="hint">Dev wallets are anvil's public test accounts, offered only by `commissary dev`.</p>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="row dialog-actions">
        <button type="button" class="btn secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
