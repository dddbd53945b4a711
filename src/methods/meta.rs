//! What ALM and L2T share: a one-step look-ahead of the student and the per-example inner products
//! of the validation gradient with each training example's gradient.
//!
//! Bi-level methods ask how the validation loss would change if one example's loss weight changed.
//! After a virtual SGD step `w' = w - eta * sum_i lambda_i g_i / n`, that is
//! `dL_val(w') / dlambda_i = -(eta / n) * grad L_val(w') . g_i(w)`. For an MLP the inner product
//! needs no per-example gradient: example i's gradient of layer l's weights is the outer product
//! `a_{l,i} delta_{l,i}^T` of its input activation and its delta, so
//! `G_l . g_{l,i} = (a_{l,i}^T G_l) . delta_{l,i} + gb_l . delta_{l,i}`, one matrix product per layer
//! for the whole batch.

use crate::model::Mlp;
use crate::rng::Rng;
use crate::seed::PreparedSeed;

/// The student's look-ahead copy and the validation batches it is scored on (the kernels crate's
/// [`slam_kernels::lookahead::Lookahead`], read through `Deref`, fed from a prepared seed).
#[derive(Clone, Debug)]
pub struct Lookahead(slam_kernels::lookahead::Lookahead);

impl std::ops::Deref for Lookahead {
    type Target = slam_kernels::lookahead::Lookahead;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Lookahead {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Lookahead {
    /// A look-ahead for a student shaped like `net`, scoring batches of V drawn in an order
    /// shuffled by `rng` (the method's own stream).
    pub fn new(prep: &PreparedSeed, net: &Mlp, batch: usize, rng: Rng) -> Lookahead {
        Lookahead(slam_kernels::lookahead::Lookahead::new(
            prep.split.validation.clone(),
            net,
            batch,
            rng,
        ))
    }

    /// Take the virtual step `w' = w - lr * grad` from the gradients stored in `net`, then compute
    /// the mean validation cross-entropy gradient at `w'` on the next batch of V.
    pub fn validation_gradient(&mut self, net: &Mlp, prep: &PreparedSeed, lr: f32) {
        self.0
            .validation_gradient(net, prep.data.x.view(), &prep.data.y, lr)
    }
}

/// Logistic function (libm for platform-identical bits).
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::expf(-x))
    } else {
        let e = libm::expf(x);
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Checked;
    use crate::rng::Stream;
    use crate::seed::{DataSource, Needs, PreparedSeed};
    use serde_json::json;

    fn small_prep() -> (Checked, PreparedSeed) {
        let cfg = crate::scenarios::resolve(
            Some("flagship"),
            json!({"samples": 300, "validation": 40, "labeled": 20, "student": {"hidden": [5, 4], "batch_size": 8}}),
        )
        .unwrap();
        let prep = PreparedSeed::new(
            &cfg,
            &DataSource::Builtin("moons".into()),
            3,
            Needs::default(),
        )
        .unwrap();
        (cfg, prep)
    }

    /// The one-step look-ahead's derivative: L_val(w - eta * sum_i lambda_i g_i / n) against
    /// lambda_i by central differences must equal `-(eta / n) * dots[i]`.
    #[test]
    fn dots_are_the_derivative_of_the_look_ahead_validation_loss() {
        let (cfg, prep) = small_prep();
        let mut net = prep.initial_student(&cfg);
        let mut r = Rng::new(4, Stream::Method);
        for b in net.biases.iter_mut() {
            b.mapv_inplace(|_| r.range(-0.2, 0.2));
        }
        let rows: Vec<usize> = prep.train_rows[..8].to_vec();
        let c = 2;
        let n = rows.len();
        let eta = 0.5f32;
        let lambda: Vec<f32> = (0..n).map(|_| r.range(0.2, 1.0)).collect();
        // Per-example output deltas (unscaled) of soft CE against random targets.
        let targets: Vec<[f32; 2]> = (0..n)
            .map(|_| {
                let t = r.uniform();
                [t, 1.0 - t]
            })
            .collect();
        let val_rows: Vec<usize> = prep.split.validation.clone();
        let val_loss = |w: &Mlp| -> f64 {
            let mut w = w.clone();
            let p = w.forward_rows(prep.data.x.view(), &val_rows).to_vec();
            val_rows
                .iter()
                .enumerate()
                .map(|(i, &row)| -(p[i * c + prep.data.y[row]].max(1e-12) as f64).ln())
                .sum::<f64>()
                / val_rows.len() as f64
        };
        let stepped = |net: &Mlp, lam: &[f32]| -> Mlp {
            let mut m = net.clone();
            m.forward_rows(prep.data.x.view(), &rows);
            {
                let (p, d) = m.probs_and_delta_mut();
                for i in 0..n {
                    for j in 0..c {
                        d[i * c + j] = lam[i] * (p[i * c + j] - targets[i][j]) / n as f32;
                    }
                }
            }
            m.backward();
            let mut w = m.clone();
            for l in 0..w.weights.len() {
                w.weights[l].scaled_add(-eta, &m.grad_weights[l]);
                w.biases[l].scaled_add(-eta, &m.grad_biases[l]);
            }
            w
        };
        // Analytic: validation gradient at w' over all of V (batch = |V|), dots with g_i.
        let mut look = Lookahead::new(&prep, &net, val_rows.len(), Rng::new(1, Stream::Method));
        look.val_order = val_rows.clone();
        look.cursor = 0;
        let w_prime = stepped(&net, &lambda);
        let mut fake = net.clone();
        for l in 0..fake.weights.len() {
            fake.grad_weights[l].assign(&((&net.weights[l] - &w_prime.weights[l]) / eta));
            fake.grad_biases[l].assign(&((&net.biases[l] - &w_prime.biases[l]) / eta));
        }
        look.validation_gradient(&fake, &prep, eta);
        net.forward_rows(prep.data.x.view(), &rows);
        {
            let (p, d) = net.probs_and_delta_mut();
            for i in 0..n {
                for j in 0..c {
                    d[i * c + j] = p[i * c + j] - targets[i][j];
                }
            }
        }
        net.backprop_deltas();
        let mut dots = vec![0.0; n];
        look.dots(&net, &mut dots);
        let h = 1e-2f32;
        for i in 0..n {
            let mut up = lambda.clone();
            up[i] += h;
            let mut down = lambda.clone();
            down[i] -= h;
            let fd = (val_loss(&stepped(&net, &up)) - val_loss(&stepped(&net, &down)))
                / (2.0 * h as f64);
            let analytic = -(eta as f64 / n as f64) * dots[i] as f64;
            assert!(
                (fd - analytic).abs() < 2e-4 + 3e-2 * analytic.abs(),
                "example {i}: fd {fd} vs analytic {analytic}"
            );
        }
        assert!(
            dots.iter().any(|d| d.abs() > 1e-3),
            "degenerate case: {dots:?}"
        );
    }

    #[test]
    fn sigmoid_is_stable_and_symmetric() {
        for x in [-100.0f32, -3.0, 0.0, 0.5, 80.0] {
            let s = sigmoid(x);
            assert!(s.is_finite() && (0.0..=1.0).contains(&s));
            assert!((s + sigmoid(-x) - 1.0).abs() < 1e-6);
        }
    }
}
