// Nothing a learner did is lost or silently misapplied: predict-then-reveal survives a reload and
// hides its answers again on new labels; a followed point is not carried over to other data; a sweep
// and a slow-motion step say when they belong to an earlier state. Odd input gets one sentence: a
// link with a thousand unknown keys, seeds typed as 1e3, class labels that are numbers or differ only
// in case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, assertCleanAndLocal, waitReady, waitRebuilt, uploadCsv, report, shownEpoch, urlParams,
} from './helpers.mjs';

useBrowser();

const blurred = (page) => page.evaluate(() => getComputedStyle(document.querySelector('#labels-body .visual')).filter);
const marked = async (page) => Number(await page.locator('.predict-box').getAttribute('data-marked'));

test('predict, then reveal: a reload keeps the marks and the guess; new labels hide the answers again', { timeout: 120_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2' });
  try {
    await page.getByTestId('predict-start').scrollIntoViewIfNeeded();
    await page.getByTestId('predict-start').click();
    const canvas = page.locator('.predict-box canvas');
    await canvas.focus();
    for (const key of ['ArrowLeft', 'ArrowLeft', 'Space', 'ArrowDown', 'ArrowDown', 'Space', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'Space']) await page.keyboard.press(key);
    const before = await marked(page);
    assert.ok(before > 0, 'some points marked');
    await page.getByTestId('predict-slam').check();
    await page.reload();
    await waitReady(page);
    await page.getByTestId('predict-count').waitFor({ state: 'visible' });
    assert.equal(await marked(page), before, 'the marks survive a reload');
    assert.equal(await page.getByTestId('predict-count').textContent(), `${before} points marked`);
    assert.equal(await page.getByTestId('predict-slam').isChecked(), true, 'so does the guess');
    assert.match(await blurred(page), /blur/, 'still marking: the answers stay hidden');
    // A rebuild of the same labels (another method list) keeps them too.
    await page.getByTestId('predict-reveal').click();
    assert.doesNotMatch(await blurred(page), /blur/);
    // New labels (another scenario): the exercise starts again, answers hidden.
    await page.getByTestId('scenario-select').selectOption('uniform-noise');
    await waitRebuilt(page);
    await page.getByTestId('predict-count').waitFor({ state: 'visible' });
    assert.equal(await marked(page), 0, 'marks about other mistakes are gone');
    assert.match(await blurred(page), /blur/, 'the answers are hidden again while marking');
    assert.equal(await page.getByTestId('predict-reveal').isEnabled(), true);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a followed point is not carried over to other data: an upload ends it, with a word', { timeout: 60_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?sel=5' });
  try {
    await page.getByTestId('point-card').waitFor({ state: 'visible' });
    const rows = ['x,y,label'];
    for (let i = 0; i < 60; i++) rows.push(`${(i % 7) / 3},${(i % 5) / 2},${i % 2 ? 'a' : 'b'}`);
    await uploadCsv(page, 'other.csv', rows.join('\n') + '\n');
    await waitRebuilt(page);
    await page.waitForFunction(() => /The point you followed \(row 5\) was in the data before this change/.test(document.querySelector('[data-testid="notice"]').textContent));
    assert.equal(new URL(page.url()).searchParams.get('sel'), null, 'the link no longer selects it');
    assert.equal(await page.getByTestId('point-card').isVisible(), false);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a sweep run before the settings changed says so, naming what it was run on', { timeout: 180_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2&seeds=1&sweep=labeled&sweep_values=20,40' });
  try {
    await page.getByTestId('sweep-run').scrollIntoViewIfNeeded();
    await page.getByTestId('sweep-run').click();
    await page.waitForFunction(() => /2 values × 1 seed\./.test(document.querySelector('[data-testid="sweep-summary"]').textContent), null, { timeout: 120_000 });
    assert.equal(await page.getByTestId('sweep-stale').isVisible(), false);
    await page.getByTestId('scenario-select').selectOption('uniform-noise');
    await waitRebuilt(page);
    await page.getByTestId('sweep-stale').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('sweep-stale').textContent(), /labeled = 20,40 on flagship, 1 seed\) was run before the settings changed/);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('slow motion left open while training goes on says the step on screen is an earlier one', { timeout: 90_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?speed=2' });
  try {
    await page.locator('#slowmo-body').scrollIntoViewIfNeeded();
    await page.getByTestId('slowmo').click();
    await page.getByTestId('slowmo-box').waitFor({ state: 'visible' });
    await page.waitForTimeout(300);
    assert.equal(await page.getByTestId('slowmo-stale').isVisible(), false, 'the step just taken is the run\'s');
    await page.getByTestId('play').click();
    await page.getByTestId('slowmo-stale').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('pause').click();
    await page.waitForFunction(() => ['paused', 'finished'].includes(document.querySelector('[data-testid="status"]').dataset.state));
    await page.waitForFunction(() => /epoch 1, minibatch 1; training has gone on since \(now at epoch \d+\)/.test(document.querySelector('[data-testid="slowmo-stale"]').textContent));
    // Taking the current step apart makes it the run's again.
    await page.getByTestId('slowmo-refresh').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="slowmo-stale"]').hidden);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a link with 1,400 unknown keys gets one sentence, and Play stays in the first screen', { timeout: 60_000 }, async (t) => {
  const keys = Array.from({ length: 1400 }, (_, i) => `junk${i}=1`).join('&');
  const { context, page, log } = await openPage({ query: `?${keys}` });
  try {
    const notice = page.getByTestId('notice');
    assert.match(await notice.textContent(), /Ignored the link's 1,400 unknown settings: "junk0", "junk1", "junk2", "junk3", "junk4" and 1,395 more\./);
    const box = await notice.boundingBox();
    const play = await page.getByTestId('play').boundingBox();
    assert.ok(box.height < 200, `the notice is ${box.height} px tall`);
    assert.ok(play.y + play.height < 900, `Play is at ${play.y} px`);
    report(t, `notice ${Math.round(box.height)} px tall, Play at ${Math.round(play.y)} px`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('seeds follow one rule in the link and in the field: 1e3, -1, 0, 2.5 and 99999 are refused and never run', { timeout: 60_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?seeds=1e3' });
  try {
    assert.match(await page.getByTestId('notice').textContent(), /seeds \(expected a whole number, got "1e3"\)/);
    const field = page.getByTestId('seeds-input');
    for (const bad of ['1e3', '-1', '0', '2.5', '99999']) {
      await field.fill(bad);
      assert.equal(await field.getAttribute('aria-invalid'), 'true', `${bad} is flagged`);
      assert.equal(await page.getByTestId('run-seeds').isDisabled(), true, `Run is off beside ${bad}`);
      assert.match(await page.getByTestId('seeds-error').textContent(), /^Seeds: /);
    }
    await field.fill('3');
    assert.equal(await field.getAttribute('aria-invalid'), null);
    assert.equal(await page.getByTestId('run-seeds').isEnabled(), true);
    assert.equal(await page.getByTestId('seeds-error').textContent(), '');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

/** `n` rows of 2-D points around one centre per label, deterministic. */
function labelledCsv(labels, n = 240) {
  const rows = ['x,y,label'];
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    const k = i % labels.length;
    rows.push(`${(3 * Math.cos(k) + rand()).toFixed(4)},${(3 * Math.sin(k) + rand()).toFixed(4)},${labels[k]}`);
  }
  return rows.join('\n') + '\n';
}

/** The class names in the order the confusion matrix lists its rows. */
const confusionRows = (page) => page.$$eval('[data-testid="confusion"] tbody th', (ths) => ths.map((th) => th.textContent.trim()));

test('class labels are read as people mean them: numbers in number order, spellings of one name merged with a word', { timeout: 120_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=1' });
  try {
    // Numbers that sort differently as text: 1.0 < 2.0 < 10.0, and c2 before c10.
    await uploadCsv(page, 'numbers.csv', labelledCsv(['10.0', '1.0', '2.0']));
    await waitRebuilt(page);
    await waitReady(page);
    assert.equal(await page.getByTestId('error').isVisible(), false);
    assert.deepEqual(await confusionRows(page), ['1.0', '2.0', '10.0']);
    await uploadCsv(page, 'names.csv', labelledCsv(['c10', 'c2', 'c1']));
    await waitRebuilt(page);
    await waitReady(page);
    assert.deepEqual(await confusionRows(page), ['c1', 'c2', 'c10']);
    // "cat", "Cat " and " CAT" are one class, and the page says which spellings it merged.
    await uploadCsv(page, 'case.csv', labelledCsv(['cat', 'Cat ', ' CAT', 'dog']));
    await waitRebuilt(page);
    await waitReady(page);
    const rows = await confusionRows(page);
    assert.equal(rows.length, 2, `two classes, got ${JSON.stringify(rows)}`);
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /differ only in case/i, notice);
    // The reader trims the spaces around a field, so the spellings it names are trimmed.
    for (const spelling of ['"Cat"', '"CAT"']) assert.ok(notice.includes(spelling), `${spelling} named in: ${notice}`);
    assertCleanAndLocal(log, { allowWarnings: true });
  } finally {
    await context.close();
  }
});

test('a link whose settings cannot fit in memory is refused up front naming the key, and the page never crashes', { timeout: 90_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.hidden=1024,1024,1024,1024&student.batch_size=65536' });
  try {
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /`student\.batch_size` needs too much memory/, notice);
    assert.match(notice, /the largest value that fits with the other settings is \d+/, notice);
    assert.doesNotMatch(notice, /crash|restart|unreachable/i, notice);
    assert.equal(await page.getByTestId('error').isVisible(), false);
    // The page shows (and links to) what it runs, and it trains.
    assert.equal((await urlParams(page)).get('student.batch_size'), null, 'the refused key is not in the link');
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=epoch]')?.textContent.trim() === '1', null, { timeout: 30_000 });
    assert.equal(await shownEpoch(page), 1);
    assertCleanAndLocal(log, { allowWarnings: true });
    assert.ok(!JSON.stringify(log).includes('unreachable'), 'no engine trap');
  } finally {
    await context.close();
  }
});

test('added points far outside the data get a sentence and are left out; the rest of the link stays', { timeout: 60_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=7&points=1e30,1e30,0' });
  try {
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /added points could not be used \(`points\[0\]\.x` must lie near the data.*got \(1e30, 1e30\)\): they were left out/, notice);
    const params = await urlParams(page);
    assert.equal(params.get('points'), null, 'the points are gone from the link');
    assert.equal(params.get('student.epochs'), '7', 'the rest of the link is kept');
    assert.equal(await page.evaluate(() => globalThis.slamLab.app.state.points.length), 0, 'no point was added to the data');
    assert.equal(await page.getByTestId('error').isVisible(), false);
    assertCleanAndLocal(log, { allowWarnings: true });
  } finally {
    await context.close();
  }
});
