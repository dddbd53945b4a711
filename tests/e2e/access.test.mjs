// Every learner can use it: axe-core finds no serious or critical violation in four states at both
// widths, the focus ring contrasts at least 3:1, and focus never falls to the page when the focused
// control disables or the tour changes step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowser, openPage, assertCleanAndLocal, waitFinished, report, cli, pct, ROOT, DESKTOP, PHONE } from './helpers.mjs';

useBrowser();

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now: ["rule: selector", ...]. */
async function violations(page) {
  // Evaluated through the debugger protocol: the page's own policy allows no inline script.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
  });
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`axe-core at ${name} width: no serious or critical violation at load, after a run, in the tour, in slow motion`, { timeout: 180_000 }, async (t) => {
    const { context, page, log } = await openPage({ viewport, query: '?student.epochs=3&speed=6' });
    try {
      const found = {};
      found.load = await violations(page);
      await page.getByTestId('play').click();
      await waitFinished(page);
      found.run = await violations(page);
      await page.getByTestId('lesson-start').click();
      await page.locator('#lesson').waitFor({ state: 'visible' });
      found.lesson = await violations(page);
      await page.keyboard.press('Escape');
      await page.locator('#slowmo-body').scrollIntoViewIfNeeded();
      await page.getByTestId('slowmo').click();
      await page.getByTestId('slowmo-box').waitFor({ state: 'visible' });
      found.slowmo = await violations(page);
      for (const [state, list] of Object.entries(found)) assert.deepEqual(list, [], `${name}, ${state}`);
      report(t, `${name}: 0 serious or critical violations in 4 states`);
      assertCleanAndLocal(log);
    } finally {
      await context.close();
    }
  });
}

/** WCAG contrast of two CSS colours as the browser resolves them. */
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

test('the focus ring contrasts at least 3:1 with what is around it', async () => {
  const { context, page, log } = await openPage();
  try {
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      // The ring sits 2 px outside the control: against the page or the bar it is drawn on.
      const bg = (node) => {
        for (let n = node; n; n = n.parentElement) {
          const c = getComputedStyle(n).backgroundColor;
          if (c && !/rgba\(\d+, \d+, \d+, 0\)|transparent/.test(c)) return c;
        }
        return 'rgb(255, 255, 255)';
      };
      return { tag: el.tagName, outline: s.outlineColor, width: s.outlineWidth, style: s.outlineStyle, around: bg(el.parentElement), page: getComputedStyle(document.documentElement).backgroundColor };
    });
    assert.equal(ring.style, 'solid', JSON.stringify(ring));
    assert.ok(parseFloat(ring.width) >= 2, JSON.stringify(ring));
    for (const bg of [ring.around, ring.page, 'rgb(255, 255, 255)']) {
      assert.ok(contrast(ring.outline, bg) >= 3, `${ring.outline} on ${bg}: ${contrast(ring.outline, bg).toFixed(2)}:1`);
    }
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('focus never falls to the page: Play hands it to Pause and back; the tour keeps it at step 1 and Escape closes it from any step', { timeout: 90_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?speed=2' });
  try {
    const focused = () => page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.id ?? document.activeElement?.tagName);
    await page.getByTestId('play').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'training');
    assert.equal(await focused(), 'pause', 'Play disabled: the focus is on Pause');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ['paused', 'ready'].includes(document.querySelector('[data-testid="status"]').dataset.state));
    assert.equal(await focused(), 'play', 'Pause disabled: the focus is back on Play');

    await page.getByTestId('lesson-start').click();
    await page.locator('#lesson').waitFor({ state: 'visible' });
    // Step 2, then Back to step 1: Back disables under the focus.
    await page.locator('#lesson-next').focus();
    await page.keyboard.press('Enter');
    await page.locator('#lesson-prev').focus();
    await page.keyboard.press('Enter');
    assert.match(await page.locator('#lesson-count').textContent(), /^Step 1 of/);
    assert.equal(await page.evaluate(() => document.getElementById('lesson').contains(document.activeElement)), true, 'the focus stays in the tour');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Enter');
    assert.match(await page.locator('#lesson-count').textContent(), /^Step [2-9]/);
    // Escape from anywhere on the page closes it.
    await page.getByTestId('speed').focus();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#lesson').isHidden(), true, 'Escape closes the tour');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('the charts\' text alternatives give the engine\'s numbers, and follow the run when it ends', { timeout: 90_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=3&speed=6' });
  try {
    const ref = cli({ config: { student: { epochs: 3 } } });
    const label = (sel) => page.locator(sel).getAttribute('aria-label');
    const before = await label('.method-card[data-method="slam"] canvas');
    assert.equal(before, 'SLaM (soft): decision map before training.');
    const counts = (await page.getByTestId('labels-counts').textContent()).replaceAll(',', '');
    const [, u, wrong] = counts.match(/^(\d+) unlabeled points; the teacher labels (\d+) of them wrongly/).map(Number);
    assert.match(await label('[data-testid="labels-plot"] canvas'), new RegExp(`^${u.toLocaleString('en')} unlabeled points coloured by the teacher's label; ${wrong} of them`));
    await page.getByTestId('play').click();
    await waitFinished(page);
    for (const [m, r] of Object.entries(ref.methods)) {
      const right = Math.round(r.teacher_wrong_accuracy * wrong);
      const text = await label(`.method-card[data-method="${m}"] canvas`);
      assert.ok(text.includes(`after epoch 3: ${pct(r.per_seed[0])} % right on the test set; of the ${wrong} U points the teacher labels wrongly it predicts ${right} right.`), `${m}: ${text}`);
    }
    const curves = await label('[data-testid="chart-accuracy"]');
    for (const [m, r] of Object.entries(ref.methods)) assert.ok(curves.includes(`${pct(r.curve[0])} % after epoch 1, ${pct(r.curve[2])} % after epoch 3`), `${m} in: ${curves}`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
