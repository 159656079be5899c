// Unit tests of the page's pure helpers (no browser): amounts, keccak/EIP-55,
// calldata, revert decoding, SIWE text, countdowns, and the bid flow against a fake
// EIP-1193 provider. Selectors and calldata are cross-checked with Foundry's cast.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import {
  AmountError, SELECTORS, UINT96_MAX, buildSiweMessage, bytesToHex, calldata, countdown, decodeRevert,
  decodeUint, encodeUint, formatAmount, formatDuration, keccak256, parseAmount, toChecksumAddress,
  toDecimalString, utf8ToHex,
} from '../lib.js';
import { ChainReader, placeBid } from '../wallet.js';
import { CAST } from './helpers.mjs';

const cast = (...args) => execFileSync(CAST, args, { encoding: 'utf8' }).trim();
const haveCast = existsSync(CAST);

test('formatAmount is exact for whole, fractional and 18-decimal amounts', () => {
  assert.equal(formatAmount('25000000000000000000'), '25 AMPLED');
  assert.equal(formatAmount('1500000000000000000'), '1.5 AMPLED');
  assert.equal(formatAmount('1'), '0.000000000000000001 AMPLED');
  assert.equal(formatAmount('0'), '0 AMPLED');
  assert.equal(formatAmount('1000000000000000001'), '1.000000000000000001 AMPLED');
  assert.equal(formatAmount('1234567000000000000000000'), '1,234,567 AMPLED');
  assert.equal(formatAmount('999999999999999999'), '0.999999999999999999 AMPLED');
  assert.equal(formatAmount(UINT96_MAX), '79,228,162,514.264337593543950335 AMPLED');
  assert.equal(formatAmount('120000000000000000', { symbol: false }), '0.12');
  assert.equal(formatAmount('not a number'), '—');
});

test('parseAmount converts typed AMPLED to base units without floats', () => {
  assert.equal(parseAmount('25'), 25n * 10n ** 18n);
  assert.equal(parseAmount('1.5'), 15n * 10n ** 17n);
  assert.equal(parseAmount(' .5 '), 5n * 10n ** 17n);
  assert.equal(parseAmount('25.'), 25n * 10n ** 18n);
  assert.equal(parseAmount('0.000000000000000001'), 1n);
  assert.equal(parseAmount('1.000000000000000001'), 10n ** 18n + 1n);
  assert.equal(parseAmount('0.1'), 10n ** 17n); // 0.1 is not representable as a float; here it is exact
  assert.equal(parseAmount('25 AMPLED'), 25n * 10n ** 18n);
  assert.equal(parseAmount('79228162514.264337593543950335'), UINT96_MAX);
  for (const [text, message] of [
    ['', /Enter an amount/],
    ['abc', /Enter a number/],
    ['1.2.3', /Enter a number/],
    ['-1', /Enter a number/],
    ['1e18', /Enter a number/],
    ['1,000', /no commas/],
    ['.', /Enter a number/],
    ['0', /greater than zero/],
    ['0.0000000000000000001', /18 decimal/],
    ['79228162514.264337593543950336', /largest possible/],
  ]) {
    assert.throws(() => parseAmount(text), (e) => e instanceof AmountError && message.test(e.message), text);
  }
  for (const base of ['1', '1500000000000000000', '25000000000000000000', '123456789012345678901234567']) {
    assert.equal(parseAmount(toDecimalString(base)), BigInt(base), `round trip ${base}`);
  }
});

test('keccak256 matches known vectors and cast across block boundaries', () => {
  assert.equal(bytesToHex(keccak256('')), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  assert.equal(bytesToHex(keccak256('abc')), '0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  if (haveCast) {
    for (const len of [135, 136, 137, 300]) {
      const text = 'a'.repeat(len);
      assert.equal(bytesToHex(keccak256(text)), cast('keccak', text), `length ${len}`);
    }
  }
});

test('toChecksumAddress is EIP-55', () => {
  assert.equal(toChecksumAddress('0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'), '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
  assert.equal(toChecksumAddress('0x70997970C51812DC3A010C7D01B50E0D17DC79C8'), '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
  // The EIP-55 spec vectors.
  for (const a of ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB', '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb']) {
    assert.equal(toChecksumAddress(a.toLowerCase()), a);
  }
  assert.throws(() => toChecksumAddress('0x123'));
});

test('selectors are the keccak of their signatures (and what cast says)', () => {
  const signatures = {
    approve: 'approve(address,uint256)', allowance: 'allowance(address,address)', balanceOf: 'balanceOf(address)',
    bid: 'bid(uint256,uint96)', credits: 'credits(address)', withdraw: 'withdraw()', minNextBid: 'minNextBid(uint256)',
  };
  for (const [name, sig] of Object.entries(signatures)) {
    assert.equal(SELECTORS[name], bytesToHex(keccak256(sig)).slice(0, 10), name);
  }
  if (haveCast) assert.equal(cast('sig', 'bid(uint256,uint96)'), SELECTORS.bid);
});

test('calldata encodes static arguments as 32-byte words', () => {
  const auction = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
  const owner = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
  const amount = 25n * 10n ** 18n;
  assert.equal(calldata.withdraw(), '0x3ccfd60b');
  assert.equal(calldata.bid(7n, amount),
    '0xd6c579d9' + '0'.repeat(63) + '7' + '0000000000000000000000000000000000000000000000015af1d78b58c40000');
  assert.equal(calldata.balanceOf(owner), '0x70a08231000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266');
  if (haveCast) {
    assert.equal(calldata.approve(auction, amount), cast('calldata', 'approve(address,uint256)', auction, amount.toString()));
    assert.equal(calldata.allowance(owner, auction), cast('calldata', 'allowance(address,address)', owner, auction));
    assert.equal(calldata.bid(12345678901234567890n, UINT96_MAX), cast('calldata', 'bid(uint256,uint96)', '12345678901234567890', UINT96_MAX.toString()));
    assert.equal(calldata.credits(owner), cast('calldata', 'credits(address)', owner));
  }
  assert.throws(() => calldata.bid(1n, UINT96_MAX + 1n), RangeError);
  assert.throws(() => encodeUint(-1n), RangeError);
  assert.throws(() => calldata.approve('0xnope', 1n), TypeError);
  assert.equal(decodeUint('0x' + '0'.repeat(63) + 'a'), 10n);
  assert.equal(decodeUint('0x'), 0n);
});

test('decodeRevert explains the contract errors', () => {
  const word = (n) => BigInt(n).toString(16).padStart(64, '0');
  const low = '0x17018754' + word(1) + word(10n ** 18n) + word(2n * 10n ** 18n);
  assert.deepEqual(decodeRevert(low), { name: 'BidTooLow', message: 'Your bid is below the minimum of 2 AMPLED.' });
  assert.equal(decodeRevert('0x9cb24d3c' + word(1) + word(0)).name, 'AuctionEnded');
  const reason = '0x08c379a0' + word(32) + word(5) + Buffer.from('nope!').toString('hex').padEnd(64, '0');
  assert.deepEqual(decodeRevert(reason), { name: 'Error', message: 'nope!' });
  assert.equal(decodeRevert('0x'), null);
  assert.equal(decodeRevert(undefined), null);
});

test('the SIWE message has the exact EIP-4361 layout the service parses', () => {
  const message = buildSiweMessage({
    host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', address: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
    chainId: 31337, nonce: 'abcDEF123', issuedAt: new Date('2026-11-24T09:00:00.123Z'),
  });
  assert.equal(message, [
    '127.0.0.1:8080 wants you to sign in with your Ethereum account:',
    '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    '',
    'Sign in to the Ampled Commissary.',
    '',
    'URI: http://127.0.0.1:8080',
    'Version: 1',
    'Chain ID: 31337',
    'Nonce: abcDEF123',
    'Issued At: 2026-11-24T09:00:00Z',
    'Expiration Time: 2026-11-24T09:10:00Z',
  ].join('\n'));
  assert.equal(utf8ToHex('hé'), '0x68c3a9');
});

test('countdowns count to the start, then to the end, from server UTC times', () => {
  const starts = '2026-11-24T10:00:00Z';
  const ends = '2026-11-26T12:30:00Z';
  const at = (iso) => Date.parse(iso);
  assert.deepEqual(countdown(starts, ends, at('2026-11-24T09:59:30Z')), { phase: 'upcoming', text: 'Opens in 30s' });
  assert.deepEqual(countdown(starts, ends, at('2026-11-24T10:00:00Z')), { phase: 'open', text: '2d 02h 30m left' });
  assert.deepEqual(countdown(starts, ends, at('2026-11-26T11:29:55Z')), { phase: 'open', text: '1h 00m 05s left' });
  assert.deepEqual(countdown(starts, ends, at('2026-11-26T12:25:01Z')), { phase: 'open', text: '4m 59s left' });
  assert.deepEqual(countdown(starts, ends, at('2026-11-26T12:30:00Z')), { phase: 'over', text: 'Bidding closed' });
  assert.equal(formatDuration(-5), '0s');
});

// ---- The bid flow against a fake chain ---------------------------------------------

function fakeChain({ allowance = 0n, revertBid = null } = {}) {
  const token = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
  const auction = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
  const sent = [];
  const receipts = new Map();
  let polls = 0;
  const request = async ({ method, params }) => {
    if (method === 'eth_call') {
      const { data } = params[0];
      if (data.startsWith(SELECTORS.allowance)) return '0x' + allowance.toString(16).padStart(64, '0');
      if (data.startsWith(SELECTORS.bid) && revertBid) {
        throw Object.assign(new Error('execution reverted'), { code: 3, data: revertBid });
      }
      return '0x';
    }
    if (method === 'eth_sendTransaction') {
      const hash = '0x' + String(sent.length + 1).padStart(64, '0');
      sent.push(params[0]);
      receipts.set(hash, { status: '0x1', blockNumber: '0x' + (10 + sent.length).toString(16) });
      if (params[0].data.startsWith(SELECTORS.approve)) allowance = decodeUint('0x' + params[0].data.slice(74));
      return hash;
    }
    if (method === 'eth_getTransactionReceipt') return polls++ % 2 ? receipts.get(params[0]) ?? null : null;
    throw new Error(`unexpected ${method}`);
  };
  return { request, sent, reader: new ChainReader(request, { tokenAddress: token, auctionAddress: auction }), token, auction };
}

test('placeBid approves when needed, bids, waits for mining and indexing', async () => {
  const chain = fakeChain();
  const states = [];
  let indexedChecks = 0;
  const result = await placeBid({
    wallet: { request: chain.request }, reader: chain.reader, account: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
    auctionId: 3n, amount: 30n * 10n ** 18n, pollMs: 1,
    onState: (s) => states.push(s),
    isIndexed: async () => ++indexedChecks >= 2,
  });
  assert.equal(result.indexed, true);
  assert.deepEqual([...new Set(states)], ['approving', 'approved', 'sending', 'sent', 'mined', 'indexed']);
  assert.equal(chain.sent.length, 2);
  assert.equal(chain.sent[0].to, chain.token);
  assert.equal(chain.sent[0].from, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
  assert.equal(chain.sent[0].data, calldata.approve(chain.auction, 30n * 10n ** 18n));
  assert.equal(chain.sent[1].to, chain.auction);
  assert.equal(chain.sent[1].data, calldata.bid(3n, 30n * 10n ** 18n));
});

test('placeBid skips approve when the allowance covers the difference the highest bidder owes', async () => {
  const me = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
  const chain = fakeChain({ allowance: 5n * 10n ** 18n });
  const states = [];
  await placeBid({
    wallet: { request: chain.request }, reader: chain.reader, account: me, auctionId: 1n,
    amount: 30n * 10n ** 18n, currentHighest: 25n * 10n ** 18n, currentBidder: me.toLowerCase(), pollMs: 1,
    onState: (s, info) => states.push([s, info.skipped]),
  });
  assert.deepEqual(states[0], ['approved', true]);
  assert.equal(chain.sent.length, 1);
  assert.ok(chain.sent[0].data.startsWith(SELECTORS.bid));
});

test('placeBid surfaces the contract reason before sending a doomed bid', async () => {
  const word = (n) => BigInt(n).toString(16).padStart(64, '0');
  const chain = fakeChain({ allowance: 10n ** 30n, revertBid: '0x17018754' + word(1) + word(1) + word(27n * 10n ** 18n) });
  await assert.rejects(
    placeBid({ wallet: { request: chain.request }, reader: chain.reader, account: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', auctionId: 1n, amount: 1n, pollMs: 1 }),
    /below the minimum of 27 AMPLED/,
  );
  assert.equal(chain.sent.length, 0);
});
