// The page's first load over a slow link (a benchmark, not a test):
//   node scripts/bench-load.mjs URL [--reps N] [--kbit 1000] [--latency 40]
// Opens URL in a fresh headless Chromium context (CHROMIUM_PATH, default /usr/bin/chromium; no
// service worker, nothing cached) with the network throttled to --kbit kilobits per second down and
// --latency ms, and prints as JSON, median of N loads (default 3): the seconds until the status says
// "ready" (the engine up and the first session built) and the bytes that crossed the wire (page,
// workers and data). Serve the page first (npm start, or PORT=8123 node scripts/serve.mjs).
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const reps = opt('--reps', 3);
const kbit = opt('--kbit', 1000);
const latency = opt('--latency', 40);
if (!url) {
  console.error('usage: node scripts/bench-load.mjs URL [--reps N] [--kbit 1000] [--latency 40]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const runs = [];
for (let r = 0; r < reps; r++) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: (kbit * 1000) / 8, uploadThroughput: (kbit * 1000) / 8 });
  // Every request of the page and its workers: the body as it crossed the wire (compressed or not).
  const sizes = [];
  context.on('requestfinished', (req) => sizes.push(req.sizes().then((s) => s.responseBodySize).catch(() => 0)));
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'paused', 'finished', 'training'].includes(document.querySelector('[data-testid=status]')?.dataset.state), null, { timeout: 600_000, polling: 20 });
  const seconds = (Date.now() - t0) / 1000;
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  runs.push({ seconds, bytes });
  console.error(`load ${r + 1}: ${runs.at(-1).seconds.toFixed(2)} s, ${bytes.toLocaleString('en')} bytes`);
  await context.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ url, kbit, latency, reps, ready_s: median(runs.map((r) => r.seconds)), bytes: median(runs.map((r) => r.bytes)), runs }, null, 2));
await browser.close();
