// Listing detail: gallery with renditions, exact prices, countdown and local times
// over real listings; then the chain-facing parts (dev-wallet sign-in, balance,
// credits, bid validation, approve → bid → mined → indexed, withdraw, settlement,
// "my bids & wins") with the chain simulated inside the browser: /api/v1/config and
// the listing's on-chain fields are patched on the way to the page, and the JSON-RPC
// endpoint is answered by the test (signing with `cast`). Once the chain integration
// lands, the same flows can run against anvil + the real indexer.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { SELECTORS, calldata, decodeUint } from '../lib.js';
import {
  ACCOUNTS, apiSession, castSign, gotoApp, launchBrowser, listingBody, makePng, missingPrerequisite, openPage,
  startStack, uploadPhoto,
} from './helpers.mjs';

const skip = missingPrerequisite() || false;
const E18 = 10n ** 18n;
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const AUCTION = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const RPC = 'http://127.0.0.1:9/rpc'; // never reached: answered by page.route
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST, OPTIONS' };

let stack;
let browser;
let steward;
const ids = {};

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  steward = await apiSession(stack, ACCOUNTS.steward);
  const create = async (key, body, photos = []) => {
    const l = await steward.request('/api/v1/listings', { method: 'POST', json: listingBody(body) });
    for (const png of photos) await uploadPhoto(steward, l.id, png);
    await steward.request(`/api/v1/listings/${l.id}/publish`, { method: 'POST' });
    ids[key] = l.id;
  };
  const soon = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await create('amp', {
    title: 'Fender Deluxe Reverb', donor_credit: 'Sam K.', description: 'A warm 22-watt combo.\n\nNew tubes in 2024.',
    shipping: { available: true, note: 'UK only, buyer pays postage' },
  }, [makePng(1200, 900, [200, 120, 60]), makePng(400, 300, [60, 120, 200])]);
  await create('mic', { title: 'Shure SM58', category: 'recording', reserve_price: '1500000000000000000' });
  await create('wei', { title: 'Guitar pick', category: 'accessories', reserve_price: '1', ends_at: soon });
  await create('odd', { title: 'Patch cable', category: 'accessories', reserve_price: '1000000000000000001' });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const realErrors = (page) => page.errors.filter((e) => !/Failed to load resource/.test(e));

test('the detail page shows the gallery with renditions, exact prices, donor and fulfilment', { skip }, async () => {
  const page = await openPage(browser, stack);
  await gotoApp(page, `#/listing/${ids.amp}`);
  await page.getByRole('heading', { level: 1, name: 'Fender Deluxe Reverb' }).waitFor();
  const api = await steward.request(`/api/v1/listings/${ids.amp}`);
  const [p1, p2] = api.photos;

  const main = page.locator('.main-photo img');
  assert.equal(await main.getAttribute('alt'), 'Fender Deluxe Reverb, photo 1 of 2');
  assert.equal(await main.getAttribute('srcset'), `${p1.urls.w320} 320w, ${p1.urls.w1024} 1024w, ${p1.urls.full} 1200w`);
  assert.equal(await main.getAttribute('src'), p1.urls.w1024);
  await page.waitForFunction(() => document.querySelector('.main-photo img').naturalWidth > 0);
  await page.getByRole('button', { name: 'Show photo 2 of 2' }).click();
  assert.equal(await main.getAttribute('alt'), 'Fender Deluxe Reverb, photo 2 of 2');
  assert.equal(await main.getAttribute('srcset'), `${p2.urls.w320} 320w, ${p2.urls.full} 400w`);
  assert.equal(await page.getByRole('button', { name: 'Show photo 2 of 2' }).getAttribute('aria-current'), 'true');

  assert.equal(await page.getByTestId('price').textContent(), '25 AMPLED');
  assert.equal(await page.locator('.donor').textContent(), 'Donated by Sam K.');
  assert.equal(await page.locator('.description').textContent(), 'A warm 22-watt combo.\n\nNew tubes in 2024.');
  const ful = await page.locator('section', { has: page.locator('#ful-h') }).textContent();
  assert.match(ful, /PickupThe co-op space, Tuesdays 6–9pm/);
  assert.match(ful, /ShippingUK only, buyer pays postage/);
  assert.match(await page.locator('section', { has: page.locator('#chain-h') }).textContent(), new RegExp(`Listing hash${api.listing_hash}`));
  assert.match(await page.locator('.bid-area').textContent(), /Being recorded on chain/);
  await page.screenshot({ path: '/tmp/commissary-detail.png', fullPage: true });
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});

test('prices are exact to 18 decimals on cards and detail pages', { skip }, async () => {
  const page = await openPage(browser, stack);
  await gotoApp(page);
  await page.locator('.card').first().waitFor();
  const price = (title) => page.locator('.card', { has: page.getByRole('link', { name: title }) }).locator('.price').textContent();
  assert.equal(await price('Shure SM58'), '1.5 AMPLED');
  assert.equal(await price('Guitar pick'), '0.000000000000000001 AMPLED');
  assert.equal(await price('Patch cable'), '1.000000000000000001 AMPLED');
  for (const [key, text] of [['mic', '1.5 AMPLED'], ['wei', '0.000000000000000001 AMPLED'], ['odd', '1.000000000000000001 AMPLED']]) {
    await page.goto(`/#/listing/${ids[key]}`);
    await page.waitForFunction((t) => document.querySelector('[data-testid="price"]')?.textContent === t, text);
  }
  await page.context().close();
});

test('the countdown ticks from the server end time and times show in the local zone', { skip }, async () => {
  const page = await openPage(browser, stack); // Europe/Berlin
  await gotoApp(page, `#/listing/${ids.wei}`);
  const clock = page.locator('.bid-panel .countdown');
  await clock.waitFor();
  const api = await steward.request(`/api/v1/listings/${ids.wei}`);
  assert.equal(await clock.getAttribute('datetime'), api.ends_at);
  const first = await clock.textContent();
  assert.match(first, /^(9|10)m \d\ds left$/);
  await page.waitForFunction((t) => document.querySelector('.bid-panel .countdown').textContent !== t, first, { timeout: 3000 });
  assert.match(await clock.textContent(), /^(9|10)m \d\ds left$/);
  const closes = await page.locator('.bid-panel dt:text("Closes") + dd').textContent();
  const expected = await page.evaluate((iso) => new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  }).format(new Date(iso)), api.ends_at);
  assert.equal(closes, expected);
  assert.match(closes, /CET|GMT\+1/);
  await page.context().close();
});

// ---- A simulated chain ---------------------------------------------------------------

const word = (n) => '0x' + BigInt(n).toString(16).padStart(64, '0');

/**
 * Patches the page's view of the world: config with contracts + dev accounts, the
 * listing's on-chain state (live, one bid by the steward), and a JSON-RPC node.
 */
async function simulateChain(page, listingId, { devWallet = true, listing: overrides = {}, bids: initialBids } = {}) {
  const chain = {
    balance: 100n * E18,
    credits: 25n * E18 / 10n,
    allowance: 0n,
    sent: [],
    bids: initialBids ?? [{
      bidder: ACCOUNTS.steward.address, amount: (25n * E18).toString(), ends_at: null,
      placed_at: new Date(Date.now() - 3600_000).toISOString(), tx_hash: '0x' + 'ab'.repeat(32), block_number: 40,
    }],
    listing: {
      status: 'live', auction_id: '7', tx_hash: '0x' + 'cd'.repeat(32), highest_bid: (25n * E18).toString(),
      highest_bidder: ACCOUNTS.steward.address, current_price: (25n * E18).toString(),
      min_next_bid: (2625n * E18 / 100n).toString(), bid_count: 1, ...overrides,
    },
  };
  const keys = Object.fromEntries(Object.values(ACCOUNTS).map((a) => [a.address.toLowerCase(), a.key]));

  await page.route((url) => url.pathname === '/api/v1/config', (route) => route.fulfill({
    json: {
      chain_id: 31337, token_address: TOKEN, auction_address: AUCTION, rpc_url: RPC,
      dev_accounts: devWallet ? [ACCOUNTS.steward.address, ACCOUNTS.member.address] : [],
    },
  }));
  await page.route((url) => url.pathname === `/api/v1/listings/${listingId}`, async (route) => {
    const response = await route.fetch();
    const json = { ...(await response.json()), ...chain.listing };
    await route.fulfill({ response, json });
  });
  await page.route((url) => url.pathname === `/api/v1/listings/${listingId}/bids`, (route) =>
    route.fulfill({ json: { items: chain.bids, next_cursor: null } }));
  await page.route(RPC, async (route) => {
    const request = route.request();
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    const { id, method, params } = request.postDataJSON();
    let result = null;
    switch (method) {
      case 'eth_chainId': result = '0x7a69'; break;
      case 'personal_sign': result = await castSign(keys[params[1].toLowerCase()], params[0]); break;
      case 'eth_call': {
        const { to, data } = params[0];
        if (to === TOKEN && data.startsWith(SELECTORS.balanceOf)) result = word(chain.balance);
        else if (to === TOKEN && data.startsWith(SELECTORS.allowance)) result = word(chain.allowance);
        else if (to === AUCTION && data.startsWith(SELECTORS.credits)) result = word(chain.credits);
        else result = '0x';
        break;
      }
      case 'eth_sendTransaction': {
        const tx = params[0];
        chain.sent.push(tx);
        result = '0x' + String(chain.sent.length).padStart(64, 'e');
        if (tx.data.startsWith(SELECTORS.approve)) chain.allowance = decodeUint('0x' + tx.data.slice(74));
        if (tx.data.startsWith(SELECTORS.withdraw)) chain.credits = 0n;
        if (tx.data.startsWith(SELECTORS.bid)) {
          const amount = decodeUint('0x' + tx.data.slice(74));
          chain.balance -= amount;
          // The service "indexes" the bid a moment later.
          setTimeout(() => {
            chain.bids = [{ bidder: tx.from, amount: amount.toString(), ends_at: null, placed_at: new Date().toISOString(), tx_hash: result, block_number: 42 }, ...chain.bids];
            Object.assign(chain.listing, {
              highest_bid: amount.toString(), highest_bidder: tx.from, current_price: amount.toString(),
              min_next_bid: (amount * 105n / 100n).toString(), bid_count: chain.bids.length,
            });
          }, 1200);
        }
        break;
      }
      case 'eth_getTransactionReceipt': result = { status: '0x1', blockNumber: '0x2a', transactionHash: params[0] }; break;
      default: throw new Error(`unexpected RPC ${method}`);
    }
    return route.fulfill({ status: 200, headers: { ...CORS, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id, result }) });
  });
  return chain;
}

test('a member signs in with the dev wallet, sees balance and credits, and bids through approve → mined → indexed', { skip }, async () => {
  const page = await openPage(browser, stack, { viewport: { width: 1280, height: 1000 } });
  const chain = await simulateChain(page, ids.amp);
  await gotoApp(page, `#/listing/${ids.amp}`);
  await page.getByRole('heading', { level: 1, name: 'Fender Deluxe Reverb' }).waitFor();
  assert.equal(await page.getByTestId('price').textContent(), '25 AMPLED');
  assert.equal(await page.getByTestId('min-next').textContent(), '26.25 AMPLED');
  assert.match(await page.locator('.site-footer').textContent(), new RegExp(`Chain 31337 · \\$AMPLED ${TOKEN}`));

  // No browser wallet here: the dev wallet picker offers anvil's accounts.
  await page.getByRole('button', { name: 'Sign in to bid' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign in' });
  await dialog.getByLabel('Dev wallet account (local chain)').selectOption(ACCOUNTS.member.address);
  await dialog.getByRole('button', { name: 'Use dev wallet' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(await page.getByTestId('me-address').textContent(), '0x7099…79C8');

  await page.getByTestId('balance').waitFor();
  assert.equal(await page.getByTestId('balance').textContent(), '100 AMPLED');
  assert.equal(await page.getByTestId('credits').textContent(), '2.5 AMPLED');
  const amount = page.getByLabel('Your bid (AMPLED)');
  assert.equal(await amount.inputValue(), '26.25');
  assert.equal(await page.locator('#bid-hint').textContent(), 'Minimum bid: 26.25 AMPLED');

  for (const [typed, message] of [
    ['26.2', 'Bid at least 26.25 AMPLED.'],
    ['1,000', 'Use digits and a dot only, like 1250.5 (no commas).'],
    ['500', 'You have 100 AMPLED; this bid needs 500 AMPLED.'],
    ['26.0000000000000000001', 'At most 18 decimal places.'],
  ]) {
    await amount.fill(typed);
    await page.getByRole('button', { name: 'Place bid' }).click();
    await page.waitForFunction((m) => document.querySelector('#bid-error').textContent === m, message);
    assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  }
  assert.equal(chain.sent.length, 0, 'invalid bids never reach the wallet');

  await amount.fill('30.5');
  await page.getByRole('button', { name: 'Place bid' }).click();
  await page.getByText('Your bid is in.').waitFor({ timeout: 15_000 });
  const states = await page.locator('.steps li').evaluateAll((lis) => lis.map((li) => li.dataset.state));
  assert.deepEqual(states, ['done', 'done', 'done', 'done']);
  const value = 305n * E18 / 10n;
  assert.deepEqual(chain.sent.map((tx) => [tx.from, tx.to, tx.data]), [
    [ACCOUNTS.member.address, TOKEN, calldata.approve(AUCTION, value)],
    [ACCOUNTS.member.address, AUCTION, calldata.bid(7n, value)],
  ]);
  await page.locator('.you-lead', { hasText: 'You are the highest bidder.' }).waitFor();
  assert.equal(await page.getByTestId('price').textContent(), '30.5 AMPLED');
  const firstRow = page.locator('#bids-h + div tbody tr').first();
  assert.match(await firstRow.textContent(), /^You30\.5 AMPLED/);
  assert.equal(await page.locator('#bid-hint').textContent(), 'Minimum bid: 32.025 AMPLED');
  await page.getByTestId('balance', { hasText: '69.5 AMPLED' }).waitFor();
  await page.locator('.bid-panel').screenshot({ path: '/tmp/commissary-bid-panel.png' });

  await page.getByRole('button', { name: 'Withdraw' }).click();
  await page.getByText('Withdrew 2.5 AMPLED to your wallet.').waitFor();
  assert.equal(chain.sent.at(-1).data, calldata.withdraw());
  await page.getByTestId('credits', { hasText: /^0 AMPLED$/ }).waitFor();
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});

test('settled auctions show the result, and "my bids & wins" finds the member\'s wins', { skip }, async () => {
  const page = await openPage(browser, stack, { wallet: ACCOUNTS.member });
  const settledTx = '0x' + '5e'.repeat(32);
  await simulateChain(page, ids.mic, {
    devWallet: false,
    listing: {
      status: 'settled', highest_bid: (3n * E18).toString(), highest_bidder: ACCOUNTS.member.address,
      current_price: (3n * E18).toString(), min_next_bid: null, bid_count: 1,
      settlement: { tx_hash: settledTx, winner: ACCOUNTS.member.address, amount: (3n * E18).toString() },
    },
    bids: [{ bidder: ACCOUNTS.member.address, amount: (3n * E18).toString(), ends_at: null, placed_at: new Date().toISOString(), tx_hash: '0x' + '77'.repeat(32), block_number: 50 }],
  });
  // The member's wins are derived from the public list: patch two listings in it.
  await page.route((url) => url.pathname === '/api/v1/listings' && url.searchParams.get('status') === 'live,ended,settled', async (route) => {
    const [mic, amp] = await Promise.all([ids.mic, ids.amp].map((id) => steward.request(`/api/v1/listings/${id}`)));
    await route.fulfill({
      json: {
        next_cursor: null,
        items: [
          { ...amp, status: 'live', auction_id: '7', highest_bid: (40n * E18).toString(), highest_bidder: ACCOUNTS.member.address.toLowerCase(), current_price: (40n * E18).toString(), bid_count: 3 },
          { ...mic, status: 'settled', bid_count: 1, settlement: { tx_hash: settledTx, winner: ACCOUNTS.member.address, amount: (3n * E18).toString() } },
        ],
      },
    });
  });
  await gotoApp(page, `#/listing/${ids.mic}`);
  await page.getByRole('button', { name: 'Sign in with wallet' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  // Signed in, the page re-renders with "you".
  const result = page.locator('.settlement', { hasText: 'You won' });
  await result.waitFor();
  assert.match(await result.textContent(), /You won this auction for 3 AMPLED\./);
  assert.match(await result.textContent(), new RegExp(`Settlement tx${settledTx}`));
  assert.equal(await page.getByTestId('price').textContent(), '3 AMPLED');
  assert.match(await page.locator('.price-label').first().textContent(), /Sold for/);
  assert.match(await page.locator('.bid-area').textContent(), /This auction is settled/);

  await page.getByRole('link', { name: 'My bids & wins' }).click();
  await page.getByRole('heading', { level: 1, name: 'My bids & wins' }).waitFor();
  const section = (name) => page.locator('section.panel', { has: page.getByRole('heading', { level: 2, name, exact: true }) });
  await section('Leading now').getByRole('link', { name: 'Fender Deluxe Reverb' }).waitFor();
  assert.match(await section('Leading now').textContent(), /Current bid40 AMPLED/);
  assert.match(await section('Won').textContent(), /Shure SM58.*Sold for3 AMPLED/);
  assert.match(await section('Won, settling').textContent(), /Nothing waiting for settlement/);
  await page.screenshot({ path: '/tmp/commissary-won.png', fullPage: true });
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});
