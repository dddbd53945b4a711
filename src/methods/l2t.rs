//! L2T: a learned, dynamic loss after L2T-DLN (Hai et al., NeurIPS 2023, arXiv 2310.19313).
//!
//! A small teacher network with memory sets the student's loss at every step. It reads the training
//! state `s_t` (progress through training, running train and validation losses, and the size of its
//! own last meta-gradient: the state of the loss itself, as in L2T-DLN), updates a recurrent memory
//! `h_t = tanh(A h_{t-1} + B s_t + d)`, and outputs loss coefficients `theta_t = W h_t + c`. The
//! student's loss on example i is
//!
//! ```text
//! loss_i = CE(f, y_i)                                on L
//! loss_i = w_i KD_i,  w_i = sigmoid(theta_t . phi_i)  on U
//! ```
//!
//! with per-example features `phi_i` = (1, teacher confidence, student probability of the teacher's
//! label, student agrees with the teacher, teacher margin). The teacher is trained to lower the
//! validation loss: the one-step look-ahead of [`super::meta`] gives `dL_val/dw_i`, chained through
//! `w_i`, `theta_t`, `W`, `c` and one step of the memory into `A`, `B`, `d`, and Adam (`meta_lr`)
//! updates them after each student step.
//!
//! The closest honest variant at this scale, not the paper's system: the paper's teacher is an LSTM
//! that drives a dynamic loss *network* (a learned function of the student's outputs and labels)
//! through a three-stage asynchronous optimisation with longer unrolls; ours is a one-layer tanh
//! recurrent cell whose "loss network" is a logistic weighting of a fixed distillation loss, trained
//! by a one-step look-ahead with back-propagation truncated to one step of memory.

use std::any::Any;

use crate::config::keys::{above, setting};
use crate::config::{Checked, MethodSettings};
use crate::losses;
use crate::methods::meta::{sigmoid, Lookahead};
use crate::model::mlp::argmax;
use crate::model::{FlatAdam, Mlp, Optimizer};
use crate::rng::Rng;
use crate::seed::{Inputs, PreparedSeed};

/// Its setting: the Adam learning rate of the teacher network that sets the loss.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[setting(
        "l2t_lr",
        "L2T: learning rate of the loss-setting teacher",
        "",
        above(0.0, 1.0),
        0.01,
    )],
    rules: &[],
};

/// L2T's final weights and V's order per row, the final student's probabilities on U, and its
/// look-ahead copy of the student.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 16,
    per_row_class: 1,
    lookahead: true,
    ..super::MethodMemory::PLAIN
};

/// Memory width of the teacher.
pub const MEMORY: usize = 8;
/// Entries of the training state.
pub const STATE: usize = 4;
/// Per-example features (and loss coefficients).
pub const FEATURES: usize = 5;

const A_LEN: usize = MEMORY * MEMORY;
const B_LEN: usize = MEMORY * STATE;
const W_LEN: usize = FEATURES * MEMORY;
/// Offsets of A, B, d, W, c in the flat parameter vector.
const A_AT: usize = 0;
const B_AT: usize = A_AT + A_LEN;
const D_AT: usize = B_AT + B_LEN;
const W_AT: usize = D_AT + MEMORY;
const C_AT: usize = W_AT + W_LEN;
/// Number of teacher parameters.
pub const PARAMS: usize = C_AT + FEATURES;

/// The teacher network's forward pass: the next memory and the loss coefficients.
pub fn teacher_forward(
    params: &[f32],
    h_prev: &[f32],
    state: &[f32],
    h: &mut [f32],
    theta: &mut [f32],
) {
    for i in 0..MEMORY {
        let mut z = params[D_AT + i];
        for j in 0..MEMORY {
            z += params[A_AT + i * MEMORY + j] * h_prev[j];
        }
        for j in 0..STATE {
            z += params[B_AT + i * STATE + j] * state[j];
        }
        h[i] = libm::tanhf(z);
    }
    for f in 0..FEATURES {
        let mut t = params[C_AT + f];
        for i in 0..MEMORY {
            t += params[W_AT + f * MEMORY + i] * h[i];
        }
        theta[f] = t;
    }
}

/// Back-propagate `d_theta` (dJ/dtheta) through [`teacher_forward`] into `grads` (overwritten),
/// holding `h_prev` fixed (truncated to one step of memory).
pub fn teacher_backward(
    params: &[f32],
    h_prev: &[f32],
    state: &[f32],
    h: &[f32],
    d_theta: &[f32],
    grads: &mut [f32],
) {
    grads.fill(0.0);
    let mut dh = [0.0f32; MEMORY];
    for f in 0..FEATURES {
        grads[C_AT + f] = d_theta[f];
        for i in 0..MEMORY {
            grads[W_AT + f * MEMORY + i] = d_theta[f] * h[i];
            dh[i] += d_theta[f] * params[W_AT + f * MEMORY + i];
        }
    }
    for i in 0..MEMORY {
        let dz = dh[i] * (1.0 - h[i] * h[i]);
        grads[D_AT + i] = dz;
        for j in 0..MEMORY {
            grads[A_AT + i * MEMORY + j] = dz * h_prev[j];
        }
        for j in 0..STATE {
            grads[B_AT + i * STATE + j] = dz * state[j];
        }
    }
}

/// L2T's loss on one U example: `w * KD` with `KD` the soft cross-entropy. Writes the unscaled
/// `dKD/dz` into `kd` (what the meta-gradient reads) and `scale * w * dKD/dz` into `grad`; returns
/// the loss and `dloss/dw` (= KD).
pub fn weighted_distillation(
    f: &[f32],
    soft: &[f32],
    w: f32,
    kd: &mut [f32],
    grad: &mut [f32],
    scale: f32,
) -> (f32, f32) {
    let loss = losses::cross_entropy(f, soft, kd, 1.0);
    for (g, &k) in grad.iter_mut().zip(kd.iter()) {
        *g = scale * w * k;
    }
    (w * loss, loss)
}

/// Per-example features of a U row given the student's probabilities `f`.
pub fn features(prep: &PreparedSeed, row: usize, f: &[f32]) -> [f32; FEATURES] {
    let t = prep.teacher.probs.row(row);
    let label = prep.teacher.labels[row];
    let conf = t[label];
    let second = t
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != label)
        .map(|(_, &v)| v)
        .fold(0.0f32, f32::max);
    [
        1.0,
        conf,
        f[label],
        (argmax(f) == label) as u8 as f32,
        conf - second,
    ]
}

/// The teacher network, its memory and the look-ahead of one student.
#[derive(Clone, Debug)]
pub struct L2t {
    /// Flat teacher parameters `[A, B, d, W, c]`.
    pub params: Vec<f32>,
    grads: Vec<f32>,
    adam: FlatAdam,
    h_prev: [f32; MEMORY],
    h: [f32; MEMORY],
    /// The loss coefficients of the current step.
    pub theta: [f32; FEATURES],
    state: [f32; STATE],
    look: Lookahead,
    kd: Vec<f32>,
    feats: Vec<[f32; FEATURES]>,
    weights: Vec<f32>,
    dots: Vec<f32>,
    lr: f32,
    steps_per_epoch: usize,
    step: usize,
    total_steps: usize,
    train_ema: f32,
    val_ema: f32,
    last_meta_norm: f32,
    /// The loss coefficients at the end of each epoch.
    pub theta_history: Vec<[f32; FEATURES]>,
}

impl L2t {
    /// A teacher with small random weights from `rng` (the method's stream) and an all-zero memory:
    /// every weight starts near 1/2.
    pub fn new(prep: &PreparedSeed, cfg: &Checked, net: &Mlp, mut rng: Rng) -> L2t {
        let mut params: Vec<f32> = (0..PARAMS).map(|_| 0.1 * rng.normal()).collect();
        params[C_AT..C_AT + FEATURES].fill(0.0);
        let batch = cfg.student.batch_size;
        let rows = prep.train_rows.len();
        let steps_per_epoch = rows.div_ceil(batch.max(1)).max(1);
        L2t {
            params,
            grads: vec![0.0; PARAMS],
            adam: FlatAdam::new(PARAMS, cfg.settings.f32("l2t_lr")),
            h_prev: [0.0; MEMORY],
            h: [0.0; MEMORY],
            theta: [0.0; FEATURES],
            state: [0.0; STATE],
            look: Lookahead::new(prep, net, batch, rng),
            kd: vec![0.0; batch * prep.data.n_classes],
            feats: vec![[0.0; FEATURES]; batch],
            weights: vec![0.0; batch],
            dots: vec![0.0; batch],
            lr: cfg.student.lr,
            steps_per_epoch,
            step: 0,
            total_steps: steps_per_epoch * cfg.student.epochs.max(1),
            train_ema: 0.0,
            val_ema: 0.0,
            last_meta_norm: 0.0,
            theta_history: Vec::new(),
        }
    }

    /// The weight the current teacher gives a U row with features `phi`.
    pub fn weight(&self, phi: &[f32; FEATURES]) -> f32 {
        sigmoid(self.theta.iter().zip(phi).map(|(a, b)| a * b).sum())
    }

    /// The coefficients the teacher would output for `state` from its current memory (for tests
    /// and the page; does not advance the memory).
    pub fn coefficients_for(&self, state: &[f32; STATE]) -> [f32; FEATURES] {
        let (mut h, mut theta) = ([0.0; MEMORY], [0.0; FEATURES]);
        teacher_forward(&self.params, &self.h, state, &mut h, &mut theta);
        theta
    }

    /// The teacher reads the training state and advances its memory, setting this step's theta.
    fn read_state(&mut self) {
        self.state = [
            self.step as f32 / self.total_steps.max(1) as f32,
            self.train_ema,
            self.val_ema,
            libm::log1pf(self.last_meta_norm),
        ];
        self.h_prev = self.h;
        let mut h = [0.0; MEMORY];
        teacher_forward(
            &self.params,
            &self.h_prev,
            &self.state,
            &mut h,
            &mut self.theta,
        );
        self.h = h;
    }

    /// Every row's loss and output gradient: cross-entropy on L's labels, the teacher-weighted
    /// distillation elsewhere (its gradient apart in `kd`, for the look-ahead). Returns the sum.
    fn losses(&mut self, net: &mut Mlp, prep: &PreparedSeed, rows: &[usize], scale: f32) -> f32 {
        let c = net.classes();
        let mut total = 0.0;
        {
            let (p, d) = net.probs_and_delta_mut();
            for (r, &row) in rows.iter().enumerate() {
                let f = &p[r * c..(r + 1) * c];
                let g = &mut d[r * c..(r + 1) * c];
                let kd = &mut self.kd[r * c..(r + 1) * c];
                if prep.is_labeled[row] {
                    total += losses::cross_entropy_label(f, prep.data.y[row], g, scale);
                    kd.fill(0.0);
                    self.weights[r] = 1.0;
                } else {
                    self.feats[r] = features(prep, row, f);
                    let w = sigmoid(
                        self.theta
                            .iter()
                            .zip(&self.feats[r])
                            .map(|(a, b)| a * b)
                            .sum(),
                    );
                    self.weights[r] = w;
                    let soft = prep.teacher.probs.row(row);
                    total += weighted_distillation(
                        f,
                        soft.as_slice().expect("contiguous"),
                        w,
                        kd,
                        g,
                        scale,
                    )
                    .0;
                }
            }
        }
        total
    }

    /// The teacher's own step: the look-ahead's first-order change of the validation loss,
    /// J = -sum_i dot_i w_i, back through the weights into its parameters.
    fn meta_step(&mut self, prep: &PreparedSeed, rows: &[usize], scale: f32) {
        let n = rows.len();
        let rms = (self.dots[..n].iter().map(|d| d * d).sum::<f32>() / n as f32).sqrt();
        let mut d_theta = [0.0f32; FEATURES];
        if rms > 0.0 {
            for (r, &row) in rows.iter().enumerate() {
                if prep.is_labeled[row] {
                    continue;
                }
                let w = self.weights[r];
                let g = -(self.dots[r] / rms) * w * (1.0 - w) * scale;
                for (dt, &phi) in d_theta.iter_mut().zip(&self.feats[r]) {
                    *dt += g * phi;
                }
            }
        }
        teacher_backward(
            &self.params,
            &self.h_prev,
            &self.state,
            &self.h,
            &d_theta,
            &mut self.grads,
        );
        self.last_meta_norm = self.grads.iter().map(|g| g * g).sum::<f32>().sqrt();
        self.adam.step(&mut self.params, &self.grads);
    }

    /// The state's running losses and the step count.
    fn track(&mut self, total: f32, scale: f32) {
        let batch_loss = total * scale;
        let first = self.step == 0;
        self.train_ema = if first {
            batch_loss
        } else {
            0.9 * self.train_ema + 0.1 * batch_loss
        };
        self.val_ema = if first {
            self.look.val_loss
        } else {
            0.9 * self.val_ema + 0.1 * self.look.val_loss
        };
        self.step += 1;
        if self.step.is_multiple_of(self.steps_per_epoch) {
            self.theta_history.push(self.theta);
        }
    }

    /// One minibatch: the teacher sets the loss, the student steps, the teacher learns from the
    /// look-ahead validation gradient.
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
        if self.kd.len() < n * c {
            self.kd.resize(n * c, 0.0);
            self.feats.resize(n, [0.0; FEATURES]);
            self.weights.resize(n, 0.0);
            self.dots.resize(n, 0.0);
        }
        self.read_state();
        inputs.forward(net, prep, rows);
        let total = self.losses(net, prep, rows, scale);
        net.backward();
        self.look.validation_gradient(net, prep, self.lr);
        net.output_delta_mut().copy_from_slice(&self.kd[..n * c]);
        net.backprop_deltas();
        self.look.dots(net, &mut self.dots);
        optimizer.step(net);
        self.meta_step(prep, rows, scale);
        self.track(total, scale);
        total
    }

    /// Mean weight the final teacher gives U points the teacher labels right / wrong (under the
    /// final student `net`).
    pub fn stats(&self, prep: &PreparedSeed, net: &mut Mlp) -> Vec<(&'static str, f64)> {
        let rows = &prep.split.unlabeled;
        let p = crate::model::predict_rows(net, prep.data.x.view(), rows);
        let mut w = vec![0.0f32; prep.data.len()];
        for (i, &row) in rows.iter().enumerate() {
            let f = p.row(i);
            w[row] = self.weight(&features(prep, row, f.as_slice().expect("contiguous")));
        }
        let mut out =
            super::alm::weight_stats(prep, |r| if prep.is_labeled[r] { 1.0 } else { w[r] });
        out.retain(|(k, _)| *k != "weight_labeled");
        out
    }
}

impl super::Distiller for L2t {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        L2t::train_batch(self, net, optimizer, inputs, seed, rows)
    }

    fn stats(&self, seed: &PreparedSeed, net: &mut Mlp) -> Vec<(&'static str, f64)> {
        L2t::stats(self, seed, net)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    #[test]
    fn weighted_distillation_matches_finite_differences() {
        use crate::model::softmax_in_place;
        let mut r = Rng::new(52, Stream::Method);
        for c in [2usize, 5] {
            let z: Vec<f32> = (0..c).map(|_| r.range(-2.0, 2.0)).collect();
            let mut soft: Vec<f32> = (0..c).map(|_| r.range(-1.0, 1.0)).collect();
            softmax_in_place(&mut soft);
            let w = r.range(0.1, 0.9);
            let eval = |z: &[f32], w: f32, grad: &mut [f32]| {
                let mut f = z.to_vec();
                softmax_in_place(&mut f);
                weighted_distillation(&f, &soft, w, &mut vec![0.0; c], grad, 1.0)
            };
            let mut grad = vec![0.0; c];
            let (_, dw) = eval(&z, w, &mut grad);
            let mut s = vec![0.0; c];
            let h = 1e-2;
            for j in 0..c {
                let (mut zp, mut zm) = (z.clone(), z.clone());
                zp[j] += h;
                zm[j] -= h;
                let fd = (eval(&zp, w, &mut s).0 - eval(&zm, w, &mut s).0) / (2.0 * h);
                assert!(
                    (fd - grad[j]).abs() < 2e-3 + 3e-2 * grad[j].abs(),
                    "dz[{j}]: {fd} vs {}",
                    grad[j]
                );
            }
            let fd = (eval(&z, w + h, &mut s).0 - eval(&z, w - h, &mut s).0) / (2.0 * h);
            assert!((fd - dw).abs() < 1e-3 + 1e-2 * dw.abs(), "dw: {fd} vs {dw}");
        }
    }

    /// J(params) = sum_i u_i * sigmoid(theta(params) . phi_i) for fixed u, phi: the analytic
    /// gradient from `teacher_backward` must match central differences in every parameter.
    #[test]
    fn teacher_gradient_matches_finite_differences() {
        let mut r = Rng::new(51, Stream::Method);
        let params: Vec<f32> = (0..PARAMS).map(|_| 0.5 * r.normal()).collect();
        let h_prev: Vec<f32> = (0..MEMORY).map(|_| r.range(-0.9, 0.9)).collect();
        let state: Vec<f32> = (0..STATE).map(|_| r.range(0.0, 2.0)).collect();
        let examples: Vec<([f32; FEATURES], f32)> = (0..6)
            .map(|_| {
                let mut phi = [1.0; FEATURES];
                for v in phi.iter_mut().skip(1) {
                    *v = r.uniform();
                }
                (phi, r.range(-1.0, 1.0))
            })
            .collect();
        let objective = |p: &[f32]| -> f64 {
            let (mut h, mut theta) = ([0.0; MEMORY], [0.0; FEATURES]);
            teacher_forward(p, &h_prev, &state, &mut h, &mut theta);
            examples
                .iter()
                .map(|(phi, u)| {
                    (*u * sigmoid(theta.iter().zip(phi).map(|(a, b)| a * b).sum())) as f64
                })
                .sum()
        };
        let (mut h, mut theta) = ([0.0; MEMORY], [0.0; FEATURES]);
        teacher_forward(&params, &h_prev, &state, &mut h, &mut theta);
        let mut d_theta = [0.0f32; FEATURES];
        for (phi, u) in &examples {
            let w = sigmoid(theta.iter().zip(phi).map(|(a, b)| a * b).sum());
            for (dt, p) in d_theta.iter_mut().zip(phi) {
                *dt += u * w * (1.0 - w) * p;
            }
        }
        let mut grads = vec![0.0; PARAMS];
        teacher_backward(&params, &h_prev, &state, &h, &d_theta, &mut grads);
        let step = 1e-2f32;
        for k in 0..PARAMS {
            let (mut up, mut dn) = (params.clone(), params.clone());
            up[k] += step;
            dn[k] -= step;
            let fd = (objective(&up) - objective(&dn)) / (2.0 * step as f64);
            assert!(
                (fd - grads[k] as f64).abs() < 1e-3 + 2e-2 * (grads[k] as f64).abs(),
                "param {k}: fd {fd} vs {}",
                grads[k]
            );
        }
        assert!(grads.iter().any(|g| g.abs() > 1e-3));
    }
}
