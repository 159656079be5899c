// Pure helpers shared by the page and the Node unit tests: token amounts (BigInt,
// never floats), keccak-256 + EIP-55, ABI calldata for the few static calls the page
// makes, revert decoding, the SIWE (EIP-4361) message, and time formatting.
// No DOM access here, so `node --test` can import this file directly.

export const DECIMALS = 18;
export const SYMBOL = 'AMPLED';
const UNIT = 10n ** 18n;
export const UINT96_MAX = (1n << 96n) - 1n;
export const UINT256_MAX = (1n << 256n) - 1n;

// ---------------------------------------------------------------------------------
// Token amounts
// ---------------------------------------------------------------------------------

/** Groups the digits of a non-negative integer string with commas. */
function groupDigits(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Formats a decimal string (or bigint) of base units exactly: "25 AMPLED",
 * "1.5 AMPLED", "0.000000000000000001 AMPLED", "1,234 AMPLED".
 */
export function formatAmount(base, { symbol = true } = {}) {
  let value;
  try {
    value = typeof base === 'bigint' ? base : BigInt(String(base).trim());
  } catch {
    return '—';
  }
  const negative = value < 0n;
  if (negative) value = -value;
  const whole = groupDigits((value / UNIT).toString());
  const frac = (value % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  const text = (negative ? '-' : '') + whole + (frac ? '.' + frac : '');
  return symbol ? `${text} ${SYMBOL}` : text;
}

/** The plain decimal (no grouping, no symbol) that `parseAmount` reads back. */
export function toDecimalString(base) {
  const value = typeof base === 'bigint' ? base : BigInt(base);
  const whole = (value / UNIT).toString();
  const frac = (value % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

export class AmountError extends Error {}

/**
 * Parses what a person typed ("25", "1.5", ".5", "25 AMPLED") into base units, exactly,
 * with string arithmetic. Throws AmountError with a readable message.
 */
export function parseAmount(text, { max = UINT96_MAX, allowZero = false } = {}) {
  let s = String(text ?? '').trim().replace(/\s*\$?AMPLED$/i, '').trim();
  if (s === '') throw new AmountError('Enter an amount.');
  if (s.includes(',')) throw new AmountError('Use digits and a dot only, like 1250.5 (no commas).');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    throw new AmountError('Enter a number like 25 or 1.5.');
  }
  const whole = m[1] || '0';
  const frac = m[2] ?? '';
  if (frac.length > DECIMALS) {
    throw new AmountError(`At most ${DECIMALS} decimal places.`);
  }
  const value = BigInt(whole) * UNIT + BigInt((frac + '0'.repeat(DECIMALS)).slice(0, DECIMALS) || '0');
  if (!allowZero && value === 0n) throw new AmountError('The amount must be greater than zero.');
  if (value > max) throw new AmountError(`That is more than the largest possible amount (${formatAmount(max)}).`);
  return value;
}

// ---------------------------------------------------------------------------------
// keccak-256 (the original Keccak padding, as Ethereum uses) and EIP-55
// ---------------------------------------------------------------------------------

const KECCAK_RC = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];
// Rotation offsets, indexed x + 5y.
const KECCAK_ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const MASK64 = (1n << 64n) - 1n;

function rotl64(x, n) {
  const b = BigInt(n);
  return n === 0 ? x : ((x << b) | (x >> (64n - b))) & MASK64;
}

function keccakF(a) {
  const c = new Array(5);
  const b = new Array(25);
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (let x = 0; x < 5; x++) {
      const d = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
      for (let y = 0; y < 25; y += 5) a[x + y] ^= d;
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[x + 5 * y], KECCAK_ROT[x + 5 * y]);
      }
    }
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        a[x + y] = b[x + y] ^ (~b[((x + 1) % 5) + y] & MASK64 & b[((x + 2) % 5) + y]);
      }
    }
    a[0] ^= KECCAK_RC[round];
  }
}

/** keccak-256 of bytes (Uint8Array) or a string (UTF-8); returns 32 bytes. */
export function keccak256(input) {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const rate = 136;
  const padded = new Uint8Array(Math.floor(bytes.length / rate) * rate + rate);
  padded.set(bytes);
  padded[bytes.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  const state = new Array(25).fill(0n);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate / 8; i++) {
      let lane = 0n;
      for (let k = 7; k >= 0; k--) lane = (lane << 8n) | BigInt(padded[off + i * 8 + k]);
      state[i] ^= lane;
    }
    keccakF(state);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 4; i++) {
    let lane = state[i];
    for (let k = 0; k < 8; k++) {
      out[i * 8 + k] = Number(lane & 0xffn);
      lane >>= 8n;
    }
  }
  return out;
}

export function bytesToHex(bytes) {
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function utf8ToHex(text) {
  return bytesToHex(new TextEncoder().encode(text));
}

export function isAddress(text) {
  return typeof text === 'string' && /^0x[0-9a-fA-F]{40}$/.test(text);
}

/** EIP-55 mixed-case checksum encoding of any-case hex address. */
export function toChecksumAddress(address) {
  if (!isAddress(address)) throw new Error(`not an address: ${address}`);
  const lower = address.slice(2).toLowerCase();
  const hash = keccak256(lower);
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? lower[i].toUpperCase() : lower[i];
  }
  return out;
}

export function sameAddress(a, b) {
  return Boolean(a && b) && String(a).toLowerCase() === String(b).toLowerCase();
}

export function shortAddress(address) {
  if (!address) return '';
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

export function shortHash(hash) {
  if (!hash) return '';
  return hash.length > 16 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}

// ---------------------------------------------------------------------------------
// ABI calldata (static types only: 4-byte selector + 32-byte big-endian words)
// ---------------------------------------------------------------------------------

// Computed once with Foundry: `node_modules/.bin/cast sig '<signature>'`.
export const SELECTORS = Object.freeze({
  approve: '0x095ea7b3', // cast sig 'approve(address,uint256)'
  allowance: '0xdd62ed3e', // cast sig 'allowance(address,address)'
  balanceOf: '0x70a08231', // cast sig 'balanceOf(address)'
  bid: '0xd6c579d9', // cast sig 'bid(uint256,uint96)'
  credits: '0xfe5ff468', // cast sig 'credits(address)'
  withdraw: '0x3ccfd60b', // cast sig 'withdraw()'
  minNextBid: '0xf77b741c', // cast sig 'minNextBid(uint256)'
});

export function encodeUint(value, bits = 256) {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(bits)) throw new RangeError(`value out of range for uint${bits}: ${v}`);
  return v.toString(16).padStart(64, '0');
}

export function encodeAddress(address) {
  if (!isAddress(address)) throw new TypeError(`not an address: ${address}`);
  return address.slice(2).toLowerCase().padStart(64, '0');
}

function call(selector, ...words) {
  return selector + words.join('');
}

export const calldata = Object.freeze({
  approve: (spender, amount) => call(SELECTORS.approve, encodeAddress(spender), encodeUint(amount)),
  allowance: (owner, spender) => call(SELECTORS.allowance, encodeAddress(owner), encodeAddress(spender)),
  balanceOf: (owner) => call(SELECTORS.balanceOf, encodeAddress(owner)),
  bid: (auctionId, amount) => call(SELECTORS.bid, encodeUint(auctionId), encodeUint(amount, 96)),
  credits: (owner) => call(SELECTORS.credits, encodeAddress(owner)),
  withdraw: () => SELECTORS.withdraw,
  minNextBid: (auctionId) => call(SELECTORS.minNextBid, encodeUint(auctionId)),
});

/** Reads the first 32-byte word of an eth_call result as an unsigned integer. */
export function decodeUint(result) {
  if (typeof result !== 'string' || !/^0x[0-9a-fA-F]*$/.test(result)) throw new TypeError('not hex data');
  const hex = result.slice(2, 66);
  return hex === '' ? 0n : BigInt('0x' + hex);
}

// Custom errors of the auction contract and OpenZeppelin's ERC-20, by selector
// (`cast sig 'BidTooLow(uint256,uint256,uint256)'` etc.).
const REVERTS = {
  '0x17018754': ['BidTooLow', (w) => `Your bid is below the minimum of ${formatAmount(w[2])}.`],
  '0x9cb24d3c': ['AuctionEnded', () => 'The auction has already ended.'],
  '0xc17c6faa': ['AuctionNotStarted', () => 'Bidding has not opened yet.'],
  '0x2a832f89': ['AuctionClosed', () => 'The auction is closed.'],
  '0x17d9e3b5': ['AuctionNotFound', () => 'The auction does not exist on this chain.'],
  '0xd93c0665': ['EnforcedPause', () => 'Bidding is paused for now.'],
  '0xd0d04f60': ['NothingToWithdraw', () => 'There is nothing to withdraw.'],
  '0xe450d38c': [
    'ERC20InsufficientBalance',
    (w) => `Not enough $AMPLED: you have ${formatAmount(w[1])} and need ${formatAmount(w[2])}.`,
  ],
  '0xfb8f41b2': ['ERC20InsufficientAllowance', () => 'The token allowance is too low; approve again.'],
};

/** Turns revert data into {name, message}; null when it is not revert data. */
export function decodeRevert(data) {
  if (typeof data !== 'string' || !/^0x[0-9a-fA-F]{8}/.test(data)) return null;
  const selector = data.slice(0, 10).toLowerCase();
  const words = [];
  for (let i = 10; i + 64 <= data.length; i += 64) words.push(BigInt('0x' + data.slice(i, i + 64)));
  if (selector === '0x08c379a0' && words.length >= 2) {
    // Error(string): offset, length, bytes.
    const len = Number(words[1]);
    const hex = data.slice(10 + 128, 10 + 128 + len * 2);
    const bytes = new Uint8Array(hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
    return { name: 'Error', message: new TextDecoder().decode(bytes) };
  }
  const known = REVERTS[selector];
  if (known) return { name: known[0], message: known[1](words) };
  return { name: selector, message: `The contract refused the transaction (${selector}).` };
}

// ---------------------------------------------------------------------------------
// Sign-In with Ethereum
// ---------------------------------------------------------------------------------

export function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const SIWE_STATEMENT = 'Sign in to the Ampled Commissary.';

/** The EIP-4361 message the service expects, exactly. */
export function buildSiweMessage({ host, origin, address, chainId, nonce, issuedAt = new Date(), ttlMs = 10 * 60 * 1000 }) {
  const expires = new Date(issuedAt.getTime() + ttlMs);
  return [
    `${host} wants you to sign in with your Ethereum account:`,
    toChecksumAddress(address),
    '',
    SIWE_STATEMENT,
    '',
    `URI: ${origin}`,
    'Version: 1',
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${isoSeconds(issuedAt)}`,
    `Expiration Time: ${isoSeconds(expires)}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------

const pad2 = (n) => String(n).padStart(2, '0');

/** "2d 03h 04m", "3h 04m 05s", "4m 05s", "0s" for a remaining duration in ms. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${pad2(h)}h ${pad2(m)}m`;
  if (h > 0) return `${h}h ${pad2(m)}m ${pad2(s)}s`;
  if (m > 0) return `${m}m ${pad2(s)}s`;
  return `${s}s`;
}

/**
 * What a countdown shows at `nowMs` for a listing's server-provided UTC times:
 * {phase: 'upcoming'|'open'|'over', text}.
 */
export function countdown(startsAt, endsAt, nowMs) {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  if (Number.isFinite(start) && nowMs < start) return { phase: 'upcoming', text: `Opens in ${formatDuration(start - nowMs)}` };
  if (Number.isFinite(end) && nowMs < end) return { phase: 'open', text: `${formatDuration(end - nowMs)} left` };
  return { phase: 'over', text: 'Bidding closed' };
}

/** The value of an <input type="datetime-local"> for a UTC instant, in the viewer's zone. */
export function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value (viewer's zone) as RFC 3339 UTC; '' when empty/invalid. */
export function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : isoSeconds(d);
}
