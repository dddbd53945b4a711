//! alpha(x): the probability that the teacher's top-1 label is right, as a function of its margin.

use crate::config::AlphaEstimator;
use crate::{Error, Result};

/// Teacher margin: largest minus second-largest probability (0 for a single class).
pub fn margin(p: &[f32]) -> f32 {
    let (mut a, mut b) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for &v in p {
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    if b.is_finite() {
        a - b
    } else {
        0.0
    }
}

/// Pool-adjacent-violators: the non-decreasing sequence closest to `y` in weighted least squares.
pub fn pava(y: &[f64], w: &[f64]) -> Vec<f64> {
    // Blocks of (weighted mean, total weight, length), merged while they violate monotonicity.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for (&yi, &wi) in y.iter().zip(w) {
        blocks.push((yi, wi, 1));
        while blocks.len() > 1 {
            let n = blocks.len();
            let (m2, w2, l2) = blocks[n - 1];
            let (m1, w1, l1) = blocks[n - 2];
            if m1 <= m2 {
                break;
            }
            let wt = w1 + w2;
            let mean = if wt > 0.0 {
                (m1 * w1 + m2 * w2) / wt
            } else {
                (m1 + m2) / 2.0
            };
            blocks.truncate(n - 2);
            blocks.push((mean, wt, l1 + l2));
        }
    }
    let mut out = Vec::with_capacity(y.len());
    for (m, _, l) in blocks {
        out.extend(std::iter::repeat_n(m, l));
    }
    out
}

/// An isotonic fit of y on x, evaluated by linear interpolation between the distinct x values and
/// clipped at the ends (as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`).
#[derive(Clone, Debug, PartialEq)]
pub struct IsotonicFit {
    /// Distinct x values, increasing.
    pub xs: Vec<f64>,
    /// Fitted (non-decreasing) value at each x.
    pub ys: Vec<f64>,
}

impl IsotonicFit {
    /// Fit on pairs (x, y) with unit weights. Needs at least one pair.
    pub fn fit(x: &[f64], y: &[f64]) -> IsotonicFit {
        assert!(
            !x.is_empty() && x.len() == y.len(),
            "callers pass matching non-empty inputs"
        );
        let mut order: Vec<usize> = (0..x.len()).collect();
        crate::order::sort_by(&mut order, &|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
        // Ties in x become one point with their mean y and their count as weight.
        let (mut xs, mut ys, mut ws) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &order {
            match xs.last() {
                Some(&last) if last == x[i] => {
                    let j = ys.len() - 1;
                    ys[j] += y[i];
                    ws[j] += 1.0;
                }
                _ => {
                    xs.push(x[i]);
                    ys.push(y[i]);
                    ws.push(1.0);
                }
            }
        }
        for (s, w) in ys.iter_mut().zip(&ws) {
            *s /= w;
        }
        let ys = pava(&ys, &ws);
        IsotonicFit { xs, ys }
    }

    /// Value at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        let n = self.xs.len();
        if x <= self.xs[0] {
            return self.ys[0];
        }
        if x >= self.xs[n - 1] {
            return self.ys[n - 1];
        }
        let hi = self.xs.partition_point(|&v| v <= x); // first index with xs > x, in 1..n
        let lo = hi - 1;
        let t = (x - self.xs[lo]) / (self.xs[hi] - self.xs[lo]);
        self.ys[lo] + t * (self.ys[hi] - self.ys[lo])
    }
}

/// Accuracy in equal-mass bins of the margin.
#[derive(Clone, Debug, PartialEq)]
pub struct BinnedFit {
    /// Upper margin edge of each bin but the last.
    pub edges: Vec<f64>,
    /// Mean correctness in each bin.
    pub values: Vec<f64>,
}

impl BinnedFit {
    /// `bins` equal-mass bins over the sorted margins (at least one point per bin).
    pub fn fit(x: &[f64], y: &[f64], bins: usize) -> BinnedFit {
        assert!(!x.is_empty() && x.len() == y.len());
        let mut order: Vec<usize> = (0..x.len()).collect();
        crate::order::sort_by(&mut order, &|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
        let bins = bins.clamp(1, x.len());
        let (mut edges, mut values) = (Vec::new(), Vec::new());
        for b in 0..bins {
            let lo = b * x.len() / bins;
            let hi = (b + 1) * x.len() / bins;
            let mean = order[lo..hi].iter().map(|&i| y[i]).sum::<f64>() / (hi - lo) as f64;
            values.push(mean);
            if b + 1 < bins {
                edges.push(x[order[hi - 1]]);
            }
        }
        BinnedFit { edges, values }
    }

    /// Value of the bin holding `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.values[self.edges.partition_point(|&e| e < x)]
    }
}

/// A fitted alpha(margin) model.
#[derive(Clone, Debug, PartialEq)]
pub enum AlphaModel {
    /// Isotonic regression on margin.
    Isotonic(IsotonicFit),
    /// Equal-mass margin bins.
    Binned(BinnedFit),
    /// One value everywhere.
    Constant(f64),
    /// The synthetic teacher's true accuracy per point (no function of the margin).
    Oracle,
}

impl AlphaModel {
    /// Fit `estimator` on the validation margins and 0/1 correctness.
    pub fn fit(estimator: AlphaEstimator, margins: &[f64], correct: &[f64]) -> Result<AlphaModel> {
        if margins.is_empty() {
            return Err(Error::config(
                "validation",
                "needs at least one example to estimate alpha",
            ));
        }
        Ok(match estimator {
            AlphaEstimator::Isotonic => AlphaModel::Isotonic(IsotonicFit::fit(margins, correct)),
            AlphaEstimator::Binned => {
                let bins = ((margins.len() as f64).sqrt() / 2.0)
                    .ceil()
                    .clamp(2.0, 20.0) as usize;
                AlphaModel::Binned(BinnedFit::fit(margins, correct, bins))
            }
            AlphaEstimator::Constant => {
                AlphaModel::Constant(correct.iter().sum::<f64>() / correct.len() as f64)
            }
            AlphaEstimator::Oracle => AlphaModel::Oracle,
        })
    }

    /// alpha at a teacher margin (`None` for the oracle, which needs the point itself).
    pub fn at_margin(&self, m: f64) -> Option<f64> {
        match self {
            AlphaModel::Isotonic(f) => Some(f.predict(m)),
            AlphaModel::Binned(f) => Some(f.predict(m)),
            AlphaModel::Constant(c) => Some(*c),
            AlphaModel::Oracle => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};
    use proptest::prelude::*;

    /// Brute force: the isotonic solution is the block-mean vector of some partition into contiguous
    /// blocks; try every partition, keep the monotone ones, take the least squared error.
    fn brute_force(y: &[f64]) -> Vec<f64> {
        let n = y.len();
        let mut best: Option<(f64, Vec<f64>)> = None;
        for cuts in 0u32..(1 << (n - 1)) {
            let mut fitted = Vec::with_capacity(n);
            let mut start = 0;
            for i in 0..n {
                if i == n - 1 || cuts & (1 << i) != 0 {
                    let mean = y[start..=i].iter().sum::<f64>() / (i + 1 - start) as f64;
                    fitted.extend(std::iter::repeat_n(mean, i + 1 - start));
                    start = i + 1;
                }
            }
            if fitted.windows(2).any(|w| w[0] > w[1] + 1e-12) {
                continue;
            }
            let sse: f64 = fitted.iter().zip(y).map(|(a, b)| (a - b).powi(2)).sum();
            if best.as_ref().is_none_or(|(s, _)| sse < *s - 1e-12) {
                best = Some((sse, fitted));
            }
        }
        best.expect("the all-one-block partition is always monotone")
            .1
    }

    #[test]
    fn pava_matches_brute_force_on_small_random_inputs() {
        let mut r = Rng::new(8, Stream::Method);
        for trial in 0..300 {
            let n = 1 + trial % 9;
            let y: Vec<f64> = (0..n)
                .map(|_| {
                    if trial % 2 == 0 {
                        (r.below(2)) as f64
                    } else {
                        r.uniform_f64() * 4.0 - 2.0
                    }
                })
                .collect();
            let got = pava(&y, &vec![1.0; n]);
            let want = brute_force(&y);
            for (a, b) in got.iter().zip(&want) {
                assert!(
                    (a - b).abs() < 1e-9,
                    "y={y:?}: pava {got:?} vs brute {want:?}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn isotonic_is_monotone_mean_preserving_and_bounded(
            pairs in proptest::collection::vec((0.0f64..1.0, 0.0f64..=1.0), 1..60)
        ) {
            let x: Vec<f64> = pairs.iter().map(|p| (p.0 * 20.0).round() / 20.0).collect(); // force ties
            let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            let fit = IsotonicFit::fit(&x, &y);
            prop_assert!(fit.ys.windows(2).all(|w| w[0] <= w[1] + 1e-12));
            // Mean-preserving: the fitted values at the data points average to the mean of y.
            let mean_fit = x.iter().map(|&v| fit.predict(v)).sum::<f64>() / x.len() as f64;
            let mean_y = y.iter().sum::<f64>() / y.len() as f64;
            prop_assert!((mean_fit - mean_y).abs() < 1e-9, "{} vs {}", mean_fit, mean_y);
            let (lo, hi) = y.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            let mut probe = -0.5;
            let mut last = f64::MIN;
            while probe < 1.5 {
                let v = fit.predict(probe);
                prop_assert!(v >= lo - 1e-12 && v <= hi + 1e-12);
                prop_assert!(v >= last - 1e-12, "interpolation not monotone");
                last = v;
                probe += 0.01;
            }
        }
    }

    #[test]
    fn isotonic_recovers_a_monotone_accuracy_curve() {
        // Correctness drawn with probability sigmoid-like in the margin; the fit should track it.
        let mut r = Rng::new(2, Stream::Method);
        let truth = |m: f64| 0.3 + 0.65 * m;
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..4000 {
            let m = r.uniform_f64();
            x.push(m);
            y.push((r.uniform_f64() < truth(m)) as u8 as f64);
        }
        let fit = IsotonicFit::fit(&x, &y);
        for m in [0.1, 0.3, 0.5, 0.7, 0.9] {
            assert!(
                (fit.predict(m) - truth(m)).abs() < 0.08,
                "at {m}: {} vs {}",
                fit.predict(m),
                truth(m)
            );
        }
    }

    #[test]
    fn interpolation_between_and_clipping_outside() {
        let fit = IsotonicFit::fit(&[0.0, 1.0, 2.0], &[0.0, 1.0, 1.0]);
        assert!((fit.predict(0.5) - 0.5).abs() < 1e-12);
        assert_eq!(fit.predict(-3.0), 0.0);
        assert_eq!(fit.predict(9.0), 1.0);
    }

    #[test]
    fn binned_uses_equal_mass_bins() {
        let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..100).map(|i| (i >= 50) as u8 as f64).collect();
        let fit = BinnedFit::fit(&x, &y, 4);
        assert_eq!(fit.values, vec![0.0, 0.0, 1.0, 1.0]);
        assert_eq!(fit.predict(10.0), 0.0);
        assert_eq!(fit.predict(80.0), 1.0);
    }

    #[test]
    fn margin_is_top1_minus_top2() {
        assert!((margin(&[0.2, 0.5, 0.3]) - 0.2).abs() < 1e-7);
        assert_eq!(margin(&[0.5, 0.5]), 0.0);
    }
}
