// One point, followed everywhere: hover previews it, a click selects it on any plot, the card gives the
// engine's numbers for it (checked against `slam-lab explain`, which reports the same rows), the
// link keeps it, the keyboard moves between the teacher's mistakes, and training stays smooth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import init, * as slam from '../../www/pkg/slam_lab.js';
import {
  useBrowser, openPage, assertCleanAndLocal, cliExplain, playToEnd, pageUrl, waitReady, startFrameMeter, stopFrameMeter,
  report, screenshot, PHONE, assertNoHorizontalOverflow, ROOT,
} from './helpers.mjs';

useBrowser();
await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www', 'pkg', 'slam_lab_bg.wasm')) });

/**
 * Every student's class for `row` after each epoch (index 0: before training), recounted here from
 * the engine's predictions in Node, one epoch at a time: not from the page's record of the point.
 */
function classesByEpoch(config, row) {
  const s = new slam.Session({ scenario: 'flagship', config });
  const methods = s.overview().methods;
  const hist = methods.map((_, m) => [s.predictionsOf(m, row, 1)[0]]);
  for (let e = 1; e <= config.student.epochs; e++) {
    while (s.advance(1_000_000, e) >= 0);
    methods.forEach((_, m) => hist[m].push(s.predictionsOf(m, row, 1)[0]));
  }
  s.free();
  return { methods, hist };
}

/** The story a student's history tells, written here from its definition (docs/teaching.md). */
function expectedStory(hist, truth, teacher) {
  const changes = [];
  for (let e = 1; e < hist.length; e++) if (hist[e] !== hist[e - 1]) changes.push(e);
  const parts = [];
  if (changes.length) {
    const n = changes.length;
    const shown = n <= 8 ? changes.join(', ') : `${changes.slice(0, 3).join(', ')}, …, ${changes.slice(-3).join(', ')}`;
    parts.push(`changed its mind ${n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`} (epoch${n === 1 ? '' : 's'} ${shown})`);
  }
  const last = hist[hist.length - 1];
  if (last === teacher) parts.push('copies the teacher\'s mistake');
  else if (last === truth) parts.push('right where the teacher is wrong');
  return parts.join('; ');
}

const cardRow = (page) => page.getByTestId('point-card').getAttribute('data-point');
const selInUrl = (page) => new URL(page.url()).searchParams.get('sel');

/** Moves the pointer over `canvas` until the hover preview names a point; returns that point's row. */
async function hoverAPoint(page, canvas) {
  const box = await canvas.boundingBox();
  for (let gy = 0.3; gy < 0.9; gy += 0.05) {
    for (let gx = 0.2; gx < 0.9; gx += 0.05) {
      await page.mouse.move(box.x + gx * box.width, box.y + gy * box.height);
      const tip = page.getByTestId('point-tip');
      if (await tip.isVisible()) return { row: Number((await tip.textContent()).match(/^point (\d+):/)[1]), x: box.x + gx * box.width, y: box.y + gy * box.height };
    }
  }
  assert.fail('no point under the pointer anywhere');
}

test('a point followed everywhere: the link\'s point carries the engine\'s numbers; hover, click and keyboard select', async (t) => {
  const ref = cliExplain({ config: { student: { epochs: 4 } } });
  const u = ref.rows.findIndex((_, i) => !ref.labeled[i] && ref.teacher_class[i] !== ref.true_class[i]);
  assert.ok(u >= 0, 'the first minibatch holds a point the teacher gets wrong');
  const row = ref.rows[u];
  const { context, page, log } = await openPage({ query: `?student.epochs=4&sel=${row}` });
  try {
    await page.waitForFunction((r) => document.querySelector('[data-testid="point-alpha"]') && document.querySelector('[data-testid="point-card"]').dataset.point === String(r), row);
    assert.equal(Number(await page.getByTestId('point-alpha').getAttribute('data-value')), Math.fround(ref.alpha[u]), 'alpha as the engine gives it');
    const text = await page.getByTestId('point-card').textContent();
    assert.match(text, new RegExp(`teacher says${ref.teacher_class[u]} ${(100 * ref.teacher_confidence[u]).toFixed(1)}% sure, wrong`));
    assert.match(text, new RegExp(`true class${ref.true_class[u]}`));

    // Training: every student's class for it, epoch by epoch, and where it stands at the end.
    await playToEnd(page);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="point-method-"]')].every((tr) => tr.dataset.predicted !== ''));
    // Each student's story is the one its own history tells: the epochs where its class for the
    // point changed, and whether it ends on the teacher's wrong class or on the true one.
    const { methods, hist } = classesByEpoch({ student: { epochs: 4 } }, row);
    const shown = Object.fromEntries(await page.$$eval('[data-testid^="point-method-"]', (trs) => trs.map((tr) => [
      tr.dataset.testid.slice('point-method-'.length), { predicted: tr.dataset.predicted, story: tr.querySelector('.help').textContent.trim() },
    ])));
    assert.deepEqual(Object.keys(shown), methods, 'a row per student');
    const ends = { copies: 0, right: 0 };
    methods.forEach((m, k) => {
      assert.equal(shown[m].predicted, String(hist[k][4]), `${m}: its class for the point now`);
      const want = expectedStory(hist[k], ref.true_class[u], ref.teacher_class[u]);
      assert.equal(shown[m].story, want, `${m}: classes by epoch ${hist[k].join(' ')}`);
      if (hist[k][4] === ref.teacher_class[u]) ends.copies += 1;
      if (hist[k][4] === ref.true_class[u]) ends.right += 1;
    });
    report(t, `point ${row}: ${ends.copies} students copy the teacher's mistake, ${ends.right} are right where it is wrong`);
    await page.getByTestId('method-cards').scrollIntoViewIfNeeded();
    await screenshot(page, 'point-followed');

    // Hover previews without selecting; a click on a student's map selects.
    const canvas = page.locator('[data-testid="method-cards"] canvas').first();
    const hovered = await hoverAPoint(page, canvas);
    assert.equal(await cardRow(page), String(row), 'hovering does not select');
    await page.mouse.click(hovered.x, hovered.y);
    await page.waitForFunction((r) => document.querySelector('[data-testid="point-card"]').dataset.point === String(r), hovered.row);
    assert.equal(selInUrl(page), String(hovered.row), 'the link keeps the selection');

    // The keyboard: the next point the teacher gets wrong.
    await page.getByTestId('point-next-wrong').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((r) => document.querySelector('[data-testid="point-card"]').dataset.point !== String(r), hovered.row);
    assert.match(await page.getByTestId('point-card').textContent(), /sure, wrong/);
    const chosen = await cardRow(page);
    assert.equal(selInUrl(page), chosen);

    // On the labels plot a click adds a point unless "selects" is chosen.
    const labels = page.locator('[data-testid="labels-plot"] canvas');
    await labels.scrollIntoViewIfNeeded();
    await page.getByTestId('click-select').check();
    const onLabels = await hoverAPoint(page, labels);
    await page.mouse.click(onLabels.x, onLabels.y);
    await page.waitForFunction((r) => document.querySelector('[data-testid="point-card"]').dataset.point === String(r), onLabels.row);
    assert.equal(new URL(page.url()).searchParams.get('points'), null, 'selecting adds no point');

    // With the keyboard alone, from no selection: the labels panel's button follows a mistake.
    await page.getByRole('button', { name: 'Stop following this point' }).click();
    assert.equal(await page.getByTestId('point-card').isVisible(), false);
    assert.equal(selInUrl(page), null);
    await page.getByTestId('follow-mistake').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="point-card"]').dataset.point !== undefined);
    assert.match(await page.getByTestId('point-card').textContent(), /sure, wrong/);
    await page.getByTestId('click-select').check();
    // The card came back, and the page made room for it beside the plot again: find a point anew.
    await labels.scrollIntoViewIfNeeded();
    const again = await hoverAPoint(page, labels);
    await page.mouse.click(again.x, again.y);
    await page.waitForFunction((r) => document.querySelector('[data-testid="point-card"]').dataset.point === String(r), again.row);

    // Reopening the link shows the same point.
    const link = page.url();
    await page.goto(link);
    await waitReady(page);
    await page.waitForFunction((r) => document.querySelector('[data-testid="point-card"]')?.dataset.point === String(r), again.row);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a point followed while training flat out: frames per second (benchmark); the card fits a phone', async (t) => {
  const { context, page, log } = await openPage({ query: '?student.epochs=10000&speed=6&sel=100', reducedMotion: 'no-preference' });
  try {
    await page.getByTestId('method-cards').scrollIntoViewIfNeeded();
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 2);
    await startFrameMeter(page);
    await page.waitForTimeout(5000);
    const frames = await stopFrameMeter(page);
    await page.getByTestId('pause').click();
    report(t, `training flat out with a point followed: ${frames.fps.toFixed(0)} fps, longest gap ${frames.longestGapMs.toFixed(0)} ms`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
  const phone = await openPage({ viewport: PHONE, query: '?sel=100' });
  try {
    await phone.page.waitForFunction(() => document.querySelector('[data-testid="point-card"]')?.dataset.point === '100');
    await assertNoHorizontalOverflow(phone.page);
    await screenshot(phone.page, 'point-phone');
    assertCleanAndLocal(phone.log);
  } finally {
    await phone.context.close();
  }
});
