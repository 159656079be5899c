// The page's budget, measured (a benchmark, not a test): the JS + CSS of the first load,
// compressed as the binary sends it, and the listing page's largest contentful paint in
// headless Chromium against `commissary dev`. Run by `make bench`; numbers go in the README.
//
// usage: node web/bench/page.bench.mjs [runs]

import { gzipSync } from "node:zlib";
import { launchBrowser, startCommissary, walletContext } from "../tests/harness.mjs";

const runs = Number(process.argv[2] ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const app = await startCommissary();
const chromium = await launchBrowser();
try {
  const listings = await fetch(`${app.url}/api/v1/listings?limit=1`).then((r) => r.json());
  const listingId = listings.items[0].id;

  const firstLoad = [];
  const lcp = [];
  for (let i = 0; i < runs; i++) {
    // A fresh context each time: a cold cache, like a first visit.
    const { context } = await walletContext(chromium.browser, app, null);
    const page = await context.newPage();
    const assets = [];
    page.on("response", (response) => {
      const type = response.request().resourceType();
      if (type === "script" || type === "stylesheet") assets.push(response);
    });
    await page.addInitScript(() => {
      window.__lcp = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__lcp = entry.startTime;
      }).observe({ type: "largest-contentful-paint", buffered: true });
    });
    await page.goto(`/#/listing/${listingId}`, { waitUntil: "networkidle" });
    await page.locator(".gallery img").first().waitFor();
    await page.waitForTimeout(500);
    lcp.push(await page.evaluate(() => window.__lcp));
    let bytes = 0;
    for (const response of assets) bytes += (await response.request().sizes()).responseBodySize;
    firstLoad.push(bytes);
    if (i === 0) {
      const raw = await Promise.all(assets.map((r) => r.body()));
      const gzip9 = raw.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
      const plain = raw.reduce((n, b) => n + b.length, 0);
      console.log(
        `first load: ${assets.length} files (${assets.map((r) => new URL(r.url()).pathname).join(", ")}), ` +
          `${(plain / 1024).toFixed(1)} KiB uncompressed, ${(gzip9 / 1024).toFixed(1)} KiB gzip -9`,
      );
    }
    await context.close();
  }
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `first-load JS + CSS as sent (Content-Encoding of the binary): median ${kib(median(firstLoad))} (budget 150 KB)`,
  );
  console.log(
    `listing page LCP, headless Chromium, cold cache, ${runs} runs: median ${median(lcp).toFixed(0)} ms, ` +
      `max ${Math.max(...lcp).toFixed(0)} ms (budget 1000 ms)`,
  );
} finally {
  await chromium.close();
  await app.stop();
}
