// All state in the URL: a copied link rebuilds the same run; bad or outdated links fall back to the
// defaults with a notice, never a blank page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, assertCleanAndLocal, waitReady, waitRebuilt, playToEnd, shownAccuracies, statusOf,
  cli, cliAccuracies, assertNoBadNumbers, pageUrl,
} from './helpers.mjs';

useBrowser();

/** Sets a form control the way a learner does: a new value, then the change event. */
async function setControl(page, selector, value) {
  await page.locator(selector).evaluate((el, v) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, String(value));
}

/** What the page shows of a scenario: the values a learner would compare between two screens. */
async function visibleSetup(page) {
  return page.evaluate(() => {
    const val = (sel) => document.querySelector(sel)?.value;
    return {
      scenario: val('[data-testid="scenario-select"]'),
      dataset: val('[data-testid="dataset-select"]'),
      seed: val('input[name="seed"]'),
      rate: val('input[name="teacher.rate"]'),
      noise: val('[data-testid="teacher-noise"]'),
      epochs: val('[data-testid="epochs-input"]'),
      speed: val('[data-testid="speed"]'),
      seeds: val('[data-testid="seeds-input"]'),
      points: document.querySelector('[data-testid="points-note"]').textContent,
      teacher: document.querySelector('[data-testid="teacher-accuracy"]').textContent,
      sizes: ['L', 'V', 'U', 'T'].map((k) => document.querySelector(`[data-testid="size-${k}"] .size-n`).textContent).join('/'),
      epochTotal: document.querySelector('#epoch-total').textContent,
    };
  });
}

test('a shared URL restores the scenario: settings changed on the page, a clicked point, speed and seeds', async () => {
  const first = await openPage({ query: '?student.epochs=3' });
  let shared;
  let before;
  let accuracies;
  try {
    const { page } = first;
    await setControl(page, 'input[name="seed"]', 7);
    await waitRebuilt(page);
    await page.getByTestId('teacher-noise').selectOption('margin');
    await waitRebuilt(page);
    await setControl(page, 'input[name="teacher.rate"]', 0.3);
    await waitRebuilt(page);
    await page.getByTestId('speed').selectOption('6');
    await page.getByTestId('seeds-input').fill('3');
    await page.getByTestId('seeds-input').dispatchEvent('change');
    // A labeled point of class 1, clicked onto the teacher-labels plot.
    await page.locator('label[for="pick-class-1"]').click();
    const plot = page.locator('[data-testid="labels-plot"] canvas');
    const box = await plot.boundingBox();
    await plot.click({ position: { x: box.width * 0.3, y: box.height * 0.7 } });
    await waitRebuilt(page);
    await page.waitForFunction(() => /1 point added/.test(document.querySelector('[data-testid="points-note"]').textContent));

    // "Copy link to this setup" puts the address on the clipboard.
    await first.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
    await page.getByTestId('share').click();
    await page.waitForFunction(() => document.getElementById('share-status').textContent !== '');
    assert.equal(await page.locator('#share-status').textContent(), 'Link copied.');
    shared = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(shared, page.url(), 'the copied link is the address of this setup');
    const q = new URL(shared).searchParams;
    assert.equal(q.get('seed'), '7');
    assert.equal(q.get('teacher.noise'), 'margin');
    assert.equal(q.get('teacher.rate'), '0.3');
    assert.equal(q.get('student.epochs'), '3');
    assert.equal(q.get('speed'), '6');
    assert.equal(q.get('seeds'), '3');
    assert.match(q.get('points'), /^-?[\d.]+,-?[\d.]+,1$/, 'the clicked point, of class 1');
    before = await visibleSetup(page);
    await playToEnd(page);
    accuracies = await shownAccuracies(page);
    assertCleanAndLocal(first.log);
  } finally {
    await first.context.close();
  }

  // Someone else opens the link: same settings on screen, same data and teacher, same accuracies.
  const second = await openPage({ query: new URL(shared).search });
  try {
    const { page } = second;
    assert.equal(await page.getByTestId('notice').isVisible(), false, `no notice: ${await page.getByTestId('notice').textContent()}`);
    assert.deepEqual(await visibleSetup(page), before);
    assert.equal(page.url(), shared, 'the page keeps the link as it is');
    await playToEnd(page);
    assert.deepEqual(await shownAccuracies(page), accuracies, 'the same run');
    assertCleanAndLocal(second.log);
  } finally {
    await second.context.close();
  }
});

test('URL keys with dots, points, speed and seeds are read; the run equals the CLI\'s for that config', async () => {
  const { context, page, log } = await openPage({ query: '?scenario=uniform-noise&seed=3&student.epochs=2&teacher.rate=0.25&speed=2&seeds=4' });
  try {
    const setup = await visibleSetup(page);
    assert.equal(setup.scenario, 'uniform-noise');
    assert.equal(setup.seed, '3');
    assert.equal(setup.epochs, '2');
    assert.equal(setup.epochTotal, ' / 2');
    assert.equal(setup.rate, '0.25');
    assert.equal(setup.speed, '2');
    assert.equal(setup.seeds, '4');
    await page.getByTestId('speed').selectOption('6');
    await playToEnd(page);
    const ref = cli({ scenario: 'uniform-noise', config: { seed: 3, teacher: { rate: 0.25 }, student: { epochs: 2 } } });
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(ref));
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), (ref.teacher_accuracy * 100).toFixed(1));

    // points=x,y,class;... adds labeled points (2-D data).
    await page.goto(pageUrl('?scenario=flagship&seed=0&student.epochs=2&points=0.5,0.25,1;-0.8,0.9,0'));
    await waitReady(page);
    assert.match(await page.getByTestId('points-note').textContent(), /^2 points added/);
    assert.equal(await page.locator('[data-testid="size-L"] .size-n').textContent(), '32', 'the points join L');
    assert.equal(await page.getByTestId('undo-point').isEnabled(), true);
    await page.getByTestId('undo-point').click();
    await waitRebuilt(page);
    assert.equal(new URL(page.url()).searchParams.get('points'), '0.5,0.25,1', 'undo removes the last point from the URL');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

const BAD_LINKS = [
  { query: '?scenario=no-such-scenario', notice: /Unknown scenario "no-such-scenario"/ },
  { query: '?scenario=flagship&student.epochs=abc', notice: /student epochs.*whole number.*"abc"/i },
  { query: '?labeled=999999', notice: /labeled.*between/ },
  { query: '?seed=-1', notice: /seed/ },
  { query: '?teacher.rate=lots', notice: /noise rate.*number/i },
  { query: '?points=garbage', notice: /added points/ },
  { query: '?methods=vanilla,no_such_method', notice: /methods.*no_such_method/ },
  { query: '?speed=0&seeds=0&lesson=-2', notice: /speed[\s\S]*seeds[\s\S]*lesson/ },
  // Keys of older versions of the page, or typos.
  { query: '?noise_rate=0.3&teacher_rate=0.2', notice: /2 unknown settings: "noise_rate", "teacher_rate"\./ },
  // Values the URL table accepts but the engine refuses: the whole link falls back to the flagship.
  { query: '?scenario=digits&points=1,2,0', notice: /added points could not be used \(`points\[0\]\.x` needs 64 values, got 2\): they were left out/ },
  { query: '?samples=10', notice: /could not be used.*labeled.*Showing the flagship/ },
  { query: '?alpha_estimator=oracle&teacher.kind=trained', notice: /could not be used.*oracle/ },
  // Markup in a link is text in the notice.
  { query: '?scenario=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E', notice: /Unknown scenario "<img src=x onerror="window.__pwned=1">"/ },
  { query: '?%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E=1', notice: /unknown setting "<script>window.__pwned=1<\/script>"/ },
  // Malformed percent-encoding and a very long key.
  { query: '?seed=%E0%A4%A&x', notice: /seed|unknown setting "x"/ },
  { query: `?${'k'.repeat(300)}=1`, notice: /unknown setting "kkkk/ },
];

test('bad and old URLs fall back to the defaults with a notice, never a blank page', async () => {
  const { context, page, log } = await openPage();
  try {
    for (const bad of BAD_LINKS) {
      await page.goto(pageUrl(bad.query));
      await waitReady(page);
      const notice = page.getByTestId('notice');
      assert.equal(await notice.isVisible(), true, `${bad.query}: a notice is shown`);
      assert.match(await notice.textContent(), bad.notice, `${bad.query}: notice "${await notice.textContent()}"`);
      // Not blank: the title, every panel with content, the engine ready to play.
      assert.equal(await page.locator('h1').isVisible(), true);
      for (const id of ['scenario', 'teacher', 'labels', 'mixing', 'training', 'results']) {
        assert.ok((await page.locator(`#${id}-body`).evaluate((el) => el.children.length)) > 0, `${bad.query}: panel ${id} has content`);
      }
      assert.equal(await statusOf(page), 'ready', bad.query);
      assert.equal(await page.getByTestId('play').isEnabled(), true);
      assert.equal(await page.getByTestId('error').isVisible(), false, `${bad.query}: a notice, not an error`);
      // The address bar now holds a link that works.
      const clean = new URL(page.url()).searchParams;
      assert.ok(['flagship', 'digits'].includes(clean.get('scenario')), `${bad.query}: rewritten to ${page.url()}`);
      for (const key of clean.keys()) assert.doesNotMatch(key, /noise_rate|teacher_rate|script|kkk/, `${bad.query}: ${key} dropped from the URL`);
      const pwned = await page.evaluate(() => window.__pwned);
      assert.equal(pwned, undefined, `${bad.query}: nothing ran`);
      assert.equal(await page.locator('img, script:not([src])').count(), 0, `${bad.query}: nothing injected`);
      await assertNoBadNumbers(page, bad.query);
    }
    // After a fallback the page trains as usual.
    await page.goto(pageUrl('?samples=10&student.epochs=50'));
    await waitReady(page);
    assert.equal(new URL(page.url()).searchParams.get('scenario'), 'flagship');
    await page.getByTestId('speed').selectOption('6');
    await playToEnd(page);
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(cli({})), 'the fallback is the real flagship');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
