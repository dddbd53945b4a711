// Limits: a 50 MB upload is refused at once with a message naming the cap, without freezing the page
// (the file is never read), and the page trains afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  useBrowser, openPage, assertCleanAndLocal, waitReady, startFrameMeter, stopFrameMeter, report, shownEpoch,
} from './helpers.mjs';

useBrowser();

test('a 50 MB CSV is refused quickly, naming the 20 MB cap, and the page keeps working', { timeout: 120_000 }, async (t) => {
  const { page, log } = await openPage({ query: '?scenario=flagship&student.epochs=1' });
  await waitReady(page);
  const before = page.url();
  // 50 MB of valid-looking rows: refusing it must not depend on reading it.
  const row = '0.123456,0.654321,1\n';
  const buffer = Buffer.alloc(50 * 1024 * 1024, row);
  buffer.write('a,b,label\n', 0);
  // Playwright passes large files by path.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-huge-'));
  const file = path.join(dir, 'huge.csv');
  fs.writeFileSync(file, buffer);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  await startFrameMeter(page);
  const t0 = Date.now();
  await page.getByTestId('csv-upload').setInputFiles(file);
  const error = page.getByTestId('error');
  await error.waitFor({ state: 'visible', timeout: 20_000 });
  const ms = Date.now() - t0;
  const frames = await stopFrameMeter(page);
  const text = (await error.textContent()).trim();
  assert.match(text, /huge\.csv/, text);
  assert.match(text, /at most 20.0 MB \(20,000,000 bytes\)/, text);
  assert.equal(page.url(), before, 'a refused file must not change the link');
  report(t, `50 MB upload refused in ${ms} ms (including Playwright's transfer); main thread ${frames.fps.toFixed(0)} fps, longest frame gap ${frames.longestGapMs.toFixed(0)} ms`);
  // Training still works on the data that was there.
  await page.getByTestId('step').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=epoch]')?.textContent.trim() === '1', null, { timeout: 30_000 });
  assert.equal(await shownEpoch(page), 1);
  assertCleanAndLocal(log, { allowWarnings: true });
});
