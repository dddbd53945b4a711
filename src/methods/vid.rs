//! VID: variational information distillation (Ahn et al., CVPR 2019, arXiv 1904.05835).
//!
//! Beside the usual loss (cross-entropy on L, soft cross-entropy on the teacher's labels on U), the
//! student's last hidden layer `s` must explain the trained teacher's last hidden layer `t` under a
//! Gaussian `N(t | W s + b, diag(sigma^2))` with a learned variance per teacher unit,
//! `sigma_d^2 = softplus(a_d) + MIN_VARIANCE`, as in the paper. Minimising its negative log-likelihood
//! maximises a variational lower bound on the mutual information between the two layers:
//!
//! ```text
//! vid(x) = (1/D) sum_d [ log sigma_d + (t_d - mu_d(s))^2 / (2 sigma_d^2) ],   mu(s) = W^T s + b
//! ```
//!
//! Units the student cannot predict get a large variance and so a small pull. The regressor
//! `(W, b)` and the variances `a` are trained with Adam beside the student; the student receives
//! `vid_weight * dvid/ds` at its hidden layer. Departures: a linear regressor between the last hidden
//! layers only (the paper also matches intermediate convolutional layers with small conv nets), and
//! the loss averages over units instead of summing so that `vid_weight` does not scale with the
//! teacher's width.

use std::any::Any;

use crate::config::keys::{closed, setting};
use crate::config::{Checked, MethodSettings};
use crate::methods::distill_row;
use crate::model::{FlatAdam, Mlp, Optimizer};
use crate::seed::{Inputs, PreparedSeed};

/// Its setting: the weight of the hidden-layer loss.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[setting(
        "vid_weight",
        "VID: weight of the hidden-layer loss",
        "",
        closed(0.0, 100.0),
        1.0,
    )],
    rules: &[],
};

/// VID's regressor onto the teacher's embedding, with its gradients and Adam state.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    regressor: true,
    ..super::MethodMemory::PLAIN
};

// The per-row loss and its parameters live in the kernels crate (built for speed, see Cargo.toml).
pub use slam_kernels::vid::{softplus, vid_loss, Side, MIN_VARIANCE};

/// The `a` with `softplus(a) = y` (y > 0).
fn softplus_inverse(y: f32) -> f32 {
    if y > 15.0 {
        y
    } else {
        libm::logf(libm::expm1f(y.max(1e-6)))
    }
}

/// VID's side model and its training state for one student.
#[derive(Clone, Debug)]
pub struct Vid {
    /// Student hidden layer matched (1-based, its last hidden layer).
    layer: usize,
    s_dim: usize,
    t_dim: usize,
    /// `[W (s_dim x t_dim), b (t_dim), a (t_dim)]`.
    params: Vec<f32>,
    grads: Vec<f32>,
    adam: FlatAdam,
    inject: Vec<f32>,
    mu: Vec<f32>,
    weight: f32,
    epoch_sum: f64,
    epoch_count: usize,
    /// Mean VID loss over each completed epoch.
    pub loss_history: Vec<f32>,
}

impl Vid {
    /// Side model for a student shaped like `net`: zero regressor weights, the bias at the teacher
    /// units' means and the variances at their variances over the training rows (the best a
    /// student-blind prediction can do), so VID starts from "explains nothing".
    pub fn new(prep: &PreparedSeed, cfg: &Checked, net: &Mlp) -> Vid {
        let layer = net.sizes.len().saturating_sub(2).max(1);
        let s_dim = net.sizes[layer];
        let emb = prep.extras.embedding.as_ref();
        let t_dim = emb.map_or(1, |e| e.ncols());
        let mut params = vec![0.0; s_dim * t_dim + 2 * t_dim];
        if let Some(e) = emb {
            let rows = &prep.train_rows;
            for d in 0..t_dim {
                let mean =
                    rows.iter().map(|&r| e[[r, d]] as f64).sum::<f64>() / rows.len().max(1) as f64;
                let var = rows
                    .iter()
                    .map(|&r| (e[[r, d]] as f64 - mean) * (e[[r, d]] as f64 - mean))
                    .sum::<f64>()
                    / rows.len().max(1) as f64;
                params[s_dim * t_dim + d] = mean as f32;
                params[s_dim * t_dim + t_dim + d] =
                    softplus_inverse((var as f32).max(MIN_VARIANCE));
            }
        }
        let len = params.len();
        let batch = cfg.student.batch_size;
        Vid {
            layer,
            s_dim,
            t_dim,
            params,
            grads: vec![0.0; len],
            adam: FlatAdam::new(len, cfg.student.lr),
            inject: vec![0.0; batch * s_dim],
            mu: vec![0.0; t_dim],
            weight: cfg.settings.f32("vid_weight"),
            epoch_sum: 0.0,
            epoch_count: 0,
            loss_history: Vec::new(),
        }
    }

    /// Learned variance per teacher unit.
    pub fn variances(&self) -> Vec<f32> {
        let a = &self.params[self.s_dim * self.t_dim + self.t_dim..];
        a.iter().map(|&v| softplus(v) + MIN_VARIANCE).collect()
    }

    /// One minibatch: the baseline loss at the output plus `vid_weight *` VID at the hidden layer.
    pub fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        prep: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let n = rows.len();
        let c = net.classes();
        let scale = 1.0 / n as f32;
        inputs.forward(net, prep, rows);
        let mut total = 0.0;
        {
            let (p, d) = net.probs_and_delta_mut();
            for (r, &row) in rows.iter().enumerate() {
                total += distill_row(
                    prep,
                    row,
                    &p[r * c..(r + 1) * c],
                    &mut d[r * c..(r + 1) * c],
                    scale,
                );
            }
        }
        // Without the teacher's embedding (only when called past the config check) VID is vanilla.
        let Some(emb) = prep.extras.embedding.as_ref() else {
            net.backward();
            optimizer.step(net);
            return total;
        };
        if self.inject.len() < n * self.s_dim {
            self.inject.resize(n * self.s_dim, 0.0);
        }
        self.grads.fill(0.0);
        let (sd, td) = (self.s_dim, self.t_dim);
        let (w, rest) = self.params.split_at(sd * td);
        let (b, a) = rest.split_at(td);
        let side = Side { w, b, a };
        let (gw, grest) = self.grads.split_at_mut(sd * td);
        let (gb, ga) = grest.split_at_mut(td);
        let hidden = net.hidden(self.layer);
        let mut vid_total = 0.0;
        for (r, &row) in rows.iter().enumerate() {
            let t = emb.row(row);
            let t = t.as_slice().expect("contiguous");
            let s = &hidden[r * sd..(r + 1) * sd];
            let d_s = &mut self.inject[r * sd..(r + 1) * sd];
            vid_total += vid_loss(
                s,
                t,
                &side,
                &mut self.mu,
                d_s,
                gw,
                gb,
                ga,
                scale * self.weight,
            );
        }
        net.backward_with(self.layer, &self.inject[..n * sd]);
        optimizer.step(net);
        // The side model's gradients were accumulated with the VID weight; undo it so its step
        // does not depend on how strongly the student is pulled.
        if self.weight > 0.0 {
            let inv = 1.0 / self.weight;
            self.grads.iter_mut().for_each(|g| *g *= inv);
            self.adam.step(&mut self.params, &self.grads);
        }
        self.epoch_sum += vid_total as f64;
        self.epoch_count += n;
        total + self.weight * vid_total
    }

    /// Close an epoch: record its mean VID loss.
    pub fn finish_epoch(&mut self) {
        self.loss_history
            .push((self.epoch_sum / self.epoch_count.max(1) as f64) as f32);
        self.epoch_sum = 0.0;
        self.epoch_count = 0;
    }

    /// VID loss in the first and the last epoch.
    pub fn stats(&self) -> Vec<(&'static str, f64)> {
        let first = self.loss_history.first().copied().unwrap_or(0.0) as f64;
        let last = self.loss_history.last().copied().unwrap_or(0.0) as f64;
        vec![
            ("vid_loss_first_epoch", first),
            ("vid_loss_last_epoch", last),
        ]
    }
}

impl super::Distiller for Vid {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        Vid::train_batch(self, net, optimizer, inputs, seed, rows)
    }

    fn finish_epoch(&mut self) {
        Vid::finish_epoch(self)
    }

    fn stats(&self, _seed: &PreparedSeed, _net: &mut Mlp) -> Vec<(&'static str, f64)> {
        Vid::stats(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};

    /// Central differences of the VID loss against every input it is differentiated in.
    #[test]
    fn vid_loss_matches_finite_differences() {
        let mut r = Rng::new(21, Stream::Method);
        let (sd, td) = (4usize, 3usize);
        let s: Vec<f32> = (0..sd).map(|_| r.range(0.0, 1.5)).collect();
        let t: Vec<f32> = (0..td).map(|_| r.range(-1.0, 2.0)).collect();
        let w: Vec<f32> = (0..sd * td).map(|_| r.range(-0.5, 0.5)).collect();
        let b: Vec<f32> = (0..td).map(|_| r.range(-0.5, 0.5)).collect();
        let a: Vec<f32> = (0..td).map(|_| r.range(-1.0, 1.0)).collect();
        let eval = |s: &[f32], w: &[f32], b: &[f32], a: &[f32]| -> f64 {
            let (mut mu, mut ds, mut gw, mut gb, mut ga) = (
                vec![0.0; td],
                vec![0.0; sd],
                vec![0.0; sd * td],
                vec![0.0; td],
                vec![0.0; td],
            );
            vid_loss(
                s,
                &t,
                &Side { w, b, a },
                &mut mu,
                &mut ds,
                &mut gw,
                &mut gb,
                &mut ga,
                1.0,
            ) as f64
        };
        let (mut mu, mut ds, mut gw, mut gb, mut ga) = (
            vec![0.0; td],
            vec![0.0; sd],
            vec![0.0; sd * td],
            vec![0.0; td],
            vec![0.0; td],
        );
        vid_loss(
            &s,
            &t,
            &Side {
                w: &w,
                b: &b,
                a: &a,
            },
            &mut mu,
            &mut ds,
            &mut gw,
            &mut gb,
            &mut ga,
            1.0,
        );
        let h = 1e-2f32;
        let close = |name: &str, fd: f64, g: f32| {
            assert!(
                (fd - g as f64).abs() < 1e-3 + 2e-2 * (g as f64).abs(),
                "{name}: fd {fd} vs {g}"
            );
        };
        for k in 0..sd {
            let (mut up, mut dn) = (s.clone(), s.clone());
            up[k] += h;
            dn[k] -= h;
            close(
                &format!("ds[{k}]"),
                (eval(&up, &w, &b, &a) - eval(&dn, &w, &b, &a)) / (2.0 * h as f64),
                ds[k],
            );
        }
        for k in 0..sd * td {
            let (mut up, mut dn) = (w.clone(), w.clone());
            up[k] += h;
            dn[k] -= h;
            close(
                &format!("dW[{k}]"),
                (eval(&s, &up, &b, &a) - eval(&s, &dn, &b, &a)) / (2.0 * h as f64),
                gw[k],
            );
        }
        for d in 0..td {
            let (mut up, mut dn) = (b.clone(), b.clone());
            up[d] += h;
            dn[d] -= h;
            close(
                &format!("db[{d}]"),
                (eval(&s, &w, &up, &a) - eval(&s, &w, &dn, &a)) / (2.0 * h as f64),
                gb[d],
            );
            let (mut up, mut dn) = (a.clone(), a.clone());
            up[d] += h;
            dn[d] -= h;
            close(
                &format!("da[{d}]"),
                (eval(&s, &w, &b, &up) - eval(&s, &w, &b, &dn)) / (2.0 * h as f64),
                ga[d],
            );
        }
    }

    #[test]
    fn softplus_inverse_round_trips() {
        for y in [1e-3f32, 0.1, 1.0, 7.5, 30.0] {
            assert!(
                (softplus(softplus_inverse(y)) - y).abs() < 1e-3 * y.max(1.0),
                "{y}"
            );
        }
    }
}
