// What the page shows, recounted here the other way round from the engine: from the rows (true class,
// teacher label, set) and every student's predicted class, with plain loops, never through the
// engine's summaries. The page's own wasm build runs in Node, as the page's worker runs it.
//   - the teacher's confusion matrix on U (panel 2), cell by cell;
//   - each student's test accuracy and its accuracy on the U points the teacher labels right / wrong
//     (the results table and the "teacher wrong" chart), at the epoch the page shows;
//   - each student's decision map (the map under its card) against its own predictions: at points
//     added by hand at cell centres, exactly; at every data point, in the cell that holds it.
// tests/recount.rs recounts the CLI report's figures and the family methods' statistics natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import init, * as slam from '../../www/pkg/slam_lab.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www', 'pkg', 'slam_lab_bg.wasm')) });

// The page fetches the built-in real datasets and hands them over; so does this test.
slam.provideDataset('digits', fs.readFileSync(path.join(ROOT, 'data', 'digits.csv'), 'utf8'));

const ROLE = { L: 0, V: 1, U: 2, T: 3 };

/** A session trained to epoch `until` (every method at that epoch, as the page's one clock). */
function trained(request, until) {
  const s = new slam.Session(request);
  while (s.advance(1_000_000, until) >= 0);
  assert.equal(s.epoch(), until);
  return s;
}

/** The class with the largest of `classes` probabilities starting at `at` in `probs`. */
function bestOf(probs, at, classes) {
  let b = 0;
  for (let c = 1; c < classes; c++) if (probs[at + c] > probs[at + b]) b = c;
  return b;
}

for (const [name, request, until] of [
  ['flagship, seed 3', { scenario: 'flagship', config: { seed: 3 } }, 30],
  ['blobs with 4 classes and margin noise, seed 1', { scenario: 'margin-noise', config: { seed: 1, student: { epochs: 6 } } }, 6],
  ['digits (64 features, 10 classes), seed 0', { scenario: 'digits', config: { student: { epochs: 4 } } }, 4],
]) {
  test(`${name}: the confusion matrix and the students' accuracies, recounted from the rows`, () => {
    const s = trained(request, until);
    try {
      const o = s.overview();
      const labels = s.labels();
      const teacher = s.teacherLabels();
      const roles = s.roles();
      const n = roles.length;
      const classes = o.class_names.length;
      // Confusion on U: confusion[true][teacher], counted row by row.
      const cells = Array.from({ length: classes }, () => new Array(classes).fill(0));
      for (let i = 0; i < n; i++) if (roles[i] === ROLE.U) cells[labels[i]][teacher[i]] += 1;
      assert.deepEqual(o.confusion, cells, 'every cell of the teacher\'s confusion on U');
      let diagonal = 0;
      for (let c = 0; c < classes; c++) diagonal += cells[c][c];
      assert.ok(Math.abs(o.teacher_unlabeled_accuracy - diagonal / o.sizes[ROLE.U]) < 1e-6, 'the teacher\'s accuracy on U is the diagonal');
      assert.ok(diagonal < o.sizes[ROLE.U], 'the teacher makes mistakes here');

      // Each student's accuracies at the epoch shown, from its class for every row.
      const metrics = s.metricsFrom(0);
      o.methods.forEach((m, k) => {
        const pred = s.predictionsOf(k, 0, n);
        let t = 0, tn = 0, r = 0, rn = 0, w = 0, wn = 0;
        for (let i = 0; i < n; i++) {
          const hit = pred[i] === labels[i] ? 1 : 0;
          if (roles[i] === ROLE.T) { tn += 1; t += hit; }
          else if (roles[i] === ROLE.U && teacher[i] === labels[i]) { rn += 1; r += hit; }
          else if (roles[i] === ROLE.U) { wn += 1; w += hit; }
        }
        const last = metrics[m][metrics[m].length - 1];
        assert.equal(last.epoch, until, m);
        assert.ok(Math.abs(last.test_accuracy - t / tn) < 1e-6, `${m}: test accuracy ${last.test_accuracy} vs ${t}/${tn}`);
        assert.ok(Math.abs(last.teacher_right_accuracy - r / rn) < 1e-6, `${m}: teacher-right U ${last.teacher_right_accuracy} vs ${r}/${rn}`);
        assert.ok(Math.abs(last.teacher_wrong_accuracy - w / wn) < 1e-6, `${m}: teacher-wrong U ${last.teacher_wrong_accuracy} vs ${w}/${wn}`);
      });
    } finally {
      s.free();
    }
  });
}

test('each decision map says the class its student predicts: exactly at cell centres, and at the data points', () => {
  const RES = 64;
  const request = { scenario: 'flagship', config: { seed: 2, student: { epochs: 10 } } };
  // Where the map's cells are: row-major from the top-left of the plot's bounds, y decreasing.
  const probe = new slam.Session(request);
  const [x0, x1, y0, y1] = probe.bounds();
  probe.free();
  const centre = (gx, gy) => [x0 + ((x1 - x0) * (gx + 0.5)) / RES, y1 - ((y1 - y0) * (gy + 0.5)) / RES];
  const probes = [];
  for (let gy = 2; gy < RES; gy += 9) for (let gx = 3; gx < RES; gx += 7) probes.push([gx, gy]);
  const points = probes.map(([gx, gy], k) => ({ x: centre(gx, gy), label: k % 2 }));
  const s = trained({ ...request, points }, 10);
  try {
    assert.deepEqual([...s.bounds()], [x0, x1, y0, y1], 'added points do not move the map');
    const o = s.overview();
    const classes = o.class_names.length;
    const labels = s.labels();
    const xy = s.points();
    const n = labels.length;
    const base = n - points.length;
    o.methods.forEach((m, k) => {
      const grid = s.grid(k, RES);
      assert.equal(grid.length, RES * RES * classes, m);
      const pred = s.predictionsOf(k, 0, n);
      // At the cell centres: the map's class is the student's class for a point placed there.
      let sure = 0;
      probes.forEach(([gx, gy], j) => {
        const at = (gy * RES + gx) * classes;
        const facts = s.point(base + j);
        for (let c = 0; c < classes; c++) assert.ok(Math.abs(grid[at + c] - facts.probs[k][c]) < 1e-4, `${m}: cell ${gx},${gy}`);
        if (Math.abs(grid[at] - grid[at + 1]) > 1e-3) {
          assert.equal(bestOf(grid, at, classes), pred[base + j], `${m}: cell ${gx},${gy}`);
          sure += 1;
        }
      });
      assert.ok(sure > probes.length / 2, `${m}: ${sure} cells with a clear class`);
      // At every data point: the cell that holds it has the class the student predicts there, for every
      // point the student is not close to undecided about; and nearly everywhere else.
      let agree = 0, clear = 0;
      for (let i = 0; i < base; i++) {
        const gx = Math.min(RES - 1, Math.floor(((xy[2 * i] - x0) / (x1 - x0)) * RES));
        const gy = Math.min(RES - 1, Math.floor(((y1 - xy[2 * i + 1]) / (y1 - y0)) * RES));
        const mapClass = bestOf(grid, (gy * RES + gx) * classes, classes);
        if (mapClass === pred[i]) agree += 1;
        else {
          const p = s.point(i).probs[k];
          const margin = Math.abs(p[0] - p[1]);
          assert.ok(margin < 0.25, `${m}: point ${i} is predicted ${pred[i]} with margin ${margin.toFixed(3)}, its cell says ${mapClass}`);
        }
        clear += 1;
      }
      assert.ok(agree / clear > 0.98, `${m}: the map agrees with the student at ${agree} of ${clear} points`);
    });
  } finally {
    s.free();
  }
});
