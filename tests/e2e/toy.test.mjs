// A method added as any method is: one Rust file (tests/toy/confident.rs: its distiller, its one
// setting and its row) and one line of the method table, compiled into the page's engine by
// scripts/build-toy.sh (cargo feature `toy-method`; the page's files are www/'s, unchanged). The page
// lists it with the engine's label, offers its setting with the engine's label and default, puts it
// in the link, trains it through the shared loop (with a threshold of 0 it keeps every label and is
// vanilla distillation, to the last digit) and exports it with its setting, with no JavaScript
// written for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  useBrowser, openPage, assertCleanAndLocal, ROOT, fastest, playToEnd, waitRebuilt, screenshot, report,
} from './helpers.mjs';

useBrowser({ root: path.join(ROOT, 'target', 'toy-page'), build: 'bash scripts/build-toy.sh' });

const seedsRun = async (page, seeds) => {
  await page.getByTestId('seeds-input').fill(String(seeds));
  await page.getByTestId('seeds-input').dispatchEvent('change');
  await page.getByTestId('run-seeds').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled, null, { timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  return JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
};

const setThreshold = async (page, value) => {
  const input = page.getByTestId('setting-confident.threshold');
  await input.fill(value);
  await input.dispatchEvent('change');
  await waitRebuilt(page);
};

test('a method from one Rust file: listed, its setting offered and linked, run, and exported, with no JavaScript for it', async (t) => {
  const { context, page, log } = await openPage({ query: '?student.epochs=3' });
  try {
    // Listed in the wider family under the engine's label, with its one-line help.
    const family = await page.$$eval('[data-testid="methods-group-family"] input[type="checkbox"]', (bs) => bs.map((b) => b.value));
    assert.ok(family.includes('confident'), `in the wider family: ${family}`);
    const box = page.getByTestId('method-confident');
    assert.equal(await box.isDisabled(), false);
    assert.equal(await box.isChecked(), false, 'not a core method: not ticked at first');
    assert.match(await page.locator('label[for="' + await box.getAttribute('id') + '"]').textContent(), /Confident only/);
    assert.match(await page.locator('#short-confident').textContent(), /distils only the teacher's confident labels/);
    const setting = page.getByTestId('setting-confident.threshold');
    assert.equal(await setting.isVisible(), false, 'its setting shows only while it is ticked');

    // Ticked: its setting, with the engine's label and default.
    await box.check();
    await waitRebuilt(page);
    assert.equal(await setting.isVisible(), true);
    assert.equal(await setting.inputValue(), '0.9', 'the default its file declares');
    const label = await page.locator(`label[for="${await setting.getAttribute('id')}"]`).textContent();
    assert.match(label, /Confident only: keep a label when the teacher is at least this sure/);
    assert.ok(new URL(page.url()).searchParams.get('methods').split(',').includes('confident'), 'in the link');

    // Threshold 0 keeps every label: vanilla distillation, to the last digit, in the page's run.
    await setThreshold(page, '0');
    assert.equal(new URL(page.url()).searchParams.get('confident.threshold'), '0', 'its setting in the link');
    await fastest(page);
    await playToEnd(page);
    assert.equal(await page.getByTestId('accuracy-confident').textContent(), await page.getByTestId('accuracy-vanilla').textContent(), 'its map card: vanilla\'s accuracy');
    const every = await seedsRun(page, 2);
    assert.deepEqual(every.methods.confident.per_seed, every.methods.vanilla.per_seed, 'threshold 0 = vanilla, seed by seed');
    assert.equal(every.config.confident.threshold, 0, 'the export carries its setting');

    // Its default trains something else, and the export says which threshold.
    await setThreshold(page, '0.9');
    const sure = await seedsRun(page, 2);
    assert.notDeepEqual(sure.methods.confident.per_seed, sure.methods.vanilla.per_seed, 'threshold 0.9 trains differently');
    assert.ok(Math.abs(sure.config.confident.threshold - 0.9) < 1e-6, `exported threshold ${sure.config.confident.threshold}`);
    assert.deepEqual(sure.methods.vanilla.per_seed, every.methods.vanilla.per_seed, 'its setting moves no other method');
    report(t, `confident (0.9) ${sure.methods.confident.per_seed.join(', ')} vs vanilla ${sure.methods.vanilla.per_seed.join(', ')}`);
    await screenshot(page, 'toy-method', { locator: page.getByTestId('methods') });
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
