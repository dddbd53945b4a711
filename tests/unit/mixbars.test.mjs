// The mix-bars view draws SLaM's loss in the page (www/charts/mixbars.js) without asking the worker;
// this pins its numbers to the engine's losses::slam (the wasm build's slamLoss) on a grid of inputs:
// classes, alpha on both sides of the switch point, k, both forms, soft and hard targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, slamLoss } from '../../www/pkg/slam_lab.js';
import { mixVector, crossEntropy, topK } from '../../www/charts/mixbars.js';

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');
initSync({ module: fs.readFileSync(path.join(WWW, 'pkg', 'slam_lab_bg.wasm')) });

/** A deterministic softmax vector of length c (no Math.random: a failure must reproduce). */
function softmax(c, seed) {
  const z = Array.from({ length: c }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 3);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

test('the page\'s mix(f) and loss equal the engine\'s SLaM loss on a grid of inputs', () => {
  let cases = 0;
  for (const c of [2, 3, 5, 10]) {
    for (let seed = 1; seed <= 6; seed++) {
      const f = Float32Array.from(softmax(c, seed));
      const soft = Float32Array.from(softmax(c, seed + 100));
      for (const hard of [false, true]) {
        const y = hard ? Float32Array.from(soft, (_, i) => (i === seed % c ? 1 : 0)) : soft;
        for (const k of [2, Math.min(3, c), c]) {
          const top = topK(Array.from(soft), k);
          for (const normalize of [false, true]) {
            for (const alpha of [0, 0.2, 1 / k, 0.5, 0.75, 1]) {
              const a = Math.fround(alpha);
              const page = crossEntropy(Array.from(y), mixVector(Array.from(f), top, a, k, normalize));
              const engine = slamLoss(f, y, a, Float32Array.from(top), k, normalize);
              const tol = 1e-5 * Math.max(1, Math.abs(engine));
              assert.ok(Math.abs(page - engine) <= tol, `c=${c} seed=${seed} hard=${hard} k=${k} normalize=${normalize} alpha=${a}: page ${page} vs engine ${engine}`);
              cases++;
            }
          }
        }
      }
    }
  }
  assert.ok(cases > 1000, `${cases} cases`);
});

test('the engine refuses mismatched lengths with a message, not a trap', () => {
  assert.throws(() => slamLoss(new Float32Array(3), new Float32Array(2), 0.5, new Float32Array(3), 2, false), /same positive length/);
});
