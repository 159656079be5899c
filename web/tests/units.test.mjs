// Pure helpers of the page (amounts, suggestions, labels, routes, features), bundled from
// the TypeScript sources with esbuild and run in Node. No browser, no service.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { root } from "./harness.mjs";

let dir;
let m;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "commissary-units-"));
  const entry = join(dir, "entry.ts");
  const { writeFile } = await import("node:fs/promises");
  const src = (p) => JSON.stringify(join(root, "web/src", p));
  await writeFile(
    entry,
    [
      `export * from ${src("lib/amount.ts")};`,
      `export { percentFromBps, bpsFromPercent, badgeOf, reserveMet } from ${src("lib/labels.ts")};`,
      `export { parseRoute } from ${src("router.ts")};`,
      `export { featuresFrom } from ${src("api/features.ts")};`,
      `export { formatDuration } from ${src("lib/time.ts")};`,
      `export { publishProblems, plainMessage } from ${src("steward/fields.ts")};`,
      `export { MESSAGES, apiMessage, RELAY_REASONS, relayReason } from ${src("api/messages.ts")};`,
      `export { ApiError } from ${src("api/client.ts")};`,
      `export { applyEvent } from ${src("lib/liveListing.ts")};`,
      `export { withLastEventId } from ${src("lib/live.ts")};`,
    ].join("\n"),
  );
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: join(dir, "entry.mjs"),
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "error",
  });
  m = await import(pathToFileURL(join(dir, "entry.mjs")).href);
});

after(() => rm(dir, { recursive: true, force: true }));

const AMPLED = 10n ** 18n;

test("amounts format exactly, with every digit and grouped thousands", () => {
  assert.equal(m.formatAmpled(0n), "0 AMPLED");
  assert.equal(m.formatAmpled(1234n * AMPLED + AMPLED / 2n), "1,234.5 AMPLED");
  assert.equal(m.formatAmpled("1"), "0.000000000000000001 AMPLED");
  assert.equal(m.formatAmpled(79228162514264337593543950335n), "79,228,162,514.264337593543950335 AMPLED");
  assert.equal(m.formatAmpled(5n * AMPLED, { unit: false }), "5");
});

test("typed amounts parse to base units or say what is wrong", () => {
  assert.equal(m.parseAmpled("12.5"), 12n * AMPLED + AMPLED / 2n);
  assert.equal(m.parseAmpled(" 1,000 "), 1000n * AMPLED);
  assert.equal(m.parseAmpled("0.000000000000000001"), 1n);
  assert.throws(() => m.parseAmpled("1e3"), /Enter an amount/);
  assert.throws(() => m.parseAmpled("-1"), /Enter an amount/);
  assert.throws(() => m.parseAmpled("0.0000000000000000001"), /18 decimal places/);
});

test("suggested bids are round amounts at or above the minimum", () => {
  const ampled = (list) => list.map((v) => v / AMPLED);
  assert.deepEqual(ampled(m.suggestedBids((441n * AMPLED) / 10n)), [45n, 50n, 55n]);
  assert.deepEqual(ampled(m.suggestedBids(8n * AMPLED)), [8n, 9n, 10n]);
  assert.deepEqual(ampled(m.suggestedBids(1050n * AMPLED)), [1100n, 1200n, 1300n]);
  for (const min of [1n, 3n * AMPLED + 1n, 99n * AMPLED, 123456789n * AMPLED]) {
    const [first] = m.suggestedBids(min);
    assert.ok(first >= min, `${first} >= ${min}`);
    assert.equal(first % AMPLED, 0n);
  }
});

test("minimum raise is shown in percent, never basis points", () => {
  assert.equal(m.percentFromBps(500), "5");
  assert.equal(m.percentFromBps(250), "2.5");
  assert.equal(m.percentFromBps(1), "0.01");
  assert.equal(m.bpsFromPercent("5 %"), 500);
  assert.equal(m.bpsFromPercent("2,5"), 250);
  assert.equal(m.bpsFromPercent("five"), null);
});

test("badges follow the chain's clock: live, ending soon, extended, ended", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  const live = { status: "live", ends_at: "2026-12-02T12:00:00Z" };
  assert.equal(m.badgeOf(live, now), "live");
  assert.equal(m.badgeOf({ ...live, ends_at: "2026-12-01T12:30:00Z" }, now), "ending_soon");
  assert.equal(m.badgeOf({ ...live, ends_at: "2026-12-01T12:30:00Z" }, now, "2026-12-01T12:20:00Z"), "extended");
  assert.equal(m.badgeOf({ ...live, ends_at: "2026-12-01T11:59:59Z" }, now), "ended");
  assert.equal(m.badgeOf({ status: "unsold", ends_at: "2026-12-01T11:00:00Z" }, now), "unsold");
});

test("routes and features", () => {
  assert.deepEqual(m.parseRoute("#/listing/abc"), { name: "listing", id: "abc" });
  assert.deepEqual(m.parseRoute("#/steward/edit/x"), { name: "editor", id: "x" });
  assert.equal(m.parseRoute("#/steward/new").name, "editor");
  assert.equal(m.parseRoute("#/?q=amp").query.get("q"), "amp");
  assert.equal(m.parseRoute("#/nope/1/2").name, "not_found");
  assert.deepEqual(m.featuresFrom(["/api/v1/listings"]), {
    gaslessBids: false,
    liveEvents: false,
    myBids: false,
    maxBids: false,
  });
  assert.equal(
    m.featuresFrom(["/api/v1/listings/{id}/bid-quote", "/api/v1/listings/{id}/bids/relay"]).gaslessBids,
    true,
  );
  assert.equal(m.featuresFrom(["/api/v1/listings/{id}/bid-quote"]).gaslessBids, false);
  assert.equal(m.featuresFrom(["/api/v1/listings/{id}/max-bid-quote", "/api/v1/listings/{id}/max-bid"]).maxBids, true);
});

test("the editor names what publishing needs, in plain words", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  const problems = m.publishProblems({ photos: [], description: " ", starts_at: "2026-12-01T11:00:00Z" }, now);
  assert.deepEqual(
    problems.map((p) => p.field),
    ["photos", "description", "starts_at"],
  );
  assert.equal(
    m.plainMessage({
      field: "min_increment_bps",
      code: "out_of_range",
      message: "min_increment_bps must be between 1 and 10000",
    }),
    "The minimum raise must be between 0.01 % and 100 %.",
  );
  assert.equal(
    m.plainMessage({ field: "ends_at", code: "before_start", message: "ends_at must be after starts_at" }),
    "Closes must be after opens.",
  );
});

/** Every error code the service can answer with, read from its Rust sources. */
async function apiCodes() {
  const codes = new Set();
  const rs = async (dir) => {
    const out = [];
    for (const entry of await readdir(join(root, dir), { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.endsWith(".rs")) out.push(join(entry.parentPath ?? entry.path, entry.name));
    }
    return out;
  };
  // The API's constructors: ApiError::bad_request("code", …), ApiError::new(StatusCode::X, "code", …).
  for (const file of await rs("crates/api/src")) {
    const text = await readFile(file, "utf8");
    for (const [, code] of text.matchAll(/(?:bad_request|unauthorized|conflict|unprocessable)\(\s*"([a-z_]+)"/g))
      codes.add(code);
    for (const [, code] of text.matchAll(/StatusCode::[A-Z_]+,\s*"([a-z_]+)"/g)) codes.add(code);
  }
  // Codes that pass through from the crates below: database conflicts, claim refusals, photo errors.
  const arms = (text) => [...text.matchAll(/=>\s*"([a-z_]+)"/g)].map((x) => x[1]);
  const conflicts = await readFile(join(root, "crates/db/src/error.rs"), "utf8");
  for (const code of arms(
    conflicts.slice(conflicts.indexOf("Conflict"), conflicts.indexOf(");", conflicts.indexOf("Conflict"))),
  ))
    codes.add(code);
  const claims = await readFile(join(root, "crates/domain/src/fulfillment.rs"), "utf8");
  const claimCode = claims.indexOf("impl ClaimRefused");
  for (const code of arms(claims.slice(claimCode, claims.indexOf("\n}\n", claimCode)))) codes.add(code);
  const photos = await readFile(join(root, "crates/photos/src/error.rs"), "utf8");
  const photoCode = photos.indexOf("fn code");
  for (const code of arms(photos.slice(photoCode, photos.indexOf("\n    }\n", photoCode)))) codes.add(code);
  return codes;
}

test("every refusal code of the API has a sentence in the page's words", async () => {
  const codes = await apiCodes();
  // A sanity floor: the scan must have found the codes it is meant to (or it tests nothing).
  for (const known of [
    "unauthenticated",
    "listing_not_draft",
    "invalid_transition",
    "claim_period_over",
    "image_corrupt",
  ])
    assert.ok(codes.has(known), `the scan found ${known}`);
  const missing = [...codes].filter((c) => !(c in m.MESSAGES));
  assert.deepEqual(missing, [], "codes without a message in web/src/api/messages.ts");
  for (const code of codes) {
    const text = m.apiMessage(new m.ApiError(409, code, "developer text", [], {}, null));
    assert.ok(text && text !== "developer text" && !/[a-z]+_[a-z]+/.test(text), `${code}: ${text}`);
  }
  const transition = new m.ApiError(409, "invalid_transition", "x", [], {
    from: "claimed",
    to: "handed_over",
    allowed: ["ready_for_pickup"],
  });
  assert.match(m.apiMessage(transition), /“Handed over” from here; it can move to Ready for pickup/);
  assert.match(m.apiMessage(new m.ApiError(429, "rate_limited", "x", [], {}, 7)), /Try again in 7 s/);
  assert.match(m.apiMessage(new m.ApiError(422, "invalid_code", "x", [], { remaining_attempts: 2 })), /2 tries left/);
});

test("a live bid event moves the price, minimum, end and count of the listing it names", () => {
  const listing = {
    id: "L",
    status: "live",
    reserve_price: "10",
    current_price: "10",
    highest_bid: null,
    highest_bidder: null,
    min_next_bid: "10",
    ends_at: "2026-12-01T12:00:00Z",
    bid_count: 0,
  };
  const bid = {
    listing_id: "L",
    highest_bid: "20",
    highest_bidder: "0xabc",
    min_next_bid: "21",
    ends_at: "2026-12-01T12:05:00Z",
    bid_count: 1,
  };
  const after = m.applyEvent(listing, "bid", bid);
  assert.equal(after.current_price, "20");
  assert.equal(after.min_next_bid, "21");
  assert.equal(after.ends_at, "2026-12-01T12:05:00Z");
  assert.equal(after.bid_count, 1);
  assert.equal(m.applyEvent(listing, "bid", { ...bid, listing_id: "other" }), listing);
  const removed = m.applyEvent(after, "bid_removed", { ...bid, highest_bid: null, highest_bidder: null, bid_count: 0 });
  assert.equal(removed.current_price, "10", "back to the reserve when the only bid is taken back");
  assert.equal(m.applyEvent(listing, "status", { listing_id: "L", status: "ended" }).status, "ended");
  assert.equal(m.withLastEventId("/api/v1/events", "42"), "/api/v1/events?last_event_id=42");
  assert.equal(m.withLastEventId("/api/v1/events?listing=a", "42"), "/api/v1/events?listing=a&last_event_id=42");
});

test("every reason the relay can be unavailable, and every relayed bid's failure code, is said in words", async () => {
  const relay = await readFile(join(root, "crates/domain/src/relay.rs"), "utf8");
  const unavailable = relay.slice(
    relay.indexOf("pub Unavailable {"),
    relay.indexOf("}", relay.indexOf("pub Unavailable {")),
  );
  const reasons = [...unavailable.matchAll(/=>\s*"([a-z_]+)"/g)].map((x) => x[1]);
  assert.ok(reasons.includes("relayer_balance") && reasons.length >= 5, `the scan found ${reasons}`);
  assert.deepEqual(
    reasons.filter((r) => !(r in m.RELAY_REASONS)),
    [],
    "relay reasons without a sentence",
  );
  const failure = relay.slice(
    relay.indexOf("pub fn failure_code"),
    relay.indexOf("\n}\n", relay.indexOf("pub fn failure_code")),
  );
  const codes = [...new Set([...failure.matchAll(/=>\s*"([a-z_]+)"/g)].map((x) => x[1]))];
  assert.ok(codes.includes("bid_too_low") && codes.includes("reverted"), `the scan found ${codes}`);
  assert.deepEqual(
    codes.filter((c) => !(c in m.MESSAGES)),
    [],
    "failure codes without a sentence",
  );
  const unavailableNow = new m.ApiError(503, "relay_unavailable", "x", [], { reason: "daily_gas" }, 60);
  assert.match(m.apiMessage(unavailableNow), /budget for gasless bids is spent for today\. Try again in 60 s\./);
  assert.match(m.relayReason(null), /relayer cannot send bids right now/);
});
