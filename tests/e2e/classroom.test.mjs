// The page survives a classroom: huge settings pause at once, a build can be followed and cancelled,
// a worker that dies is noticed and replaced (its seed run again), clicks during a rebuild are kept,
// a link holds as many points as the engine allows, and every refusal says what would work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  useBrowser, openPage, assertCleanAndLocal, waitReady, waitRebuilt, statusOf, shownEpoch, shownAccuracies, shownMeans,
  cli, pct, report, uploadCsv, startFrameMeter, stopFrameMeter, pageUrl, mapFingerprints,
} from './helpers.mjs';

useBrowser();

const WIDE8 = 'student.hidden=1024,1024,1024,1024,1024,1024,1024,1024';
const BIG_TEACHER = 'teacher.kind=trained&teacher.hidden=1024,1024,1024,1024,1024,1024,1024,1024&teacher.epochs=10000&samples=200000';

/** A fingerprint of the first method's map: it changes when a new frame is drawn. */
const firstMap = async (page) => (await mapFingerprints(page, 1))[0];

/** Waits until the maps have not changed for `quietMs` (the first frame after a build is drawn in parts). */
async function mapsSettle(page, quietMs = 1000, timeoutMs = 60_000) {
  let last = await firstMap(page);
  const t0 = Date.now();
  for (let still = Date.now(); Date.now() - still < quietMs; ) {
    assert.ok(Date.now() - t0 < timeoutMs, 'the maps never settled');
    await page.waitForTimeout(100);
    const now = await firstMap(page);
    if (now !== last) {
      last = now;
      still = Date.now();
    }
  }
  return last;
}

/** Play, wait for a new frame, then Pause: the two times, in seconds. */
async function playThenPause(page) {
  // The page draws only the panels on screen.
  await page.getByTestId('method-cards').scrollIntoViewIfNeeded();
  const before = await mapsSettle(page);
  const t0 = Date.now();
  await page.getByTestId('play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'training');
  for (;;) {
    if ((await firstMap(page)) !== before) break;
    assert.ok(Date.now() - t0 < 120_000, 'no frame within two minutes of Play');
    await page.waitForTimeout(25);
  }
  const firstFrame = (Date.now() - t0) / 1000;
  await page.waitForTimeout(1000);
  const t1 = Date.now();
  await page.getByTestId('pause').click();
  // Paused before the first epoch ends, the page is back at "ready"; after it, "paused". A Pause lets
  // the epoch under way end when it can within a quarter second ("pausing" meanwhile).
  await page.waitForFunction(() => !['training', 'pausing'].includes(document.querySelector('[data-testid="status"]').dataset.state), null, { timeout: 60_000, polling: 20 });
  return { firstFrame, paused: (Date.now() - t1) / 1000 };
}

/** Ends one of the page's workers from inside, without an error: as a browser freeing memory would. */
async function closeWorker(page, kind) {
  for (const w of page.workers()) {
    const name = await w.evaluate(() => self.name).catch(() => null);
    if (name === null || (kind === 'seeds') !== (name === 'seeds')) continue;
    // The evaluation never answers once the worker is gone; do not wait for it.
    w.evaluate(() => setTimeout(() => self.close(), 0)).catch(() => {});
    return;
  }
  assert.fail(`no ${kind} worker to close`);
}

const sizeL = async (page) => Number(await page.locator('[data-testid="size-L"] .size-n').textContent());
const pointsInUrl = (page) => (new URL(page.url()).searchParams.get('points') ?? '').split(';').filter(Boolean).length;
const errorText = async (page) => ((await page.getByTestId('error').isVisible()) ? (await page.getByTestId('error').textContent()).trim() : '');

test('huge networks and data: Pause lands within 3 s, the first frame comes, the page stays responsive', { timeout: 300_000 }, async (t) => {
  for (const [name, query] of [['1024x8', `?${WIDE8}`], ['1024x8, 200,000 points', `?${WIDE8}&samples=200000&student.epochs=10000`]]) {
    const { context, page, log } = await openPage({ query, wait: false });
    try {
      await waitReady(page, 120_000);
      const { firstFrame, paused } = await playThenPause(page);
      assert.ok(paused <= 3, `${name}: Pause took ${paused} s`);
      assert.match(await statusOf(page), /^(paused|ready)$/);
      assert.equal(await page.getByTestId('play').isEnabled(), true, 'Play is offered again');
      // Paused means paused: once the frame under way is drawn, no epoch and no map moves.
      const epoch = await shownEpoch(page);
      const map = await mapsSettle(page, 500);
      await page.waitForTimeout(1500);
      assert.equal(await shownEpoch(page), epoch);
      assert.equal(await firstMap(page), map, 'nothing is drawn after Pause');
      report(t, `${name}: Play -> first frame ${firstFrame.toFixed(2)} s, Pause -> paused ${paused.toFixed(2)} s`);
      assertCleanAndLocal(log);
    } finally {
      await context.close();
    }
  }
});

test('a huge trained teacher shows its progress; Cancel and a change of scenario both abandon it', { timeout: 180_000 }, async () => {
  const { context, page, log } = await openPage({ query: `?${BIG_TEACHER}`, wait: false });
  try {
    const progress = page.getByTestId('build-progress');
    await page.waitForFunction(() => /training the teacher: epoch \d[\d,]* \/ 10,000/.test(document.querySelector('[data-testid="build-progress"]')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('cancel-build').isVisible(), true, 'a Cancel is offered while building');
    const t0 = Date.now();
    await page.getByTestId('cancel-build').click();
    await waitReady(page, 30_000);
    const cancelMs = Date.now() - t0;
    assert.ok(cancelMs < 10_000, `cancel took ${cancelMs} ms`);
    assert.equal(await progress.isVisible(), false);
    assert.equal(await page.getByTestId('cancel-build').isVisible(), false);
    assert.match(await page.getByTestId('notice').textContent(), /Build cancelled: showing the flagship scenario instead/);
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('teacher.hidden'), null, 'the link no longer holds the abandoned settings');
    assert.equal(await page.getByTestId('scenario-select').inputValue(), 'flagship');
    // The page trains afterwards.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1', null, { timeout: 30_000 });

    // The same build again, abandoned by choosing another scenario instead.
    await page.goto(pageUrl(`?${BIG_TEACHER}`));
    await page.waitForFunction(() => /training the teacher/.test(document.querySelector('[data-testid="build-progress"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.getByTestId('scenario-select').selectOption('uniform-noise');
    await waitReady(page, 30_000);
    assert.equal(new URL(page.url()).searchParams.get('scenario'), 'uniform-noise');
    const ref = cli({ scenario: 'uniform-noise' });
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), pct(ref.teacher_accuracy), 'the session on screen is the new scenario\'s');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('the engine worker ends without a word while training: the page says so, restarts it, and trains the CLI\'s numbers', { timeout: 120_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=400&speed=1' });
  try {
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 1);
    await closeWorker(page, 'engine');
    await page.waitForFunction(() => /The engine stopped answering/.test(document.querySelector('[data-testid="error"]').textContent), null, { timeout: 20_000 });
    assert.match(await errorText(page), /restarted with the current settings/);
    // A fresh session of the same settings, at epoch 0, and every control works again: a step
    // gives the CLI's first epoch.
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'ready' && document.querySelector('[data-testid="epoch"]').textContent === '0', null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('play').isEnabled(), true);
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]').textContent === '1', null, { timeout: 30_000 });
    const ref = cli({ config: { student: { epochs: 400 } } });
    assert.deepEqual(await shownAccuracies(page), Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.curve[0])])));
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('a seeds worker ends mid-run: a new one runs its seed again and the run ends with the CLI\'s numbers', { timeout: 180_000 }, async () => {
  const seeds = 6;
  const { context, page, log } = await openPage();
  try {
    await page.getByTestId('seeds-input').fill(String(seeds));
    await page.getByTestId('seeds-input').dispatchEvent('change');
    await page.getByTestId('run-seeds').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="seeds-progress"]').value >= 1, null, { timeout: 60_000 });
    await closeWorker(page, 'seeds');
    await page.waitForFunction(() => /A seeds worker stopped answering/.test(document.querySelector('[data-testid="notice"]').textContent), null, { timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="run-seeds"]').disabled, null, { timeout: 120_000 });
    assert.equal(await page.getByTestId('seeds-progress').evaluate((p) => p.value), seeds, 'every seed finished');
    const ref = cli({ scenario: 'flagship', seeds });
    assert.deepEqual(await shownMeans(page), Object.fromEntries(Object.entries(ref.methods).map(([m, r]) => [m, pct(r.mean)])), 'no seed lost, none counted twice');
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('clicks during rebuilds are all kept; the 1,001st point is refused and every count stays equal to the data', { timeout: 180_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=2' });
  try {
    const base = await sizeL(page);
    const plot = page.locator('[data-testid="labels-plot"] canvas');
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    // 40 clicks, far faster than a rebuild: each one lands while the last is still building.
    for (let i = 0; i < 40; i++) {
      await page.mouse.click(box.x + box.width * (0.2 + 0.6 * ((i * 7) % 40) / 40), box.y + box.height * (0.3 + 0.01 * i));
    }
    await page.waitForFunction(() => /^40 points added/.test(document.querySelector('[data-testid="points-note"]').textContent));
    await waitRebuilt(page);
    assert.equal(pointsInUrl(page), 40, 'the link holds every click');
    assert.equal(await sizeL(page), base + 40, 'and so does the data');

    // A link at the engine's limit opens with every point, and copies back whole.
    const coord = (v) => String(Number(v.toFixed(3)));
    const points = Array.from({ length: 1000 }, (_, i) => `${coord(-1 + (2 * (i % 40)) / 39)},${coord(-1 + (2 * Math.floor(i / 40)) / 24)},${i % 2}`).join(';');
    await page.goto(pageUrl(`?student.epochs=2&points=${points}`));
    await waitReady(page, 60_000);
    assert.match(await page.getByTestId('points-note').textContent(), /^1,?000 points added/);
    assert.equal(await sizeL(page), base + 1000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('share').click();
    await page.waitForFunction(() => document.getElementById('share-status').textContent !== '');
    const shared = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(new URL(shared).searchParams.get('points'), points, 'the copied link holds all 1,000 points');

    // One more is refused, visibly, and nothing changes.
    await plot.click({ position: { x: 20, y: 20 } });
    assert.match(await errorText(page), /At most 1,000 points can be added/);
    assert.match(await page.getByTestId('points-note').textContent(), /^1,?000 points added/);
    assert.equal(pointsInUrl(page), 1000);
    assert.equal(await sizeL(page), base + 1000);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});

test('refusals a learner can act on: the CSV cap in the same units, the separator, what split fits, near-chance data', { timeout: 120_000 }, async () => {
  const { context, page, log } = await openPage({ query: '?student.epochs=1' });
  try {
    // 21,000,000 bytes: refused before reading, in MB and in bytes, against the engine's own cap.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-cap-'));
    try {
      const file = path.join(dir, 'big.csv');
      fs.writeFileSync(file, Buffer.alloc(21_000_000, 'a,b,label\n'));
      await page.getByTestId('csv-upload').setInputFiles(file);
      await page.getByTestId('error').waitFor({ state: 'visible' });
      assert.match(await errorText(page), /big\.csv: the file is 21\.0 MB \(21,000,000 bytes\); at most 20\.0 MB \(20,000,000 bytes\) can be loaded/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // Semicolons: the message names the separator.
    const rows = (sep, n, classes) => ['x' + sep + 'y' + sep + 'label', ...Array.from({ length: n }, (_, i) => [(i % 17) / 7, (i % 13) / 5, i % classes].join(sep))].join('\n');
    await uploadCsv(page, 'semi.csv', rows(';', 200, 2));
    await page.waitForFunction(() => /separator looks like/.test(document.querySelector('[data-testid="error"]').textContent));
    const semi = await errorText(page);
    assert.match(semi, /`;`/, semi);
    assert.doesNotMatch(semi, /\b(csv|config|data):/, `no internal prefix: ${semi}`);

    // Too small for the split: says how many fit.
    await page.locator('#error-close').click();
    await uploadCsv(page, 'small.csv', rows(',', 60, 2));
    await waitRebuilt(page);
    await page.getByTestId('config').evaluate((el) => { el.closest('details').open = true; });
    await page.getByTestId('config').fill('{"labeled": 500}');
    await page.getByTestId('config-apply').click();
    await page.waitForFunction(() => /so at most \d+/.test(document.querySelector('[data-testid="error"]').textContent), null, { timeout: 30_000 });
    assert.doesNotMatch(await errorText(page), /\b(csv|config|data):/);
    assert.equal(await statusOf(page), 'ready', 'the page keeps its session');

    // 50 classes with 2 rows each: it trains, with a warning that says why it cannot learn.
    await uploadCsv(page, 'fifty.csv', rows(',', 100, 50));
    await page.waitForFunction(() => /near chance|only \d+ rows/.test(document.querySelector('[data-testid="notice"]').textContent), null, { timeout: 30_000 });
    assertCleanAndLocal(log, { allowWarnings: true });
  } finally {
    await context.close();
  }
});

test('a long run at the fastest speed stays smooth (benchmark: frames per second, longest gap)', { timeout: 180_000 }, async (t) => {
  const { context, page, log } = await openPage({ query: '?student.epochs=10000&speed=6', reducedMotion: 'no-preference' });
  try {
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 5, null, { timeout: 30_000 });
    await startFrameMeter(page);
    await page.waitForTimeout(10_000);
    const frames = await stopFrameMeter(page);
    const epoch = await shownEpoch(page);
    await page.getByTestId('pause').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').dataset.state === 'paused', null, { timeout: 5_000 });
    assert.ok(epoch > 5, 'training went on');
    report(t, `10,000 epochs at the fastest speed: ${frames.fps.toFixed(0)} fps, longest gap ${frames.longestGapMs.toFixed(0)} ms, epoch ${epoch} after 10 s measured`);
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
