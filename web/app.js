// The Commissary web page: hash routing, browse, listing detail + bidding, "my bids &
// wins", and the steward area. Plain DOM, no framework; every piece of server text is
// set with textContent, never parsed as HTML.

import {
  AmountError, buildSiweMessage, countdown, formatAmount, fromLocalInput, parseAmount, sameAddress,
  shortAddress, shortHash, toChecksumAddress, toDecimalString, toLocalInput,
} from './lib.js';
import {
  ChainReader, DevWallet, WalletError, describeWalletError, ensureChain, injectedProvider, jsonRpc,
  personalSign, placeBid, requestAccount, withdrawCredits,
} from './wallet.js';

// ---------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------

const CATEGORIES = [
  ['instruments', 'Instruments'], ['amplifiers', 'Amplifiers'], ['effects', 'Effects'],
  ['recording', 'Recording'], ['audio', 'Audio'], ['accessories', 'Accessories'], ['other', 'Other'],
];
const CONDITIONS = [
  ['new', 'New'], ['like_new', 'Like new'], ['good', 'Good'], ['fair', 'Fair'], ['for_parts', 'For parts'],
];
const CATEGORY_LABEL = Object.fromEntries(CATEGORIES);
const CONDITION_LABEL = Object.fromEntries(CONDITIONS);
const STATUS_LABEL = {
  draft: 'Draft', publishing: 'Publishing', scheduled: 'Upcoming', live: 'Live', ended: 'Ended',
  settled: 'Settled', unsold: 'Unsold', cancelled: 'Cancelled',
};
const STATUS_FILTERS = [
  ['open', 'Open & upcoming', 'publishing,scheduled,live'],
  ['live', 'Live now', 'live'],
  ['finished', 'Finished', 'ended,settled,unsold'],
  ['all', 'Everything', ''],
];
const SORTS = [
  ['ending_soon', 'Ending soonest'], ['newest', 'Newest'], ['price_low', 'Price: low to high'],
  ['price_high', 'Price: high to low'],
];
const PAGE_SIZE = 24;
const CARD_SIZES = '(min-width: 1180px) 280px, (min-width: 560px) 45vw, 92vw';
const GALLERY_SIZES = '(min-width: 1180px) 660px, (min-width: 900px) 56vw, 94vw';
const WALLET_KEY = 'commissary.wallet';

// ---------------------------------------------------------------------------------
// DOM helpers
// ---------------------------------------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);

/** h('a', {href, class, onclick}, 'text', child…) — properties, then children. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Like replaceChildren, but skips null/false the way h() does. */
function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const PLACEHOLDER_SVG =
  '<svg viewBox="0 0 64 48" aria-hidden="true" focusable="false"><rect x="4" y="6" width="56" height="36" rx="6" fill="none" stroke="currentColor" stroke-width="3"/><circle cx="20" cy="24" r="7" fill="none" stroke="currentColor" stroke-width="3"/><circle cx="44" cy="24" r="7" fill="none" stroke="currentColor" stroke-width="3"/><path d="M10 12h8" stroke="currentColor" stroke-width="3" stroke-linecap="round"/></svg>';

function placeholder(label = 'No photo yet') {
  const el = h('div', { class: 'placeholder', role: 'img', 'aria-label': label });
  el.innerHTML = PLACEHOLDER_SVG; // a constant, no data
  return el;
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// ---------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error?.code || 'http_' + status;
    this.details = body?.error?.details || [];
  }
}

let serverOffsetMs = 0;

/** Local clocks drift; countdowns use the server's idea of now (from the Date header). */
function noteServerClock(response) {
  const date = Date.parse(response.headers.get('date') || '');
  if (!Number.isFinite(date)) return;
  const offset = date + 500 - Date.now();
  serverOffsetMs = Math.abs(offset) > 3000 ? offset : 0;
}

const serverNow = () => Date.now() + serverOffsetMs;

async function api(path, { method = 'GET', json, form, signal } = {}) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin', signal };
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { error: { code: 'network', message: 'The Commissary cannot be reached right now. Check your connection and try again.' } });
  }
  noteServerClock(response);
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function errorText(error) {
  if (error instanceof ApiError || error instanceof AmountError) return error.message;
  return describeWalletError(error);
}

// ---------------------------------------------------------------------------------
// Application state, header, notices
// ---------------------------------------------------------------------------------

const state = {
  config: null, // GET /api/v1/config, or null when the service has none (browse-only)
  me: null, // {address, roles}
  wallet: null, // {choice, provider, account}
};

const isSteward = () => Boolean(state.me?.roles?.includes('steward'));
const chainReady = () => Boolean(state.config?.token_address && state.config?.auction_address);

function notice(text, kind = 'info', { timeout = kind === 'ok' ? 6000 : 0 } = {}) {
  const area = $('#notices');
  const item = h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null },
    h('p', {}, text),
    h('button', { type: 'button', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  area.append(item);
  while (area.children.length > 3) area.firstElementChild.remove();
  if (timeout) setTimeout(() => item.remove(), timeout);
  return item;
}

function renderHeader() {
  for (const li of document.querySelectorAll('[data-when="member"]')) li.hidden = !state.me;
  for (const li of document.querySelectorAll('[data-when="steward"]')) li.hidden = !isSteward();
  const account = $('#account');
  if (state.me) {
    fill(account, 
      h('span', { class: 'who', title: state.me.address },
        isSteward() ? h('span', { class: 'role' }, 'Steward') : null,
        h('span', { class: 'visually-hidden' }, 'Signed in as '),
        h('span', { 'data-testid': 'me-address' }, shortAddress(state.me.address))),
      h('button', { type: 'button', class: 'btn quiet small', onclick: signOut }, 'Sign out'));
  } else {
    fill(account, h('button', { type: 'button', class: 'btn small', onclick: openSignIn }, 'Sign in with wallet'));
  }
}

function renderFooter() {
  const line = $('#chain-line');
  const c = state.config;
  if (!c) {
    line.textContent = 'Browse-only: chain details are unavailable.';
  } else if (chainReady()) {
    line.textContent = `Chain ${c.chain_id} · $AMPLED ${c.token_address} · auction ${c.auction_address}`;
  } else {
    line.textContent = `Chain ${c.chain_id} · contracts not configured yet (browse-only)`;
  }
}

function setNavCurrent(nav) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------------------------
// Dialog
// ---------------------------------------------------------------------------------

/** Shows the modal dialog; resolves with the value of the button pressed (or null). */
function showDialog(title, body, actions = [['Close', null]]) {
  const dialog = $('#dialog');
  return new Promise((resolve) => {
    let result = null;
    const buttons = actions.map(([label, value, cls]) =>
      h('button', { type: 'button', class: `btn ${cls ?? (value === null ? 'secondary' : '')}`, onclick: () => { result = typeof value === 'function' ? value() : value; dialog.close(); } }, label));
    fill(dialog, h('h2', { id: 'dialog-title' }, title), ...[body].flat(), h('div', { class: 'row' }, buttons));
    dialog.addEventListener('close', () => resolve(result), { once: true });
    dialog.showModal();
  });
}

const confirmAction = (title, text, label, cls = '') =>
  showDialog(title, h('p', {}, text), [['Not now', null], [label, true, cls]]);

// ---------------------------------------------------------------------------------
// Time, photos, small components
// ---------------------------------------------------------------------------------

const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
});
const dayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fmtDate = (iso) => (iso ? dateFormat.format(new Date(iso)) : '—');
const fmtDay = (iso) => (iso ? dayFormat.format(new Date(iso)) : '—');

function tickCountdowns() {
  const now = serverNow();
  for (const el of document.querySelectorAll('.countdown[data-ends]')) {
    const c = countdown(el.dataset.starts, el.dataset.ends, now);
    if (el.textContent !== c.text) el.textContent = c.text;
    if (el.dataset.phase !== c.phase) el.dataset.phase = c.phase;
  }
}

function countdownEl(listing) {
  const c = countdown(listing.starts_at, listing.ends_at, serverNow());
  return h('time', {
    class: 'countdown', datetime: c.phase === 'upcoming' ? listing.starts_at : listing.ends_at,
    title: c.phase === 'upcoming' ? `Opens ${fmtDate(listing.starts_at)}` : `Ends ${fmtDate(listing.ends_at)}`,
    dataset: { starts: listing.starts_at, ends: listing.ends_at, phase: c.phase },
  }, c.text);
}

/** Countdown while an auction can still run; a plain line once it is over. */
function timeInfo(listing) {
  switch (listing.status) {
    case 'publishing': case 'scheduled': case 'live': return countdownEl(listing);
    case 'ended': case 'settled': case 'unsold':
      return h('span', { class: 'countdown', title: fmtDate(listing.ends_at), dataset: { phase: 'over' } }, `Ended ${fmtDay(listing.ends_at)}`);
    case 'cancelled': return h('span', { class: 'countdown', dataset: { phase: 'over' } }, 'Cancelled');
    default: return h('span', { class: 'muted' }, `Starts ${fmtDate(listing.starts_at)}`);
  }
}

const badge = (status) => h('span', { class: 'badge', dataset: { status } }, STATUS_LABEL[status] ?? status);

function srcset(photo) {
  const parts = [];
  for (const [name, width] of [['w320', 320], ['w1024', 1024], ['w2048', 2048]]) {
    if (photo.urls?.[name] && width < photo.width) parts.push(`${photo.urls[name]} ${width}w`);
  }
  if (photo.urls?.full) parts.push(`${photo.urls.full} ${photo.width}w`);
  return parts.join(', ');
}

function photoImg(photo, { sizes, alt = '', eager = false, small = false } = {}) {
  const u = photo.urls ?? {};
  const src = small ? (u.w320 ?? u.full ?? u.w1024) : (u.w1024 ?? u.full ?? u.w2048 ?? u.w320);
  return h('img', {
    src, srcset: srcset(photo) || null, sizes: sizes ?? null, alt, width: photo.width, height: photo.height,
    loading: eager ? null : 'lazy', decoding: 'async',
  });
}

/** What the price on a card or the detail page means. */
function priceOf(listing) {
  if (listing.settlement?.winner) return ['Sold for', listing.settlement.amount];
  if (listing.bid_count > 0) return [listing.status === 'live' ? 'Current bid' : 'Winning bid', listing.current_price];
  return ['Reserve', listing.current_price ?? listing.reserve_price];
}

function listingCard(listing) {
  const photo = listing.photos?.[0];
  const [label, amount] = priceOf(listing);
  return h('li', { class: 'card', dataset: { id: listing.id, status: listing.status } },
    h('div', { class: 'thumb' }, photo ? photoImg(photo, { sizes: CARD_SIZES, small: true }) : placeholder()),
    badge(listing.status),
    h('div', { class: 'card-body' },
      h('h2', {}, h('a', { href: `#/listing/${listing.id}` }, listing.title)),
      h('p', { class: 'meta' }, `${CATEGORY_LABEL[listing.category] ?? listing.category} · ${CONDITION_LABEL[listing.condition] ?? listing.condition}`
        + (listing.bid_count ? ` · ${listing.bid_count} bid${listing.bid_count === 1 ? '' : 's'}` : '')),
      h('div', { class: 'price-line' },
        h('p', { class: 'price-box' }, h('span', { class: 'price-label' }, label), h('span', { class: 'price' }, formatAmount(amount))),
        timeInfo(listing))));
}

function errorPanel(error, title = 'Something went wrong') {
  return h('section', { class: 'panel' }, h('h1', {}, error?.status === 404 ? 'Not found' : title),
    h('p', {}, errorText(error)), h('p', {}, h('a', { href: '#/' }, 'Back to all gear')));
}

function signInPanel(text) {
  return h('section', { class: 'panel' }, h('h1', {}, 'Sign in first'), h('p', {}, text),
    h('button', { type: 'button', class: 'btn', onclick: openSignIn }, 'Sign in with wallet'));
}

// ---------------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------------

const routes = [
  { re: /^\/?$/, view: viewBrowse, nav: 'browse' },
  { re: /^\/listing\/([\w-]+)$/, view: viewListing, nav: 'browse' },
  { re: /^\/won$/, view: viewWon, nav: 'won' },
  { re: /^\/steward$/, view: viewSteward, nav: 'steward' },
  { re: /^\/steward\/new$/, view: viewEditor, nav: 'steward' },
  { re: /^\/steward\/edit\/([\w-]+)$/, view: viewEditor, nav: 'steward' },
];

function currentRoute() {
  const raw = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const [path, qs = ''] = raw.split('?');
  return { path, query: new URLSearchParams(qs) };
}

let viewController = null;

async function render({ focus = true } = {}) {
  viewController?.abort();
  const controller = new AbortController();
  viewController = controller;
  const { signal } = controller;
  const { path, query } = currentRoute();
  const route = routes.find((r) => r.re.test(path));
  setNavCurrent(route?.nav);
  const main = $('#main');
  main.setAttribute('aria-busy', 'true');
  try {
    if (!route) {
      fill(main, h('section', { class: 'panel' }, h('h1', {}, 'Page not found'),
        h('p', {}, 'There is nothing at this address. '), h('a', { href: '#/' }, 'Browse gear')));
    } else {
      await route.view(main, { params: path.match(route.re).slice(1), query, signal });
    }
  } catch (error) {
    if (signal.aborted || error.name === 'AbortError') return;
    console.error(error);
    fill(main, errorPanel(error));
  } finally {
    if (!signal.aborted) main.removeAttribute('aria-busy');
  }
  if (signal.aborted) return;
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} · Ampled Commissary` : 'Ampled Commissary';
  if (focus && heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

const navigate = (hash) => {
  if (location.hash === hash) render();
  else location.hash = hash;
};

// ---------------------------------------------------------------------------------
// Browse
// ---------------------------------------------------------------------------------

function selectField(id, label, options, value, extra = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name: id.replace(/^f-/, ''), ...extra },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

async function viewBrowse(main, { query, signal }) {
  const filters = {
    q: query.get('q') ?? '',
    category: query.get('category') ?? '',
    status: STATUS_FILTERS.some(([k]) => k === query.get('status')) ? query.get('status') : 'open',
    sort: SORTS.some(([k]) => k === query.get('sort')) ? query.get('sort') : 'ending_soon',
  };
  const list = h('ul', { class: 'cards', id: 'listing-cards', 'aria-label': 'Listings' });
  const count = h('p', { class: 'result-count', role: 'status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'btn secondary', hidden: true }, 'Load more');
  const search = h('input', { id: 'f-q', name: 'q', type: 'search', value: filters.q, placeholder: 'Fender, tube amp, mic…', autocomplete: 'off' });
  const form = h('form', { class: 'filters panel', role: 'search', 'aria-label': 'Find gear' },
    h('div', { class: 'field search-field' }, h('label', { for: 'f-q' }, 'Search'), search),
    selectField('f-category', 'Category', [['', 'All categories'], ...CATEGORIES], filters.category),
    selectField('f-status', 'Show', STATUS_FILTERS.map(([k, label]) => [k, label]), filters.status),
    selectField('f-sort', 'Sort by', SORTS, filters.sort),
    h('button', { type: 'submit', class: 'btn' }, 'Search'));

  let cursor = null;
  let shown = 0;
  let generation = 0;

  async function load(reset) {
    const mine = reset ? ++generation : generation;
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), sort: filters.sort });
    if (filters.q.trim()) params.set('q', filters.q.trim());
    if (filters.category) params.set('category', filters.category);
    const statuses = STATUS_FILTERS.find(([k]) => k === filters.status)?.[2];
    if (statuses) params.set('status', statuses);
    if (!reset && cursor) params.set('cursor', cursor);
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    if (reset) count.textContent = 'Looking…';
    try {
      const page = await api(`/api/v1/listings?${params}`, { signal });
      if (mine !== generation || signal.aborted) return;
      if (reset) { fill(list); shown = 0; }
      list.append(...page.items.map(listingCard));
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      count.textContent = shown === 0
        ? (filters.q || filters.category ? 'No gear matches. Try another search or category.' : 'Nothing here right now. New donations arrive all the time.')
        : `Showing ${shown} listing${shown === 1 ? '' : 's'}${cursor ? ' — there is more' : ''}.`;
    } catch (error) {
      if (signal.aborted || error.name === 'AbortError') return;
      count.textContent = `Could not load listings: ${errorText(error)}`;
    } finally {
      more.disabled = false;
      list.removeAttribute('aria-busy');
    }
  }

  function apply() {
    filters.q = search.value;
    filters.category = form.elements.category.value;
    filters.status = form.elements.status.value;
    filters.sort = form.elements.sort.value;
    const qs = new URLSearchParams();
    if (filters.q.trim()) qs.set('q', filters.q.trim());
    if (filters.category) qs.set('category', filters.category);
    if (filters.status !== 'open') qs.set('status', filters.status);
    if (filters.sort !== 'ending_soon') qs.set('sort', filters.sort);
    const hash = qs.toString() ? `#/?${qs}` : '#/';
    history.replaceState(null, '', hash);
    cursor = null;
    load(true);
  }

  let debounce;
  form.addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(debounce); apply(); });
  form.addEventListener('change', (e) => { if (e.target !== search) apply(); });
  search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(apply, 450); });
  more.addEventListener('click', () => load(false));

  fill(main, 
    h('section', { class: 'hero' },
      h('h1', {}, 'Gear looking for a new home'),
      h('p', {}, 'Instruments, amps and audio gear donated to the co-op. Bid with the $AMPLED you earned; the highest bid when the clock runs out takes it home.')),
    form, count, list, h('div', { class: 'load-more' }, more));
  await load(true);
}

// ---------------------------------------------------------------------------------
// Listing detail
// ---------------------------------------------------------------------------------

function gallery(listing) {
  const photos = [...(listing.photos ?? [])].sort((a, b) => a.position - b.position);
  if (photos.length === 0) return h('div', { class: 'gallery' }, h('figure', { class: 'main-photo' }, placeholder('No photos yet')));
  const figure = h('figure', { class: 'main-photo' });
  const thumbs = h('ul', { class: 'thumbs', 'aria-label': 'Photos' });
  const show = (i) => {
    fill(figure, photoImg(photos[i], { sizes: GALLERY_SIZES, eager: true, alt: `${listing.title}, photo ${i + 1} of ${photos.length}` }));
    for (const [j, b] of [...thumbs.querySelectorAll('button')].entries()) b.setAttribute('aria-current', String(i === j));
  };
  if (photos.length > 1) {
    thumbs.append(...photos.map((p, i) => h('li', {},
      h('button', { type: 'button', 'aria-label': `Show photo ${i + 1} of ${photos.length}`, onclick: () => show(i) },
        photoImg(p, { sizes: '80px', small: true })))));
  }
  const el = h('div', { class: 'gallery' }, figure, photos.length > 1 ? thumbs : null);
  show(0);
  return el;
}

function factList(rows) {
  return h('dl', { class: 'facts' }, rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function bidTable(listing, bids) {
  if (!bids.length) {
    return h('p', { class: 'muted' }, listing.auction_id
      ? `No bids yet. The first bid must be at least ${formatAmount(listing.min_next_bid ?? listing.reserve_price)}.`
      : 'Bids appear here once the auction is on chain.');
  }
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'visually-hidden' }, 'Bids, newest first'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Bidder'), h('th', { scope: 'col', class: 'num' }, 'Amount'),
      h('th', { scope: 'col' }, 'Placed'), h('th', { scope: 'col' }, 'Transaction'))),
    h('tbody', {}, bids.map((b) => {
      const mine = sameAddress(b.bidder, state.me?.address);
      return h('tr', { class: mine ? 'mine' : null },
        h('td', { class: 'mono', title: b.bidder }, mine ? 'You' : shortAddress(b.bidder)),
        h('td', { class: 'num' }, formatAmount(b.amount)),
        h('td', {}, fmtDate(b.placed_at)),
        h('td', { class: 'mono', title: b.tx_hash }, shortHash(b.tx_hash), b.block_number ? h('span', { class: 'muted' }, ` · block ${b.block_number}`) : null));
    }))));
}

async function viewListing(main, { params: [id], signal }) {
  let listing = await api(`/api/v1/listings/${encodeURIComponent(id)}`, { signal });
  let bids = (await api(`/api/v1/listings/${encodeURIComponent(id)}/bids`, { signal }).catch(() => ({ items: [] }))).items;
  if (signal.aborted) return;

  const pricePanel = h('div', { 'aria-live': 'polite' });
  const bidHistory = h('div');
  const settlementBox = h('div');
  const chainFacts = h('div');
  const statusBadge = h('span');

  function renderDynamic() {
    fill(statusBadge, badge(listing.status));
    const [label, amount] = priceOf(listing);
    fill(pricePanel, 
      h('p', { class: 'price-label' }, label),
      h('p', { class: 'big-price', 'data-testid': 'price' }, formatAmount(amount)),
      h('p', {}, timeInfo(listing)),
      factList([
        ['Reserve', formatAmount(listing.reserve_price)],
        listing.min_next_bid && ['live', 'scheduled', 'publishing'].includes(listing.status) ? ['Next bid from', h('strong', { 'data-testid': 'min-next' }, formatAmount(listing.min_next_bid))] : null,
        ['Bids', String(listing.bid_count ?? 0)],
        ['Opens', fmtDate(listing.starts_at)],
        ['Closes', fmtDate(listing.ends_at)],
      ]),
      sameAddress(listing.highest_bidder, state.me?.address) && !listing.settlement
        ? h('p', { class: 'you-lead' }, listing.status === 'live' ? 'You are the highest bidder.' : 'Your bid won; settlement is on its way.')
        : null);
    fill(bidHistory, bidTable(listing, bids));
    const s = listing.settlement;
    fill(settlementBox, s ? h('section', { class: 'panel settlement', 'aria-labelledby': 'settle-h' },
      h('h2', { id: 'settle-h' }, 'Result'),
      s.winner
        ? h('p', {}, sameAddress(s.winner, state.me?.address) ? 'You won this auction for ' : `Won by ${shortAddress(s.winner)} for `, h('strong', {}, formatAmount(s.amount)), '.')
        : h('p', {}, 'The auction closed without a winning bid.'),
      factList([s.winner && ['Winner', h('span', { class: 'mono' }, s.winner)], ['Settlement tx', h('span', { class: 'mono' }, s.tx_hash)]]))
      : listing.status === 'unsold' ? h('section', { class: 'panel settlement' }, h('h2', {}, 'Result'), h('p', {}, 'No bid met the reserve; the gear stays with the co-op for now.'))
        : '');
    fill(chainFacts, factList([
      ['Listing hash', listing.listing_hash ? h('span', { class: 'mono' }, listing.listing_hash) : 'Not published yet'],
      ['Auction id', listing.auction_id ? h('span', { class: 'mono' }, listing.auction_id) : '—'],
      ['Created in tx', listing.tx_hash ? h('span', { class: 'mono' }, listing.tx_hash) : '—'],
      listing.settlement ? ['Settled in tx', h('span', { class: 'mono' }, listing.settlement.tx_hash)] : null,
      state.config?.auction_address ? ['Auction contract', h('span', { class: 'mono' }, state.config.auction_address)] : null,
    ]));
  }

  async function refresh() {
    const next = await api(`/api/v1/listings/${encodeURIComponent(id)}`, { signal });
    const nextBids = (await api(`/api/v1/listings/${encodeURIComponent(id)}/bids`, { signal })).items;
    if (signal.aborted) return;
    const statusChanged = next.status !== listing.status;
    listing = next;
    bids = nextBids;
    if (statusChanged) render({ focus: false });
    else { renderDynamic(); bidArea.update?.(); }
  }

  const bidArea = bidSection(listing, () => listing, refresh, signal);
  renderDynamic();

  const fulfilment = [];
  if (listing.pickup?.available) fulfilment.push(['Pickup', listing.pickup.location || 'Available; details from the steward after the auction']);
  if (listing.shipping?.available) fulfilment.push(['Shipping', listing.shipping.note || 'Available; details from the steward after the auction']);

  fill(main, 
    h('a', { class: 'back', href: '#/' }, '← All gear'),
    h('div', { class: 'title-row' }, h('h1', {}, listing.title), statusBadge),
    listing.donor_credit ? h('p', { class: 'donor' }, `Donated by ${listing.donor_credit}`) : null,
    h('div', { class: 'detail' },
      h('div', { class: 'detail-media' }, gallery(listing)),
      h('aside', { class: 'detail-aside', 'aria-label': 'Bidding' },
        h('section', { class: 'panel bid-panel', 'aria-labelledby': 'price-h' },
          h('h2', { id: 'price-h', class: 'visually-hidden' }, 'Price and time'),
          pricePanel, bidArea.el),
        settlementBox,
        isSteward() ? stewardTools(listing) : null),
      h('div', { class: 'detail-info' },
        h('section', { class: 'panel', 'aria-labelledby': 'about-h' },
          h('h2', { id: 'about-h' }, 'About this gear'),
          listing.description ? h('p', { class: 'description' }, listing.description) : h('p', { class: 'muted' }, 'No description.'),
          factList([
            ['Category', CATEGORY_LABEL[listing.category] ?? listing.category],
            ['Condition', CONDITION_LABEL[listing.condition] ?? listing.condition],
            ['Donor', listing.donor_credit || 'Anonymous'],
          ])),
        h('section', { class: 'panel', 'aria-labelledby': 'ful-h' },
          h('h2', { id: 'ful-h' }, 'Getting it home'),
          fulfilment.length ? factList(fulfilment) : h('p', { class: 'muted' }, 'Ask a steward.')),
        h('section', { class: 'panel', 'aria-labelledby': 'bids-h' }, h('h2', { id: 'bids-h' }, 'Bid history'), bidHistory),
        h('section', { class: 'panel', 'aria-labelledby': 'chain-h' }, h('h2', { id: 'chain-h' }, 'On chain'), chainFacts))));

  // Keep price, bids and status fresh while the auction can still change.
  if (['publishing', 'scheduled', 'live', 'ended'].includes(listing.status)) {
    const timer = setInterval(() => refresh().catch(() => {}), 10_000);
    signal.addEventListener('abort', () => clearInterval(timer));
  }
}

function stewardTools(listing) {
  return h('section', { class: 'panel', 'aria-labelledby': 'tools-h' },
    h('h2', { id: 'tools-h' }, 'Steward'),
    h('div', { class: 'row' },
      listing.status === 'draft' ? h('a', { class: 'btn secondary', href: `#/steward/edit/${listing.id}` }, 'Edit draft') : null,
      ['draft', 'publishing', 'scheduled', 'live'].includes(listing.status) && !listing.bid_count
        ? h('button', { type: 'button', class: 'btn danger', onclick: () => cancelListing(listing) }, 'Cancel listing') : null,
      h('a', { class: 'btn secondary', href: '#/steward' }, 'All drafts')));
}

// ---------------------------------------------------------------------------------
// Bidding
// ---------------------------------------------------------------------------------

function walletFor(choice) {
  if (choice?.kind === 'dev') {
    if (!state.config?.rpc_url) throw new WalletError('The dev wallet needs the local chain, which is not configured.');
    return new DevWallet(state.config.rpc_url, choice.account);
  }
  const injected = injectedProvider();
  if (!injected) throw new WalletError('No browser wallet found. Install one (e.g. MetaMask) to bid.');
  return injected;
}

async function getWallet() {
  if (!state.wallet) {
    const saved = JSON.parse(localStorage.getItem(WALLET_KEY) || 'null');
    const choice = saved ?? (injectedProvider() ? { kind: 'injected' } : null);
    if (!choice) throw new WalletError('Connect your wallet by signing in again.');
    const provider = walletFor(choice);
    state.wallet = { choice, provider, account: await requestAccount(provider) };
  }
  if (state.me && !sameAddress(state.wallet.account, state.me.address)) {
    throw new WalletError(`Your wallet is using ${shortAddress(state.wallet.account)}, but you signed in as ${shortAddress(state.me.address)}. Switch accounts in your wallet, or sign in again.`);
  }
  if (state.wallet.choice.kind === 'injected' && state.config?.chain_id) await ensureChain(state.wallet.provider, state.config.chain_id);
  return state.wallet;
}

/** Reads go straight to the configured RPC when there is one, else through the wallet. */
function chainReader() {
  if (!chainReady()) return null;
  const addresses = { tokenAddress: state.config.token_address, auctionAddress: state.config.auction_address };
  if (state.config.rpc_url) return new ChainReader(jsonRpc(state.config.rpc_url), addresses);
  const injected = injectedProvider();
  return injected ? new ChainReader((args) => injected.request(args), addresses) : null;
}

/** Balance and refund credits of `address`, with a Withdraw button when credits > 0. */
function walletBox(address, { onBalance = () => {} } = {}) {
  const box = h('div', { class: 'wallet-box', 'aria-live': 'polite' });
  const reader = chainReader();
  if (!reader) {
    box.textContent = 'Your $AMPLED balance shows here once the Commissary is connected to the chain.';
    return box;
  }
  async function load() {
    fill(box, h('span', { class: 'muted' }, 'Reading your $AMPLED balance…'));
    try {
      const [balance, credits] = await Promise.all([reader.balanceOf(address), reader.credits(address)]);
      onBalance(balance);
      const withdraw = credits > 0n
        ? h('button', { type: 'button', class: 'btn small secondary', onclick: async (e) => {
          e.target.disabled = true;
          try {
            const wallet = await getWallet();
            notice('Confirm the withdrawal in your wallet…');
            await withdrawCredits({ wallet: wallet.provider, reader, account: wallet.account });
            notice(`Withdrew ${formatAmount(credits)} to your wallet.`, 'ok');
          } catch (error) {
            notice(`Withdrawal failed: ${errorText(error)}`, 'error');
          }
          load();
        } }, 'Withdraw') : null;
      fill(box, factList([
        ['Your balance', h('span', { 'data-testid': 'balance' }, formatAmount(balance))],
        ['Refund credits', h('span', { class: 'row' }, h('span', { 'data-testid': 'credits' }, formatAmount(credits)), withdraw)],
      ]));
    } catch (error) {
      fill(box, h('span', { class: 'muted' }, `Could not read your balance: ${errorText(error)}`));
    }
  }
  load();
  box.reload = load;
  return box;
}

const BID_STEPS = [
  ['approve', 'Allow the auction to take your $AMPLED'],
  ['send', 'Send the bid'],
  ['mined', 'Mined on chain'],
  ['indexed', 'Recorded by the Commissary'],
];

/** The bid form (or why there is none). Returns {el, update}. */
function bidSection(initial, current, refresh, signal) {
  const listing = initial;
  const el = h('div', { class: 'bid-area' });
  if (listing.status !== 'live') {
    const text = {
      draft: 'This is a draft; members cannot see it yet.',
      publishing: 'Being recorded on chain. Bidding opens at the start time.',
      scheduled: `Bidding opens ${fmtDate(listing.starts_at)}.`,
      ended: 'Bidding has closed. The auction settles automatically.',
      settled: 'This auction is settled.',
      unsold: 'This auction closed without a winner.',
      cancelled: 'This listing was cancelled.',
    }[listing.status];
    if (text) el.append(h('p', { class: 'muted' }, text));
    return { el };
  }
  if (!state.me) {
    el.append(h('p', {}, 'Sign in with your wallet to bid.'), h('button', { type: 'button', class: 'btn', onclick: openSignIn }, 'Sign in to bid'));
    return { el };
  }
  if (!chainReady() || !listing.auction_id) {
    el.append(h('p', { class: 'muted' }, 'Bidding is not available here yet: the Commissary is not connected to the auction contract.'));
    return { el };
  }

  let balance = null;
  const minimum = () => BigInt(current().min_next_bid ?? current().reserve_price);
  const input = h('input', { id: 'bid-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
    value: toDecimalString(minimum()), 'aria-describedby': 'bid-hint bid-error' });
  const hint = h('p', { id: 'bid-hint', class: 'hint' });
  const error = h('p', { id: 'bid-error', class: 'field-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'btn' }, 'Place bid');
  const steps = h('ol', { class: 'steps', hidden: true, 'aria-label': 'Bid progress' },
    BID_STEPS.map(([key, text]) => h('li', { dataset: { step: key } }, text)));
  const status = h('p', { class: 'hint', role: 'status' });
  const box = walletBox(state.me.address, { onBalance: (b) => { balance = b; } });
  const form = h('form', { class: 'bid-form', novalidate: true },
    h('label', { for: 'bid-amount' }, 'Your bid (AMPLED)'),
    h('div', { class: 'input-row' }, input, button), hint, error);

  const update = () => { fill(hint, 'Minimum bid: ', h('strong', {}, formatAmount(minimum()))); };
  update();

  const setStep = (key, stepState) => {
    const li = steps.querySelector(`[data-step="${key}"]`);
    if (li) li.dataset.state = stepState;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    let amount;
    try {
      amount = parseAmount(input.value);
      if (amount < minimum()) throw new AmountError(`Bid at least ${formatAmount(minimum())}.`);
      const l = current();
      const needed = sameAddress(l.highest_bidder, state.me.address) ? amount - BigInt(l.highest_bid ?? 0) : amount;
      if (balance !== null && needed > balance) throw new AmountError(`You have ${formatAmount(balance)}; this bid needs ${formatAmount(needed)}.`);
    } catch (err) {
      error.textContent = errorText(err);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    input.readOnly = true;
    steps.hidden = false;
    for (const li of steps.children) delete li.dataset.state;
    status.textContent = 'Preparing your bid…';
    try {
      const wallet = await getWallet();
      const l = current();
      const result = await placeBid({
        wallet: wallet.provider, reader: chainReader(), account: wallet.account, auctionId: BigInt(l.auction_id), amount,
        currentHighest: BigInt(l.highest_bid ?? 0), currentBidder: l.highest_bidder,
        isIndexed: async (hash) => {
          const page = await api(`/api/v1/listings/${l.id}/bids?limit=20`);
          return page.items.some((b) => b.tx_hash.toLowerCase() === hash.toLowerCase());
        },
        onState: (step, info) => {
          if (signal.aborted) return;
          if (step === 'approving') { setStep('approve', 'active'); status.textContent = 'Approve the $AMPLED allowance in your wallet…'; }
          if (step === 'approved') { setStep('approve', info.skipped ? 'skipped' : 'done'); setStep('send', 'active'); status.textContent = 'Confirm the bid in your wallet…'; }
          if (step === 'sent') { setStep('send', 'done'); setStep('mined', 'active'); status.textContent = `Sent (${shortHash(info.hash)}); waiting to be mined…`; }
          if (step === 'mined') { setStep('mined', 'done'); setStep('indexed', 'active'); status.textContent = 'Mined. Waiting for the Commissary to record it…'; }
          if (step === 'indexed') { setStep('indexed', 'done'); status.textContent = 'Your bid is in.'; }
        },
      });
      if (!result.indexed) status.textContent = 'Your bid is on chain; the Commissary will show it shortly.';
      notice(`Bid of ${formatAmount(amount)} placed.`, 'ok');
      box.reload?.();
      await refresh();
      input.value = toDecimalString(minimum());
    } catch (err) {
      for (const li of steps.children) if (li.dataset.state === 'active') li.dataset.state = '';
      status.textContent = '';
      error.textContent = errorText(err);
    } finally {
      button.disabled = false;
      input.readOnly = false;
    }
  });

  el.append(form, steps, status, box);
  return { el, update };
}

// ---------------------------------------------------------------------------------
// My bids & wins
// ---------------------------------------------------------------------------------

async function viewWon(main, { signal }) {
  if (!state.me) { fill(main, signInPanel('Sign in to see the auctions you lead and the gear you have won.')); return; }
  const me = state.me.address;
  const found = [];
  let cursor = null;
  for (let page = 0; page < 10; page++) {
    const params = new URLSearchParams({ status: 'live,ended,settled', sort: 'ending_soon', limit: '100' });
    if (cursor) params.set('cursor', cursor);
    const result = await api(`/api/v1/listings?${params}`, { signal });
    found.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  if (signal.aborted) return;
  const leading = found.filter((l) => l.status === 'live' && sameAddress(l.highest_bidder, me));
  const awaiting = found.filter((l) => l.status === 'ended' && sameAddress(l.highest_bidder, me));
  const won = found.filter((l) => l.status === 'settled' && sameAddress(l.settlement?.winner, me));
  const section = (title, items, empty) => h('section', { class: 'panel' }, h('h2', {}, title),
    items.length ? h('ul', { class: 'cards' }, items.map(listingCard)) : h('p', { class: 'muted' }, empty));
  fill(main, 
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'My bids & wins'),
      h('p', {}, 'Auctions where you hold the highest bid, and gear you have won. If someone outbids you, your $AMPLED comes straight back (or waits below as a refund credit).'))),
    h('section', { class: 'panel' }, h('h2', {}, 'Wallet'), walletBox(me)),
    section('Leading now', leading, 'You are not the highest bidder on any live auction.'),
    section('Won, settling', awaiting, 'Nothing waiting for settlement.'),
    section('Won', won, 'No wins yet. Good luck!'));
}

// ---------------------------------------------------------------------------------
// Steward area
// ---------------------------------------------------------------------------------

function stewardGate(main) {
  if (!state.me) { fill(main, signInPanel('Stewards sign in with their wallet to manage listings.')); return false; }
  if (!isSteward()) {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, 'Stewards only'),
      h('p', {}, 'This area is for co-op stewards, who list donated gear. You are signed in as a member.'),
      h('a', { href: '#/' }, 'Browse gear')));
    return false;
  }
  return true;
}

async function fetchAll(statuses, signal, sort = 'newest') {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 5; page++) {
    const params = new URLSearchParams({ status: statuses, sort, limit: '100' });
    if (cursor) params.set('cursor', cursor);
    const result = await api(`/api/v1/listings?${params}`, { signal });
    items.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return items;
}

async function cancelListing(listing) {
  const ok = await confirmAction('Cancel this listing?', listing.status === 'draft'
    ? `“${listing.title}” will be marked cancelled and never published.`
    : `“${listing.title}” will be withdrawn from auction on chain. This is only possible before the first bid.`, 'Cancel listing', 'danger');
  if (!ok) return;
  try {
    await api(`/api/v1/listings/${listing.id}/cancel`, { method: 'POST' });
    notice(listing.status === 'draft' ? 'Draft cancelled.' : 'Cancellation queued; it takes effect once the chain confirms.', 'ok');
    render({ focus: false });
  } catch (error) {
    notice(`Could not cancel: ${errorText(error)}`, 'error');
  }
}

async function publishListing(listing) {
  const ok = await confirmAction('Publish this listing?',
    'Publishing freezes the text, times, reserve and photos and records them on chain. It cannot be edited afterwards.', 'Publish');
  if (!ok) return false;
  try {
    await api(`/api/v1/listings/${listing.id}/publish`, { method: 'POST' });
    notice(`“${listing.title}” is being published.`, 'ok');
    return true;
  } catch (error) {
    notice(`Could not publish: ${errorText(error)}`, 'error');
    return false;
  }
}

async function deleteDraft(listing) {
  const ok = await confirmAction('Delete this draft?', `“${listing.title}” and its photos will be deleted for good.`, 'Delete draft', 'danger');
  if (!ok) return false;
  try {
    await api(`/api/v1/listings/${listing.id}`, { method: 'DELETE' });
    notice('Draft deleted.', 'ok');
    return true;
  } catch (error) {
    notice(`Could not delete: ${errorText(error)}`, 'error');
    return false;
  }
}

function stewardItem(listing) {
  const photo = listing.photos?.[0];
  const isDraft = listing.status === 'draft';
  return h('li', { class: 'steward-item', dataset: { id: listing.id } },
    h('div', { class: 'mini' }, photo ? photoImg(photo, { small: true, sizes: '72px' }) : placeholder()),
    h('div', {},
      h('h3', {}, h('a', { href: isDraft ? `#/steward/edit/${listing.id}` : `#/listing/${listing.id}` }, listing.title), ' ', badge(listing.status)),
      h('p', { class: 'muted', style: 'margin:0' },
        `Reserve ${formatAmount(listing.reserve_price)} · ${listing.photos?.length ?? 0} photo${listing.photos?.length === 1 ? '' : 's'} · `,
        `${fmtDate(listing.starts_at)} → ${fmtDate(listing.ends_at)}`)),
    h('div', { class: 'row' },
      isDraft ? h('a', { class: 'btn small secondary', href: `#/steward/edit/${listing.id}` }, 'Edit') : h('a', { class: 'btn small secondary', href: `#/listing/${listing.id}` }, 'View'),
      isDraft ? h('button', { type: 'button', class: 'btn small', onclick: async () => { if (await publishListing(listing)) render({ focus: false }); } }, 'Publish') : null,
      !listing.bid_count ? h('button', { type: 'button', class: 'btn small danger', onclick: () => cancelListing(listing) }, 'Cancel') : null));
}

async function viewSteward(main, { signal }) {
  if (!stewardGate(main)) return;
  const [drafts, active] = await Promise.all([
    fetchAll('draft', signal),
    fetchAll('publishing,scheduled,live', signal, 'ending_soon'),
  ]);
  if (signal.aborted) return;
  fill(main, 
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Steward desk'), h('p', {}, 'Write up donated gear as drafts, add photos, and publish them as auctions.')),
      h('a', { class: 'btn', href: '#/steward/new' }, '+ New listing')),
    h('section', { class: 'panel', 'aria-labelledby': 'drafts-h' },
      h('h2', { id: 'drafts-h' }, `Drafts (${drafts.length})`),
      drafts.length ? h('ul', { class: 'steward-list', id: 'draft-list' }, drafts.map(stewardItem))
        : h('p', { class: 'muted' }, 'No drafts. Start one with “New listing”.')),
    h('section', { class: 'panel', 'aria-labelledby': 'active-h' },
      h('h2', { id: 'active-h' }, `Published (${active.length})`),
      active.length ? h('ul', { class: 'steward-list' }, active.map(stewardItem))
        : h('p', { class: 'muted' }, 'Nothing on auction right now.')));
}

// ---- Editor -----------------------------------------------------------------------

const FIELD_WORDS = [
  ['min_increment_bps', 'the minimum raise'], ['extension_secs', 'the extension'], ['reserve_price', 'the reserve price'],
  ['pickup.location', 'the pickup details'], ['shipping.note', 'the shipping note'], ['donor_credit', 'the donor credit'],
  ['starts_at', 'the start time'], ['ends_at', 'the end time'], ['description', 'the description'], ['category', 'the category'],
  ['condition', 'the condition'], ['title', 'the title'],
];

/** "ends_at must be after starts_at" → "The end time must be after the start time". */
function humanize(message) {
  let text = message;
  for (const [field, words] of FIELD_WORDS) text = text.replace(new RegExp(`\\b${field.replace('.', '\\.')}\\b`, 'g'), words);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formField(name, label, control, hint) {
  const errId = `err-${name.replace('.', '-')}`;
  const hintId = hint ? `hint-${name.replace('.', '-')}` : null;
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: control.id }, label), control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errId }));
}

function defaultTimes() {
  const start = new Date(serverNow() + 60 * 60 * 1000);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  const end = new Date(start.getTime() + 7 * 24 * 60 * 60 * 1000);
  return { starts_at: start.toISOString(), ends_at: end.toISOString() };
}

async function viewEditor(main, { params: [id], signal }) {
  if (!stewardGate(main)) return;
  let listing = id ? await api(`/api/v1/listings/${encodeURIComponent(id)}`, { signal }) : null;
  if (signal.aborted) return;
  if (listing && listing.status !== 'draft') {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, listing.title),
      h('p', {}, `This listing is ${STATUS_LABEL[listing.status]?.toLowerCase() ?? listing.status}; only drafts can be edited.`),
      h('a', { class: 'btn secondary', href: `#/listing/${listing.id}` }, 'View listing')));
    return;
  }
  const v = listing ?? {
    title: '', description: '', category: '', condition: '', donor_credit: '', reserve_price: null,
    ...defaultTimes(), min_increment_bps: 500, extension_secs: 300,
    pickup: { available: true, location: '' }, shipping: { available: false, note: '' },
  };

  const input = (name, props = {}) => h('input', { id: `e-${name.replace('.', '-')}`, name, ...props });
  const controls = {
    title: input('title', { value: v.title, maxlength: 120, required: true, autocomplete: 'off' }),
    description: h('textarea', { id: 'e-description', name: 'description', rows: 6, maxlength: 10000 }, v.description ?? ''),
    category: h('select', { id: 'e-category', name: 'category', required: true },
      h('option', { value: '' }, 'Choose…'), CATEGORIES.map(([k, t]) => h('option', { value: k, selected: v.category === k }, t))),
    condition: h('select', { id: 'e-condition', name: 'condition', required: true },
      h('option', { value: '' }, 'Choose…'), CONDITIONS.map(([k, t]) => h('option', { value: k, selected: v.condition === k }, t))),
    donor_credit: input('donor_credit', { value: v.donor_credit ?? '', autocomplete: 'off' }),
    reserve_price: input('reserve_price', { value: v.reserve_price ? toDecimalString(v.reserve_price) : '', inputmode: 'decimal', autocomplete: 'off', required: true }),
    starts_at: input('starts_at', { type: 'datetime-local', value: toLocalInput(v.starts_at), required: true }),
    ends_at: input('ends_at', { type: 'datetime-local', value: toLocalInput(v.ends_at), required: true }),
    min_increment_bps: input('min_increment_bps', { type: 'number', min: 1, max: 10000, step: 1, value: v.min_increment_bps }),
    extension_secs: input('extension_secs', { type: 'number', min: 0, max: 86400, step: 1, value: v.extension_secs }),
    'pickup.available': input('pickup.available', { type: 'checkbox', checked: Boolean(v.pickup?.available) }),
    'pickup.location': input('pickup.location', { value: v.pickup?.location ?? '', autocomplete: 'off' }),
    'shipping.available': input('shipping.available', { type: 'checkbox', checked: Boolean(v.shipping?.available) }),
    'shipping.note': input('shipping.note', { value: v.shipping?.note ?? '', autocomplete: 'off' }),
  };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const summary = h('div', { class: 'form-summary', tabindex: '-1', role: 'alert' });
  const saveButton = h('button', { type: 'submit', class: 'btn' }, listing ? 'Save changes' : 'Save draft');
  const pickupError = h('p', { class: 'field-error', id: 'err-pickup' });

  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'editor-h' },
    summary,
    h('div', { class: 'form-grid' },
      h('div', { class: 'wide' }, formField('title', 'Title', controls.title, 'What it is, in a line: make, model, year.')),
      h('div', { class: 'wide' }, formField('description', 'Description', controls.description, 'Condition details, history, what is included.')),
      formField('category', 'Category', controls.category),
      formField('condition', 'Condition', controls.condition),
      h('div', { class: 'wide' }, formField('donor_credit', 'Donor credit (optional)', controls.donor_credit, 'Shown as “Donated by …”. Leave empty for anonymous.')),
      formField('reserve_price', 'Reserve price (AMPLED)', controls.reserve_price, 'The lowest acceptable bid, e.g. 25 or 1.5 (up to 18 decimals).'),
      h('div'),
      formField('starts_at', 'Bidding opens', controls.starts_at, `Your local time (${zone}).`),
      formField('ends_at', 'Bidding closes', controls.ends_at, 'Between 5 minutes and 30 days after opening.'),
      formField('min_increment_bps', 'Minimum raise (basis points)', controls.min_increment_bps, '500 = each bid at least 5% over the last.'),
      formField('extension_secs', 'Late-bid extension (seconds)', controls.extension_secs, 'A bid this close to the end extends the auction by this much.')),
    h('fieldset', { 'aria-describedby': 'err-pickup' },
      h('legend', {}, 'Getting it to the winner'),
      h('label', { class: 'check', for: 'e-pickup-available' }, controls['pickup.available'], 'Pickup'),
      formField('pickup.location', 'Pickup location and times', controls['pickup.location']),
      h('label', { class: 'check', for: 'e-shipping-available' }, controls['shipping.available'], 'Shipping'),
      formField('shipping.note', 'Shipping note', controls['shipping.note'], 'Regions, who pays postage, packing.'),
      pickupError),
    h('div', { class: 'row' }, saveButton, h('a', { class: 'btn secondary', href: '#/steward' }, 'Back to drafts')));

  function clearErrors() {
    fill(summary);
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  function showErrors(errors, fallback) {
    const items = [];
    let first = null;
    for (const { field, message } of errors) {
      const text = humanize(message);
      const err = form.querySelector(`#err-${CSS.escape(field.replace('.', '-'))}`);
      const control = controls[field] ?? (field === 'pickup' ? controls['pickup.available'] : null);
      if (err) err.textContent = err.textContent ? `${err.textContent} ${text}` : text;
      if (control) { control.setAttribute('aria-invalid', 'true'); first ??= control; }
      items.push(h('li', {}, control ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); control.focus(); } }, text) : text));
    }
    if (!errors.length && fallback) items.push(h('li', {}, fallback));
    fill(summary, h('strong', {}, errors.length > 1 ? `${errors.length} things need fixing:` : 'Please fix this:'), h('ul', {}, items));
    (first ?? summary).focus();
  }

  function payload() {
    const errors = [];
    const body = {
      title: controls.title.value,
      description: controls.description.value,
      donor_credit: controls.donor_credit.value.trim() || null,
      pickup: { available: controls['pickup.available'].checked, location: controls['pickup.location'].value.trim() || null },
      shipping: { available: controls['shipping.available'].checked, note: controls['shipping.note'].value.trim() || null },
    };
    // On create, a blank title is "required" (reported with the other missing fields).
    if (!listing && !body.title.trim()) delete body.title;
    for (const key of ['category', 'condition']) if (controls[key].value) body[key] = controls[key].value;
    for (const key of ['starts_at', 'ends_at']) {
      const iso = fromLocalInput(controls[key].value);
      if (iso) body[key] = iso;
      else if (controls[key].value) errors.push({ field: key, message: 'Enter a date and time.' });
    }
    if (controls.reserve_price.value.trim()) {
      try { body.reserve_price = parseAmount(controls.reserve_price.value).toString(); } catch (e) { errors.push({ field: 'reserve_price', message: e.message }); }
    }
    for (const key of ['min_increment_bps', 'extension_secs']) {
      const raw = controls[key].value.trim();
      if (raw === '') continue;
      if (!/^-?\d+$/.test(raw)) errors.push({ field: key, message: 'Enter a whole number.' });
      else body[key] = Number(raw);
    }
    return { body, errors };
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const { body, errors } = payload();
    if (errors.length) { showErrors(errors); return; }
    saveButton.disabled = true;
    try {
      if (listing) {
        listing = await api(`/api/v1/listings/${listing.id}`, { method: 'PATCH', json: body });
        notice('Changes saved.', 'ok');
        sidebar.update?.(listing);
      } else {
        const created = await api('/api/v1/listings', { method: 'POST', json: body });
        notice('Draft saved. Add photos, then publish when it is ready.', 'ok');
        navigate(`#/steward/edit/${created.id}`);
      }
    } catch (error) {
      if (error.details?.length) showErrors(error.details);
      else showErrors([], errorText(error));
    } finally {
      saveButton.disabled = false;
    }
  });

  const sidebar = listing ? draftActions(listing) : { el: null };
  fill(main, 
    h('a', { class: 'back', href: '#/steward' }, '← Steward desk'),
    h('div', { class: 'page-head' }, h('div', {},
      h('h1', { id: 'editor-h' }, listing ? `Edit draft: ${listing.title}` : 'New listing'),
      h('p', {}, listing ? 'Drafts are visible to stewards only.' : 'Save the details first; photos come next.'))),
    form,
    listing ? photoManager(listing) : null,
    sidebar.el);
}

function draftActions(listing) {
  let current = listing;
  const el = h('section', { class: 'panel', 'aria-labelledby': 'actions-h' },
    h('h2', { id: 'actions-h' }, 'Ready?'),
    h('p', { class: 'muted' }, 'Publishing records the listing on chain; after that only cancelling (before the first bid) is possible.'),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn', onclick: async () => { if (await publishListing(current)) navigate(`#/listing/${current.id}`); } }, 'Publish'),
      h('a', { class: 'btn secondary', href: `#/listing/${listing.id}` }, 'Preview'),
      h('button', { type: 'button', class: 'btn danger', onclick: () => cancelListing(current) }, 'Cancel draft'),
      h('button', { type: 'button', class: 'btn danger', onclick: async () => { if (await deleteDraft(current)) navigate('#/steward'); } }, 'Delete draft')));
  return { el, update: (l) => { current = l; } };
}

function photoManager(listing) {
  let photos = [...(listing.photos ?? [])].sort((a, b) => a.position - b.position);
  const list = h('ol', { class: 'photo-list', id: 'photo-list', 'aria-label': 'Photos in display order' });
  const status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const fileInput = h('input', { id: 'photo-input', type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true });
  const zone = h('div', { class: 'drop-zone' },
    h('label', { for: 'photo-input' }, 'Add photos'), fileInput,
    h('p', { class: 'hint' }, 'JPEG, PNG or WebP, up to 20 MB each and 12 per listing. The first photo is the cover. You can also drop files here.'));

  function draw(focus) {
    fill(list, ...photos.map((p, i) => h('li', { class: 'photo-item', dataset: { photoId: p.id } },
      photoImg(p, { small: true, sizes: '200px', alt: `Photo ${i + 1}` }),
      h('span', {}, `Photo ${i + 1}${i === 0 ? ' (cover)' : ''}`, h('span', { class: 'muted' }, ` · ${p.width}×${p.height}`)),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `Move photo ${i + 1} up`, disabled: i === 0, dataset: { act: 'up' }, onclick: () => move(i, -1) }, '↑ Up'),
        h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `Move photo ${i + 1} down`, disabled: i === photos.length - 1, dataset: { act: 'down' }, onclick: () => move(i, 1) }, '↓ Down'),
        h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Delete photo ${i + 1}`, dataset: { act: 'delete' }, onclick: () => remove(i) }, 'Delete')))));
    if (focus) {
      const [photoId, act] = focus;
      const item = list.querySelector(`[data-photo-id="${photoId}"]`);
      const target = item?.querySelector(`[data-act="${act}"]:not([disabled])`) ?? item?.querySelector('button:not([disabled])');
      target?.focus();
    }
  }

  async function move(i, delta) {
    const j = i + delta;
    if (j < 0 || j >= photos.length) return;
    const order = photos.map((p) => p.id);
    [order[i], order[j]] = [order[j], order[i]];
    const moved = photos[i].id;
    try {
      photos = await api(`/api/v1/listings/${listing.id}/photos/order`, { method: 'PUT', json: { photo_ids: order } });
      photos.sort((a, b) => a.position - b.position);
      status.textContent = `Moved to position ${j + 1}.`;
      draw([moved, delta < 0 ? 'up' : 'down']);
    } catch (error) {
      status.textContent = `Could not reorder: ${errorText(error)}`;
    }
  }

  async function remove(i) {
    const photo = photos[i];
    try {
      await api(`/api/v1/listings/${listing.id}/photos/${photo.id}`, { method: 'DELETE' });
      photos = photos.filter((p) => p.id !== photo.id);
      status.textContent = `Photo ${i + 1} deleted.`;
      draw();
      (list.querySelectorAll('.photo-item')[Math.min(i, photos.length - 1)]?.querySelector('button:not([disabled])') ?? fileInput).focus();
    } catch (error) {
      status.textContent = `Could not delete: ${errorText(error)}`;
    }
  }

  async function upload(files) {
    for (const file of files) {
      const preview = URL.createObjectURL(file);
      const pending = h('li', { class: 'photo-item uploading' }, h('img', { src: preview, alt: '' }), h('span', {}, `Uploading ${file.name}…`));
      list.append(pending);
      status.textContent = `Uploading ${file.name}…`;
      const form = new FormData();
      form.append('photo', file, file.name);
      try {
        const photo = await api(`/api/v1/listings/${listing.id}/photos`, { method: 'POST', form });
        photos.push(photo);
        photos.sort((a, b) => a.position - b.position);
        status.textContent = `${file.name} added.`;
      } catch (error) {
        status.textContent = `${file.name}: ${errorText(error)}`;
        notice(`${file.name} was not added: ${errorText(error)}`, 'error');
      } finally {
        URL.revokeObjectURL(preview);
        pending.remove();
        draw();
      }
    }
  }

  fileInput.addEventListener('change', () => {
    const files = [...fileInput.files];
    fileInput.value = '';
    upload(files);
  });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    upload([...e.dataTransfer.files].filter((f) => f.type.startsWith('image/')));
  });

  draw();
  return h('section', { class: 'panel', 'aria-labelledby': 'photos-h' }, h('h2', { id: 'photos-h' }, 'Photos'), zone, status, list);
}

// ---------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------

async function openSignIn() {
  const injected = injectedProvider();
  const dev = state.config?.rpc_url && state.config?.dev_accounts?.length ? state.config.dev_accounts : null;
  if (injected && !dev) return signIn({ kind: 'injected' });
  if (!injected && !dev) {
    await showDialog('No wallet found', h('p', {}, 'Signing in needs an Ethereum wallet in your browser (such as MetaMask). You can browse without one.'));
    return;
  }
  const select = h('select', { id: 'dev-account' },
    dev.map((a, i) => h('option', { value: a }, `Account ${i} · ${shortAddress(a)}`)));
  const body = [
    h('p', {}, 'Sign a message with your wallet to prove the address is yours. It is free and sends no transaction.'),
    h('div', { class: 'field' }, h('label', { for: 'dev-account' }, 'Dev wallet account (local chain)'), select,
      h('p', { class: 'hint' }, 'Development only: these accounts are unlocked on the local node.')),
  ];
  const actions = [['Cancel', null]];
  if (injected) actions.push(['Use browser wallet', () => ({ kind: 'injected' }), 'secondary']);
  actions.push(['Use dev wallet', () => ({ kind: 'dev', account: select.value })]);
  const choice = await showDialog('Sign in', body, actions);
  if (choice) await signIn(choice);
}

async function signIn(choice) {
  const waiting = notice('Check your wallet to sign the sign-in message…');
  try {
    const provider = walletFor(choice);
    const address = await requestAccount(provider);
    const chainId = state.config?.chain_id ?? parseInt(await provider.request({ method: 'eth_chainId' }), 16);
    const { nonce } = await api('/api/v1/auth/nonce');
    const message = buildSiweMessage({ host: location.host, origin: location.origin, address, chainId, nonce });
    const signature = await personalSign(provider, message, address);
    state.me = await api('/api/v1/auth/login', { method: 'POST', json: { message, signature } });
    state.wallet = { choice, provider, account: address };
    localStorage.setItem(WALLET_KEY, JSON.stringify(choice));
    waiting.remove();
    renderHeader();
    notice(`Signed in as ${shortAddress(toChecksumAddress(state.me.address))}.`, 'ok');
    await render({ focus: false });
  } catch (error) {
    waiting.remove();
    notice(`Sign-in failed: ${errorText(error)}`, 'error');
  }
}

async function signOut() {
  try {
    await api('/api/v1/auth/logout', { method: 'POST' });
  } catch (error) {
    notice(`Could not sign out: ${errorText(error)}`, 'error');
    return;
  }
  state.me = null;
  state.wallet = null;
  localStorage.removeItem(WALLET_KEY);
  renderHeader();
  notice('Signed out.', 'ok');
  if (/^\/(steward|won)/.test(currentRoute().path)) navigate('#/');
  else render({ focus: false });
}

// ---------------------------------------------------------------------------------
// Boot
// ---------------------------------------------------------------------------------

async function loadConfig() {
  try {
    return await api('/api/v1/config');
  } catch (error) {
    if (error.status !== 404) console.warn('config unavailable', error);
    return null;
  }
}

async function loadMe() {
  try {
    return await api('/api/v1/me');
  } catch {
    return null;
  }
}

async function boot() {
  window.addEventListener('hashchange', () => render());
  setInterval(tickCountdowns, 1000);
  const [config, me] = await Promise.all([loadConfig(), loadMe()]);
  state.config = config;
  state.me = me;
  renderHeader();
  renderFooter();
  const injected = injectedProvider();
  injected?.on?.('accountsChanged', (accounts) => {
    state.wallet = null;
    if (state.me && accounts?.[0] && !sameAddress(accounts[0], state.me.address)) {
      notice(`Your wallet switched to ${shortAddress(accounts[0])}; you are still signed in as ${shortAddress(state.me.address)}.`);
    }
  });
  await render({ focus: false });
  document.documentElement.dataset.ready = 'true';
}

boot();
