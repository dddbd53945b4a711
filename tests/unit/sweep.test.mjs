// The sweep's "about N seeds would settle it": Student's t quantile against a numeric integration of
// the t density, and the seed count against the interval it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedsToSettle } from '../../www/panels/sweep.js';
import { t975 } from '../../www/stats.js';

/** P(T <= x) for Student's t with `df` degrees of freedom, by Simpson's rule on the density. */
function tCdf(x, df) {
  const lgamma = (z) => {
    // Lanczos, g = 7.
    const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
    if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lgamma(1 - z);
    z -= 1;
    let a = c[0];
    const t = z + 7.5;
    for (let i = 1; i < 9; i++) a += c[i] / (z + i);
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
  };
  const k = Math.exp(lgamma((df + 1) / 2) - lgamma(df / 2)) / Math.sqrt(df * Math.PI);
  const f = (u) => k * (1 + (u * u) / df) ** (-(df + 1) / 2);
  const n = 20000;
  const h = x / n;
  let s = f(0) + f(x);
  for (let i = 1; i < n; i++) s += f(i * h) * (i % 2 ? 4 : 2);
  return 0.5 + (s * h) / 3;
}

test('t975 is the 97.5% quantile of Student\'s t (the engine\'s table) for 1 to 200 degrees of freedom', () => {
  for (let df = 1; df <= 200; df += df < 40 ? 1 : 7) {
    const q = t975(df);
    assert.ok(Math.abs(tCdf(q, df) - 0.975) < 3e-4, `df ${df}: P(T <= ${q}) = ${tCdf(q, df)}`);
  }
});

test('seedsToSettle gives the first seed count whose interval clears 0, and none for no gain', () => {
  for (const [mean, std] of [[0.016, 0.02], [0.033, 0.02], [-0.01, 0.03], [0.005, 0.05]]) {
    const n = seedsToSettle({ mean, std });
    const half = (m) => (t975(m - 1) * std) / Math.sqrt(m);
    assert.ok(half(n) < Math.abs(mean), `${mean} ± ${std}: ${n} seeds clear 0`);
    if (n > 2) assert.ok(half(n - 1) >= Math.abs(mean), `${mean} ± ${std}: ${n - 1} seeds do not`);
  }
  assert.equal(seedsToSettle({ mean: 0, std: 0.1 }), null);
  assert.equal(seedsToSettle({ mean: 0.01 }), null);
});

test('the gain chart\'s range holds 0 and every mean gain with room, and is set by the means alone', async () => {
  const { gainRange } = await import('../../www/panels/sweep.js');
  let state = 7;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let k = 0; k < 500; k++) {
    const means = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => (rand() - 0.4) * 0.2);
    const [lo, hi] = gainRange(means);
    const spread = Math.max(0, ...means) - Math.min(0, ...means);
    assert.ok(lo < Math.min(0, ...means) && hi > Math.max(0, ...means), `${means}: [${lo}, ${hi}]`);
    assert.ok(Math.min(0, ...means) - lo >= 0.01 - 1e-12 && hi - Math.max(0, ...means) >= 0.01 - 1e-12, 'at least a point of room');
    // The means and 0 fill at least a third of the axis (unless they all sit within a point of 0).
    if (spread > 0.02) assert.ok(spread / (hi - lo) >= 1 / 3, `${spread} of ${hi - lo}`);
  }
});
