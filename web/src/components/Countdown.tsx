import { useNow } from "../lib/clock";
import { formatDuration, formatInstant, phaseAt } from "../lib/time";

interface Props {
  startsAt: string;
  endsAt: string;
  /** The end the auction was created with, when known: a later end means a late bid extended it. */
  scheduledEnd?: string | null;
  long?: boolean;
}

/** Time left by the chain's clock; says so when a late bid moved the end. */
export function Countdown({ startsAt, endsAt, scheduledEnd, long = false }: Props) {
  const now = useNow();
  const phase = phaseAt(startsAt, endsAt, now);
  const extended = scheduledEnd ? Date.parse(endsAt) > Date.parse(scheduledEnd) : false;
  let text: string;
  if (phase === "upcoming") text = `Opens in ${formatDuration(Date.parse(startsAt) - now)}`;
  else if (phase === "open") text = `${formatDuration(Date.parse(endsAt) - now)} left`;
  else text = "Bidding closed";
  return (
    <span class="countdown-wrap">
      <span class="countdown" data-phase={phase} data-testid="countdown">
        {text}
      </span>
      {long && phase !== "upcoming" && (
        <span class="closes">
          {phase === "open" ? "Closes " : "Closed "}
          <time dateTime={endsAt}>{formatInstant(endsAt)}</time>
        </span>
      )}
      {long && extended && scheduledEnd && (
        <span class="extended-note" data-testid="extended-note">
          Extended by a late bid (was {formatInstant(scheduledEnd)})
        </span>
      )}
    </span>
  );
}
