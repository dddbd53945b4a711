// Panel 6: "run N seeds" in the background, with a progress bar and a Cancel; its table and its CSV /
// JSON exports give exactly the command line's numbers for the same scenario and seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  useBrowser, openPage, assertCleanAndLocal, cli, pct, shownMeans, statusOf, assertNoBadNumbers, screenshot,
  startFrameMeter, stopFrameMeter, describeFrames, report,
} from './helpers.mjs';

useBrowser();

async function setSeeds(page, n) {
  await page.getByTestId('seeds-input').fill(String(n));
  await page.getByTestId('seeds-input').dispatchEvent('change');
}

const progressOf = (page) => page.getByTestId('seeds-progress').evaluate((p) => ({ value: p.value, max: p.max }));

test('run 3 seeds of the flagship: progress to the end, the CLI\'s mean ± std per method, CSV and JSON exports', async (t) => {
  const seeds = 3;
  const ref = cli({ scenario: 'flagship', seeds });
  const { context, page, log } = await openPage();
  try {
    await setSeeds(page, seeds);
    assert.equal(new URL(page.url()).searchParams.get('seeds'), String(seeds), 'N is in the URL');
    assert.match(await page.getByTestId('seeds-note').textContent(), /^Runs the current setting with seeds 0, 1 and 2 /, 'which seeds run');
    assert.equal(await page.getByTestId('export-csv').isDisabled(), true, 'nothing to export yet');
    // The page keeps drawing while the seeds run in their own worker.
    await startFrameMeter(page);
    await page.getByTestId('run-seeds').click();
    assert.equal(await page.getByTestId('cancel-seeds').isEnabled(), true, 'Cancel is offered while running');
    await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled, null, { timeout: 120_000 });
    report(t, `main thread during a ${seeds}-seed run: ${describeFrames(await stopFrameMeter(page))}`);
    assert.deepEqual(await progressOf(page), { value: seeds, max: seeds }, 'the bar is full');
    assert.match(await page.getByTestId('seeds-progress-text').textContent(), new RegExp(`^${seeds} seeds in \\d+\\.\\d s on \\d workers?$`));
    assert.equal(await page.getByTestId('cancel-seeds').isDisabled(), true);
    assert.equal(await page.getByTestId('error').isVisible(), false);

    const expected = Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.mean)]));
    assert.deepEqual(await shownMeans(page), expected, 'mean per method = CLI');
    for (const [m, r] of Object.entries(ref.methods)) {
      assert.equal(await page.getByTestId(`result-std-${m}`).textContent(), pct(r.std), `${m} std`);
    }
    const summary = await page.getByTestId('results-summary').textContent();
    assert.match(summary, new RegExp(`^flagship, ${seeds} seeds: teacher ${pct(ref.teacher_accuracy).replace('.', '\\.')}%`));
    const wins = ref.methods.slam.per_seed.filter((s, i) => s > ref.methods.vanilla.per_seed[i]).length;
    assert.match(summary, new RegExp(`SLaM beats vanilla on ${wins} of ${seeds} seeds`));
    await assertNoBadNumbers(page, 'results');

    // Exports: the very numbers of the CLI, to the last digit.
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    assert.equal(jsonDownload.suggestedFilename(), `slam-lab-flagship-${seeds}-seeds.json`);
    const exported = JSON.parse(fs.readFileSync(await jsonDownload.path(), 'utf8'));
    assert.deepEqual(exported.seed_list, ref.seed_list);
    assert.equal(exported.teacher_accuracy, ref.teacher_accuracy);
    for (const [m, r] of Object.entries(ref.methods)) {
      assert.deepEqual(exported.methods[m].per_seed, r.per_seed, `${m} per seed`);
      assert.equal(exported.methods[m].mean, r.mean, `${m} mean`);
    }
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = fs.readFileSync(await csvDownload.path(), 'utf8').trim().split('\n').map((l) => l.split(','));
    assert.deepEqual(csv[0].slice(0, 3), ['method', 'mean', 'std']);
    for (const [m, r] of Object.entries(ref.methods)) {
      const row = csv.find((c) => c[0] === m);
      assert.ok(row, `CSV has a row for ${m}`);
      assert.equal(Number(row[1]), r.mean, `CSV ${m} mean`);
      assert.deepEqual(row.slice(-seeds).map(Number), r.per_seed, `CSV ${m} per seed`);
    }
    // The charts as one PNG, made in the page.
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    assert.equal(pngDownload.suggestedFilename(), 'slam-lab-flagship-epoch-0.png');
    const png = fs.readFileSync(await pngDownload.path());
    assert.deepEqual([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
    assert.ok(png.length > 20_000, `a real picture (${png.length} bytes)`);
    await page.locator('#panel-results').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'desktop-results');
    assert.equal(await statusOf(page), 'ready', 'the session on screen was left alone');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a long multi-seed run shows its progress and can be cancelled; a new run works afterwards', async () => {
  const { context, page, log } = await openPage();
  try {
    await setSeeds(page, 40);
    await page.getByTestId('run-seeds').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="seeds-progress"]').value >= 1, null, { timeout: 60_000 });
    const mid = await progressOf(page);
    assert.equal(mid.max, 40);
    assert.ok(mid.value >= 1 && mid.value < 40, `progress ${mid.value} / 40`);
    assert.match(await page.getByTestId('seeds-progress-text').textContent(), /^\d+ \/ 40 seeds$/);
    // The engine summarises the seeds done so far while the others still run.
    await page.waitForFunction(() => /seeds? so far/.test(document.querySelector('[data-testid="results-summary"]').textContent), null, { timeout: 30_000 });
    assert.ok((await progressOf(page)).value < 40, 'partial results show while it runs');
    // The page's own session still plays meanwhile.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');

    await page.getByTestId('cancel-seeds').click();
    const stopped = await progressOf(page);
    assert.match(await page.getByTestId('seeds-progress-text').textContent(), new RegExp(`^cancelled after ${stopped.value} of 40 seeds$`));
    assert.equal(await page.getByTestId('run-seeds').isEnabled(), true, 'Run is offered again');
    assert.equal(await page.getByTestId('cancel-seeds').isDisabled(), true);
    await page.waitForTimeout(1500);
    assert.deepEqual(await progressOf(page), stopped, 'nothing runs after Cancel');
    const summary = await page.getByTestId('results-summary').textContent();
    assert.match(summary, new RegExp(`^flagship, ${stopped.value} seeds? \\(the run was cancelled\\)`), `summary: ${summary}`);
    // The seeds that finished can be downloaded, named and marked as a cancelled run's.
    const [partial] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    assert.equal(partial.suggestedFilename(), `slam-lab-flagship-${stopped.value}-of-40-seeds-cancelled.json`);
    const kept = JSON.parse(fs.readFileSync(await partial.path(), 'utf8'));
    assert.deepEqual(kept.cancelled, { seeds_run: stopped.value, seeds_asked: 40 });
    assert.equal(kept.seeds, stopped.value, 'the file holds the seeds the page shows');
    const [partialCsv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    assert.equal(partialCsv.suggestedFilename(), `slam-lab-flagship-${stopped.value}-of-40-seeds-cancelled.csv`);

    // A new, short run completes.
    await setSeeds(page, 1);
    await page.getByTestId('run-seeds').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled, null, { timeout: 60_000 });
    assert.deepEqual(await progressOf(page), { value: 1, max: 1 });
    const ref = cli({ scenario: 'flagship', seeds: 1 });
    assert.deepEqual(await shownMeans(page), Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.mean)])));
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

/** Runs `n` seeds of the flagship with the pool pinned to `workers` (null: the page's choice). */
async function timedRun(page, n, workers) {
  await page.evaluate((w) => { globalThis.__slamLabSeedWorkers = w ?? undefined; }, workers);
  await setSeeds(page, n);
  const t0 = Date.now();
  await page.getByTestId('run-seeds').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled, null, { timeout: 120_000 });
  const wall = (Date.now() - t0) / 1000;
  const text = await page.getByTestId('seeds-progress-text').textContent();
  return { wall, text };
}

test('multi-seed runs spread over a pool of workers, one per core: same numbers as one worker and as the CLI; timings', async (t) => {
  const seeds = 10;
  const ref = cli({ scenario: 'flagship', seeds });
  const expected = Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.mean)]));
  const { context, page, log } = await openPage();
  try {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency || 2);
    const size = Math.min(cores, seeds, 8);
    // Count the workers the page starts (the engine's own is there already).
    const started = [];
    page.on('worker', (w) => started.push(w.url()));

    const one = await timedRun(page, seeds, 1);
    assert.match(one.text, new RegExp(`^${seeds} seeds in \\d+\\.\\d s on 1 worker$`));
    assert.equal(started.length, 1, 'one worker for a pool of one');
    assert.deepEqual(await shownMeans(page), expected, '1 worker: mean per method = CLI');
    const [oneJson] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const fromOne = JSON.parse(fs.readFileSync(await oneJson.path(), 'utf8'));

    started.length = 0;
    const pool = await timedRun(page, seeds, null);
    assert.match(pool.text, new RegExp(`^${seeds} seeds in \\d+\\.\\d s on ${size} workers?$`), `a pool of min(${cores} cores, ${seeds}, 8)`);
    assert.equal(started.length, size, `${size} pool workers started`);
    assert.ok(started.every((u) => u.endsWith('/seeds-worker.js')), 'the pool runs its own small worker');
    assert.deepEqual(await shownMeans(page), expected, 'pool: mean per method = CLI');
    for (const [m, r] of Object.entries(ref.methods)) assert.equal(await page.getByTestId(`result-std-${m}`).textContent(), pct(r.std), `${m} std`);
    const [poolJson] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const fromPool = JSON.parse(fs.readFileSync(await poolJson.path(), 'utf8'));
    assert.deepEqual(fromPool, fromOne, 'the pool\'s report is the one-worker report, to the last digit');
    assert.deepEqual(fromPool.seed_list, ref.seed_list);
    for (const [m, r] of Object.entries(ref.methods)) assert.deepEqual(fromPool.methods[m].per_seed, r.per_seed, `${m} per seed = CLI`);
    report(t, `${seeds}-seed flagship: 1 worker ${one.wall.toFixed(1)} s wall (page: "${one.text}"), pool of ${size} ${pool.wall.toFixed(1)} s wall (page: "${pool.text}"), speed-up ${(one.wall / pool.wall).toFixed(2)}x on ${cores} cores`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
