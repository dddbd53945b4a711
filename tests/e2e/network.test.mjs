// A slow or absent network is said plainly: the engine's download shows its progress and a key
// pressed meanwhile is kept; a blocked download says what failed and offers Retry, with no uncaught
// error; a failed data download puts the screen, the URL and Copy link back in agreement; and after
// a first visit the page works offline (the flagship, digits and real-teacher).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, waitReady, shownAtEpoch, cli, pct, report,
} from './helpers.mjs';
import { startServer } from '../../scripts/serve.mjs';

const env = useBrowser();

const errorText = (page) => page.getByTestId('error').textContent();

/** A fresh context whose requests can be blocked; service workers blocked too unless `sw`. */
async function freshPage({ sw = false } = {}) {
  const context = await env.browser.newContext({ serviceWorkers: sw ? 'allow' : 'block', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  }));
  return { context, page, errors };
}

test('over a slow link the engine\'s download shows bytes of the total, and Space pressed meanwhile plays once it is up', { timeout: 180_000 }, async (t) => {
  const { context, page, errors } = await freshPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // 1 Mbit/s down, 40 ms round trips: a classroom's shared link.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: 125_000, uploadThroughput: 125_000 });
    const t0 = Date.now();
    await page.goto(env.server.url);
    await page.waitForFunction(() => /downloading the engine: \d+ of \d+ KB/.test(document.querySelector('[data-testid="load-text"]')?.textContent ?? ''), null, { timeout: 60_000, polling: 50 });
    const first = await page.getByTestId('load-text').textContent();
    await page.waitForTimeout(600);
    const later = await page.getByTestId('load-text').textContent();
    const bytes = (s) => Number(/(\d+) of/.exec(s)[1]);
    assert.ok(bytes(later) > bytes(first), `the bar moves: "${first}" then "${later}"`);
    assert.equal(await page.getByTestId('load-progress').isVisible(), true);
    // A learner presses Space while the engine downloads: it is kept, and the run plays once built.
    await page.locator('body').press('Space');
    assert.match(await page.getByTestId('status').textContent(), /Play is queued/);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'training', null, { timeout: 120_000 });
    const ready = (Date.now() - t0) / 1000;
    assert.equal(await page.getByTestId('load-progress').isVisible(), false, 'the bar goes once the engine is up');
    report(t, `first load over 1 Mbit/s (40 ms latency): training after ${ready.toFixed(1)} s; the bar read "${first}" then "${later}"`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a blocked engine download says what failed and offers Retry; no uncaught error, on reload either; Retry works', { timeout: 120_000 }, async () => {
  const { context, page, errors } = await freshPage();
  try {
    let blocked = true;
    await context.route('**/pkg/slam_lab_bg.wasm', (route) => (blocked ? route.abort('blockedbyclient') : route.continue()));
    await page.goto(env.server.url);
    await page.getByTestId('error').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await errorText(page), /Could not start the engine: could not download the engine \(pkg\/slam_lab_bg\.wasm\): the network request failed/);
    assert.doesNotMatch(await errorText(page), /Failed to fetch|scripts\/build\.sh/, 'no developer advice for a network failure');
    assert.equal(await page.getByTestId('error-retry').isVisible(), true);
    assert.equal(await page.getByTestId('status').getAttribute('data-state'), 'error');
    await page.reload();
    await page.getByTestId('error').waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(500);
    assert.deepEqual(errors, [], 'no uncaught error, no console error');
    blocked = false;
    await page.getByTestId('error-retry').click();
    await waitReady(page, 60_000);
    assert.equal(await page.getByTestId('error').isVisible(), false, 'the error goes with the Retry');
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1', null, { timeout: 30_000 });
  } finally {
    await context.close();
  }
});

test('the MNIST download fails: the scenario, the URL and Copy link go back to the run on screen, and say why', { timeout: 120_000 }, async () => {
  const { context, page, errors } = await freshPage();
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.server.url).origin });
    await context.route('**/data/mnist.bin.gz', (route) => route.abort('internetdisconnected'));
    await page.goto(env.server.url);
    await waitReady(page);
    await page.getByTestId('scenario-select').selectOption('real-teacher');
    await page.getByTestId('error').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await errorText(page), /These settings could not be used: could not download the MNIST digits .*network request failed.*The settings are back to those of the run on screen\./);
    await waitReady(page);
    assert.equal(await page.getByTestId('scenario-select').inputValue(), 'flagship', 'the dropdown shows the run on screen');
    assert.equal(new URL(page.url()).searchParams.get('scenario'), 'flagship', 'so does the URL');
    await page.getByTestId('share').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(new URL(copied).searchParams.get('scenario'), 'flagship', 'and Copy link');
    const ref = cli();
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), pct(ref.teacher_accuracy), 'the flagship is what trains');
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('after a first visit the page works offline: the flagship, digits and real-teacher train with the server gone', { timeout: 300_000 }, async (t) => {
  // Its own server, stopped halfway: the network is gone, not just slow.
  const server = await startServer({ port: 0 });
  const context = await env.browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(server.url);
    await waitReady(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    // The learner opens digits and real-teacher while online (their data is kept). Real-teacher on
    // 1,500 of its digits: the same file is fetched and kept, and the builds stay short.
    const query = { flagship: '', digits: '', 'real-teacher': '&samples=1500' };
    for (const scenario of ['digits', 'real-teacher']) {
      await page.goto(`${server.url}?scenario=${scenario}${query[scenario]}`);
      await waitReady(page, 120_000);
    }
    await page.waitForFunction(async () => (await caches.keys()).includes('slam-lab-page') && (await (await caches.open('slam-lab-page')).keys()).length > 20);
    await server.close();
    const refs = { flagship: cli(), digits: cli({ scenario: 'digits' }), 'real-teacher': cli({ scenario: 'real-teacher', config: { samples: 1500 } }) };
    for (const scenario of ['flagship', 'digits', 'real-teacher']) {
      await page.goto(`${server.url}?scenario=${scenario}${query[scenario]}`);
      await waitReady(page, 180_000);
      await page.getByTestId('step').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1', null, { timeout: 120_000 });
      const { accuracies } = await shownAtEpoch(page);
      const want = Object.fromEntries(Object.entries(refs[scenario].methods).map(([m, r]) => [m, pct(r.curve[0])]));
      assert.deepEqual(accuracies, want, `${scenario} offline: the CLI's first epoch`);
      report(t, `${scenario}: trained offline, the CLI's numbers`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.close().catch(() => {});
  }
});
