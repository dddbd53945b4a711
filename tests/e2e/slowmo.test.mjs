// Slow motion and the command-line bridge. A learner takes SLaM's next step apart stage by stage, with buttons and with the
// keyboard; every number on screen is the CLI's `slam-lab explain` for the same setup, and training
// goes on afterwards exactly as without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  useBrowser, openPage, assertCleanAndLocal, assertNoHorizontalOverflow, assertNoBadNumbers, cli, cliExplain,
  pct, shownAccuracies, shownMeans, screenshot, cliBinary, ROOT, PHONE,
} from './helpers.mjs';

useBrowser();

const EPOCHS = 3;
const stageOf = (page) => page.getByTestId('slowmo-stage').evaluate((el) => Number(el.dataset.stage));
const values = (page, prefix) => page.$$eval(`[data-testid^="${prefix}"]`, (els) => els.map((e) => Number(e.dataset.value)));
const f32 = (xs) => xs.map((x) => Math.fround(x));
/** The CLI's `rows x classes` array at each row's shown class (the true class on L, the teacher's on U). */
const atShown = (ref, key) => ref.rows.map((_, i) => ref[key][i * ref.classes + (ref.labeled[i] ? ref.true_class[i] : ref.teacher_class[i])]);

async function expectStep(page, ref) {
  assert.deepEqual(await page.$$eval('[data-testid="slowmo-table"] tbody tr', (trs) => trs.map((t) => Number(t.dataset.row))), ref.rows, 'the minibatch\'s rows');
  assert.deepEqual(await values(page, 'slowmo-alpha-'), f32(ref.alpha), 'alpha');
  assert.deepEqual(await values(page, 'slowmo-f-'), f32(atShown(ref, 'student')), 'f');
  assert.deepEqual(await values(page, 'slowmo-compared-'), f32(atShown(ref, 'compared')), 'mix(f)');
  assert.deepEqual(await values(page, 'slowmo-target-'), f32(atShown(ref, 'target')), 'target');
  assert.deepEqual(await values(page, 'slowmo-loss-'), f32(ref.loss), 'loss');
  assert.deepEqual(await values(page, 'slowmo-push-'), f32(ref.push), 'push');
}

test('slow motion: SLaM\'s first step in seven stages, the CLI\'s numbers, the next step, and training goes on unchanged', async (t) => {
  const config = { student: { epochs: EPOCHS } };
  const first = cliExplain({ config });
  const second = cliExplain({ config, skip: 1 });
  const run = cli({ config });
  const { context, page, log } = await openPage({ query: `?student.epochs=${EPOCHS}` });
  try {
    await page.getByTestId('slowmo').scrollIntoViewIfNeeded();
    assert.equal(await page.getByTestId('slowmo-method').evaluate((s) => s.selectedOptions[0].dataset.name), 'slam', 'SLaM by default');
    await page.getByTestId('slowmo').click();
    await page.getByTestId('slowmo-box').waitFor({ state: 'visible' });
    assert.equal(await stageOf(page), 1);
    assert.equal(await page.getByTestId('slowmo-prev').isDisabled(), true);
    // Buttons forward to stage 6, where every column is on screen.
    for (let s = 2; s <= 6; s++) {
      await page.getByTestId('slowmo-next').click();
      assert.equal(await stageOf(page), s);
    }
    await expectStep(page, first);
    await screenshot(page, 'slowmo-stage6', { locator: page.getByTestId('slowmo-box') });
    // The keyboard: left, right, right to the update.
    await page.getByTestId('slowmo-box').focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await stageOf(page), 5);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await stageOf(page), 7);
    const acc = page.getByTestId('slowmo-accuracy');
    assert.equal(Number(await acc.getAttribute('data-before')), Math.fround(first.test_accuracy_before));
    assert.equal(Number(await acc.getAttribute('data-after')), Math.fround(first.test_accuracy_after));
    await assertNoBadNumbers(page, 'slow motion');
    await screenshot(page, 'slowmo-stage7', { locator: page.getByTestId('slowmo-box') });

    // Next from the last stage: the following minibatch, from stage 1.
    await page.getByTestId('slowmo-next').click();
    await page.waitForFunction(() => /minibatch 2/.test(document.querySelector('[data-testid="slowmo-status"]').textContent));
    assert.equal(await stageOf(page), 1);
    for (let s = 2; s <= 6; s++) await page.getByTestId('slowmo-next').click();
    await expectStep(page, second);

    // Close, then Step: epoch 1 is the CLI's epoch 1, as if slow motion had never happened.
    await page.getByTestId('slowmo-close').click();
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
    const afterOne = Object.fromEntries(Object.entries(run.methods).map(([m, r]) => [m, pct(r.curve[0])]));
    assert.deepEqual(await shownAccuracies(page), afterOne);
    t.diagnostic(`first step: test accuracy ${first.test_accuracy_before} -> ${first.test_accuracy_after}`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('slow motion at phone width: fits the screen, any method can be chosen', async () => {
  const { context, page, log } = await openPage({ viewport: PHONE });
  try {
    await page.getByTestId('slowmo-method').scrollIntoViewIfNeeded();
    await page.getByTestId('slowmo-method').selectOption({ label: await page.getByTestId('slowmo-method').evaluate((s) => [...s.options].find((o) => o.dataset.name === 'vanilla').label) });
    await page.getByTestId('slowmo').click();
    await page.getByTestId('slowmo-box').waitFor({ state: 'visible' });
    await page.waitForFunction(() => /Vanilla|vanilla/.test(document.querySelector('[data-testid="slowmo-status"]').textContent));
    const ref = cliExplain({ method: 'vanilla' });
    for (let s = 2; s <= 6; s++) await page.getByTestId('slowmo-next').click();
    assert.deepEqual(await values(page, 'slowmo-loss-'), f32(ref.loss), 'vanilla\'s own losses');
    await page.getByTestId('slowmo-next').click();
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'slowmo-phone', { locator: page.getByTestId('slowmo-box') });
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('copy the command: the shell snippet the page gives, run as it is, prints the page\'s multi-seed numbers', async () => {
  const { context, page, log } = await openPage({ query: '?scenario=uniform-noise&seed=4&teacher.rate=0.25&student.epochs=3&seeds=2' });
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('copy-command').scrollIntoViewIfNeeded();
    await page.getByTestId('copy-command').click();
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(snippet, await page.getByTestId('command-text').textContent(), 'what is copied is what is shown');
    // Run it in a shell, with the release binary as `slam-lab`.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-command-'));
    try {
      fs.symlinkSync(path.resolve(ROOT, cliBinary()), path.join(dir, 'slam-lab'));
      const out = execFileSync('bash', ['-c', `${snippet} --json`], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      const ref = JSON.parse(out);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'slam-lab-config.json'), 'utf8'));
      assert.deepEqual(config, { seed: 4, teacher: { rate: 0.25 }, student: { epochs: 3 } });
      // The downloaded config is the same file.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-config').click()]);
      assert.equal(download.suggestedFilename(), 'slam-lab-config.json');
      assert.deepEqual(JSON.parse(fs.readFileSync(await download.path(), 'utf8')), config);
      // The page's own 2-seed run gives the numbers the command printed.
      await page.getByTestId('run-seeds').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="seeds-progress"]').value === 2, null, { timeout: 60_000 });
      await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled);
      assert.deepEqual(await shownMeans(page), Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.mean)])));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
