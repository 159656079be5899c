import { store, useStore } from "../lib/store";
import { Modal } from "./Modal";

interface Question {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  resolve: (yes: boolean) => void;
}

const pending = store<Question | null>(null);

/** Asks in plain words before something that cannot be undone. */
export function confirmAction(title: string, body: string, confirm: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => pending.set({ title, body, confirm, danger, resolve }));
}

export function ConfirmDialog() {
  const question = useStore(pending);
  if (!question) return null;
  const answer = (yes: boolean) => {
    pending.set(null);
    question.resolve(yes);
  };
  return (
    <Modal title={question.title} onClose={() => answer(false)} testId="confirm-dialog">
      <p>{question.body}</p>
      <div class="row dialog-actions">
        <button type="button" class="btn secondary" onClick={() => answer(false)}>
          Keep it as it is
        </button>
        <button type="button" class={question.danger ? "btn danger" : "btn"} onClick={() => answer(true)}>
          {question.confirm}
        </button>
      </div>
    </Modal>
  );
}
