// The results panel's sweep view: the comparison at each value of one setting over the pool of
// workers, with progress and cancel, charts and a table; its report equals `slam-lab sweep --json`
// to the last digit, it is kept in the URL, and bad values are refused naming the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { useBrowser, openPage, assertCleanAndLocal, cliSweep, cliBinary, pct, screenshot, assertNoBadNumbers, PHONE, ROOT } from './helpers.mjs';

useBrowser();

async function setSeeds(page, n) {
  await page.getByTestId('seeds-input').fill(String(n));
  await page.getByTestId('seeds-input').dispatchEvent('change');
}

async function setSweep(page, key, values) {
  await page.getByTestId('sweep-key').selectOption(key);
  await page.getByTestId('sweep-values').fill(values);
  await page.getByTestId('sweep-values').dispatchEvent('change');
}

const finished = (page, timeout = 180_000) =>
  page.waitForFunction(() => / in \d+\.\d s on \d+ workers?$/.test(document.querySelector('[data-testid="sweep-progress-text"]')?.textContent ?? ''), null, { timeout });

test('a label sweep of the flagship: the CLI\'s numbers per value and method, charts, exports, kept in the URL', async () => {
  const seeds = 2;
  const ref = cliSweep({ scenario: 'flagship', vary: 'labeled=15,60', seeds });
  const { context, page, log } = await openPage();
  try {
    await setSeeds(page, seeds);
    await setSweep(page, 'labeled', '15,60');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('sweep'), null, 'labeled is the default key');
    assert.equal(url.searchParams.get('sweep_values'), '15,60', 'the values are in the URL');
    assert.equal(await page.getByTestId('sweep-export-json').isDisabled(), true, 'nothing to export yet');
    await page.getByTestId('sweep-run').click();
    assert.equal(await page.getByTestId('sweep-cancel').isEnabled(), true, 'Cancel is offered while it runs');
    await finished(page);
    assert.deepEqual(await page.getByTestId('sweep-progress').evaluate((p) => [p.value, p.max]), [2 * seeds, 2 * seeds]);

    // The table: every value and method, mean ± sd and the paired gain, as the CLI computes them.
    for (const point of ref.points) {
      for (const [m, r] of Object.entries(point.methods)) {
        const cell = page.locator(`[data-testid="sweep-table"] tr[data-value="${point.value}"] td[data-method="${m}"]`);
        const text = await cell.textContent();
        assert.ok(text.startsWith(`${pct(r.mean)} ± ${pct(r.std)}`), `labeled=${point.value} ${m}: "${text}" vs CLI ${pct(r.mean)} ± ${pct(r.std)}`);
        if (r.vs_vanilla) assert.ok(text.includes(`${r.vs_vanilla.wins}/${seeds}`), `${m} wins`);
      }
    }
    // The charts are drawn (uPlot canvases with their legends).
    for (const id of ['sweep-chart', 'sweep-gain-chart']) {
      assert.ok(await page.locator(`[data-testid="${id}"] canvas`).count() >= 1, `${id} has a canvas`);
    }
    assert.equal(await page.locator('[data-testid="sweep-chart"] .u-legend .u-series').count(), Object.keys(ref.points[0].methods).length, 'one legend entry per method');
    await assertNoBadNumbers(page, 'sweep');

    // The JSON export is the CLI's report, to the last digit.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sweep-export-json').click()]);
    const exported = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
    assert.deepEqual(exported.values, ref.values);
    assert.deepEqual(exported.seed_list, ref.seed_list);
    for (const [i, point] of ref.points.entries()) {
      assert.equal(exported.points[i].teacher_accuracy, point.teacher_accuracy);
      for (const [m, r] of Object.entries(point.methods)) {
        assert.deepEqual(exported.points[i].methods[m].per_seed, r.per_seed, `labeled=${point.value} ${m} per seed`);
        assert.deepEqual(exported.points[i].methods[m].vs_vanilla, r.vs_vanilla, `labeled=${point.value} ${m} vs vanilla`);
      }
    }
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sweep-export-csv').click()]);
    const rows = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n').map((l) => l.split(','));
    assert.deepEqual(rows[0].slice(0, 5), ['key', 'value', 'method', 'mean', 'std']);
    const slam60 = rows.find((r) => r[1] === '60' && r[2] === 'slam');
    assert.equal(Number(slam60[3]), ref.points[1].methods.slam.mean);

    // A reload keeps the sweep's setting and values.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="sweep-values"]').value === '15,60');
    assert.equal(await page.getByTestId('sweep-key').inputValue(), 'labeled');
    await page.locator('.sweep').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'desktop-sweep');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a sweep of a nested key runs the engine\'s values; a bad value is refused naming it; cancel keeps the finished values', async () => {
  const { context, page, log } = await openPage({ viewport: PHONE, query: '?scenario=uniform-noise&seeds=1' });
  try {
    await setSweep(page, 'teacher.rate', '0.1,lots');
    await page.getByTestId('sweep-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent !== '');
    const message = await page.getByTestId('error').textContent();
    assert.match(message, /teacher\.rate/, message);
    assert.match(message, /lots/, message);
    assert.equal(await page.getByTestId('sweep-run').isEnabled(), true, 'the page keeps working');

    // Many values: cancel after the first finishes; the report covers the values that finished.
    await setSweep(page, 'teacher.rate', '0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8');
    await page.getByTestId('seeds-input').fill('3');
    await page.getByTestId('seeds-input').dispatchEvent('change');
    await page.getByTestId('sweep-run').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sweep-table"] tbody tr').length >= 1, null, { timeout: 120_000 });
    await page.getByTestId('sweep-cancel').click();
    assert.match(await page.getByTestId('sweep-progress-text').textContent(), /^cancelled after \d+ of 24 runs$/);
    await page.waitForFunction(() => /cancelled/.test(document.querySelector('[data-testid="sweep-summary"]').textContent));
    const shown = await page.locator('[data-testid="sweep-table"] tbody tr').count();
    assert.ok(shown >= 1 && shown < 8, `${shown} values shown after cancel`);
    const ref = cliSweep({ scenario: 'uniform-noise', vary: 'teacher.rate=0.1', seeds: 3 });
    const cell = await page.locator('[data-testid="sweep-table"] tr[data-value="0.1"] td[data-method="slam"]').textContent();
    assert.ok(cell.startsWith(`${pct(ref.points[0].methods.slam.mean)} ± `), `${cell} vs CLI ${pct(ref.points[0].methods.slam.mean)}`);
    assert.equal(await page.getByTestId('sweep-run').isEnabled(), true);
    await page.locator('.sweep').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'phone-sweep');
    assertCleanAndLocal(log, { allowWarnings: true });
  } finally {
    await context.close();
  }
});

test('a sweep with 2 seeds reads right: the summary says whether each interval excludes 0, the chart stays readable, and the shown command runs as it is', { timeout: 240_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=4&seeds=2&sweep=labeled&sweep_values=10,80' });
  try {
    await page.getByTestId('sweep-run').scrollIntoViewIfNeeded();
    await page.getByTestId('sweep-run').click();
    await finished(page);
    // The command shown beside the sweep, run in a shell as it is: the page's report, to the digit.
    const snippet = await page.getByTestId('sweep-command').textContent();
    assert.match(snippet, /slam-lab sweep --scenario flagship --vary labeled=10,80 --seeds 2 --config slam-lab-config\.json$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-sweep-'));
    let ref;
    try {
      fs.symlinkSync(path.resolve(ROOT, cliBinary()), path.join(dir, 'slam-lab'));
      ref = JSON.parse(execFileSync('bash', ['-c', `${snippet} --json`], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sweep-export-json').click()]);
    assert.deepEqual(JSON.parse(fs.readFileSync(await dl.path(), 'utf8')).points, ref.points, 'the shown command gives the page\'s numbers');
    // The summary's verdict is the report's: recomputed here from the intervals.
    const gains = ref.points.map((p) => ({ value: String(p.value), d: p.methods.slam.vs_vanilla }));
    const best = gains.reduce((a, b) => (b.d.mean > a.d.mean ? b : a));
    const clear = (d) => d.ci_low > 0 || d.ci_high < 0;
    const summary = await page.getByTestId('sweep-summary').textContent();
    if (clear(best.d)) assert.match(summary, /Its 95% interval \[[^\]]+\] excludes 0\./, summary);
    else assert.match(summary, /Not conclusive with 2 seeds: its 95% interval \[[^\]]+\] holds 0/, summary);
    const settled = gains.filter((g) => clear(g.d));
    assert.ok(summary.includes(`The interval excludes 0 at ${settled.length} of ${gains.length} values`), summary);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
