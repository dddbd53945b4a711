// Shared helpers of the browser end-to-end tests (tests/e2e/*.test.mjs).
//
// Each test file is its own process under `node --test`: it calls `useBrowser()` once at the top, which
// starts scripts/serve.mjs in-process on a free port of 127.0.0.1 and launches Debian's Chromium through
// playwright-core (the flags TOOLCHAIN.md lists), and closes both afterwards. `openPage()` gives a page
// whose console errors, uncaught errors, failed requests and every request URL are recorded, so a test
// ends with `assertCleanAndLocal(log)`: no console error, no request off the server's origin.
//
// Needs www/pkg (bash scripts/build.sh) and the release CLI (SLAM_LAB_BIN, or target/release/slam-lab,
// built on demand) for the comparisons with the command line.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

const env = { server: null, browser: null };

/**
 * Registers before/after hooks that start the server (on www/, or `root`: another build of the page)
 * and the browser for this test file. Returns an object whose `server` and `browser` are set once
 * `before` has run.
 */
export function useBrowser({ root = path.join(ROOT, 'www'), build = 'bash scripts/build.sh' } = {}) {
  before(async () => {
    assert.ok(
      fs.existsSync(path.join(root, 'pkg', 'slam_lab.js')),
      `${path.relative(ROOT, root)}/pkg/slam_lab.js is missing: run \`${build}\` (npm test does) first`,
    );
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    env.server = await startServer({ port: 0, root });
    env.browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true });
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

export const origin = () => new URL(env.server.url).origin;

/** The page's URL with a query string (`'?scenario=digits'`) or none. */
export const pageUrl = (query = '') => env.server.url + query;

// ---------------------------------------------------------------------------------------------
// A page with everything it does recorded.

/**
 * Opens the page at `query` in a fresh browser context. `log` collects console errors and warnings
 * (page and workers), uncaught errors, every request URL, failed requests and error responses.
 * `wait: false` returns before the engine is ready.
 */
export async function openPage({ viewport = DESKTOP, query = '', wait = true, reducedMotion = 'reduce' } = {}) {
  const context = await env.browser.newContext({ viewport, reducedMotion, acceptDownloads: true });
  const page = await context.newPage();
  const log = { consoleErrors: [], consoleWarnings: [], pageErrors: [], requests: [], badResponses: [], failedRequests: [] };
  const onConsole = (where) => (msg) => {
    if (msg.type() === 'error') log.consoleErrors.push(`${where}: ${msg.text()}`);
    if (msg.type() === 'warning') log.consoleWarnings.push(`${where}: ${msg.text()}`);
  };
  page.on('console', onConsole('page'));
  page.on('worker', (worker) => worker.on('console', onConsole(`worker ${worker.url()}`)));
  page.on('pageerror', (err) => log.pageErrors.push(String(err)));
  context.on('request', (req) => log.requests.push(req.url()));
  context.on('requestfailed', (req) => {
    // A download the test starts and never saves is "aborted" by design; anything else is a failure.
    if (!req.url().startsWith('blob:')) log.failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`);
  });
  context.on('response', (res) => {
    if (res.status() >= 400) log.badResponses.push(`${res.status()} ${res.url()}`);
  });
  // Pixel read-back for the canvas checks, on a copy: reading the page's own canvases would make
  // Chromium warn about them (and slow their drawing).
  await context.addInitScript(() => {
    window.__readPixels = (canvas) => {
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(canvas, 0, 0);
      return ctx.getImageData(0, 0, copy.width, copy.height);
    };
  });
  await page.goto(pageUrl(query));
  if (wait) await waitReady(page);
  return { context, page, log };
}

/** Every request URL that is not on the server's origin (data: and blob: URLs stay in the page). */
export function offOrigin(log) {
  const o = origin();
  return log.requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== o);
}

/** Nothing went wrong on the page, and every request it made stayed on the server's origin. */
export function assertCleanAndLocal(log, { allowWarnings = false } = {}) {
  assert.deepEqual(offOrigin(log), [], `requests that left ${origin()}`);
  assert.deepEqual(log.pageErrors, [], 'uncaught errors on the page');
  assert.deepEqual(log.consoleErrors, [], 'console errors');
  // The page logs a failed chart draw as a warning (it must not stop the page): none is expected either.
  if (!allowWarnings) assert.deepEqual(log.consoleWarnings, [], 'console warnings');
  assert.deepEqual(log.failedRequests, [], 'failed requests');
  assert.deepEqual(log.badResponses, [], 'responses with an error status');
  // The recording itself works: the page, its worker and the wasm were all seen, from the origin.
  for (const suffix of ['/main.js', '/worker.js', '/pkg/slam_lab_bg.wasm']) {
    assert.ok(log.requests.some((u) => u.startsWith(origin() + suffix)), `request for ${suffix} not seen`);
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting for the page.

const state = (page) => page.getByTestId('status').getAttribute('data-state');

/** The engine has loaded and built the session on screen: status "ready" (or later) and Play enabled. */
export async function waitReady(page, timeout = 60_000) {
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="status"]')?.dataset.state;
      const play = document.querySelector('[data-testid="play"]');
      return ['ready', 'paused', 'finished', 'training'].includes(s) && play && (!play.disabled || s === 'training');
    },
    null,
    { timeout, polling: 50 },
  );
}

/** Training has ended: status data-state="finished". */
export async function waitFinished(page, timeout = 90_000) {
  await page.waitForFunction(
    () => document.querySelector('[data-testid="status"]')?.dataset.state === 'finished',
    null,
    { timeout, polling: 50 },
  );
}

/** Waits for a rebuild that a change started (status leaves "building", the epoch is back to 0). */
export async function waitRebuilt(page, timeout = 60_000) {
  await page.waitForFunction(
    () => document.querySelector('[data-testid="status"]')?.dataset.state !== 'building',
    null,
    { timeout, polling: 50 },
  );
  await waitReady(page, timeout);
}

export async function statusOf(page) {
  return state(page);
}

/** Selects "as fast as possible" in the speed control (a change event, as a learner would). */
export async function fastest(page) {
  const last = await page.getByTestId('speed').evaluate((s) => s.options[s.options.length - 1].value);
  await page.getByTestId('speed').selectOption(last);
}

/** Clicks Play and waits for the run to finish. */
export async function playToEnd(page, timeout) {
  await page.getByTestId('play').click();
  await waitFinished(page, timeout);
}

/** The per-method accuracies on the training cards: {method: "87.3"}. */
export async function shownAccuracies(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('[data-testid^="accuracy-"]')) {
      out[el.dataset.testid.slice('accuracy-'.length)] = el.textContent.trim();
    }
    return out;
  });
}

/**
 * The epoch on the counter and every card's accuracy, once the cards are drawn at that epoch (each
 * card says the epoch its number is from): {epoch, accuracies: {method: "87.3"}}. Fails if a card
 * stays at another epoch than the counter's.
 */
export async function shownAtEpoch(page, timeout = 10_000) {
  await page.waitForFunction(() => {
    const epoch = document.querySelector('[data-testid="epoch"]').textContent.trim();
    const cards = [...document.querySelectorAll('[data-testid^="accuracy-"]')];
    return cards.length > 0 && cards.every((c) => c.dataset.epoch === epoch);
  }, null, { timeout, polling: 50 });
  return { epoch: await shownEpoch(page), accuracies: await shownAccuracies(page) };
}

/** The multi-seed results table: {method: "87.3"} from data-testid="result-mean-<method>". */
export async function shownMeans(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('[data-testid^="result-mean-"]')) {
      out[el.dataset.testid.slice('result-mean-'.length)] = el.textContent.trim();
    }
    return out;
  });
}

export const shownEpoch = async (page) => Number(await page.getByTestId('epoch').textContent());

/** The query string the page wrote into its address bar, as URLSearchParams. */
export async function urlParams(page) {
  return new URL(page.url()).searchParams;
}

// ---------------------------------------------------------------------------------------------
// Checks on what is on screen.

/** No horizontal scrolling: the document is not wider than the viewport. */
export async function assertNoHorizontalOverflow(page) {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const vw = window.innerWidth;
    const culprits = [];
    // Inside a scrolling box (a wide table) is fine; sticking out of the page is not.
    const scrolls = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1 && getComputedStyle(el).position !== 'fixed' && !scrolls(el)) {
        culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''} right=${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, culprits: culprits.slice(0, 8) };
  });
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport: ${culprits.join('; ')}`);
}

/**
 * No "NaN", "undefined", "Infinity", "null" or "[object" in any visible text, form value or chart
 * label on the page (the uPlot legends and axes are DOM text too).
 */
export async function assertNoBadNumbers(page, where = '') {
  const found = await page.evaluate(() => {
    const bad = /\bNaN\b|\bundefined\b|\bInfinity\b|\bnull\b|\[object /;
    const hits = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('script, style, [hidden]')) continue;
      if (bad.test(n.textContent)) hits.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}: ${n.textContent.trim().slice(0, 80)}`);
    }
    for (const el of document.querySelectorAll('input, textarea, select, output')) {
      if (el.type === 'file') continue;
      if (bad.test(el.value)) hits.push(`${el.tagName.toLowerCase()}#${el.id}: value ${el.value}`);
    }
    for (const el of document.querySelectorAll('[aria-label], [title]')) {
      const t = `${el.getAttribute('aria-label') ?? ''} ${el.getAttribute('title') ?? ''}`;
      if (bad.test(t)) hits.push(`${el.tagName.toLowerCase()} label: ${t.trim().slice(0, 80)}`);
    }
    return hits;
  });
  assert.deepEqual(found, [], `bad numbers on screen${where ? ` (${where})` : ''}`);
}

/**
 * Counts the pixels of a canvas that are neither white nor transparent (a drawn heatmap or scatter
 * has many; an empty plot none but its frame).
 */
export async function inkedPixels(locator) {
  return locator.evaluate((canvas) => {
    const { data } = window.__readPixels(canvas);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) n++;
    }
    return n / (canvas.width * canvas.height);
  });
}

/** How many distinct (coarsely quantised) colours a canvas holds: a class heatmap has several. */
export async function colourCount(locator) {
  return locator.evaluate((canvas) => {
    const { data } = window.__readPixels(canvas);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 16) seen.add(`${data[i] >> 4},${data[i + 1] >> 4},${data[i + 2] >> 4}`);
    return seen.size;
  });
}

// ---------------------------------------------------------------------------------------------
// Main-thread smoothness: frames counted with requestAnimationFrame while something runs.

/** Starts counting frames in the page; `stopFrameMeter` returns {fps, frames, seconds, longestGapMs}. */
export async function startFrameMeter(page) {
  await page.evaluate(() => {
    const m = { frames: 0, start: performance.now(), last: performance.now(), longest: 0, running: true };
    window.__frameMeter = m;
    const tick = (t) => {
      if (!m.running) return;
      m.frames++;
      m.longest = Math.max(m.longest, t - m.last);
      m.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

export async function stopFrameMeter(page) {
  return page.evaluate(() => {
    const m = window.__frameMeter;
    m.running = false;
    const seconds = (performance.now() - m.start) / 1000;
    return { fps: m.frames / seconds, frames: m.frames, seconds, longestGapMs: m.longest };
  });
}

// ---------------------------------------------------------------------------------------------
// CSV upload.

/** Puts a file with `text` into the page's CSV input (as a learner choosing a file). */
export async function uploadCsv(page, name, text) {
  await page.getByTestId('csv-upload').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
}

// ---------------------------------------------------------------------------------------------
// The native CLI, the reference the page must agree with.

let binary = null;
export function cliBinary() {
  if (binary) return binary;
  const target = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
  const bin = process.env.SLAM_LAB_BIN || path.join(target, 'release', 'slam-lab');
  if (!fs.existsSync(bin)) {
    execFileSync('cargo', ['build', '--release', '--bin', 'slam-lab'], { cwd: ROOT, stdio: 'inherit' });
  }
  binary = bin;
  return bin;
}

/**
 * Runs `slam-lab run --scenario S [--dataset D] --seeds N --json [--config FILE]` and parses its stdout.
 * `dataset` is a built-in name or a CSV path.
 */
export function cli({ scenario = 'flagship', dataset, seeds = 1, config } = {}) {
  const args = ['run', '--scenario', scenario, '--seeds', String(seeds), '--json'];
  if (dataset) args.push('--dataset', dataset);
  return cliJson(args, config);
}

/** Runs the CLI with `args` (and `config` written to a temporary --config file) and parses its JSON. */
function cliJson(args, config) {
  let tmp;
  if (config) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-lab-e2e-'));
    const file = path.join(tmp, 'config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    args = [...args, '--config', file];
  }
  try {
    return JSON.parse(execFileSync(cliBinary(), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }));
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `slam-lab explain --scenario S --method M --skip K --res R [--config FILE]`: one step taken apart. */
export function cliExplain({ scenario = 'flagship', method = 'slam', skip = 0, res = 64, config } = {}) {
  return cliJson(['explain', '--scenario', scenario, '--method', method, '--skip', String(skip), '--res', String(res)], config);
}

/** Runs `slam-lab sweep --scenario S --vary KEY=VALUES --seeds N --json [--config FILE]` and parses it. */
export function cliSweep({ scenario = 'flagship', vary, seeds = 1, config } = {}) {
  return cliJson(['sweep', '--scenario', scenario, '--vary', vary, '--seeds', String(seeds), '--json'], config);
}

/** What the page shows for an accuracy fraction: percent, one decimal. */
export const pct = (x) => (x * 100).toFixed(1);

/** {method: "87.3"} for seed index `i` of a CLI report. */
export function cliAccuracies(report, i = 0) {
  return Object.fromEntries(Object.entries(report.methods).map(([name, m]) => [name, pct(m.per_seed[i])]));
}

// ---------------------------------------------------------------------------------------------
// Screenshots.

/**
 * A fingerprint of each student's map (FNV-1a of its PNG): equal pictures, equal fingerprints.
 * `count` limits it to the first maps (a poll of the first map stays cheap).
 */
export const mapFingerprints = (page, count = Infinity) => page.$$eval('[data-testid="method-cards"] canvas', (cs, n) => cs.slice(0, n).map((c) => {
  const png = c.toDataURL();
  let h = 0x811c9dc5;
  for (let i = 0; i < png.length; i++) h = Math.imul(h ^ png.charCodeAt(i), 16777619) >>> 0;
  return `${png.length}:${h.toString(16)}`;
}), count === Infinity ? 1e9 : count);

/**
 * Saves a screenshot to test-results/NAME.png (the viewport, or the full page with `fullPage`, or one
 * element with `locator`). Returns the path.
 */
export async function screenshot(page, name, { fullPage = false, locator = null } = {}) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage });
  return file;
}

/** Prints a line into the test output (node --test shows a test's diagnostics under it). */
export function report(t, line) {
  t.diagnostic(`[e2e] ${line}`);
}

/** "fps 57.3 (172 frames in 3.0 s, longest gap 41 ms)" */
export function describeFrames(m) {
  return `${m.fps.toFixed(1)} fps (${m.frames} frames in ${m.seconds.toFixed(1)} s, longest gap between frames ${Math.round(m.longestGapMs)} ms)`;
}
