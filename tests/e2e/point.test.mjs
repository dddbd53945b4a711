// One point, followed everywhere: hover previews it, a click selects it on any plot, the card gives the
// engine's numbers for it (checked against `slam-lab explain`, which reports the same rows), the
// link keeps it, the keyboard moves between the teacher's mistakes, and training stays smooth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, assertCleanAndLocal, cliExplain, playToEnd, pageUrl, waitReady, startFrameMeter, stopFrameMeter,
  report, screenshot, PHONE, assertNoHorizontalOverflow,
} from './helpers.mjs';

useBrowser();

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

test('a point followed everywhere: the link\'s point carries the engine\'s numbers; hover, click and keyboard select', async () => {
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
    const stories = await page.$$eval('[data-testid^="point-method-"]', (trs) => trs.map((tr) => tr.textContent));
    for (const s of stories) assert.match(s, /copies the teacher's mistake|right where the teacher is wrong|changed its mind/, s);
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
