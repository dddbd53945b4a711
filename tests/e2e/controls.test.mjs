// The transport (play / pause / step / reset / new init), the keyboard, and a phone-sized screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, assertCleanAndLocal, playToEnd, shownAccuracies, statusOf, cli, pct,
  cliAccuracies, fastest, assertNoHorizontalOverflow, assertNoBadNumbers, uploadCsv, screenshot, waitReady,
  PHONE, pageUrl, mapFingerprints,
} from './helpers.mjs';

useBrowser();

const EPOCHS = 4;

/** Every method's map fingerprint: equal pictures, equal student weights. */
const maps = (page) => mapFingerprints(page);

const dashes = (accs) => Object.values(accs).every((v) => v === '–');

test('step trains one epoch; reset keeps the initial weights; new init draws new ones', async () => {
  const ref = cli({ config: { student: { epochs: EPOCHS } } });
  const { context, page, log } = await openPage({ query: `?student.epochs=${EPOCHS}&speed=6` });
  try {
    const initial = await maps(page);

    // Step: exactly one epoch, the CLI's epoch-1 accuracies.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1');
    assert.equal(await statusOf(page), 'paused');
    const afterOne = Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.curve[0])]));
    assert.deepEqual(await shownAccuracies(page), afterOne, 'one step = the CLI\'s first epoch');
    assert.notDeepEqual(await maps(page), initial, 'the maps moved');

    // Play to the end: the CLI's final accuracies.
    await playToEnd(page);
    const first = await shownAccuracies(page);
    assert.deepEqual(first, cliAccuracies(ref));
    assert.equal(await page.getByTestId('step').isDisabled(), true, 'no step past the end');

    // Reset: epoch 0, the very same initial maps; replay: the very same accuracies.
    await page.getByTestId('reset').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '0');
    assert.equal(await statusOf(page), 'ready');
    assert.ok(dashes(await shownAccuracies(page)), 'no accuracy before training');
    await page.waitForTimeout(100);
    assert.deepEqual(await maps(page), initial, 'reset shows the initial weights again');
    await playToEnd(page);
    assert.deepEqual(await shownAccuracies(page), first, 'after reset and replay the accuracies equal the first run\'s');

    // New init: new initial weights (other maps at epoch 0), other results; the data and teacher stay.
    const teacher = await page.getByTestId('teacher-accuracy').textContent();
    await page.getByTestId('new-init').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '0');
    await page.waitForTimeout(100);
    const fresh = await maps(page);
    assert.notDeepEqual(fresh, initial, 'new init changes the initial weights');
    await playToEnd(page);
    const second = await shownAccuracies(page);
    assert.notDeepEqual(second, first, 'and so the results');
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), teacher, 'same data and teacher');
    // Reset now keeps the new weights.
    await page.getByTestId('reset').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '0');
    await page.waitForTimeout(100);
    assert.deepEqual(await maps(page), fresh, 'reset keeps the new initial weights');
    await playToEnd(page);
    assert.deepEqual(await shownAccuracies(page), second);

    // Replay after the end restarts from epoch 0 with the same weights.
    await page.getByTestId('play').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="status"]').dataset.state === 'finished' && document.querySelector('[data-testid="epoch"]').textContent === String(n), EPOCHS);
    assert.deepEqual(await shownAccuracies(page), second, 'Replay gives the same run');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('the settings JSON box: bad input is an error shown as text; good input rebuilds and equals the CLI', async () => {
  const { context, page, log } = await openPage();
  try {
    const box = page.getByTestId('config');
    await box.evaluate((el) => { el.closest('details').open = true; });
    const apply = async (text) => {
      await box.fill(text);
      await page.getByTestId('config-apply').click();
    };
    const error = page.getByTestId('error');
    await apply(JSON.stringify({ labeled: -3 }));
    assert.match(await error.textContent(), /^Settings JSON: labeled: must be between/);
    await apply(JSON.stringify({ no_such_key: 1 }));
    assert.match(await error.textContent(), /unknown setting "no_such_key"/);
    await apply('<img src=x onerror="window.__pwned=1">');
    assert.match(await error.textContent(), /^Settings JSON: /);
    assert.equal(await page.locator('img').count(), 0, 'shown as text');
    assert.equal(await box.getAttribute('aria-invalid'), 'true', 'the box is marked invalid');
    assert.equal(new URL(page.url()).searchParams.get('labeled'), null, 'nothing applied');

    const config = { labeled: 40, teacher: { rate: 0.3 }, student: { epochs: 3 } };
    await apply(JSON.stringify(config));
    assert.equal(await error.isVisible(), false);
    await page.waitForFunction(() => document.querySelector('[data-testid="size-L"] .size-n').textContent === '40');
    const q = new URL(page.url()).searchParams;
    assert.deepEqual([q.get('labeled'), q.get('teacher.rate'), q.get('student.epochs')], ['40', '0.3', '3']);
    await fastest(page);
    await playToEnd(page);
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(cli({ config })), 'the same run as `slam-lab run --config`');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('teacher and methods: a trained teacher, an extra method ticked, every panel follows; the CLI agrees', async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2&speed=6' });
  try {
    assert.equal(await page.getByTestId('teacher-noise').isVisible(), true, 'a synthetic teacher has a noise model');
    await page.getByTestId('teacher-kind').selectOption('trained');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('teacher.kind') === 'trained');
    await waitReady(page);
    assert.equal(await page.getByTestId('teacher-noise').isVisible(), false, 'a trained teacher has no noise model');
    assert.equal(await page.locator('#teacher-body input[name="teacher.epochs"]').isVisible(), true, 'but its own epochs');
    assert.equal(await page.locator('#panel-mixing .alpha-maps figure:nth-child(2)').isVisible(), false, 'no true alpha for a trained teacher');
    // One more method: its card, its row, its curve.
    const extra = await page.evaluate(() => [...document.querySelectorAll('[data-testid^="method-"]:not(:checked):not(:disabled)')]
      .map((b) => b.value).find((m) => m && !['vanilla', 'slam'].includes(m)));
    // The page offers methods beyond the six it starts with: there is always one to tick.
    assert.ok(extra, 'an unticked method besides vanilla and slam is offered');
    await page.getByTestId(`method-${extra}`).check();
    await page.waitForFunction((m) => new URL(location.href).searchParams.get('methods')?.split(',').includes(m), extra);
    await page.waitForFunction((m) => document.querySelector(`[data-testid="accuracy-${m}"]`), extra);
    await waitReady(page);
    await playToEnd(page);
    const shown = await shownAccuracies(page);
    const methods = JSON.parse(await page.getByTestId('config').inputValue()).methods;
    const ref = cli({ config: { teacher: { kind: 'trained' }, student: { epochs: 2 }, ...(methods ? { methods } : {}) } });
    assert.deepEqual(shown, cliAccuracies(ref), 'page = CLI with a trained teacher');
    assert.ok(methods.includes(extra), `${extra} in the run's methods`);
    assert.ok(extra in shown, `${extra} trained too`);
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), pct(ref.teacher_accuracy));
    await assertNoBadNumbers(page, 'trained teacher');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('keyboard: Space plays and pauses, typing is not hijacked, every control is reachable with Tab and shows focus', async () => {
  const { context, page, log } = await openPage({ query: '?speed=1' }); // slow motion: it will not finish under us
  try {
    await page.evaluate(() => document.activeElement?.blur());
    const isTraining = () => page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'training');
    const isStopped = () => page.waitForFunction(() => ['paused', 'ready'].includes(document.querySelector('[data-testid="status"]').dataset.state));
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('Space');
      await isTraining();
      assert.equal(await page.getByTestId('pause').isEnabled(), true);
      await page.keyboard.press('Space');
      await isStopped();
      assert.equal(await page.getByTestId('play').isEnabled(), true);
    }

    // A space typed into a field is a space, not Play.
    const json = page.getByTestId('config');
    await json.evaluate((el) => { el.closest('details').open = true; });
    await json.focus();
    const before = await statusOf(page);
    await page.keyboard.type('{ }');
    await page.waitForTimeout(200);
    assert.equal(await statusOf(page), before, 'typing a space in a field does not play');
    assert.equal(await json.inputValue(), '{ }');
    await json.evaluate((el) => { el.value = ''; el.blur(); el.closest('details').open = false; });

    // Tab reaches every enabled control, in order, and each shows a focus ring.
    const expected = await page.evaluate(() => {
      const out = [];
      let i = 0;
      for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
        // checkVisibility: not hidden, not inside a closed <details> (content-visibility), rendered.
        const visible = el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
        if (!visible || el.disabled || el.tabIndex < 0) continue;
        if (el.type === 'radio' && !el.checked) continue; // a radio group is one tab stop
        el.dataset.tabKey = String(i++);
        out.push(el.dataset.testid || el.id || el.textContent.trim().slice(0, 30));
      }
      return out;
    });
    assert.ok(expected.length > 40, `${expected.length} controls`);
    for (const id of ['lesson-start', 'share', 'play', 'step', 'reset', 'new-init', 'speed', 'scenario-select', 'dataset-select', 'csv-upload', 'seeds-input', 'run-seeds', 'export-png']) {
      assert.ok(expected.includes(id), `${id} is a tab stop`);
    }
    await page.evaluate(() => document.activeElement?.blur());
    const reached = new Set();
    const noRing = [];
    for (let n = 0; n < expected.length + 10; n++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const a = document.activeElement;
        if (!a || a === document.body) return null;
        const s = getComputedStyle(a);
        return { key: a.dataset.tabKey, ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, name: a.dataset.testid || a.id || a.tagName };
      });
      if (!info) continue;
      if (info.key !== undefined) reached.add(Number(info.key));
      if (!info.ring) noRing.push(info.name);
    }
    const missed = expected.filter((_, i) => !reached.has(i));
    assert.deepEqual(missed, [], 'controls Tab never reaches');
    assert.deepEqual(noRing, [], 'controls without a visible focus ring');

    // Keyboard only: Tab to Pause while training and press Enter; open and close the tour with keys.
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'training');
    await page.locator('#share').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'pause', 'Pause follows Share while playing');
    await page.keyboard.press('Enter');
    await isStopped();
    await page.getByTestId('lesson-start').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('lesson-title').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'lesson-next', 'focus moves into the tour');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#lesson').isVisible(), false, 'Escape closes the tour');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('phone width (390 px): no horizontal overflow, readable text, usable maps; screenshots', async () => {
  const { context, page, log } = await openPage({ viewport: PHONE });
  try {
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'phone');
    await fastest(page);
    await playToEnd(page);
    await assertNoHorizontalOverflow(page);
    await assertNoBadNumbers(page, 'phone');

    const layout = await page.evaluate(() => {
      let smallest = Infinity;
      let where = '';
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el || el.getClientRects().length === 0 || el.closest('[hidden], .skip')) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < smallest) {
          smallest = size;
          where = `${el.tagName.toLowerCase()}.${el.className}: ${n.textContent.trim().slice(0, 30)}`;
        }
      }
      const cards = [...document.querySelectorAll('[data-testid="method-cards"] canvas')].map((c) => c.getBoundingClientRect().width);
      const transport = document.getElementById('transport').getBoundingClientRect();
      // The teacher-wrong column is what the table is for: it must show without sideways scrolling.
      const table = document.querySelector('[data-testid="split-table"]');
      const box = table.parentElement.getBoundingClientRect();
      const hidden = [...table.querySelectorAll('[data-key="teacher_wrong_accuracy"], thead th:nth-child(4)')]
        .filter((c) => c.getBoundingClientRect().right > Math.min(box.right, window.innerWidth) + 0.5).length;
      return { smallest, where, cards, transportHeight: transport.height, splitCellsOffscreen: hidden };
    });
    assert.ok(layout.smallest >= 11, `smallest text ${layout.smallest}px (${layout.where})`);
    assert.ok(layout.cards.every((w) => w >= 150), `method maps ${layout.cards.join(', ')} px wide`);
    assert.ok(layout.transportHeight <= 110, `the sticky controls take ${layout.transportHeight}px`);
    assert.equal(layout.splitCellsOffscreen, 0, 'the U, teacher wrong column shows without scrolling sideways');
    await page.locator('#panel-training').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'phone-training');
    await screenshot(page, 'phone-full', { fullPage: true });

    // Long messages wrap instead of widening the page: an error quoting a long header, a notice
    // naming a long unknown link key, and the tour.
    await uploadCsv(page, `${'x'.repeat(120)}.csv`, `${'h'.repeat(200)},b,label\n1,2,0\nabc,4,1\n`);
    await page.getByTestId('error').waitFor({ state: 'visible' });
    await assertNoHorizontalOverflow(page);
    await page.goto(pageUrl(`?${'k'.repeat(150)}=1`));
    await waitReady(page);
    assert.equal(await page.getByTestId('notice').isVisible(), true);
    await assertNoHorizontalOverflow(page);
    await page.getByTestId('lesson-start').click();
    await page.getByTestId('lesson-title').waitFor({ state: 'visible' });
    const box = await page.locator('#lesson').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, 'the tour fits the screen');
    await assertNoHorizontalOverflow(page);
    await screenshot(page, 'phone-lesson');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
