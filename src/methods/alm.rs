//! ALM-KD / AMAL: adaptive mixing of auxiliary losses (Sivasubramanian et al., AAAI 2023,
//! arXiv 2202.03250).
//!
//! Every training example i has its own mixing weight `lambda_i = sigmoid(phi_i)` between the
//! distillation loss (soft cross-entropy on the teacher's label) and the label loss:
//!
//! ```text
//! loss_i = lambda_i * KD_i + (1 - lambda_i) * CE(f, y_i)   on L
//! loss_i = lambda_i * KD_i                                  on U (no label: the weight scales KD)
//! ```
//!
//! The weights are meta-learned on V (bi-level): after each student step, a one-step look-ahead
//! `w' = w - eta * grad` gives `dL_val(w')/dlambda_i = -(eta/n) grad L_val(w') . dloss_i/dlambda_i`,
//! computed for the whole batch from per-layer inner products ([`super::meta`]), and `phi_i` moves
//! down that gradient. Examples whose gradient opposes the validation gradient (typically where the
//! teacher is wrong) lose weight.
//!
//! Departures: U has no labels in our setting, so there the weight only scales the distillation
//! loss (meta-learned example reweighting); the meta step is normalised by the batch's RMS inner
//! product (`meta_lr` is then a step on the logit scale), and a batch trains with the weights learned
//! up to its previous visit (update after the student step, which saves a backward pass).

use std::any::Any;

use crate::config::keys::{above, setting};
use crate::config::{Checked, MethodSettings};
use crate::losses;
use crate::methods::meta::{sigmoid, Lookahead};
use crate::model::{Mlp, Optimizer};
use crate::rng::Rng;
use crate::seed::{Inputs, PreparedSeed};

/// Its setting: the step of each example's mixing-weight logit per visit (on the normalised
/// meta-gradient).
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[setting(
        "meta_lr",
        "ALM: meta learning rate",
        "",
        above(0.0, 100.0),
        3.0,
    )],
    rules: &[],
};

/// ALM's mixing logit per row, V's order, and its look-ahead copy of the student.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 16,
    lookahead: true,
    ..super::MethodMemory::PLAIN
};

/// ALM's loss on one example with mixing logit `phi`: `lambda KD + (1 - lambda) CE` when `label` is
/// given, `lambda KD` otherwise (`lambda = sigmoid(phi)`). Writes `scale * dloss/dz` into `grad` and
/// the unscaled `dloss/dlambda` gradient w.r.t. the logits, `dKD/dz - dCE/dz`, into `diff`; `kd` is
/// scratch. Returns the loss and `dloss/dphi`.
#[allow(clippy::too_many_arguments)]
pub fn mixed_loss(
    f: &[f32],
    soft: &[f32],
    label: Option<usize>,
    phi: f32,
    kd: &mut [f32],
    diff: &mut [f32],
    grad: &mut [f32],
    scale: f32,
) -> (f32, f32) {
    let lambda = sigmoid(phi);
    let kd_loss = losses::cross_entropy(f, soft, kd, 1.0);
    let (loss, dloss_dlambda) = match label {
        Some(y) => {
            let ce_loss = losses::cross_entropy_label(f, y, diff, 1.0);
            for j in 0..f.len() {
                grad[j] = scale * (lambda * kd[j] + (1.0 - lambda) * diff[j]);
                diff[j] = kd[j] - diff[j];
            }
            (
                lambda * kd_loss + (1.0 - lambda) * ce_loss,
                kd_loss - ce_loss,
            )
        }
        None => {
            for j in 0..f.len() {
                grad[j] = scale * lambda * kd[j];
                diff[j] = kd[j];
            }
            (lambda * kd_loss, kd_loss)
        }
    };
    (loss, dloss_dlambda * lambda * (1.0 - lambda))
}

/// The per-example mixing logits and the look-ahead machinery of one student.
#[derive(Clone, Debug)]
pub struct Alm {
    /// Mixing logit per dataset row (`lambda = sigmoid(phi)`), starting at 0 (lambda = 1/2).
    pub phi: Vec<f32>,
    look: Lookahead,
    kd: Vec<f32>,
    diff: Vec<f32>,
    dots: Vec<f32>,
    lr: f32,
    meta_lr: f32,
}

impl Alm {
    /// Fresh weights for a student shaped like `net`.
    pub fn new(prep: &PreparedSeed, cfg: &Checked, net: &Mlp, rng: Rng) -> Alm {
        let c = prep.data.n_classes;
        let batch = cfg.student.batch_size;
        Alm {
            phi: vec![0.0; prep.data.len()],
            look: Lookahead::new(prep, net, batch, rng),
            kd: vec![0.0; c],
            diff: vec![0.0; batch * c],
            dots: vec![0.0; batch],
            lr: cfg.student.lr,
            meta_lr: cfg.settings.f32("meta_lr"),
        }
    }

    /// The mixing weight of `row`.
    pub fn lambda(&self, row: usize) -> f32 {
        sigmoid(self.phi[row])
    }

    /// One minibatch: student step on the mixed loss, then the meta step on the batch's weights.
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
        if self.diff.len() < n * c {
            self.diff.resize(n * c, 0.0);
            self.dots.resize(n, 0.0);
        }
        inputs.forward(net, prep, rows);
        let mut total = 0.0;
        {
            let (p, d) = net.probs_and_delta_mut();
            for (r, &row) in rows.iter().enumerate() {
                let soft = prep.teacher.probs.row(row);
                let label = prep.is_labeled[row].then(|| prep.data.y[row]);
                let (loss, _) = mixed_loss(
                    &p[r * c..(r + 1) * c],
                    soft.as_slice().expect("contiguous"),
                    label,
                    self.phi[row],
                    &mut self.kd,
                    &mut self.diff[r * c..(r + 1) * c],
                    &mut d[r * c..(r + 1) * c],
                    scale,
                );
                total += loss;
            }
        }
        net.backward();
        self.look.validation_gradient(net, prep, self.lr);
        net.output_delta_mut().copy_from_slice(&self.diff[..n * c]);
        net.backprop_deltas();
        self.look.dots(net, &mut self.dots);
        optimizer.step(net);
        let rms = (self.dots[..n].iter().map(|d| d * d).sum::<f32>() / n as f32).sqrt();
        if rms > 0.0 {
            for (r, &row) in rows.iter().enumerate() {
                let lambda = sigmoid(self.phi[row]);
                // dL_val/dphi_i is proportional to -dot_i * lambda (1 - lambda): descend it.
                self.phi[row] += self.meta_lr * (self.dots[r] / rms) * lambda * (1.0 - lambda);
            }
        }
        total
    }

    /// Mean learned weight on L and on the U points the teacher labels right / wrong.
    pub fn stats(&self, prep: &PreparedSeed) -> Vec<(&'static str, f64)> {
        weight_stats(prep, |row| self.lambda(row))
    }
}

/// Mean of `weight` over L, and over U split by whether the teacher is right.
pub fn weight_stats(
    prep: &PreparedSeed,
    weight: impl Fn(usize) -> f32,
) -> Vec<(&'static str, f64)> {
    let mean = |rows: &mut dyn Iterator<Item = usize>| {
        let (mut s, mut n) = (0.0f64, 0usize);
        for r in rows {
            s += weight(r) as f64;
            n += 1;
        }
        if n == 0 {
            0.0
        } else {
            s / n as f64
        }
    };
    let right = |r: &usize| prep.teacher.labels[*r] == prep.data.y[*r];
    vec![
        (
            "weight_labeled",
            mean(&mut prep.split.labeled.iter().copied()),
        ),
        (
            "weight_teacher_right",
            mean(&mut known_unlabeled(prep).filter(|r| right(r))),
        ),
        (
            "weight_teacher_wrong",
            mean(&mut known_unlabeled(prep).filter(|r| !right(r))),
        ),
    ]
}

/// The rows of U whose true class is known (every row of U unless the data says otherwise).
fn known_unlabeled(prep: &PreparedSeed) -> impl Iterator<Item = usize> + '_ {
    prep.split
        .unlabeled
        .iter()
        .copied()
        .filter(|&r| prep.data.is_known(r))
}

impl super::Distiller for Alm {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        Alm::train_batch(self, net, optimizer, inputs, seed, rows)
    }

    fn stats(&self, seed: &PreparedSeed, _net: &mut Mlp) -> Vec<(&'static str, f64)> {
        Alm::stats(self, seed)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::softmax_in_place;
    use crate::rng::Stream;

    #[test]
    fn mixed_loss_matches_finite_differences_in_logits_and_weight() {
        let mut r = Rng::new(41, Stream::Method);
        for c in [2usize, 4] {
            for labeled in [true, false] {
                let z: Vec<f32> = (0..c).map(|_| r.range(-2.0, 2.0)).collect();
                let mut soft: Vec<f32> = (0..c).map(|_| r.range(-1.0, 1.0)).collect();
                softmax_in_place(&mut soft);
                let label = labeled.then(|| r.below(c));
                let phi = r.range(-2.0, 2.0);
                let eval = |z: &[f32], phi: f32, grad: &mut [f32], diff: &mut [f32]| {
                    let mut f = z.to_vec();
                    softmax_in_place(&mut f);
                    mixed_loss(&f, &soft, label, phi, &mut vec![0.0; c], diff, grad, 1.0)
                };
                let (mut grad, mut diff) = (vec![0.0; c], vec![0.0; c]);
                let (_, dphi) = eval(&z, phi, &mut grad, &mut diff);
                let (mut g2, mut d2) = (vec![0.0; c], vec![0.0; c]);
                let h = 1e-2;
                for j in 0..c {
                    let (mut zp, mut zm) = (z.clone(), z.clone());
                    zp[j] += h;
                    zm[j] -= h;
                    let fd = (eval(&zp, phi, &mut g2, &mut d2).0
                        - eval(&zm, phi, &mut g2, &mut d2).0)
                        / (2.0 * h);
                    assert!(
                        (fd - grad[j]).abs() < 2e-3 + 3e-2 * grad[j].abs(),
                        "c={c} labeled={labeled} dz[{j}]: {fd} vs {}",
                        grad[j]
                    );
                }
                let fd = (eval(&z, phi + h, &mut g2, &mut d2).0
                    - eval(&z, phi - h, &mut g2, &mut d2).0)
                    / (2.0 * h);
                assert!(
                    (fd - dphi).abs() < 1e-3 + 2e-2 * dphi.abs(),
                    "dphi: {fd} vs {dphi}"
                );
                // `diff` is the logit gradient of dloss/dlambda: check it by differencing in lambda.
                let lam = sigmoid(phi);
                let dl = 1e-2;
                let phi_of = |l: f32| libm::logf(l / (1.0 - l));
                let (mut gp, mut gm) = (vec![0.0; c], vec![0.0; c]);
                eval(&z, phi_of(lam + dl), &mut gp, &mut d2);
                eval(&z, phi_of(lam - dl), &mut gm, &mut d2);
                for j in 0..c {
                    let fd = (gp[j] - gm[j]) / (2.0 * dl);
                    assert!(
                        (fd - diff[j]).abs() < 1e-3 + 1e-2 * diff[j].abs(),
                        "diff[{j}]: {fd} vs {}",
                        diff[j]
                    );
                }
            }
        }
    }
}
