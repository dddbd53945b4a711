// The page's paired statistics (www/stats.js) are the engine's: recomputed from a CLI report's
// per-seed accuracies, every method's gain over vanilla equals the report's own vs_vanilla.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairedStats, clearOfZero } from '../../www/stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.SLAM_LAB_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'slam-lab');

test('pairedStats equals the engine\'s vs_vanilla for every method of a 7-seed run', () => {
  const report = JSON.parse(execFileSync(BIN, ['run', '--scenario', 'flagship', '--seeds', '7', '--json'], { encoding: 'utf8' }));
  const vanilla = report.methods.vanilla.per_seed;
  let checked = 0;
  for (const [m, r] of Object.entries(report.methods)) {
    if (m === 'vanilla') continue;
    const mine = pairedStats(r.per_seed.map((x, i) => x - vanilla[i]));
    const want = r.vs_vanilla;
    for (const key of ['mean', 'std', 'ci_low', 'ci_high']) assert.ok(Math.abs(mine[key] - want[key]) < 1e-12, `${m} ${key}: ${mine[key]} vs ${want[key]}`);
    for (const key of ['wins', 'losses', 'ties', 'n']) assert.equal(mine[key], want[key], `${m} ${key}`);
    assert.equal(clearOfZero(mine), want.ci_low > 0 || want.ci_high < 0);
    checked += 1;
  }
  assert.equal(checked, Object.keys(report.methods).length - 1);
});

test('one seed has no interval, and no differences no statistics', () => {
  const one = pairedStats([0.02]);
  assert.equal(one.mean, 0.02);
  assert.equal(one.ci_high, Infinity);
  assert.equal(clearOfZero(one), false);
  assert.equal(pairedStats([]), null);
  assert.equal(clearOfZero(null), false);
});
