// Sign-in with Ethereum through an injected wallet, the steward's draft workflow
// (validation errors per field, photo upload, reorder, delete, publish, cancel), a
// member's view without the steward area, and signing out.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ACCOUNTS, apiSession, gotoApp, launchBrowser, listingBody, makePng, missingPrerequisite, openPage, startStack,
} from './helpers.mjs';

const skip = missingPrerequisite() || false;
let stack;
let browser;

before(async () => {
  if (skip) return;
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const realErrors = (page) => page.errors.filter((e) => !/Failed to load resource/.test(e));

async function signIn(page) {
  await page.getByRole('button', { name: 'Sign in with wallet' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

test('a steward signs in, drafts a listing through validation errors, manages photos and publishes', { skip }, async () => {
  const page = await openPage(browser, stack, { wallet: ACCOUNTS.steward });
  await gotoApp(page);
  assert.ok(await page.getByRole('link', { name: 'Steward' }).isHidden());
  await signIn(page);

  // The wallet signed exactly one EIP-4361 message for this origin, with the
  // checksummed address although the wallet reported it in lowercase.
  assert.equal(page.signedMessages.length, 1);
  const lines = page.signedMessages[0].split('\n');
  const { host, origin } = new URL(stack.baseUrl);
  assert.equal(lines[0], `${host} wants you to sign in with your Ethereum account:`);
  assert.equal(lines[1], ACCOUNTS.steward.address);
  assert.equal(lines[3], 'Sign in to the Ampled Commissary.');
  assert.equal(lines[5], `URI: ${origin}`);
  assert.deepEqual(lines.slice(6, 8), ['Version: 1', 'Chain ID: 31337']);
  assert.match(lines[8], /^Nonce: \w+$/);
  const issued = Date.parse(lines[9].replace('Issued At: ', ''));
  const expires = Date.parse(lines[10].replace('Expiration Time: ', ''));
  assert.match(lines[9], /^Issued At: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(expires - issued, 600_000);
  assert.equal(await page.getByTestId('me-address').textContent(), '0xf39F…2266');

  await page.getByRole('link', { name: 'Steward' }).click();
  await page.getByRole('heading', { level: 1, name: 'Steward desk' }).waitFor();
  await page.getByRole('link', { name: '+ New listing' }).click();
  await page.getByRole('heading', { level: 1, name: 'New listing' }).waitFor();

  await page.getByLabel('Title').fill('Gretsch Catalina drum kit');
  await page.getByLabel('Description').fill('Four pieces, cymbals not included.\nSome scuffs on the kick.');
  await page.getByLabel('Category').selectOption('instruments');
  await page.getByLabel('Condition', { exact: true }).selectOption('fair');
  await page.getByLabel('Donor credit (optional)').fill('The Hendersons');
  // Two mistakes: a comma in the reserve (caught here) and an end before the start
  // (caught by the service).
  await page.getByLabel('Reserve price (AMPLED)').fill('12,5');
  const start = await page.getByLabel('Bidding opens').inputValue();
  await page.getByLabel('Bidding closes').fill(start);
  await page.getByRole('button', { name: 'Save draft' }).click();
  const reserveError = page.locator('#err-reserve_price');
  await reserveError.waitFor();
  assert.match(await reserveError.textContent(), /no commas/);
  assert.equal(await page.getByLabel('Reserve price (AMPLED)').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#err-ends_at').textContent(), '', 'nothing was sent yet');

  await page.getByLabel('Reserve price (AMPLED)').fill('12.5');
  await page.getByRole('button', { name: 'Save draft' }).click();
  const endsError = page.locator('#err-ends_at');
  await page.waitForFunction(() => document.querySelector('#err-ends_at').textContent !== '');
  assert.equal(await endsError.textContent(), 'The end time must be after the start time');
  assert.equal(await page.getByLabel('Bidding closes').getAttribute('aria-invalid'), 'true');
  assert.equal(await reserveError.textContent(), '');
  assert.match(await page.locator('.form-summary').textContent(), /Please fix this:The end time must be after the start time/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'e-ends_at');
  await page.screenshot({ path: '/tmp/commissary-steward-errors.png', fullPage: true });

  // End three days after the start, in the form's local time.
  const end = await page.evaluate((s) => {
    const d = new Date(s);
    d.setDate(d.getDate() + 3);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, start);
  await page.getByLabel('Bidding closes').fill(end);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByRole('heading', { level: 1, name: 'Edit draft: Gretsch Catalina drum kit' }).waitFor();
  const listingId = new URL(page.url()).hash.split('/').pop();

  const steward = await apiSession(stack, ACCOUNTS.steward);
  let saved = await steward.request(`/api/v1/listings/${listingId}`);
  assert.equal(saved.status, 'draft');
  assert.equal(saved.reserve_price, '12500000000000000000');
  assert.equal(saved.donor_credit, 'The Hendersons');
  assert.equal(saved.condition, 'fair');
  assert.equal(Date.parse(saved.ends_at) - Date.parse(saved.starts_at), 3 * 86400_000);
  assert.equal(await page.getByLabel('Reserve price (AMPLED)').inputValue(), '12.5');

  // Photos: upload two, move the second to the front, delete the other.
  await page.getByLabel('Add photos').setInputFiles([
    { name: 'red.png', mimeType: 'image/png', buffer: makePng(640, 480, [220, 70, 60]) },
    { name: 'blue.png', mimeType: 'image/png', buffer: makePng(480, 640, [60, 100, 220]) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#photo-list .photo-item:not(.uploading)').length === 2
    && !document.querySelector('#photo-list .uploading'));
  const ids = await page.locator('#photo-list .photo-item').evaluateAll((items) => items.map((i) => i.dataset.photoId));
  assert.match(await page.locator('#photo-list img').first().getAttribute('src'), /^\/photos\/[0-9a-f]{64}\.\w+$/);
  assert.equal(await page.locator('#photo-list img').first().evaluate((img) => img.complete && img.naturalWidth > 0), true);
  assert.match(await page.locator('#photo-list .photo-item').nth(1).textContent(), /Photo 2.*480×640/);

  await page.getByRole('button', { name: 'Move photo 2 up' }).click();
  await page.getByText('Moved to position 1.').waitFor();
  const reordered = await page.locator('#photo-list .photo-item').evaluateAll((items) => items.map((i) => i.dataset.photoId));
  assert.deepEqual(reordered, [ids[1], ids[0]]);
  assert.match(await page.locator('#photo-list .photo-item').first().textContent(), /Photo 1 \(cover\)/);
  saved = await steward.request(`/api/v1/listings/${listingId}`);
  assert.deepEqual(saved.photos.sort((a, b) => a.position - b.position).map((p) => p.id), reordered);
  // Focus stays with the moved photo's controls.
  assert.equal(await page.evaluate(() => document.activeElement.closest('.photo-item')?.dataset.photoId), ids[1]);
  await page.screenshot({ path: '/tmp/commissary-steward-photos.png', fullPage: true });

  await page.getByRole('button', { name: 'Delete photo 2' }).click();
  await page.getByText('Photo 2 deleted.').waitFor();
  assert.equal(await page.locator('#photo-list .photo-item').count(), 1);
  saved = await steward.request(`/api/v1/listings/${listingId}`);
  assert.deepEqual(saved.photos.map((p) => p.id), [ids[1]]);

  // Edit and save again.
  await page.getByLabel('Title').fill('Gretsch Catalina Club drum kit');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Changes saved.').waitFor();
  saved = await steward.request(`/api/v1/listings/${listingId}`);
  assert.equal(saved.title, 'Gretsch Catalina Club drum kit');

  // The draft is on the steward desk, not in the public list.
  await page.getByRole('link', { name: '← Steward desk' }).click();
  const draftItem = page.locator(`#draft-list [data-id="${listingId}"]`);
  await draftItem.waitFor();
  assert.match(await draftItem.textContent(), /Gretsch Catalina Club drum kit\s*Draft/);
  assert.match(await draftItem.textContent(), /Reserve 12\.5 AMPLED · 1 photo ·/);
  await page.screenshot({ path: '/tmp/commissary-steward-desk.png', fullPage: true });

  // Publish from the editor: a confirmation, then the listing page.
  await draftItem.getByRole('link', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('heading', { level: 1, name: 'Gretsch Catalina Club drum kit' }).waitFor();
  await page.locator('.title-row .badge', { hasText: 'Publishing' }).waitFor();
  assert.match(await page.locator('section', { has: page.locator('#chain-h') }).textContent(), /Listing hash0x[0-9a-f]{64}/);
  saved = await steward.request(`/api/v1/listings/${listingId}`);
  assert.equal(saved.status, 'publishing');

  // Cancel another draft from the desk.
  const other = await steward.request('/api/v1/listings', { method: 'POST', json: listingBody({ title: 'Broken wah pedal', category: 'effects' }) });
  await page.getByRole('link', { name: 'Steward', exact: true }).click();
  const otherItem = page.locator(`#draft-list [data-id="${other.id}"]`);
  await otherItem.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel listing' }).click();
  await page.getByText('Draft cancelled.').waitFor();
  assert.equal((await steward.request(`/api/v1/listings/${other.id}`)).status, 'cancelled');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in with wallet' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#/');
  assert.ok(await page.getByRole('link', { name: 'Steward' }).isHidden());
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});

test('a member signs in without the steward area, then signs out', { skip }, async () => {
  const page = await openPage(browser, stack, { wallet: ACCOUNTS.member });
  await gotoApp(page);
  await signIn(page);
  assert.equal(await page.getByTestId('me-address').textContent(), '0x7099…79C8');
  assert.ok(await page.getByRole('link', { name: 'My bids & wins' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'Steward' }).isHidden());
  assert.equal(await page.locator('.account .role').count(), 0);

  await page.goto('/#/steward');
  await page.getByRole('heading', { level: 1, name: 'Stewards only' }).waitFor();
  // The service agrees: drafts are not for members.
  const status = await page.evaluate(async () => (await fetch('/api/v1/listings?status=draft')).status);
  assert.equal(status, 403);

  await page.getByRole('link', { name: 'My bids & wins' }).click();
  await page.getByRole('heading', { level: 1, name: 'My bids & wins' }).waitFor();
  assert.match(await page.locator('main').textContent(), /You are not the highest bidder on any live auction/);

  // A session survives a reload (HttpOnly cookie), and signing out ends it.
  await page.reload();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in with wallet' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#/');
  assert.ok(await page.getByRole('link', { name: 'My bids & wins' }).isHidden());
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(me, 401);
  await page.goto('/#/won');
  await page.getByRole('heading', { level: 1, name: 'Sign in first' }).waitFor();
  assert.deepEqual(realErrors(page), []);
  await page.context().close();
});
