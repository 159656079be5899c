import { dismiss, notices } from "../lib/notices";
import { useStore } from "../lib/store";

export function Notices() {
  const items = useStore(notices);
  return (
    <div class="notice-area" role="status" aria-live="polite">
      {items.map((n) => (
        <div key={n.id} class={`notice ${n.kind}`} data-testid="notice">
          <p>{n.text}</p>
          <button type="button" aria-label="Dismiss this notice" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
