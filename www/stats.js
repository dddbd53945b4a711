// Paired statistics on the page, by the engine's own rule (src/report.rs: `paired`,
// `t_quantile_975`), for the differences the engine's reports do not carry (a student against its
// teacher, seed by seed); tests/unit/stats.test.mjs pins them to the engine's vs_vanilla numbers.

/** Student's t 97.5% quantile for `df` degrees of freedom: the engine's table, then 1/df interpolation. */
export function t975(df) {
  const SMALL = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
    2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  const LARGE = [[30, 2.042], [40, 2.021], [60, 2.0], [120, 1.98], [Infinity, 1.96]];
  if (df <= 0) return Infinity;
  if (df <= 30) return SMALL[df - 1];
  const x = 1 / df;
  for (let i = 0; i + 1 < LARGE.length; i++) {
    const [[d0, q0], [d1, q1]] = [LARGE[i], LARGE[i + 1]];
    if (df <= d1) {
      const [x0, x1] = [1 / d0, Number.isFinite(d1) ? 1 / d1 : 0];
      return q1 + ((q0 - q1) * (x - x1)) / (x0 - x1);
    }
  }
  return 1.96;
}

/** Mean, sample sd, 95% t interval, wins / losses / ties of paired differences `d` (fractions). */
export function pairedStats(d) {
  const n = d.length;
  if (!n) return null;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (t975(n - 1) * std) / Math.sqrt(n) : Infinity;
  return {
    mean, std, ci_low: mean - half, ci_high: mean + half,
    wins: d.filter((x) => x > 0).length, losses: d.filter((x) => x < 0).length, ties: d.filter((x) => x === 0).length, n,
  };
}

/** Whether a paired interval is clear of 0 (the gain, or the loss, is more than the seeds' noise). */
export const clearOfZero = (p) => p !== null && p.n > 1 && (p.ci_low > 0 || p.ci_high < 0);
