// $AMPLED amounts: integer base units (10^18 per AMPLED) as bigint, formatted and parsed
// exactly with viem's formatUnits/parseUnits. No floats anywhere.

import { formatUnits, parseUnits } from "viem";

export const DECIMALS = 18;
const UNIT = 10n ** BigInt(DECIMALS);

/** "1,234.5 AMPLED" — every significant digit kept, thousands grouped. */
export function formatAmpled(value: bigint | string, { unit = true } = {}): string {
  const text = formatUnits(BigInt(value), DECIMALS);
  const [whole, fraction] = text.split(".");
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const number = `${negative ? "-" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
  return unit ? `${number} AMPLED` : number;
}

export class AmountError extends Error {}

/** Parses what a member typed ("12", "12.5", "1,000") into base units. */
export function parseAmpled(input: string): bigint {
  const text = input.trim().replace(/[,_\s]/g, "");
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(text)) {
    throw new AmountError("Enter an amount in AMPLED, like 25 or 12.5.");
  }
  const fraction = text.split(".")[1] ?? "";
  if (fraction.length > DECIMALS) throw new AmountError("AMPLED has at most 18 decimal places.");
  return parseUnits(text, DECIMALS);
}

/** The amount as a plain decimal for an input box ("12.5"). */
export const toInputValue = (value: bigint): string => formatUnits(value, DECIMALS);

/** The smallest whole AMPLED at or above `value`: what the bid box starts with. */
export const roundUpToWhole = (value: bigint): bigint => ((value + UNIT - 1n) / UNIT) * UNIT;

/**
 * Round suggestions at or above `minimum`: the minimum itself rounded up to a step that
 * fits its size (1, 5, 10, 50, …), then the next two steps. Never below the minimum.
 */
export function suggestedBids(minimum: bigint): bigint[] {
  const whole = (minimum + UNIT - 1n) / UNIT; // AMPLED, rounded up
  let step = 1n;
  while (step * 20n <= whole) step *= step.toString().startsWith("1") ? 5n : 2n;
  const first = ((whole + step - 1n) / step) * step;
  return [first, first + step, first + 2n * step].map((n) => n * UNIT);
}
