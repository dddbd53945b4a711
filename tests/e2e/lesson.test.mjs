// Lesson mode: the guided tour walks through its steps at both widths, each setting up the scenario it
// talks about and bringing its element into view beside the tour, never under it; its words are the
// run's (tests/unit/lesson.test.mjs checks them on seeds 0-9); the step is in the URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STEPS } from '../../www/lesson.js';
import {
  useBrowser, openPage, assertCleanAndLocal, waitReady, waitFinished, assertNoBadNumbers,
  assertNoHorizontalOverflow, screenshot, shownAtEpoch, DESKTOP, PHONE,
} from './helpers.mjs';

useBrowser();

/** The tour's state on screen. */
async function tourState(page) {
  return page.evaluate(() => ({
    visible: !document.getElementById('lesson').hidden,
    count: document.getElementById('lesson-count').textContent,
    title: document.querySelector('[data-testid="lesson-title"]').textContent,
    focus: [...document.querySelectorAll('.lesson-focus')].map((e) => e.id),
    next: document.querySelector('[data-testid="lesson-next"]').textContent,
    backDisabled: document.querySelector('[data-testid="lesson-prev"]').disabled,
    text: document.querySelector('[data-testid="lesson-text"]').textContent,
  }));
}

/** Whether the panel's heading is on screen (the tour scrolls to it). */
const panelInView = (page, id) => page.locator(`#${id}`).evaluate((el) => {
  const r = el.getBoundingClientRect();
  return r.top < window.innerHeight && r.bottom > 0;
});

/** Whether two rectangles overlap (by more than a pixel). */
const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;

/** Where the step's element and the tour are now, once the page stopped scrolling. */
async function layout(page, target) {
  let last = null;
  for (let i = 0; i < 40; i++) {
    const now = await page.evaluate(() => window.scrollY);
    if (now === last) break;
    last = now;
    await page.waitForTimeout(100);
  }
  return page.evaluate((sel) => {
    const rect = (el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
    };
    const el = document.querySelector(sel);
    return {
      target: el ? rect(el) : null,
      box: rect(document.getElementById('lesson')),
      title: rect(document.querySelector('[data-testid="lesson-title"]')),
      prev: rect(document.querySelector('[data-testid="lesson-prev"]')),
      next: rect(document.querySelector('[data-testid="lesson-next"]')),
      textTop: document.getElementById('lesson-text').scrollTop,
      vw: window.innerWidth,
      vh: window.innerHeight,
      bar: document.getElementById('transport').getBoundingClientRect().bottom,
    };
  }, target);
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the guided tour at ${name} width: every step sets up its scenario, shows its element beside the tour, never under it, and says what the run shows`, { timeout: 420_000 }, async () => {
    // Start from changed settings: step 1 must bring back the plain flagship (the speed, a page setting,
    // stays: "fastest" keeps the steps that play short).
    const { context, page, log } = await openPage({ viewport, query: '?student.epochs=3&teacher.rate=0.4&speed=6' });
    // The MNIST downloads under way (the seeds' pool fetches the digits): a Cancel terminates the
    // pool's workers, and a download it cuts short fails by design. Those, and only those (failed
    // after the click), are not counted as failed requests.
    const downloading = new Set();
    let cancelledAt = Infinity;
    const cutShort = [];
    context.on('request', (r) => { if (r.url().endsWith('/data/mnist.bin.gz')) downloading.add(r); });
    context.on('requestfinished', (r) => downloading.delete(r));
    context.on('requestfailed', (r) => {
      if (downloading.delete(r) && Date.now() >= cancelledAt) cutShort.push(`${r.url()}: ${r.failure()?.errorText}`);
    });
    try {
      assert.ok(STEPS.length >= 6, 'the tour has steps');
      await page.getByTestId('lesson-start').click();
      for (let i = 0; i < STEPS.length; i++) {
        const step = STEPS[i];
        const n = i + 1;
        await page.waitForFunction((title) => document.querySelector('[data-testid="lesson-title"]').textContent === title, step.title);
        await waitReady(page, 120_000);
        await page.waitForFunction(() => document.getElementById('lesson').dataset.ready === 'true', null, { timeout: 60_000 });
        const s = await tourState(page);
        assert.equal(s.visible, true);
        assert.equal(s.count, `Step ${n} of ${STEPS.length}`);
        assert.deepEqual(s.focus, [step.panel], `step ${n} highlights ${step.panel}`);
        assert.equal(s.backDisabled, n === 1);
        assert.equal(s.next, n === STEPS.length ? 'Finish' : 'Next');
        assert.ok(s.text.includes(step.formula), `step ${n} shows its formula`);
        // Its scenario, with nothing else changed, and the step in the URL.
        const q = new URL(page.url()).searchParams;
        assert.equal(q.get('scenario'), step.setup.scenario, `step ${n}: scenario`);
        assert.equal(q.get('lesson'), String(n), `step ${n}: in the URL`);
        assert.equal(q.get('seed'), String(step.setup.config?.seed ?? 0), `step ${n}: seed`);
        assert.deepEqual([...q.keys()].filter((k) => !['scenario', 'seed', 'lesson', 'speed', 'seeds'].includes(k)), [], `step ${n}: the scenario's own settings`);
        assert.equal(q.get('speed'), '6', 'the speed stays');
        assert.equal(await page.getByTestId('scenario-select').inputValue(), step.setup.scenario);
        if (step.autoplay) {
          // It plays by itself, to the end; the words then give the run's own numbers.
          await page.waitForFunction(() => ['training', 'finished'].includes(document.querySelector('[data-testid="status"]').dataset.state));
          await waitFinished(page, 120_000);
          await page.waitForFunction(() => /After epoch/.test(document.getElementById('lesson-text').textContent), null, { timeout: 10_000 });
          const { epoch, accuracies } = await shownAtEpoch(page);
          const words = (await tourState(page)).text;
          assert.ok(words.includes(`After epoch ${epoch}`), `step ${n}: the words are at the counter's epoch`);
          for (const m of ['vanilla', 'slam']) assert.ok(words.includes(`${accuracies[m]}%`), `step ${n}: ${m}'s ${accuracies[m]}% in: ${words}`);
          if (step.setup.scenario === 'flagship') assert.equal(words.includes('SLaM ahead on this seed'), Number(accuracies.slam) >= Number(accuracies.vanilla));
        }
        if (step.seeds) {
          // A mean over seeds: the tour runs them in panel 6 and says how far they are.
          await page.waitForFunction((k) => new RegExp(`Running ${k} seeds`).test(document.getElementById('lesson-text').textContent) || /Over \d+ seeds/.test(document.getElementById('lesson-text').textContent), step.seeds, { timeout: 30_000 });
          if (name === 'desktop') {
            // Its words once the seeds are in: SLaM's paired gain as the results table gives it.
            await page.waitForFunction(() => /Over \d+ seeds/.test(document.getElementById('lesson-text').textContent), null, { timeout: 300_000 });
            const words = (await tourState(page)).text.replaceAll('−', '-');
            const cell = await page.getByTestId('result-gain-slam').textContent();
            const [, mean, lo, hi, wins, seeds] = cell.match(/([+-]?\d+\.\d) \[([+-]?\d+\.\d), ([+-]?\d+\.\d)\], won (\d+)\/(\d+)/);
            const signed = (x) => (x.startsWith('-') || x.startsWith('+') ? x : `+${x}`);
            assert.ok(words.includes(`${signed(mean)} points [${signed(lo)}, ${signed(hi)}], ${wins} of ${seeds} seeds`), `the tour: ${words} | the table: ${cell}`);
          } else {
            // Cancelled to keep the test short, once the pool has its digits.
            for (let waited = 0; downloading.size > 0 && waited < 60_000; waited += 100) await page.waitForTimeout(100);
            cancelledAt = Date.now();
            await page.getByTestId('cancel-seeds').click();
          }
        }
        // Never under the tour: the step's element, the title and Back / Next all in view.
        const g = await layout(page, step.target);
        assert.ok(g.target, `step ${n}: ${step.target} exists`);
        assert.ok(!overlap(g.target, g.box), `step ${n}: the tour covers ${step.target}: ${JSON.stringify({ target: g.target, box: g.box })}`);
        assert.ok(g.target.top >= g.bar - 1 && g.target.top < g.vh, `step ${n}: ${step.target} is in view (top ${Math.round(g.target.top)})`);
        for (const part of ['title', 'prev', 'next']) {
          assert.ok(g[part].top >= 0 && g[part].bottom <= g.vh + 1 && g[part].right <= g.vw + 1, `step ${n}: ${part} in the viewport: ${JSON.stringify(g[part])}`);
        }
        assert.ok(g.box.height <= (name === 'phone' ? 0.46 * g.vh : g.vh), `step ${n}: the tour is ${Math.round(g.box.height)} px tall`);
        assert.equal(g.textTop, 0, `step ${n} opens at the top of its text`);
        await assertNoHorizontalOverflow(page);
        await assertNoBadNumbers(page, `lesson step ${n}`);
        if (n === 3 || n === 7) await screenshot(page, `${name}-lesson-${n}`);
        // Back and forth once, on the second step.
        if (n === 2) {
          await page.getByTestId('lesson-prev').click();
          await page.waitForFunction((title) => document.querySelector('[data-testid="lesson-title"]').textContent === title, STEPS[0].title);
          assert.equal(new URL(page.url()).searchParams.get('lesson'), '1');
          await page.getByTestId('lesson-next').click();
          await page.waitForFunction((title) => document.querySelector('[data-testid="lesson-title"]').textContent === title, step.title);
        }
        await page.getByTestId('lesson-next').click();
      }
      // Finish: the tour closes, the page stays on the last scenario, the URL drops the step.
      await page.locator('#lesson').waitFor({ state: 'hidden' });
      assert.deepEqual((await tourState(page)).focus, []);
      assert.equal(new URL(page.url()).searchParams.get('lesson'), null);
      for (const cut of cutShort) log.failedRequests.splice(log.failedRequests.indexOf(cut), 1);
      assertCleanAndLocal(log);
    } finally {
      await context.close();
    }
  });
}

test('a link with lesson=N opens the tour at step N; Close ends it', async () => {
  const n = 4;
  const { context, page, log } = await openPage({ query: `?scenario=flagship&lesson=${n}` });
  try {
    await page.waitForFunction((t) => document.querySelector('[data-testid="lesson-title"]').textContent === t, STEPS[n - 1].title);
    const s = await tourState(page);
    assert.equal(s.count, `Step ${n} of ${STEPS.length}`);
    assert.deepEqual(s.focus, [STEPS[n - 1].panel]);
    await assertNoHorizontalOverflow(page);
    await page.getByTestId('lesson-close').click();
    assert.equal((await tourState(page)).visible, false);
    assert.equal(new URL(page.url()).searchParams.get('lesson'), null);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
