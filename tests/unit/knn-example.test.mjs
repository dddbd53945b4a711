// The README's example teacher (data/examples/digits-knn.csv) is what its documented command makes:
// `node scripts/knn-teacher.mjs` run again gives the committed file byte for byte, and the summary it
// prints counts the file as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const COMMITTED = path.join(ROOT, 'data', 'examples', 'digits-knn.csv');

test('the example teacher file is what scripts/knn-teacher.mjs makes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knn-example-'));
  try {
    const out = path.join(dir, 'digits-knn.csv');
    const summary = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'knn-teacher.mjs'), '--out', out], { encoding: 'utf8' });
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(COMMITTED)), 'regenerated file differs from the committed one');
    // Recount from the file: rows, hidden classes, and every row of probabilities summing to 1.
    const lines = fs.readFileSync(COMMITTED, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const labelAt = header.indexOf('label');
    const teacherCols = header.map((h, j) => [h, j]).filter(([h]) => h.startsWith('teacher:')).map(([, j]) => j);
    assert.equal(teacherCols.length, 10);
    let hidden = 0;
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      if (cells[labelAt] === '?') hidden += 1;
      const sum = teacherCols.reduce((a, j) => a + Number(cells[j]), 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `a row sums to ${sum}`);
    }
    assert.match(summary, new RegExp(`${lines.length - 1} rows, ${hidden} with the class hidden`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
