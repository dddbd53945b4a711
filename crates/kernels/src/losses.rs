//! Per-example losses on the student's softmax output, each returning the loss and writing
//! dLoss/dlogits (scaled by `scale`, usually 1/batch) into `grad`.
//!
//! Losses are written on probabilities `f` and chained through the softmax Jacobian
//! `dL/dz_j = f_j * (g_j - sum_i f_i g_i)` with `g = dL/df`, so each one's derivative matches the formula
//! in METHODS.md line for line.

/// Lower clamp on probabilities and mixed probabilities before a log.
pub const EPS: f32 = 1e-7;

/// `x.max(EPS)` as a comparison (`f32::max` is a call per element in wasm); a NaN gives EPS as before.
#[inline(always)]
fn clamp_eps(x: f32) -> f32 {
    if x > EPS {
        x
    } else {
        EPS
    }
}

/// Chain `g = dL/df` through the softmax Jacobian into `grad = scale * dL/dz`.
pub fn through_softmax(f: &[f32], g: &[f32], grad: &mut [f32], scale: f32) {
    let dot: f32 = f.iter().zip(g).map(|(a, b)| a * b).sum();
    for ((out, &fj), &gj) in grad.iter_mut().zip(f).zip(g) {
        *out = scale * fj * (gj - dot);
    }
}

/// Cross-entropy against a (soft or one-hot) target `y`: `-sum_i y_i log f_i`.
///
/// Uses the closed form `dL/dz = f * sum(y) - y`, which stays exact when `f_i` underflows.
pub fn cross_entropy(f: &[f32], y: &[f32], grad: &mut [f32], scale: f32) -> f32 {
    // The logs first, four at a time, into `grad` (overwritten below): libm's bits.
    let logs = &mut grad[..f.len()];
    for (l, &fi) in logs.iter_mut().zip(f) {
        *l = clamp_eps(fi);
    }
    crate::expf::logf_in_place(logs);
    let mut loss = 0.0;
    let mut total = 0.0;
    for (&l, &yi) in logs.iter().zip(y) {
        if yi > 0.0 {
            loss -= yi * l;
        }
        total += yi;
    }
    for ((out, &fi), &yi) in grad.iter_mut().zip(f).zip(y) {
        *out = scale * (fi * total - yi);
    }
    loss
}

/// Cross-entropy against the class index `label`.
pub fn cross_entropy_label(f: &[f32], label: usize, grad: &mut [f32], scale: f32) -> f32 {
    for (j, (out, &fj)) in grad.iter_mut().zip(f).enumerate() {
        *out = scale * (fj - if j == label { 1.0 } else { 0.0 });
    }
    -libm::logf(clamp_eps(f[label]))
}

/// SLaM's mixing of the student's probabilities `f` through the teacher's noise channel:
/// `mix(f)_i = alpha f_i + c (1 - f_i) top_i`, with `c = 1 - alpha` (or `(1 - alpha) / (k - 1)`
/// normalised) and `top` the indicator of the teacher's top k classes; what [`slam`] compares with
/// the teacher's label.
pub fn mix(f: &[f32], alpha: f32, top: &[f32], k: usize, normalize_k: bool, out: &mut [f32]) {
    let c = if normalize_k && k > 1 {
        (1.0 - alpha) / (k as f32 - 1.0)
    } else {
        1.0 - alpha
    };
    for i in 0..f.len() {
        out[i] = alpha * f[i] + c * (1.0 - f[i]) * top[i];
    }
}

/// Student-Label Mixing: fit `mix(f)` to the teacher label `y`, where
/// `mix_i = alpha f_i + c (1 - f_i) t_i`, `t` marks the teacher's top-k classes and
/// `c = 1 - alpha` (the paper's experiments) or `(1 - alpha) / (k - 1)` when `normalize_k`.
///
/// `top` holds the 0/1 top-k mask; `g` is scratch space of length C. Entries whose mixed probability
/// sits at the clamp contribute no gradient (the clamp is flat there).
#[allow(clippy::too_many_arguments)]
pub fn slam(
    f: &[f32],
    y: &[f32],
    alpha: f32,
    top: &[f32],
    k: usize,
    normalize_k: bool,
    g: &mut [f32],
    grad: &mut [f32],
    scale: f32,
) -> f32 {
    let c = if normalize_k && k > 1 {
        (1.0 - alpha) / (k as f32 - 1.0)
    } else {
        1.0 - alpha
    };
    // mix(f) into `g`, and the logs of what the loss reads (m, or EPS where m is not above it) into
    // `grad`, four at a time: libm's bits. Both buffers are overwritten below.
    let n = f.len();
    mix(f, alpha, top, k, normalize_k, g);
    for i in 0..n {
        grad[i] = if g[i] > EPS { g[i] } else { EPS };
    }
    crate::expf::logf_in_place(&mut grad[..n]);
    let mut loss = 0.0;
    for i in 0..n {
        let m = g[i];
        g[i] = 0.0;
        if y[i] <= 0.0 {
            continue;
        }
        loss -= y[i] * grad[i];
        if m > EPS {
            g[i] = -(y[i] / m) * (alpha - c * top[i]);
        }
    }
    through_softmax(f, g, grad, scale);
    loss
}

/// Taylor cross-entropy of order `t` on the class `label`: `sum_{j=1..t} (1 - f_y)^j / j`.
pub fn taylor_ce(
    f: &[f32],
    label: usize,
    order: usize,
    g: &mut [f32],
    grad: &mut [f32],
    scale: f32,
) -> f32 {
    let q = 1.0 - f[label];
    let mut loss = 0.0;
    let mut dq = 0.0; // d loss / d q = sum_j q^(j-1)
    let mut pow = 1.0; // q^(j-1)
    for j in 1..=order {
        dq += pow;
        pow *= q;
        loss += pow / j as f32;
    }
    g.fill(0.0);
    g[label] = -dq;
    through_softmax(f, g, grad, scale);
    loss
}

/// The `k` largest entries of `y` marked with 1.0 in `out` (ties broken by lower index).
pub fn top_k_mask(y: &[f32], k: usize, out: &mut [f32]) {
    out.fill(0.0);
    for _ in 0..k.min(y.len()) {
        let mut best = usize::MAX;
        for i in 0..y.len() {
            if out[i] == 0.0 && (best == usize::MAX || y[i] > y[best]) {
                best = i;
            }
        }
        out[best] = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::softmax_in_place;
    use crate::rng::{Rng, Stream};

    fn softmax(z: &[f32]) -> Vec<f32> {
        let mut v = z.to_vec();
        softmax_in_place(&mut v);
        v
    }

    /// Central finite differences of `loss(softmax(z))` against the analytic dL/dz.
    fn check(name: &str, z: &[f32], loss: &dyn Fn(&[f32], &mut [f32]) -> f32) {
        let c = z.len();
        let mut grad = vec![0.0; c];
        loss(&softmax(z), &mut grad);
        let h = 1e-2f32;
        let mut scratch = vec![0.0; c];
        for j in 0..c {
            let mut zp = z.to_vec();
            zp[j] += h;
            let mut zm = z.to_vec();
            zm[j] -= h;
            let fd =
                (loss(&softmax(&zp), &mut scratch) - loss(&softmax(&zm), &mut scratch)) / (2.0 * h);
            assert!(
                (fd - grad[j]).abs() < 2e-3 + 3e-2 * grad[j].abs(),
                "{name}: dz[{j}] finite difference {fd} vs analytic {}",
                grad[j]
            );
        }
    }

    fn random_case(r: &mut Rng, c: usize) -> (Vec<f32>, Vec<f32>) {
        let z: Vec<f32> = (0..c).map(|_| r.range(-2.0, 2.0)).collect();
        let y = softmax(&(0..c).map(|_| r.range(-2.0, 2.0)).collect::<Vec<_>>());
        (z, y)
    }

    #[test]
    fn cross_entropy_gradients() {
        let mut r = Rng::new(1, Stream::Method);
        for c in [2, 3, 7] {
            let (z, y) = random_case(&mut r, c);
            check("ce soft", &z, &|f, g| cross_entropy(f, &y, g, 1.0));
            let label = r.below(c);
            check("ce label", &z, &|f, g| {
                cross_entropy_label(f, label, g, 1.0)
            });
        }
    }

    #[test]
    fn slam_gradients_soft_hard_normalised() {
        let mut r = Rng::new(2, Stream::Method);
        for c in [2, 3, 5, 10] {
            for &normalize in &[false, true] {
                let (z, y_soft) = random_case(&mut r, c);
                let mut hard = vec![0.0; c];
                hard[r.below(c)] = 1.0;
                for y in [&y_soft, &hard] {
                    let k = 2 + r.below(c - 1).min(c - 2);
                    let mut top = vec![0.0; c];
                    top_k_mask(y, k, &mut top);
                    for alpha in [0.2f32, 0.5, 0.8, 1.0] {
                        let mut scratch = vec![0.0; c];
                        let name = format!("slam c={c} k={k} alpha={alpha} normalize={normalize}");
                        check(&name, &z, &|f, g| {
                            slam(
                                f,
                                y,
                                alpha,
                                &top,
                                k,
                                normalize,
                                &mut scratch.clone(),
                                g,
                                1.0,
                            )
                        });
                        scratch.fill(0.0);
                    }
                }
            }
        }
    }

    #[test]
    fn slam_with_alpha_one_is_cross_entropy() {
        let mut r = Rng::new(3, Stream::Method);
        let (z, y) = random_case(&mut r, 4);
        let f = softmax(&z);
        let (mut g1, mut g2, mut s) = (vec![0.0; 4], vec![0.0; 4], vec![0.0; 4]);
        let mut top = vec![0.0; 4];
        top_k_mask(&y, 2, &mut top);
        let a = slam(&f, &y, 1.0, &top, 2, false, &mut s, &mut g1, 1.0);
        let b = cross_entropy(&f, &y, &mut g2, 1.0);
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        for (x, y) in g1.iter().zip(&g2) {
            assert!((x - y).abs() < 1e-5);
        }
    }

    #[test]
    fn binary_slam_is_forward_correction_for_flips() {
        // With C = 2 and k = 2, mix(f) = alpha f + (1 - alpha)(1 - f): the flip channel.
        let f = softmax(&[0.3, -0.4]);
        let y = [1.0, 0.0];
        let alpha = 0.7;
        let (mut s, mut g) = (vec![0.0; 2], vec![0.0; 2]);
        let loss = slam(&f, &y, alpha, &[1.0, 1.0], 2, false, &mut s, &mut g, 1.0);
        let flipped = alpha * f[0] + (1.0 - alpha) * f[1];
        assert!(
            (loss + flipped.ln()).abs() < 1e-6,
            "{loss} vs {}",
            -flipped.ln()
        );
    }

    #[test]
    fn taylor_gradients_and_limits() {
        let mut r = Rng::new(4, Stream::Method);
        for c in [2, 4, 6] {
            for order in 1..=6 {
                let (z, _) = random_case(&mut r, c);
                let label = r.below(c);
                let mut scratch = vec![0.0; c];
                check(&format!("taylor t={order}"), &z, &|f, g| {
                    taylor_ce(f, label, order, &mut scratch.clone(), g, 1.0)
                });
                scratch.fill(0.0);
            }
        }
        // Order 1 is MAE-like: 1 - f_y.
        let f = softmax(&[0.5, 0.1, -0.3]);
        let (mut s, mut g) = (vec![0.0; 3], vec![0.0; 3]);
        assert!((taylor_ce(&f, 1, 1, &mut s, &mut g, 1.0) - (1.0 - f[1])).abs() < 1e-6);
        // High order approaches cross-entropy from below.
        let t20 = taylor_ce(&f, 1, 40, &mut s, &mut g, 1.0);
        assert!(
            t20 < -f[1].ln() && t20 > -f[1].ln() - 0.01,
            "{t20} vs {}",
            -f[1].ln()
        );
    }

    #[test]
    fn weighted_scales_the_gradient() {
        let f = softmax(&[0.2, 0.9, -1.0]);
        let y = [0.1, 0.7, 0.2];
        let (mut g1, mut g2) = (vec![0.0; 3], vec![0.0; 3]);
        cross_entropy(&f, &y, &mut g1, 1.0);
        cross_entropy(&f, &y, &mut g2, 0.25);
        for (a, b) in g1.iter().zip(&g2) {
            assert!((a * 0.25 - b).abs() < 1e-7);
        }
        check("weighted", &[0.2, 0.9, -1.0], &|f, g| {
            0.25 * cross_entropy(f, &y, g, 0.25)
        });
    }

    #[test]
    fn top_k_marks_the_largest() {
        let mut out = vec![0.0; 5];
        top_k_mask(&[0.1, 0.5, 0.05, 0.3, 0.05], 2, &mut out);
        assert_eq!(out, vec![0.0, 1.0, 0.0, 1.0, 0.0]);
        top_k_mask(&[0.1, 0.5, 0.05, 0.3, 0.05], 3, &mut out);
        assert_eq!(out, vec![1.0, 1.0, 0.0, 1.0, 0.0]);
    }
}
