// The page's first promise: open it, press Play, and watch SLaM learn past a noisy teacher, with the very
// numbers the command line gives for the same config and seed. Saves the desktop screenshots, including
// docs/screenshot.png for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  useBrowser, openPage, assertCleanAndLocal, cli, cliAccuracies, pct, shownAccuracies, shownEpoch, waitFinished,
  statusOf, assertNoBadNumbers, inkedPixels, colourCount, startFrameMeter, stopFrameMeter, describeFrames,
  screenshot, report, fastest, ROOT,
} from './helpers.mjs';

useBrowser();

let reference; // the CLI's flagship run, seed 0 (the page's default)
const flagship = () => (reference ??= cli({ scenario: 'flagship', seeds: 1 }));

test('load: the flagship is built with every panel drawn, the CLI\'s teacher, split and k; nothing leaves the origin', async () => {
  const ref = flagship();
  const { context, page, log } = await openPage();
  try {
    assert.equal(await statusOf(page), 'ready');
    // A plain visit gets the session the worker built while the page was still loading (boot.js).
    assert.equal(await page.evaluate(() => document.documentElement.dataset.prebuilt), 'true', 'the first session was prebuilt');
    assert.equal(await page.getByTestId('scenario-select').inputValue(), 'flagship', 'flagship is the default scenario');
    assert.equal(await page.getByTestId('dataset-select').inputValue(), 'moons');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('scenario'), 'flagship', 'the URL names the scenario');
    assert.equal(url.searchParams.get('seed'), '0', 'the URL carries the seed');
    assert.equal(await shownEpoch(page), 0);
    assert.equal(await page.locator('#epoch-total').textContent(), ` / ${ref.methods.slam.curve.length}`);

    // The same teacher, split and k as the command line.
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), pct(ref.teacher_accuracy), 'teacher accuracy');
    assert.equal(Number(await page.getByTestId('k-value').textContent()), ref.k, 'k');
    const sizes = {};
    for (const [key, name] of [['L', 'labeled'], ['V', 'validation'], ['U', 'unlabeled'], ['T', 'test']]) {
      sizes[name] = Number(await page.locator(`[data-testid="size-${key}"] .size-n`).textContent());
    }
    assert.deepEqual(sizes, ref.sizes, 'L / V / U / T sizes');

    // Every picture has something in it: the split, the teacher's labels, the alpha maps, the curves,
    // and a map per method (the students' initial boundaries).
    assert.ok((await page.locator('[data-testid="confusion"] td').count()) >= 4, 'confusion matrix');
    for (const [name, locator] of [
      ['split map', page.locator('#panel-scenario canvas').first()],
      ['teacher-labels scatter', page.locator('[data-testid="labels-plot"] canvas')],
      ['estimated alpha map', page.locator('#panel-mixing .alpha-maps canvas').first()],
      ['alpha curve', page.locator('[data-testid="alpha-curve"] canvas')],
      ['mix bars', page.locator('#panel-mixing canvas.mix-bars')],
    ]) {
      assert.ok((await inkedPixels(locator)) > 0.01, `${name} is drawn`);
    }
    const cards = page.locator('[data-testid="method-cards"] canvas');
    assert.equal(await cards.count(), Object.keys(ref.methods).length, 'one map per method');
    for (let i = 0; i < (await cards.count()); i++) assert.ok((await inkedPixels(cards.nth(i))) > 0.5, `method map ${i} has a heatmap`);
    await assertNoBadNumbers(page, 'after loading');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('play the flagship: SLaM ends above vanilla, with the CLI\'s accuracies; the page stays smooth', async (t) => {
  const ref = flagship();
  const expected = cliAccuracies(ref);
  const { context, page, log } = await openPage();
  try {
    // Idle frame rate first, for scale; then the frame rate while the worker trains at the default speed.
    await startFrameMeter(page);
    await page.waitForTimeout(1000);
    const idle = await stopFrameMeter(page);
    await startFrameMeter(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'training');
    // Mid-run the numbers move and are percentages.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 3);
    for (const [m, v] of Object.entries(await shownAccuracies(page))) assert.match(v, /^\d{1,3}\.\d$/, `${m} while training: "${v}"`);
    await waitFinished(page);
    const training = await stopFrameMeter(page);
    report(t, `main thread while idle: ${describeFrames(idle)}`);
    report(t, `main thread while the flagship trains at the default speed: ${describeFrames(training)}`);
    assert.ok(training.frames > 0, 'the page drew frames while training');

    const epochs = ref.methods.slam.curve.length;
    assert.equal(await shownEpoch(page), epochs, 'every epoch ran');
    assert.equal(await statusOf(page), 'finished');
    assert.match(await page.getByTestId('play').textContent(), /Replay/);

    const shown = await shownAccuracies(page);
    assert.ok(Number(shown.slam) > Number(shown.vanilla), `SLaM ${shown.slam}% is above vanilla ${shown.vanilla}%`);
    assert.deepEqual(shown, expected, 'the page shows the CLI\'s test accuracies (same config, seed 0)');
    report(t, `flagship accuracies (page = CLI): ${Object.entries(shown).map(([m, v]) => `${m} ${v}%`).join(', ')}`);

    // Where the teacher is wrong, the hard-label student copies it and SLaM does not; SLaM is right
    // there more often than soft vanilla too (the split table).
    const wrongAcc = async (m) => Number(await page.locator(`[data-testid="split-table"] tr[data-method="${m}"] td[data-key="teacher_wrong_accuracy"] .cell-text`).textContent());
    assert.ok((await wrongAcc('slam')) > (await wrongAcc('vanilla_hard')) + 50, 'SLaM learns past the teacher\'s mistakes, which hard labels copy');
    assert.ok((await wrongAcc('slam')) > (await wrongAcc('vanilla')), 'and beyond soft vanilla');
    assert.equal(String(await wrongAcc('vanilla')), String(Number(pct(ref.methods.vanilla.teacher_wrong_accuracy))));

    // The maps show decision boundaries: several colours each, not a blank or one flat colour.
    const cards = page.locator('[data-testid="method-cards"] canvas');
    for (let i = 0; i < (await cards.count()); i++) assert.ok((await colourCount(cards.nth(i))) >= 8, `method map ${i} shows a boundary`);
    // The two accuracy charts have their curves.
    for (const id of ['chart-accuracy', 'chart-teacher-wrong']) {
      assert.ok((await colourCount(page.locator(`[data-testid="${id}"] canvas`))) >= 6, `${id} has curves`);
    }
    await assertNoBadNumbers(page, 'after training');

    // Screenshots into test-results/: the top of the page, the whole page, and the training panel in
    // view, which is the README's picture. A test writes no tracked file: the README's copy,
    // docs/screenshot.png, is refreshed only on purpose, with SLAM_LAB_DOCS_PICTURES=1.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'desktop');
    await screenshot(page, 'desktop-full', { fullPage: true });
    await page.locator('#panel-training').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(100);
    const file = await screenshot(page, 'desktop-training');
    if (process.env.SLAM_LAB_DOCS_PICTURES === '1') fs.copyFileSync(file, path.join(ROOT, 'docs', 'screenshot.png'));
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('the page answers while training runs flat out: Pause stops it mid-run', async (t) => {
  // A long run (the flagship with 300 student epochs), so that Pause lands mid-run however fast the
  // engine gets; the CLI runs the same config for the final comparison.
  const EPOCHS = 300;
  const { context, page, log } = await openPage({ query: `?student.epochs=${EPOCHS}` });
  try {
    await fastest(page);
    await startFrameMeter(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 2);
    await page.getByTestId('pause').click();
    const frames = await stopFrameMeter(page);
    report(t, `main thread while training as fast as the worker can: ${describeFrames(frames)}`);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'paused');
    const at = await shownEpoch(page);
    assert.ok(at < EPOCHS, `paused mid-run (epoch ${at} of ${EPOCHS})`);
    await page.waitForTimeout(400);
    assert.equal(await shownEpoch(page), at, 'no epoch runs while paused');
    assert.ok(frames.frames > 0);
    // And it resumes to the end.
    await page.getByTestId('play').click();
    await waitFinished(page);
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(cli({ config: { student: { epochs: EPOCHS } } })),
      'pausing and resuming changes nothing');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
