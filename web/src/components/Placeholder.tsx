export function Placeholder({ label = "No photo yet" }: { label?: string }) {
  return (
    <div class="placeholder" role="img" aria-label={label}>
      <svg viewBox="0 0 64 48" aria-hidden="true" focusable="false">
        <rect x="4" y="6" width="56" height="36" rx="6" fill="none" stroke="currentColor" stroke-width="3" />
        <circle cx="20" cy="24" r="7" fill="none" stroke="currentColor" stroke-width="3" />
        <circle cx="44" cy="24" r="7" fill="none" stroke="currentColor" stroke-width="3" />
      </svg>
    </div>
  );
}
