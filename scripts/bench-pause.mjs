// How quickly the page answers on a link, as a learner sees it (a benchmark, not a test):
//   node scripts/bench-pause.mjs URL [--fps SECONDS]
// Opens URL in headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium), waits for "ready" and for
// the first maps to be drawn, presses Play, and prints as JSON the time to the first new frame and,
// 1.5 s later, from Pause to a status other than "training". With --fps S it instead plays for S
// seconds and then measures the main thread's frames per second over 10 s.
// Serve the page first (npm start, or PORT=8123 node scripts/serve.mjs).
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--'));
const fpsAt = args.includes('--fps') ? Number(args[args.indexOf('--fps') + 1]) : null;
if (!url) {
  console.error('usage: node scripts/bench-pause.mjs URL [--fps SECONDS]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const state = () => page.evaluate(() => document.querySelector('[data-testid=status]')?.dataset.state);
const t0 = Date.now();
await page.goto(url);
await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.dataset.state === 'ready', null, { timeout: 900_000, polling: 100 });
const ready = (Date.now() - t0) / 1000;
// The page draws only what is on screen: bring the students' maps into view.
await page.locator('[data-testid=method-cards]').scrollIntoViewIfNeeded();
const map = () => page.$eval('[data-testid=method-cards] canvas', (c) => {
  const s = c.toDataURL();
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
});
let before = await map();
for (let still = Date.now(), start = Date.now(); Date.now() - still < 1500 && Date.now() - start < 120_000; ) {
  await page.waitForTimeout(100);
  const now = await map();
  if (now !== before) {
    before = now;
    still = Date.now();
  }
}
const out = { url, ready_s: ready };
const tp = Date.now();
await page.click('[data-testid=play]');
if (fpsAt !== null) {
  await page.waitForTimeout(fpsAt * 1000);
  Object.assign(out, await page.evaluate(async () => {
    const gaps = [];
    let last = performance.now();
    const start = last;
    await new Promise((done) => {
      const tick = (t) => {
        gaps.push(t - last);
        last = t;
        if (t - start < 10_000) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    gaps.sort((a, b) => a - b);
    return {
      fps: +(gaps.length / ((last - start) / 1000)).toFixed(1),
      longest_gap_ms: Math.round(gaps[gaps.length - 1]),
      p95_gap_ms: Math.round(gaps[Math.floor(gaps.length * 0.95)]),
      epoch: document.querySelector('[data-testid=epoch]').textContent,
    };
  }));
} else {
  while ((await map()) === before && Date.now() - tp < 900_000) await page.waitForTimeout(25);
  out.play_to_first_frame_s = (Date.now() - tp) / 1000;
  await page.waitForTimeout(1500);
  const tq = Date.now();
  await page.click('[data-testid=pause]');
  while ((await state()) === 'training') await page.waitForTimeout(20);
  out.pause_to_paused_s = (Date.now() - tq) / 1000;
}
console.log(JSON.stringify(out));
await browser.close();
