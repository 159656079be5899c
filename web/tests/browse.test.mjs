// Browse: search, category filter, sorting and "load more" over listings created
// through the real API (published, so the public sees them as "publishing").

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { parseAmount } from '../lib.js';
import {
  ACCOUNTS, apiSession, gotoApp, launchBrowser, listingBody, missingPrerequisite, openPage, startStack,
} from './helpers.mjs';

const skip = missingPrerequisite() || false;
let stack;
let browser;

const GEAR = [
  ['Fender Rhodes Mark I', 'instruments'], ['Boss DS-1 Distortion', 'effects'], ['Shure SM57', 'recording'],
  ['Vox AC15', 'amplifiers'], ['Yamaha HS5 monitors', 'audio'], ['Mogami patch cables', 'accessories'],
  ['Ibanez Tube Screamer', 'effects'], ['Gibson Les Paul Junior', 'instruments'], ['Focusrite Scarlett 2i2', 'recording'],
  ['Marshall JCM800', 'amplifiers'], ['Korg MS-20', 'instruments'], ['Electro-Harmonix Big Muff', 'effects'],
  ['AKG C414', 'recording'], ['Roland JC-120', 'amplifiers'], ['Sony MDR-7506', 'audio'],
  ['Hercules guitar stand', 'accessories'], ['Ludwig snare', 'instruments'], ['MXR Carbon Copy', 'effects'],
  ['Neumann TLM 102', 'recording'], ['Orange Tiny Terror', 'amplifiers'], ['KRK Rokit 5', 'audio'],
  ['Dunlop picks (a lot)', 'accessories'], ['Hohner Melodica', 'other'], ['Casio SK-1', 'instruments'],
  ['Strymon Timeline', 'effects'], ['Ampeg B-15 bass amp', 'amplifiers'],
];

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
  const steward = await apiSession(stack, ACCOUNTS.steward);
  const now = Date.now();
  for (const [i, [title, category]] of GEAR.entries()) {
    // Distinct prices (i+1 AMPLED plus i tenths) and end times (i+1 hours from now).
    const reserve = BigInt(i + 1) * 10n ** 18n + BigInt(i) * 10n ** 17n;
    const listing = await steward.request('/api/v1/listings', {
      method: 'POST',
      json: listingBody({
        title, category, reserve_price: reserve.toString(),
        description: i === 0 ? 'Seventy-three keys of electric piano bark.' : 'Donated by a member.',
        ends_at: new Date(now + (i + 1) * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }),
    });
    await steward.request(`/api/v1/listings/${listing.id}/publish`, { method: 'POST' });
  }
  // A draft must never show up for the public.
  await steward.request('/api/v1/listings', { method: 'POST', json: listingBody({ title: 'Secret draft synth' }) });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const cardTitles = (page) => page.locator('.card h2').allTextContents();
const cardPrices = async (page) => (await page.locator('.card .price').allTextContents()).map((t) => parseAmount(t.replace(/,/g, '')));
const realErrors = (page) => page.errors.filter((e) => !/Failed to load resource/.test(e));

test('browse shows cards with price, countdown and status, 24 at a time with "load more"', { skip }, async () => {
  const page = await openPage(browser, stack);
  await gotoApp(page);
  await page.locator('.card').first().waitFor();
  assert.equal(await page.locator('.card').count(), 24);
  assert.match(await page.locator('.result-count').textContent(), /Showing 24 listings — there is more/);
  // Default sort: ending soonest first.
  const titles = await cardTitles(page);
  assert.deepEqual(titles.slice(0, 3), ['Fender Rhodes Mark I', 'Boss DS-1 Distortion', 'Shure SM57']);
  assert.ok(!titles.includes('Secret draft synth'));
  const first = page.locator('.card').first();
  assert.equal(await first.locator('.price').textContent(), '1 AMPLED');
  assert.equal(await first.locator('.badge').textContent(), 'Publishing');
  assert.match(await first.locator('.countdown').textContent(), /^(59m \d\ds|1h 00m \d\ds) left$/);
  assert.equal(await page.locator('.card').nth(1).locator('.price').textContent(), '2.1 AMPLED');

  await page.getByRole('button', { name: 'Load more' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.card').length === 26);
  assert.ok(await page.getByRole('button', { name: 'Load more' }).isHidden());
  assert.match(await page.locator('.result-count').textContent(), /Showing 26 listings\./);
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});

test('search, category filter and sorting update the list and the address', { skip }, async () => {
  const page = await openPage(browser, stack);
  await gotoApp(page);
  await page.locator('.card').first().waitFor();

  await page.getByLabel('Search').fill('electric piano');
  await page.getByLabel('Search').press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.card').length === 1);
  assert.deepEqual(await cardTitles(page), ['Fender Rhodes Mark I']);
  assert.equal(new URL(page.url()).hash, '#/?q=electric+piano');

  await page.getByLabel('Search').fill('');
  await page.getByLabel('Category').selectOption('effects');
  await page.waitForFunction(() => document.querySelectorAll('.card').length === 5);
  assert.deepEqual(await cardTitles(page), ['Boss DS-1 Distortion', 'Ibanez Tube Screamer', 'Electro-Harmonix Big Muff', 'MXR Carbon Copy', 'Strymon Timeline']);

  await page.getByLabel('Sort by').selectOption('price_high');
  await page.waitForFunction(() => document.querySelector('.card h2')?.textContent === 'Strymon Timeline');
  const high = await cardPrices(page);
  assert.deepEqual(high, [...high].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));

  await page.getByLabel('Sort by').selectOption('price_low');
  await page.waitForFunction(() => document.querySelector('.card h2')?.textContent === 'Boss DS-1 Distortion');
  const low = await cardPrices(page);
  assert.deepEqual(low, [...low].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.equal(new URL(page.url()).hash, '#/?category=effects&sort=price_low');

  // The address keeps the filters: a reload shows the same list.
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await page.locator('.card').first().waitFor();
  assert.equal(await page.getByLabel('Category').inputValue(), 'effects');
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'price_low');
  assert.equal(await page.locator('.card').count(), 5);

  await page.getByLabel('Search').fill('no such gear anywhere');
  await page.getByLabel('Search').press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.card').length === 0);
  assert.match(await page.locator('.result-count').textContent(), /No gear matches/);

  // "Finished" has nothing yet: the chain never confirmed these auctions.
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Show').selectOption('finished');
  await page.waitForFunction(() => /Nothing here|No gear/.test(document.querySelector('.result-count').textContent));
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});

test('a card opens the listing, the narrow layout stacks, and no /api/v1/config means browse-only', { skip }, async () => {
  const page = await openPage(browser, stack, { viewport: { width: 390, height: 844 } });
  await page.route((url) => url.pathname === '/api/v1/config', (route) =>
    route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'route not found' } } }));
  await gotoApp(page);
  await page.locator('.card').first().waitFor();
  assert.equal(await page.locator('#chain-line').textContent(), 'Browse-only: chain details are unavailable.');
  await page.screenshot({ path: '/tmp/commissary-browse-mobile.png' });
  await page.getByRole('link', { name: 'Fender Rhodes Mark I' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fender Rhodes Mark I' }).waitFor();
  assert.match(new URL(page.url()).hash, /^#\/listing\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('.description').textContent(), 'Seventy-three keys of electric piano bark.');
  await page.getByRole('link', { name: '← All gear' }).click();
  await page.getByRole('heading', { level: 1, name: 'Gear looking for a new home' }).waitFor();
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});
