import { getAddress, isAddressEqual } from "viem";

export const shortAddress = (address: string) => {
  const a = getAddress(address);
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
};

export const sameAddress = (a: string | null | undefined, b: string | null | undefined) =>
  Boolean(a && b) && isAddressEqual(a as `0x${string}`, b as `0x${string}`);

/** "Mo (0xf39F…2266)" when the API knows a display name, else the short address. */
export const memberLabel = (address: string, name?: string | null) =>
  name ? `${name} (${shortAddress(address)})` : shortAddress(address);
