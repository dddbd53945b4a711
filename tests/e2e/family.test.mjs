// The whole family of methods (issue 4): every method the engine knows is in the picker with its
// sentence and source, grouped core / wider family; VID and LELP are off, with the reason, while the
// teacher is synthetic; each method's settings show when it is ticked and travel in the link. RAD's
// queries are marked on its maps and the share the teacher got right equals the CLI's. The engine's
// warnings show as text, and the page goes on working after a run that collapsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  useBrowser, openPage, assertCleanAndLocal, cli, cliAccuracies, pct, shownAccuracies, playToEnd, fastest,
  waitReady, waitRebuilt, assertNoBadNumbers, screenshot, report, PHONE, assertNoHorizontalOverflow, cliBinary,
} from './helpers.mjs';

useBrowser();

/** The engine's own method rows (its schema), asked of the wasm module loaded into the page (as the worker does). */
const engineMethods = (page) => page.evaluate(async () => {
  const slam = await import(new URL('./pkg/slam_lab.js', location.href).href);
  await slam.default();
  return slam.schema().methods.map((m) => ({ ...m, core: m.group === 'core', baseline: m.group === 'baseline' }));
});

const checked = (page) => page.$$eval('[data-testid="methods"] input[type="checkbox"]', (bs) => bs.filter((b) => b.checked).map((b) => b.value));

test('the method picker lists every method with its sentence and source, grouped; VID and LELP need a trained teacher', async () => {
  const { context, page, log } = await openPage();
  try {
    const all = await engineMethods(page);
    assert.equal(all.length, 16, 'the engine knows 16 methods');
    // The command line lists the same methods with the same sentences.
    const listed = execFileSync(cliBinary(), ['methods'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.match(/^(\S+)\s+(.*)$/).slice(1));
    assert.deepEqual(listed, all.map((m) => [m.name, m.description]), '`slam-lab methods` = the engine the page runs');
    const groups = await page.evaluate(() => Object.fromEntries(['core', 'family', 'baselines'].map((g) => [g, [...document.querySelectorAll(`[data-testid="methods-group-${g}"] input[type="checkbox"]`)].map((b) => b.value)])));
    assert.deepEqual(groups.core, all.filter((m) => m.core).map((m) => m.name), 'the core group');
    assert.deepEqual(groups.family, all.filter((m) => !m.core && !m.baseline).map((m) => m.name), 'the wider family');
    assert.deepEqual(groups.baselines, ['vanilla_lv', 'labels_only'], 'the baselines');
    assert.match(await page.getByTestId('methods-group-family').textContent(), /^The wider family/);
    // Methods that take gradient steps on V's labels say so in the picker, as the engine says.
    for (const m of all) {
      assert.equal(await page.getByTestId(`uses-v-${m.name}`).count(), m.trains_on_validation_labels ? 1 : 0, `${m.name}: V-label mark`);
    }
    assert.deepEqual(all.filter((m) => m.trains_on_validation_labels).map((m) => m.name), ['alm', 'l2t', 'vanilla_lv']);

    // Each method's "about" opens with the keyboard and shows the engine's sentence and source.
    for (const m of all) {
      const about = page.getByTestId(`about-${m.name}`);
      const toggle = page.getByTestId(`about-toggle-${m.name}`);
      assert.equal(await about.isVisible(), false, `${m.name}: closed at first`);
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      await toggle.focus();
      await page.keyboard.press('Enter');
      assert.equal(await about.isVisible(), true, `${m.name}: Enter opens it`);
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      assert.equal(await about.locator('.method-description').textContent(), m.description, `${m.name}: the engine's sentence`);
      assert.equal(await about.locator('.method-source').textContent(), `Source: ${m.source}`, `${m.name}: its source`);
      assert.ok((await page.locator(`#short-${m.name}`).textContent()).length > 10, `${m.name}: a short line in view`);
    }
    await screenshot(page, 'desktop-methods-open', { locator: page.getByTestId('methods') });
    for (const m of all) await page.getByTestId(`about-toggle-${m.name}`).click();
    assert.equal(await page.getByTestId('about-ups').isVisible(), false, 'a click closes it again');

    // The flagship's teacher is synthetic: VID and LELP are off and say why; the rest can be ticked.
    for (const m of all) {
      const box = page.getByTestId(`method-${m.name}`);
      const trainedOnly = ['vid', 'lelp'].includes(m.name);
      assert.equal(await box.isDisabled(), trainedOnly, `${m.name} disabled: ${trainedOnly}`);
      assert.equal(await page.getByTestId(`reason-${m.name}`).isVisible(), trainedOnly);
      if (trainedOnly) assert.match(await page.getByTestId(`reason-${m.name}`).textContent(), /needs a trained teacher with a hidden layer/);
    }

    // "Every method" ticks all that this teacher can serve, and the build works.
    await page.getByTestId('methods-all').click();
    await waitRebuilt(page);
    const expected = all.map((m) => m.name).filter((m) => !['vid', 'lelp'].includes(m));
    assert.deepEqual(await checked(page), expected);
    assert.equal(new URL(page.url()).searchParams.get('methods'), expected.join(','));
    assert.equal(await page.getByTestId('error').isVisible(), false);
    assert.equal(await page.locator('[data-testid="method-cards"] canvas').count(), expected.length, 'a map per method');

    // A trained teacher: VID and LELP come on.
    await page.getByTestId('teacher-kind').selectOption('trained');
    await waitRebuilt(page);
    assert.equal(await page.getByTestId('method-vid').isDisabled(), false);
    assert.equal(await page.getByTestId('reason-vid').isVisible(), false);
    await page.getByTestId('method-vid').check();
    await waitRebuilt(page);
    assert.ok((await checked(page)).includes('vid'));
    // Back to a synthetic teacher: VID is dropped (never sent to the engine, which would refuse it).
    await page.getByTestId('teacher-kind').selectOption('synthetic');
    await waitRebuilt(page);
    assert.ok(!(await checked(page)).includes('vid'));
    assert.ok(!new URL(page.url()).searchParams.get('methods').includes('vid'));
    assert.equal(await page.getByTestId('error').isVisible(), false, 'no engine error');
    assert.match(await page.getByTestId('notice').textContent(), /VID needs a trained teacher.*left out/);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a link with VID and a synthetic teacher: VID is left out with a notice, the rest runs', async () => {
  const { context, page, log } = await openPage({ query: '?methods=vanilla,vid,slam&student.epochs=2' });
  try {
    assert.match(await page.getByTestId('notice').textContent(), /VID needs a trained teacher/);
    assert.deepEqual(await checked(page), ['vanilla', 'slam']);
    assert.equal(new URL(page.url()).searchParams.get('methods'), 'vanilla,slam', 'the link is corrected');
    await fastest(page);
    await playToEnd(page);
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(cli({ config: { methods: ['vanilla', 'slam'], student: { epochs: 2 } } })));
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

// Every new config key, as a link carries it; each shows as a setting while its method is ticked.
const FAMILY_KEYS = {
  'ups.threshold_positive': ['0.8', { ups: { threshold_positive: 0.8 } }],
  'ups.threshold_negative': ['0.1', { ups: { threshold_negative: 0.1 } }],
  'ups.max_spread': ['0.2', { ups: { max_spread: 0.2 } }],
  'ups.ensemble': ['3', { ups: { ensemble: 3 } }],
  vid_weight: ['2', { vid_weight: 2 }],
  query_budget: ['0.2', { query_budget: 0.2 }],
  query_rounds: ['3', { query_rounds: 3 }],
  lelp_subclasses: ['4', { lelp_subclasses: 4 }],
  meta_lr: ['2', { meta_lr: 2 }],
  l2t_lr: ['0.02', { l2t_lr: 0.02 }],
};

test('the wider family\'s settings: in the link, shown for ticked methods only, and the run equals the CLI\'s', async (t) => {
  const methods = ['vanilla', 'ups', 'vid', 'alm', 'rad', 'lelp', 'l2t'];
  const query = `?teacher.kind=trained&student.epochs=2&methods=${methods.join(',')}&${Object.entries(FAMILY_KEYS).map(([k, [v]]) => `${k}=${v}`).join('&')}`;
  const { context, page, log } = await openPage({ query });
  try {
    assert.equal(await page.getByTestId('notice').isVisible(), false, `no notice: ${await page.getByTestId('notice').textContent()}`);
    const q = new URL(page.url()).searchParams;
    for (const [key, [value]] of Object.entries(FAMILY_KEYS)) {
      assert.equal(q.get(key), value, `the link keeps ${key}`);
      const input = page.getByTestId(`setting-${key}`);
      assert.equal(await input.isVisible(), true, `${key} is shown`);
      assert.equal(await input.inputValue(), value, `${key} shows the link's value`);
    }
    assert.equal(await page.getByTestId('setting-taylor_order').isVisible(), false, 'Taylor-CE is not ticked: no Taylor order');
    await fastest(page);
    await playToEnd(page);
    const config = Object.assign({ teacher: { kind: 'trained' }, student: { epochs: 2 }, methods }, ...Object.values(FAMILY_KEYS).map(([, c]) => c));
    config.ups = Object.assign({}, ...Object.values(FAMILY_KEYS).map(([, c]) => c.ups ?? {}));
    const ref = cli({ config });
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(ref), 'the settings reached the engine: page = CLI');
    report(t, `wider family, trained teacher, 2 epochs: ${Object.entries(await shownAccuracies(page)).map(([m, v]) => `${m} ${v}%`).join(', ')}`);
    await assertNoBadNumbers(page, 'wider family');

    // A setting changed on the page goes into the link; unticking its method hides it.
    await page.getByTestId('setting-vid_weight').fill('3');
    await page.getByTestId('setting-vid_weight').dispatchEvent('change');
    await waitRebuilt(page);
    assert.equal(new URL(page.url()).searchParams.get('vid_weight'), '3');
    await page.getByTestId('method-vid').uncheck();
    await waitRebuilt(page);
    assert.equal(await page.getByTestId('setting-vid_weight').isVisible(), false, 'VID unticked: its weight goes');
    assert.equal(await page.getByTestId('setting-query_budget').isVisible(), true, 'RAD still ticked: its budget stays');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

/** Pure white pixels: only the queried markers are pure white on a map (heatmaps never are). */
const whitePixels = (locator) => locator.evaluate((canvas) => {
  const { data } = window.__readPixels(canvas);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] === 255 && data[i + 1] === 255 && data[i + 2] === 255) n++;
  return n;
});

test('RAD: the points the teacher was asked to label are marked, their count and the teacher\'s share equal the CLI\'s', async (t) => {
  const methods = ['vanilla', 'rad', 'rad_random'];
  const ref = cli({ config: { methods } });
  const { context, page, log } = await openPage({ query: `?methods=${methods.join(',')}` });
  try {
    const card = (m) => page.locator(`[data-testid="method-cards"] figure[data-method="${m}"] canvas`);
    const count = async (m) => Number(await page.getByTestId(`queried-${m}`).textContent());
    assert.equal(await page.getByTestId('queried-vanilla').count(), 0, 'vanilla asks nothing: no read-out');
    assert.equal(await count('rad'), 0, 'no query before training');
    assert.equal(await page.getByTestId('setting-query_budget').isVisible(), true, 'RAD\'s budget is a setting');
    // A few epochs in, a first round of queries is spent; the set grows over the first half of training.
    for (let e = 1; e <= 4; e++) {
      await page.getByTestId('step').click();
      await page.waitForFunction((n) => document.querySelector('[data-testid="epoch"]').textContent === String(n), e);
    }
    await page.waitForTimeout(100);
    const early = await count('rad');
    assert.ok(early > 0 && early < ref.methods.rad.queried, `after 4 epochs ${early} of ${ref.methods.rad.queried} queries`);
    await fastest(page);
    await playToEnd(page);
    await page.waitForTimeout(100);
    for (const m of ['rad', 'rad_random']) {
      assert.equal(await count(m), ref.methods[m].queried, `${m}: markers drawn = the engine's queries`);
      assert.equal(Number(await page.getByTestId(`queried-count-${m}`).textContent()), ref.methods[m].queried);
      const share = page.getByTestId(`queried-accuracy-${m}`);
      assert.equal(Number(await share.getAttribute('data-value')), ref.methods[m].queried_teacher_accuracy, `${m}: the teacher's share on its queries = CLI`);
      assert.equal(await share.textContent(), pct(ref.methods[m].queried_teacher_accuracy));
      assert.ok((await whitePixels(card(m))) > 50, `${m}: markers on the map`);
    }
    assert.equal(await whitePixels(card('vanilla')), 0, 'no markers on vanilla\'s map');
    assert.match(await page.locator('figure[data-method="rad"] .card-note').textContent(), new RegExp(`^points the teacher was asked to label \\(${ref.methods.rad.queried}\\)$`));
    report(t, `queries: rad ${ref.methods.rad.queried} (teacher right on ${pct(ref.methods.rad.queried_teacher_accuracy)}%), rad_random ${ref.methods.rad_random.queried} (${pct(ref.methods.rad_random.queried_teacher_accuracy)}%)`);
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(ref));
    await page.locator('figure[data-method="rad"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-rad');
    await assertNoBadNumbers(page, 'RAD');
    // Reset: the queries start again.
    await page.getByTestId('reset').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '0');
    await page.waitForFunction(() => document.querySelector('[data-testid="queried-rad"]').textContent === '0');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('warnings: a learning rate of 10 collapses training; the page says so, names student.lr, and keeps working', async () => {
  const ref = cli({ config: { student: { lr: 10 } } });
  assert.ok(ref.warnings.length > 0, 'the CLI warns too');
  const { context, page, log } = await openPage({ viewport: PHONE, query: '?scenario=flagship&student.lr=10' });
  try {
    const warnings = page.getByTestId('warnings');
    assert.equal(await warnings.isVisible(), false, 'no warning before training');
    await fastest(page);
    await playToEnd(page);
    assert.equal(await warnings.isVisible(), true);
    const lines = await warnings.locator('li').allTextContents();
    assert.deepEqual(lines, ref.warnings.map((w) => w.replaceAll('`', '')), 'the engine\'s warnings, as text');
    assert.match(lines[0], /student\.lr/);
    assert.equal(await warnings.locator('code').first().textContent(), 'student.lr');
    await assertNoBadNumbers(page, 'collapsed run');
    await assertNoHorizontalOverflow(page);
    await page.locator('#panel-training').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'phone-warnings');

    // The multi-seed report has them too, under its table.
    await page.getByTestId('seeds-input').fill('1');
    await page.getByTestId('seeds-input').dispatchEvent('change');
    await page.getByTestId('run-seeds').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled, null, { timeout: 60_000 });
    const resultLines = await page.getByTestId('results-warnings').locator('li').allTextContents();
    assert.deepEqual(resultLines, ref.warnings.map((w) => w.replaceAll('`', '')));

    // Training that diverges (weights no longer numbers): a warning, and no NaN anywhere.
    const input = page.locator('input[name="student.lr"]');
    await page.locator('#panel-training select[name="student.optimizer"]').selectOption('sgd');
    await waitRebuilt(page);
    await input.fill('100');
    await input.dispatchEvent('change');
    await waitRebuilt(page);
    assert.equal(await warnings.isVisible(), false, 'a new build starts without warnings');
    await playToEnd(page);
    assert.match(await warnings.textContent(), /training diverged in epoch \d+ .*lower student\.lr/);
    await assertNoBadNumbers(page, 'diverged run');

    // A sane learning rate: no warning, and the CLI's numbers.
    await page.locator('#panel-training select[name="student.optimizer"]').selectOption('adam');
    await waitRebuilt(page);
    await input.fill('0.01');
    await input.dispatchEvent('change');
    await waitRebuilt(page);
    await waitReady(page);
    await playToEnd(page);
    assert.equal(await warnings.isVisible(), false, 'no warning for a normal run');
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(cli({})));
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
