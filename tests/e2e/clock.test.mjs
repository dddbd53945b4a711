// The page survives a classroom, round two: what is compared is at one epoch (the engine's clock),
// no Step is lost, a worker that dies inside a long engine call is noticed, and a pool that cannot
// start says so instead of flooding the browser. Random sequences of Play / Pause / Step / Reset /
// speed / scenario end on the CLI's numbers at the epoch shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  useBrowser, openPage, assertCleanAndLocal, waitReady, shownAtEpoch, cli, pct, report,
} from './helpers.mjs';
import { fuzzRuns } from '../fuzz-runs.mjs';

const env = useBrowser();

/** The page is still: not training, pausing, stepping or building. */
async function settle(page, timeout = 120_000) {
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="status"]')?.dataset.state;
    return ['ready', 'paused', 'finished'].includes(s);
  }, null, { timeout, polling: 50 });
}

/** {method: "87.3"} of the CLI's run at epoch `epoch` (its curve), for a config over a scenario. */
function cliAt(ref, epoch) {
  return Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.curve[epoch - 1])]));
}

/** Terminates the page's engine worker at once, wherever it is (a browser freeing memory does this). */
const killEngine = (page) => page.evaluate(() => slamLab.app.engine.worker.terminate());

const errorText = (page) => page.getByTestId('error').textContent();

/**
 * Play trains: minibatches go by (the steps per second show), an epoch completes, or a short run
 * ends; then Pause if it is still going. (A two-epoch run can end between two looks at the page.)
 */
async function trainsAgain(page) {
  await page.getByTestId('play').click();
  await page.waitForFunction(() => /steps\/s/.test(document.querySelector('[data-testid="steps-per-sec"]').textContent)
    || document.querySelector('[data-testid="status"]').dataset.state === 'finished'
    || (slamLab.app.snap?.epoch ?? 0) > 0, null, { timeout: 120_000, polling: 50 });
  if (await page.getByTestId('pause').isEnabled()) await page.getByTestId('pause').click();
  await settle(page);
}

test('every method is shown at the epoch on the counter: Play, Pause at any moment, the CLI\'s numbers there', { timeout: 180_000 }, async (t) => {
  const { context, page, log } = await openPage({ query: '?speed=6&student.epochs=1000' });
  try {
    // Long enough that neither Play ends the run before its Pause, however fast the machine.
    const ref = cli({ config: { student: { epochs: 1000 } } });
    for (const ms of [700, 1300]) {
      await page.getByTestId('play').click();
      await page.waitForTimeout(ms);
      await page.getByTestId('pause').click();
      await settle(page);
      const { epoch, accuracies } = await shownAtEpoch(page);
      assert.ok(epoch > 0 && epoch < 1000, `paused at epoch ${epoch}`);
      assert.deepEqual(accuracies, cliAt(ref, epoch), `every card at epoch ${epoch}`);
      // The curves end at that epoch too: the table's x is the counter's.
      report(t, `paused at epoch ${epoch}: every method's test accuracy is the CLI's at ${epoch}`);
    }
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('Steps add up: clicks while an epoch is under way are each one more epoch', { timeout: 300_000 }, async (t) => {
  // 50,000 points: an epoch takes longer than the clicks' gaps (the case where Steps were lost).
  for (const [samples, clicks, gap] of [[50_000, 10, 100]]) {
    const { context, page, log } = await openPage({ query: `?samples=${samples}&student.epochs=20` });
    try {
      // Every status the page shows meanwhile (on a loaded machine the last Step may already be done
      // when the clicks end).
      await page.evaluate(() => {
        const el = document.querySelector('[data-testid=status]');
        window.__statuses = [];
        new MutationObserver(() => window.__statuses.push(el.textContent.trim())).observe(el, { childList: true, characterData: true, subtree: true });
      });
      for (let i = 0; i < clicks; i++) {
        await page.getByTestId('step').click();
        await page.waitForTimeout(gap);
      }
      const said = await page.evaluate(() => window.__statuses);
      assert.ok(said.some((s) => /stepping to epoch \d+/.test(s)), `the page says where the Steps lead: ${JSON.stringify([...new Set(said)])}`);
      await settle(page, 240_000);
      const { epoch, accuracies } = await shownAtEpoch(page);
      assert.equal(epoch, clicks, `${samples} points: ${clicks} clicks ${gap} ms apart`);
      const ref = cli({ config: { samples, student: { epochs: 20 } } });
      assert.deepEqual(accuracies, cliAt(ref, clicks));
      report(t, `${samples.toLocaleString('en')} points: ${clicks} Steps ${gap} ms apart -> epoch ${clicks}, the CLI's numbers`);
      assertCleanAndLocal(log);
    } finally {
      await context.close();
    }
  }
});

test('random Play / Pause / Step / Reset / speed / scenario sequences end on the CLI\'s numbers at the epoch shown', { timeout: 600_000 }, async (t) => {
  const scenarios = ['flagship', 'uniform-noise', 'margin-noise'];
  const refs = Object.fromEntries(scenarios.map((s) => [s, cli({ scenario: s })]));
  const { context, page, log } = await openPage();
  try {
    const action = fc.oneof(
      fc.constant({ kind: 'play' }),
      fc.constant({ kind: 'pause' }),
      fc.constant({ kind: 'step' }),
      fc.constant({ kind: 'reset' }),
      fc.integer({ min: 1, max: 6 }).map((speed) => ({ kind: 'speed', speed })),
      fc.constantFrom(...scenarios).map((scenario) => ({ kind: 'scenario', scenario })),
      fc.integer({ min: 0, max: 400 }).map((ms) => ({ kind: 'wait', ms })),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 4, maxLength: 14 }), async (actions) => {
        runs += 1;
        for (const a of actions) {
          if (a.kind === 'wait') await page.waitForTimeout(a.ms);
          else if (a.kind === 'speed') await page.getByTestId('speed').selectOption(String(a.speed));
          else if (a.kind === 'scenario') await page.getByTestId('scenario-select').selectOption(a.scenario);
          else {
            // A button a learner cannot press now (Pause while paused) is a click that does nothing.
            const button = page.getByTestId(a.kind);
            if (await button.isEnabled()) await button.click({ timeout: 5_000 });
          }
        }
        if (await page.getByTestId('pause').isEnabled()) await page.getByTestId('pause').click();
        await settle(page);
        const scenario = await page.getByTestId('scenario-select').inputValue();
        const { epoch, accuracies } = await shownAtEpoch(page);
        if (epoch === 0) return;
        assert.deepEqual(accuracies, cliAt(refs[scenario], epoch), `${scenario} at epoch ${epoch} after ${JSON.stringify(actions)}`);
      }),
      { numRuns: fuzzRuns('CLOCK_RUNS', 5, 3), seed: Number(process.env.CLOCK_SEED ?? 19), endOnFailure: true, includeErrorInReport: true },
    );
    assert.ok(runs >= 1);
    report(t, `${runs} random sequences, each ending on the CLI's numbers at the epoch shown`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

/**
 * A CSV just under the page's caps (20,000,000 bytes, 100,000 rows): 100,000 rows of 19 features
 * and a class, about 199 bytes a row. Reading it is one engine call of seconds.
 */
function bigCsv() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-big-'));
  const file = path.join(dir, 'big.csv');
  const cols = 19;
  const lines = [[...Array.from({ length: cols }, (_, j) => `f${j}`), 'label'].join(',')];
  let state = 1;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = 0; i < 100_000; i++) {
    const row = Array.from({ length: cols }, () => next().toFixed(7));
    lines.push(`${row.join(',')},${i % 2}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  assert.ok(fs.statSync(file).size > 15_000_000 && fs.statSync(file).size <= 20_000_000);
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('a worker killed inside a long engine call is noticed within seconds, and the page works again', { timeout: 420_000 }, async (t) => {
  // Reading a 20 MB upload is one engine call of seconds.
  const { file, cleanup } = bigCsv();
  t.after(cleanup);
  {
    const { context, page } = await openPage({ query: '?student.epochs=2' });
    try {
      await page.getByTestId('csv-upload').setInputFiles(file);
      await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'building');
      await page.waitForTimeout(500);
      const t0 = Date.now();
      await killEngine(page);
      await page.waitForFunction(() => /stopped answering/.test(document.querySelector('[data-testid="error"]').textContent), null, { timeout: 20_000, polling: 50 });
      const noticed = (Date.now() - t0) / 1000;
      assert.match(await errorText(page), /restarted with the current settings/);
      report(t, `killed while reading a 20 MB CSV: noticed after ${noticed.toFixed(1)} s`);
      // The restarted engine builds the upload again, and it trains.
      const t1 = Date.now();
      await waitReady(page, 240_000);
      const t2 = Date.now();
      await trainsAgain(page);
      report(t, `the restarted engine rebuilt the upload in ${((t2 - t1) / 1000).toFixed(1)} s and trained again in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    } finally {
      await context.close();
    }
  }
  {
    // Taking one step of a large network apart is one engine call.
    const { context, page } = await openPage({ query: '?student.hidden=1024,1024,1024&student.epochs=3' });
    try {
      await page.locator('#slowmo-body').scrollIntoViewIfNeeded();
      await page.getByTestId('slowmo').click();
      await page.waitForTimeout(150);
      const t0 = Date.now();
      await killEngine(page);
      await page.waitForFunction(() => /stopped answering/.test(document.querySelector('[data-testid="error"]').textContent), null, { timeout: 20_000, polling: 50 });
      report(t, `killed while taking a 1024x3 step apart: noticed after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await page.waitForFunction(() => !/Taking the step apart/.test(document.querySelector('[data-testid="slowmo-status"]').textContent), null, { timeout: 10_000 });
      assert.match(await page.getByTestId('slowmo-status').textContent(), /not available now/);
      const t1 = Date.now();
      await waitReady(page, 120_000);
      const t2 = Date.now();
      // Play trains again (it was stuck at "training", epoch 0, before): minibatches go by.
      await trainsAgain(page);
      report(t, `the restarted engine was ready in ${((t2 - t1) / 1000).toFixed(1)} s and trained again in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    } finally {
      await context.close();
    }
  }
});

test('offline, Run seeds stops with a sentence instead of starting workers forever', { timeout: 120_000 }, async (t) => {
  const context = await env.browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  try {
    await page.goto(env.server.url);
    await waitReady(page);
    // The pool's script cannot be fetched (the network is gone and nothing was saved for offline use):
    // every worker the page starts asks for it once.
    let workers = 0;
    await context.route('**/seeds-worker.js', (route) => {
      workers += 1;
      return route.abort('internetdisconnected');
    });
    const t0 = Date.now();
    await page.getByTestId('run-seeds').click();
    await page.waitForFunction(() => /Run seeds: the seeds' workers could not start/.test(document.querySelector('[data-testid="error"]').textContent), null, { timeout: 20_000 });
    const ms = Date.now() - t0;
    await page.waitForTimeout(2000);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.ok(workers >= 1 && workers <= Math.min(cores, 8) + 2, `${workers} workers started`);
    assert.equal(await page.getByTestId('run-seeds').isEnabled(), true, 'Run seeds is offered again');
    assert.match(await page.getByTestId('seeds-progress-text').textContent(), /stopped/);
    // The page's own session still trains.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
    report(t, `the run stopped after ${ms} ms with ${workers} workers tried`);
  } finally {
    await context.close();
  }
});
