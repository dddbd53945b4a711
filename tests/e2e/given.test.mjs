// "Bring your own teacher" in the page: an uploaded CSV that carries a teacher's predictions is
// distilled from ("your teacher"), the panels say so and count only rows whose class is known, and
// the lab's own teacher written to a file by the CLI (`slam-lab teacher`) reads back in the page as
// the very same run, every student's accuracy to the last bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  useBrowser, openPage, assertCleanAndLocal, uploadCsv, waitReady, playToEnd, shownAccuracies,
  cli, cliAccuracies, cliBinary, fastest, report, screenshot,
} from './helpers.mjs';

useBrowser();

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const EPOCHS = 3;

/** Every card's test accuracy as the engine gave it (unrounded): {method: "0.8766..."}. */
const exactAccuracies = (page) => page.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('[data-testid^="accuracy-"]')].map((el) => [el.dataset.testid.slice('accuracy-'.length), el.dataset.value])));

const uploadFile = async (page, file) => {
  await uploadCsv(page, path.basename(file), fs.readFileSync(file, 'utf8'));
  await page.waitForFunction(() => document.querySelector('[data-testid="csv-status"]').textContent !== '');
  await waitReady(page);
};

test('the lab\'s teacher written by the CLI reads back in the page as the same run, and the page calls it yours', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-lab-e2e-given-'));
  const file = path.join(tmp, 'flagship-teacher.csv');
  execFileSync(cliBinary(), ['teacher', '--scenario', 'flagship', '--set', `student.epochs=${EPOCHS}`, '--out', file], { stdio: 'pipe' });
  const { context, page, log } = await openPage({ query: `?student.epochs=${EPOCHS}` });
  try {
    await fastest(page);
    assert.equal(await page.getByTestId('teacher-kind').inputValue(), 'synthetic');
    assert.equal(await page.locator('[data-testid="teacher-kind"] option[value="given"]').isDisabled(), true, 'no file, no "your teacher"');
    await playToEnd(page);
    const built = await exactAccuracies(page);
    const builtTeacher = await page.getByTestId('teacher-accuracy').textContent();

    await uploadFile(page, file);
    assert.equal(await page.getByTestId('teacher-kind').inputValue(), 'given', 'a file with a teacher is distilled from');
    assert.match(await page.getByTestId('teacher-given').textContent(), /Your teacher: the probabilities your file gives/);
    assert.ok(await page.getByTestId('teacher-given').isVisible());
    assert.equal(await page.getByTestId('teacher-noise').isVisible(), false, 'no noise model to set');
    assert.doesNotMatch(page.url(), /teacher\.kind/, 'a link never carries the file, nor its teacher');
    await playToEnd(page);
    const given = await exactAccuracies(page);
    assert.ok(Object.keys(built).length >= 4 && Object.values(built).every((v) => v !== ''), JSON.stringify(built));
    assert.deepEqual(given, built, 'every student, bit for bit');
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), builtTeacher);
    // And the page equals the CLI on the same file and settings.
    const config = JSON.parse(await page.getByTestId('config').inputValue());
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(cli({ scenario: 'flagship', dataset: file, config })));
    report(t, `flagship's synthetic teacher through a CSV, in the page: ${JSON.stringify(given)}`);

    await page.getByRole('button', { name: 'Back to built-in data' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="csv-status"]').textContent === '');
    await waitReady(page);
    assert.equal(await page.getByTestId('teacher-kind').inputValue(), 'synthetic', 'built-in data: the scenario\'s teacher again');
    assertCleanAndLocal(log);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await context.close();
  }
});

test('the example kNN teacher: rows of unknown class join U only, the counts and the calibration read the run', async (t) => {
  const file = path.join(ROOT, 'data', 'examples', 'digits-knn.csv');
  const { context, page, log } = await openPage({ query: `?student.epochs=${EPOCHS}` });
  try {
    await uploadFile(page, file);
    assert.equal(await page.getByTestId('teacher-kind').inputValue(), 'given');
    const unknown = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).filter((line) => line.split(',')[64] === '?').length;
    const sizes = {};
    for (const k of ['L', 'V', 'U', 'T']) sizes[k] = Number(await page.locator(`[data-testid="size-${k}"] .size-n`).textContent());
    assert.equal(sizes.L + sizes.V + sizes.U + sizes.T, 1797);
    const counts = await page.getByTestId('labels-counts').textContent();
    const m = counts.match(/^([\d,]+) unlabeled points \(([\d,]+) with no known class.*the teacher labels ([\d,]+) of the ([\d,]+) others wrongly \(([\d.]+)%\)/);
    assert.ok(m, counts);
    const n = (s) => Number(s.replace(/,/g, ''));
    assert.equal(n(m[1]), sizes.U);
    assert.equal(n(m[2]), unknown, 'every row marked ? is in U');
    assert.equal(n(m[4]), sizes.U - unknown);
    // The teacher's accuracy on U (the panel) is over the same known rows.
    const accU = Number(await page.getByTestId('teacher-accuracy-u').textContent());
    assert.ok(Math.abs(accU - 100 * (1 - n(m[3]) / n(m[4]))) < 0.051, `${accU} vs ${m[3]} of ${m[4]} wrong`);
    const calibration = await page.getByTestId('teacher-calibration').textContent();
    const c = calibration.match(/^On V \(([\d,]+) rows\): right on ([\d.]+)%, ([\d.]+)% sure of its label on average: (.*)\.$/);
    assert.ok(c, calibration);
    assert.equal(n(c[1]), sizes.V);
    const gap = Number(c[3]) - Number(c[2]);
    assert.match(c[4], gap > 2 ? /overconfident/ : gap < -2 ? /underconfident/ : /about as sure/);
    // The CLI on the same file and settings: the same teacher accuracy on T and the same students.
    await fastest(page);
    await playToEnd(page);
    const config = JSON.parse(await page.getByTestId('config').inputValue());
    const ref = cli({ scenario: 'flagship', dataset: file, config });
    assert.equal(ref.given_data.unknown_class_rows, unknown);
    assert.equal(await page.getByTestId('teacher-accuracy').textContent(), (100 * ref.teacher_accuracy).toFixed(1));
    assert.deepEqual(await shownAccuracies(page), cliAccuracies(ref));
    report(t, `digits-knn in the page: ${counts} ${calibration}`);
    await screenshot(page, 'desktop-your-teacher', { locator: page.locator('#panel-teacher') });
    assertCleanAndLocal(log);
  } finally {
    await context.close();
  }
});
