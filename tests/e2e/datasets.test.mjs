// Every panel works on 2-D data (heatmaps of decision boundaries) and on high-dimensional data (a PCA
// projection computed by the engine, per-method prediction views); switching datasets rebuilds them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, assertCleanAndLocal, waitRebuilt, playToEnd, shownAccuracies, shownEpoch, statusOf,
  cli, cliAccuracies, assertNoBadNumbers, inkedPixels, colourCount, screenshot, fastest, origin, report,
} from './helpers.mjs';

useBrowser();

const GENERATORS = ['circles', 'spirals', 'blobs', 'xor', 'checkerboard', 'moons'];
const REAL = ['iris', 'wine', 'breast_cancer', 'mnist'];

const errorShown = async (page) => ((await page.getByTestId('error').isVisible()) ? page.getByTestId('error').textContent() : null);

/** The pictures every dataset has: split map, teacher labels, alpha map, alpha curve, one view per method. */
async function assertPanelsDrawn(page, name) {
  for (const [what, locator] of [
    ['split map', page.locator('#panel-scenario canvas').first()],
    ['teacher-labels scatter', page.locator('[data-testid="labels-plot"] canvas')],
    ['estimated alpha map', page.locator('#panel-mixing .alpha-maps canvas').first()],
    ['alpha curve', page.locator('[data-testid="alpha-curve"] canvas')],
  ]) {
    assert.ok((await inkedPixels(locator)) > 0.005, `${name}: ${what} is drawn`);
  }
  const cards = page.locator('[data-testid="method-cards"] canvas');
  assert.ok((await cards.count()) >= 2, `${name}: a view per method`);
  for (let i = 0; i < (await cards.count()); i++) assert.ok((await inkedPixels(cards.nth(i))) > 0.005, `${name}: method view ${i} is drawn`);
  assert.ok((await page.locator('[data-testid="confusion"] td').count()) >= 4, `${name}: confusion matrix`);
}

test('switching between the 2-D datasets rebuilds every panel, with a decision-boundary heatmap per method', async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2' });
  try {
    for (const name of GENERATORS) {
      await page.getByTestId('dataset-select').selectOption(name);
      await waitRebuilt(page);
      assert.equal(await errorShown(page), null, `${name}: no error`);
      assert.equal(await statusOf(page), 'ready');
      const q = new URL(page.url()).searchParams;
      assert.equal(q.get('dataset'), name === 'moons' ? null : name, `${name}: in the URL (moons is the flagship's own)`);
      assert.match(await page.locator('#data-note').textContent(), new RegExp(`^${name}: 2 features`), `${name}: 2-D`);
      assert.equal(await page.locator('#panel-labels .picker-box').isVisible(), true, `${name}: points can be added by clicking`);
      assert.equal(await page.getByTestId('labels-classes').isVisible(), false, `${name}: the class picker is the colour key`);
      // One epoch: every method's map is a boundary (several colours), every accuracy a number.
      await page.getByTestId('step').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
      await page.waitForTimeout(100);
      await assertPanelsDrawn(page, name);
      const cards = page.locator('[data-testid="method-cards"] canvas');
      for (let i = 0; i < (await cards.count()); i++) {
        // A heatmap fills the whole map with class colours (not just the points drawn over it).
        assert.ok((await inkedPixels(cards.nth(i))) > 0.9, `${name}: heatmap ${i} fills its map`);
        assert.ok((await colourCount(cards.nth(i))) >= 6, `${name}: heatmap ${i} has a boundary`);
      }
      for (const [m, v] of Object.entries(await shownAccuracies(page))) assert.match(v, /^\d{1,3}\.\d$/, `${name}: ${m} = "${v}"`);
      await assertNoBadNumbers(page, name);
    }
    // Back on moons, the flagship's own budgets (not the last dataset's).
    assert.equal(await page.locator('[data-testid="size-L"] .size-n').textContent(), '30');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('high-dimensional data: digits 8x8 in a PCA projection, per-method prediction views, the CLI\'s numbers, no NaN', async (t) => {
  const epochs = 3;
  const { context, page, log } = await openPage({ query: `?scenario=digits&student.epochs=${epochs}` });
  try {
    assert.match(await page.locator('#data-note').textContent(), /64 features, 10 classes.*PCA/);
    assert.equal(await page.locator('#panel-labels .picker-box').isVisible(), false, 'no clicking points onto a projection');
    assert.equal(await page.getByTestId('undo-point').isVisible(), false, 'nor buttons to remove added points');
    assert.equal(await page.locator('[data-testid="labels-classes"] li').count(), 10, 'a colour key for the ten classes');
    assert.equal(await page.getByTestId('labels-classes').isVisible(), true);
    assert.match(await page.locator('#panel-labels .note').textContent(), /projection \(PCA/);
    assert.equal(await page.locator('#overlay').isVisible(), false, 'no boundary overlays for a projection');
    assert.match(await page.locator('#panel-training .note').textContent(), /64 features.*no decision boundary/);
    assert.equal(await page.locator('#panel-training .class-legend li').count(), 11, 'ten classes and the ring');
    assert.equal(await page.locator('[data-testid="confusion"] tbody tr').count(), 10);
    await assertPanelsDrawn(page, 'digits');
    await assertNoBadNumbers(page, 'digits before training');

    await fastest(page);
    await playToEnd(page);
    assert.equal(await shownEpoch(page), epochs);
    // Each method's view colours the test points by its prediction: many class colours, not grey.
    const cards = page.locator('[data-testid="method-cards"] canvas');
    for (let i = 0; i < (await cards.count()); i++) assert.ok((await colourCount(cards.nth(i))) >= 10, `prediction view ${i} is coloured`);
    const shown = await shownAccuracies(page);
    const ref = cli({ scenario: 'digits', config: { student: { epochs } } });
    assert.deepEqual(shown, cliAccuracies(ref), 'digits: page = CLI');
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), (ref.teacher_accuracy * 100).toFixed(1));
    assert.equal(Number(await page.getByTestId('k-value').textContent()), ref.k);
    report(t, `digits, ${epochs} epochs (page = CLI): ${JSON.stringify(shown)}`);
    await assertNoBadNumbers(page, 'digits after training');
    await page.locator('#panel-training').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'desktop-digits');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('the real datasets (iris, wine, breast cancer, the MNIST subset) build, train an epoch and show no NaN', async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2' });
  try {
    for (const name of REAL) {
      await page.getByTestId('dataset-select').selectOption(name);
      await waitRebuilt(page, 120_000);
      assert.equal(await errorShown(page), null, `${name}: no error`);
      const note = await page.locator('#data-note').textContent();
      assert.match(note, new RegExp(`^${name}: \\d+ features, \\d+ classes. Plots show a 2-D projection \\(PCA\\)`), `${name}: ${note}`);
      await page.getByTestId('step').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1', null, { timeout: 60_000 });
      await page.waitForTimeout(100);
      await assertPanelsDrawn(page, name);
      for (const [m, v] of Object.entries(await shownAccuracies(page))) assert.match(v, /^\d{1,3}\.\d$/, `${name}: ${m} = "${v}"`);
      await assertNoBadNumbers(page, name);
    }
    assert.ok(log.requests.includes(`${origin()}/data/mnist.bin.gz`), 'the MNIST subset comes from the page\'s own origin');
    // Back to moons after iris & co.: the flagship's own budgets and size, none of theirs left over.
    await page.getByTestId('dataset-select').selectOption('iris');
    await waitRebuilt(page);
    await page.getByTestId('dataset-select').selectOption('moons');
    await waitRebuilt(page);
    const q = new URL(page.url()).searchParams;
    for (const key of ['dataset', 'samples', 'labeled', 'validation', 'test_fraction']) assert.equal(q.get(key), null, `${key} is the flagship's again`);
    const sizes = [];
    for (const k of ['L', 'V', 'U', 'T']) sizes.push(Number(await page.locator(`[data-testid="size-${k}"] .size-n`).textContent()));
    assert.deepEqual(sizes, [30, 300, 1920, 750], 'the flagship\'s split');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
