//! ALM's and L2T's one-step look-ahead (the engine's `methods::meta` explains it): per batch a
//! forward and backward pass on V and a product per layer, so it is built with the kernels.

use crate::linalg::matmul;
use crate::losses;
use crate::model::Mlp;
use crate::rng::Rng;
use ndarray::ArrayView2;

/// The student's look-ahead copy and the validation batches it is scored on.
#[derive(Clone, Debug)]
pub struct Lookahead {
    /// `w'` after the virtual step; after [`Lookahead::validation_gradient`] its gradients hold
    /// the validation gradient at `w'`.
    net: Mlp,
    /// The rows of V in the order they are drawn (reshuffled when all were used).
    pub val_order: Vec<usize>,
    /// The next index into `val_order` (past its end: reshuffle first).
    pub cursor: usize,
    rng: Rng,
    batch: usize,
    /// Scratch for `a_{l,i}^T G_l`, rows x widest layer.
    proj: Vec<f32>,
    /// Mean cross-entropy of the last validation batch at `w'`.
    pub val_loss: f32,
}

impl Lookahead {
    /// A look-ahead for a student shaped like `net`, scoring batches of the rows `validation`
    /// drawn in an order shuffled by `rng` (the method's own stream).
    pub fn new(validation: Vec<usize>, net: &Mlp, batch: usize, rng: Rng) -> Lookahead {
        let widest = net.sizes.iter().copied().max().unwrap_or(1);
        Lookahead {
            net: net.clone(),
            val_order: validation,
            cursor: usize::MAX,
            rng,
            batch: batch.max(1),
            proj: vec![0.0; batch.max(1) * widest],
            val_loss: 0.0,
        }
    }

    /// Take the virtual step `w' = w - lr * grad` from the gradients stored in `net`, then compute
    /// the mean validation cross-entropy gradient at `w'` on the next batch of V (rows of `x`,
    /// true classes `y`).
    pub fn validation_gradient(&mut self, net: &Mlp, x: ArrayView2<f32>, y: &[usize], lr: f32) {
        self.net.copy_parameters_from(net);
        for l in 0..net.weights.len() {
            self.net.weights[l].scaled_add(-lr, &net.grad_weights[l]);
            self.net.biases[l].scaled_add(-lr, &net.grad_biases[l]);
        }
        if self.val_order.is_empty() {
            return;
        }
        if self.cursor >= self.val_order.len() {
            self.rng.shuffle(&mut self.val_order);
            self.cursor = 0;
        }
        let end = (self.cursor + self.batch).min(self.val_order.len());
        let rows = &self.val_order[self.cursor..end];
        self.cursor = end;
        let c = self.net.classes();
        let scale = 1.0 / rows.len() as f32;
        self.net.forward_rows(x, rows);
        let (p, d) = self.net.probs_and_delta_mut();
        let mut loss = 0.0;
        for (r, &row) in rows.iter().enumerate() {
            loss += losses::cross_entropy_label(
                &p[r * c..(r + 1) * c],
                y[row],
                &mut d[r * c..(r + 1) * c],
                scale,
            );
        }
        self.val_loss = loss * scale;
        self.net.backward();
    }

    /// For each row i of `net`'s last batch, `grad L_val(w') . g_i`, where `g_i` is the gradient
    /// whose output deltas `net` last propagated with [`Mlp::backprop_deltas`] (unscaled, per example).
    pub fn dots(&mut self, net: &Mlp, out: &mut [f32]) {
        let n = net.batch_rows();
        out[..n].fill(0.0);
        for l in 0..net.weights.len() {
            let (fan_in, fan_out) = (net.sizes[l], net.sizes[l + 1]);
            let a = net.activation(l);
            let d = net.delta(l);
            let g = self.net.grad_weights[l].as_slice().expect("contiguous");
            let gb = self.net.grad_biases[l].as_slice().expect("contiguous");
            let proj = &mut self.proj[..n * fan_out];
            matmul(a, g, proj, n, fan_in, fan_out);
            for i in 0..n {
                let mut s = 0.0f32;
                for j in 0..fan_out {
                    s += (proj[i * fan_out + j] + gb[j]) * d[i * fan_out + j];
                }
                out[i] += s;
            }
        }
    }
}
