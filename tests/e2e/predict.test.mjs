// Predict, then reveal: the learner marks where they think the teacher is wrong, then the page
// reveals the truth and SLaM's alpha and scores both; and a guess of the better student, checked
// when the run ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, assertCleanAndLocal, playToEnd, shownAccuracies, screenshot, assertNoBadNumbers,
  assertNoHorizontalOverflow, PHONE,
} from './helpers.mjs';

useBrowser();

const scoreOf = (page, who) => page.getByTestId(`predict-score-${who}`).evaluate((tr) => ({
  marked: Number(tr.dataset.marked), found: Number(tr.dataset.found), falseAlarms: Number(tr.dataset.falseAlarms),
}));
const blurred = (page) => page.evaluate(() => getComputedStyle(document.querySelector('#labels-body .visual')).filter);

test('spot the teacher\'s mistakes: marks by brush and keyboard, the plots blurred until Reveal, scores that add up', async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2' });
  try {
    const counts = await page.getByTestId('labels-counts').textContent();
    const [, u, w] = counts.replaceAll(',', '').match(/^(\d+) unlabeled points; the teacher labels (\d+) of them wrongly/).map(Number);
    await page.getByTestId('predict-start').scrollIntoViewIfNeeded();
    await page.getByTestId('predict-start').click();
    assert.match(await blurred(page), /blur/, 'the answer is hidden while predicting');
    const canvas = page.locator('.predict-box canvas');
    const box = await canvas.boundingBox();
    // One stroke of the brush, zigzagging over the whole plot, marks every unlabeled point.
    await page.mouse.move(box.x + 1, box.y + 2);
    await page.mouse.down();
    // Rows 18 px apart, a move every ~18 px: every point is within 13 px of the brush's centre
    // (the brush is a 28th of the plot, 16 px at this size).
    for (let y = 2, right = true; y < box.height; y += 18, right = !right) {
      await page.mouse.move(box.x + (right ? box.width - 1 : 1), box.y + y, { steps: Math.ceil(box.width / 18) });
      await page.mouse.move(box.x + (right ? box.width - 1 : 1), Math.min(box.y + box.height - 1, box.y + y + 18));
    }
    await page.mouse.up();
    assert.equal(await page.getByTestId('predict-count').textContent(), `${u} points marked`);
    await page.getByTestId('predict-reveal').click();
    assert.doesNotMatch(await blurred(page), /blur/);
    assert.deepEqual(await scoreOf(page, 'you'), { marked: u, found: w, falseAlarms: u - w }, 'everything marked: every mistake found, every other point a false alarm');
    const slam = await scoreOf(page, 'slam');
    assert.equal(slam.found + slam.falseAlarms, slam.marked);
    assert.ok(slam.found <= w && slam.marked <= u);
    assert.ok(slam.found > slam.falseAlarms, `on the flagship SLaM's alpha points at the mistakes: ${JSON.stringify(slam)}`);
    await assertNoBadNumbers(page, 'predict');
    await screenshot(page, 'predict-revealed', { locator: page.locator('#predict-body') });

    // Clear, and mark with the keyboard only: Space under the cursor, then again to unmark.
    await page.getByRole('button', { name: 'Clear my marks' }).click();
    assert.equal(await page.getByTestId('predict-count').textContent(), '0 points marked');
    await canvas.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Space');
    const once = Number(await page.locator('.predict-box').getAttribute('data-marked'));
    assert.ok(once > 0, 'Space marks the points under the cursor');
    await page.keyboard.press('Space');
    assert.equal(await page.getByTestId('predict-count').textContent(), '0 points marked', 'and Space again unmarks them');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('which student ends better? the guess is checked against the run when it ends', async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=3&speed=6' });
  try {
    await page.getByTestId('predict-slam').scrollIntoViewIfNeeded();
    await page.getByTestId('predict-slam').check();
    assert.match(await page.getByTestId('predict-verdict').textContent(), /^You said SLaM/);
    await playToEnd(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="predict-verdict"]').dataset.winner);
    const acc = await shownAccuracies(page);
    const winner = await page.getByTestId('predict-verdict').getAttribute('data-winner');
    const expected = Number(acc.slam) > Number(acc.vanilla) ? 'slam' : Number(acc.slam) < Number(acc.vanilla) ? 'vanilla' : winner;
    assert.equal(winner, expected);
    const text = await page.getByTestId('predict-verdict').textContent();
    assert.match(text, winner === 'slam' ? /^Right/ : winner === 'vanilla' ? /^Not this time/ : /^A tie/);
    assert.ok(text.includes(`SLaM ${acc.slam}%`) && text.includes(`vanilla ${acc.vanilla}%`), text);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('the exercise at phone width: a tap marks, the score fits the screen', async () => {
  const { context, page, log } = await openPage({ viewport: PHONE });
  try {
    await page.getByTestId('predict-start').scrollIntoViewIfNeeded();
    await page.getByTestId('predict-start').click();
    const canvas = page.locator('.predict-box canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    await page.mouse.click(box.x + box.width * 0.55, box.y + box.height * 0.8);
    assert.ok(Number(await page.locator('.predict-box').getAttribute('data-marked')) > 0, 'a tap marks the points under it');
    await page.getByTestId('predict-reveal').click();
    const table = page.locator('[data-testid="predict-score"] table');
    const [t, vw] = [await table.boundingBox(), PHONE.width];
    assert.ok(t.x >= 0 && t.x + t.width <= vw, `the score table fits: ${JSON.stringify(t)}`);
    await assertNoHorizontalOverflow(page);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
