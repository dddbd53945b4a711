//! A multi-layer perceptron on ndarray: ReLU hidden layers, softmax output, He initialisation.
//!
//! Buffers for activations and deltas are allocated once for the largest batch and reused, so a
//! training step allocates nothing.

use ndarray::{Array1, Array2, ArrayView2};

use crate::linalg::{matmul_a_bt, matmul_at_b, matmul_bias};
use crate::rng::Rng;

/// Parameters, gradients and per-batch buffers of one MLP.
#[derive(Clone, Debug)]
pub struct Mlp {
    /// Layer widths: input, hidden..., classes.
    pub sizes: Vec<usize>,
    /// `weights[l]` is `sizes[l] x sizes[l+1]`.
    pub weights: Vec<Array2<f32>>,
    /// `biases[l]` has `sizes[l+1]` entries.
    pub biases: Vec<Array1<f32>>,
    /// Gradients, same shapes as the parameters.
    pub grad_weights: Vec<Array2<f32>>,
    /// Gradients of the biases.
    pub grad_biases: Vec<Array1<f32>>,
    /// `acts[0]` is the input batch, `acts[l]` the output of layer l (ReLU, or softmax for the last).
    acts: Vec<Array2<f32>>,
    /// `deltas[l]` is dLoss/d(pre-activation of layer l+1) for the current batch.
    deltas: Vec<Array2<f32>>,
    /// Rows the buffers can hold.
    capacity: usize,
    /// Rows in the current batch.
    rows: usize,
}

impl Mlp {
    /// A network with He-normal weights drawn from `rng` and zero biases, buffers for `batch` rows.
    pub fn new(sizes: &[usize], batch: usize, rng: &mut Rng) -> Self {
        assert!(
            sizes.len() >= 2 && sizes.iter().all(|&s| s > 0),
            "layer sizes are validated by config"
        );
        let layers = sizes.len() - 1;
        let mut weights = Vec::with_capacity(layers);
        let mut biases = Vec::with_capacity(layers);
        for l in 0..layers {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let scale = (2.0 / fan_in as f32).sqrt();
            weights.push(Array2::from_shape_fn((fan_in, fan_out), |_| {
                rng.normal() * scale
            }));
            biases.push(Array1::zeros(fan_out));
        }
        let grad_weights = weights.iter().map(|w| Array2::zeros(w.raw_dim())).collect();
        let grad_biases = biases.iter().map(|b| Array1::zeros(b.raw_dim())).collect();
        let mut net = Mlp {
            sizes: sizes.to_vec(),
            weights,
            biases,
            grad_weights,
            grad_biases,
            acts: Vec::new(),
            deltas: Vec::new(),
            capacity: 0,
            rows: 0,
        };
        net.reserve(batch.max(1));
        net
    }

    /// Make the buffers hold at least `rows` rows (allocates only when growing).
    pub fn reserve(&mut self, rows: usize) {
        if rows <= self.capacity {
            return;
        }
        self.acts = self
            .sizes
            .iter()
            .map(|&s| Array2::zeros((rows, s)))
            .collect();
        self.deltas = self.sizes[1..]
            .iter()
            .map(|&s| Array2::zeros((rows, s)))
            .collect();
        self.capacity = rows;
    }

    /// Input width.
    pub fn input_dim(&self) -> usize {
        self.sizes[0]
    }

    /// Rows one forward pass holds (the block size of [`Mlp::predict_proba`]).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        *self.sizes.last().expect("at least two sizes")
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.weights.iter().map(|w| w.len()).sum::<usize>()
            + self.biases.iter().map(|b| b.len()).sum::<usize>()
    }

    /// Copy the given rows of `x` into the input buffer and run the forward pass; returns the
    /// softmax outputs (`rows.len() x classes`).
    pub fn forward_rows(&mut self, x: ArrayView2<f32>, rows: &[usize]) -> &[f32] {
        self.reserve(rows.len());
        let d = self.input_dim();
        {
            let input = self.acts[0].as_slice_mut().expect("contiguous");
            for (r, &i) in rows.iter().enumerate() {
                copy_row(x, i, &mut input[r * d..(r + 1) * d]);
            }
        }
        self.rows = rows.len();
        self.forward_buffered(true)
    }

    /// Forward pass over `n` input rows that `fill` writes into the input buffer (`n x input_dim`,
    /// row-major): augmented images, for instance.
    pub fn forward_filled(&mut self, n: usize, fill: impl FnOnce(&mut [f32])) -> &[f32] {
        self.reserve(n);
        let d = self.input_dim();
        fill(&mut self.acts[0].as_slice_mut().expect("contiguous")[..n * d]);
        self.rows = n;
        self.forward_buffered(true)
    }

    /// Forward pass over a contiguous block of rows `[start, start + n)` of `x`.
    pub fn forward_block(&mut self, x: ArrayView2<f32>, start: usize, n: usize) -> &[f32] {
        self.reserve(n);
        let d = self.input_dim();
        {
            let input = self.acts[0].as_slice_mut().expect("contiguous");
            for r in 0..n {
                copy_row(x, start + r, &mut input[r * d..(r + 1) * d]);
            }
        }
        self.rows = n;
        self.forward_buffered(true)
    }

    /// Run the layers on the buffered input. Without `softmax` the output holds the logits (for
    /// evaluation only: the backward pass expects probabilities there).
    fn forward_buffered(&mut self, softmax: bool) -> &[f32] {
        let n = self.rows;
        let layers = self.weights.len();
        for l in 0..layers {
            let (fan_in, fan_out) = (self.sizes[l], self.sizes[l + 1]);
            let (before, after) = self.acts.split_at_mut(l + 1);
            let input = &before[l].as_slice().expect("contiguous")[..n * fan_in];
            let out = &mut after[0].as_slice_mut().expect("contiguous")[..n * fan_out];
            // One sweep: the product, `+ bias`, and on hidden layers the ReLU (`x > 0 ? x : +0`, the
            // same bits as `x.max(0.0)` here: a sum that starts at +0 is never -0).
            let hidden = l + 1 < layers;
            let (w, b) = (
                self.weights[l].as_slice().expect("contiguous"),
                self.biases[l].as_slice().expect("contiguous"),
            );
            matmul_bias(input, w, b, out, n, fan_in, fan_out, hidden);
            if !hidden && softmax {
                for row in out.chunks_exact_mut(fan_out) {
                    softmax_in_place(row);
                }
            }
        }
        let c = self.classes();
        &self.acts[layers].as_slice().expect("contiguous")[..n * c]
    }

    /// Softmax outputs of the last forward pass.
    pub fn probabilities(&self) -> &[f32] {
        let c = self.classes();
        &self.acts[self.weights.len()]
            .as_slice()
            .expect("contiguous")[..self.rows * c]
    }

    /// Activations of hidden layer `l` (1-based: 1 is the first hidden layer) of the last forward pass.
    pub fn hidden(&self, l: usize) -> &[f32] {
        &self.acts[l].as_slice().expect("contiguous")[..self.rows * self.sizes[l]]
    }

    /// Buffer the caller fills with dLoss/dlogits for the last forward pass (`rows x classes`).
    pub fn output_delta_mut(&mut self) -> &mut [f32] {
        let c = self.classes();
        let n = self.rows;
        let last = self.deltas.len() - 1;
        &mut self.deltas[last].as_slice_mut().expect("contiguous")[..n * c]
    }

    /// Probabilities and the delta buffer together, so a loss can read one and write the other.
    pub fn probs_and_delta_mut(&mut self) -> (&[f32], &mut [f32]) {
        let c = self.classes();
        let n = self.rows;
        let layers = self.weights.len();
        let probs = &self.acts[layers].as_slice().expect("contiguous")[..n * c];
        let delta = &mut self.deltas[layers - 1].as_slice_mut().expect("contiguous")[..n * c];
        (probs, delta)
    }

    /// Back-propagate the output delta (already averaged over the batch by the loss) into the
    /// parameter gradients.
    pub fn backward(&mut self) {
        self.backprop(true, None);
    }

    /// As [`Mlp::backward`], with an extra dLoss/d(activation) added at hidden layer `layer`
    /// (1-based, as in [`Mlp::hidden`]) before the ReLU mask: how a loss on a hidden layer (VID)
    /// joins the output loss. `extra` holds `rows x sizes[layer]` values.
    pub fn backward_with(&mut self, layer: usize, extra: &[f32]) {
        self.backprop(true, Some((layer, extra)));
    }

    /// Propagate the output delta down to every layer's delta without touching the parameter
    /// gradients (per-example gradient inner products read the deltas with [`Mlp::delta`]).
    pub fn backprop_deltas(&mut self) {
        self.backprop(false, None);
    }

    fn backprop(&mut self, grads: bool, inject: Option<(usize, &[f32])>) {
        let n = self.rows;
        let layers = self.weights.len();
        for l in (0..layers).rev() {
            let (fan_in, fan_out) = (self.sizes[l], self.sizes[l + 1]);
            let delta = &self.deltas[l].as_slice().expect("contiguous")[..n * fan_out];
            let input = &self.acts[l].as_slice().expect("contiguous")[..n * fan_in];
            if grads {
                matmul_at_b(
                    input,
                    delta,
                    self.grad_weights[l].as_slice_mut().expect("contiguous"),
                    n,
                    fan_in,
                    fan_out,
                );
                let gb = self.grad_biases[l].as_slice_mut().expect("contiguous");
                gb.fill(0.0);
                for row in delta.chunks_exact(fan_out) {
                    for (g, &d) in gb.iter_mut().zip(row) {
                        *g += d;
                    }
                }
            }
            if l > 0 {
                let (lower, upper) = self.deltas.split_at_mut(l);
                let d_in = &mut lower[l - 1].as_slice_mut().expect("contiguous")[..n * fan_in];
                let d_out = &upper[0].as_slice().expect("contiguous")[..n * fan_out];
                matmul_a_bt(
                    d_out,
                    self.weights[l].as_slice().expect("contiguous"),
                    d_in,
                    n,
                    fan_out,
                    fan_in,
                );
                if let Some((layer, extra)) = inject {
                    if layer == l {
                        for (d, &e) in d_in.iter_mut().zip(extra) {
                            *d += e;
                        }
                    }
                }
                // ReLU derivative: zero where the hidden activation was clipped (a select, not a
                // conditional store, so it vectorises).
                for (d, &a) in d_in.iter_mut().zip(input) {
                    *d = if a <= 0.0 { 0.0 } else { *d };
                }
            }
        }
    }

    /// Rows in the last forward pass.
    pub fn batch_rows(&self) -> usize {
        self.rows
    }

    /// Layer `l`'s input activations of the last forward pass (`l = 0` is the input batch),
    /// `rows x sizes[l]`.
    pub fn activation(&self, l: usize) -> &[f32] {
        &self.acts[l].as_slice().expect("contiguous")[..self.rows * self.sizes[l]]
    }

    /// dLoss/d(pre-activation) of layer `l`'s output (`rows x sizes[l + 1]`) after the last
    /// backward pass.
    pub fn delta(&self, l: usize) -> &[f32] {
        &self.deltas[l].as_slice().expect("contiguous")[..self.rows * self.sizes[l + 1]]
    }

    /// Class probabilities for every row of `x` (evaluation; allocates the result).
    pub fn predict_proba(&mut self, x: ArrayView2<f32>) -> Array2<f32> {
        let c = self.classes();
        let mut out = Array2::zeros((x.nrows(), c));
        let chunk = self.capacity.max(1);
        let mut start = 0;
        while start < x.nrows() {
            let n = chunk.min(x.nrows() - start);
            let p = self.forward_block(x, start, n);
            out.as_slice_mut().expect("contiguous")[start * c..(start + n) * c].copy_from_slice(p);
            start += n;
        }
        out
    }

    /// The output layer's logits (before the softmax) for every row of `x`.
    pub fn predict_logits(&mut self, x: ArrayView2<f32>) -> Array2<f32> {
        let (c, d) = (self.classes(), self.input_dim());
        let mut out = Array2::zeros((x.nrows(), c));
        let chunk = self.capacity.max(1);
        let mut start = 0;
        while start < x.nrows() {
            let n = chunk.min(x.nrows() - start);
            {
                let input = self.acts[0].as_slice_mut().expect("contiguous");
                for r in 0..n {
                    copy_row(x, start + r, &mut input[r * d..(r + 1) * d]);
                }
            }
            self.rows = n;
            let z = self.forward_buffered(false);
            out.as_slice_mut().expect("contiguous")[start * c..(start + n) * c].copy_from_slice(z);
            start += n;
        }
        out
    }

    /// Index of the largest probability per row of `x`.
    pub fn predict(&mut self, x: ArrayView2<f32>) -> Vec<usize> {
        let p = self.predict_proba(x);
        p.rows()
            .into_iter()
            .map(|r| argmax(r.as_slice().expect("contiguous")))
            .collect()
    }

    /// Fraction of rows of `x` whose predicted class equals `y`.
    pub fn accuracy(&mut self, x: ArrayView2<f32>, y: &[usize]) -> f32 {
        accuracy(&self.predict(x), y)
    }

    /// Copy the parameters of `other` (same shapes) into this network.
    pub fn copy_parameters_from(&mut self, other: &Mlp) {
        for (w, o) in self.weights.iter_mut().zip(&other.weights) {
            w.assign(o);
        }
        for (b, o) in self.biases.iter_mut().zip(&other.biases) {
            b.assign(o);
        }
    }
}

/// Copy row `i` of `x` into `dst`: one block copy when the row is contiguous (it always is for the
/// engine's standard-layout arrays), element by element otherwise. An ndarray row iterator copies
/// one element at a time, which cost a fifth of an MNIST run.
fn copy_row(x: ArrayView2<f32>, i: usize, dst: &mut [f32]) {
    let row = x.row(i);
    match row.as_slice() {
        Some(src) => dst.copy_from_slice(src),
        None => {
            for (t, s) in dst.iter_mut().zip(row.iter()) {
                *t = *s;
            }
        }
    }
}

/// Numerically stable softmax of one row, in place (libm `expf` for identical bits on every target).
pub fn softmax_in_place(row: &mut [f32]) {
    // Comparisons rather than `f32::max` (a call per element in wasm); NaNs are skipped as before.
    let max = row
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, |m, v| if v > m { v } else { m });
    for v in row.iter_mut() {
        *v -= max;
    }
    // libm's expf, four at a time (the same bits), then the sum in the same order as ever.
    crate::expf::expf_in_place(row);
    let mut sum = 0.0f32;
    for v in row.iter() {
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// Index of the largest entry (the first one on ties).
pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Fraction of positions where `pred` equals `truth` (0 for empty input).
pub fn accuracy(pred: &[usize], truth: &[usize]) -> f32 {
    if truth.is_empty() {
        return 0.0;
    }
    let hits = pred.iter().zip(truth).filter(|(a, b)| a == b).count();
    hits as f32 / truth.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;
    use ndarray::Array2;

    /// Mean soft cross-entropy of the network on (x, targets), computed from scratch.
    fn loss(net: &mut Mlp, x: &Array2<f32>, t: &Array2<f32>) -> f64 {
        let p = net.predict_proba(x.view());
        let mut s = 0.0f64;
        for (pr, tr) in p.rows().into_iter().zip(t.rows()) {
            for (a, b) in pr.iter().zip(tr.iter()) {
                s -= *b as f64 * (*a as f64).ln();
            }
        }
        s / x.nrows() as f64
    }

    #[test]
    fn backward_matches_finite_differences() {
        let mut rng = Rng::new(5, Stream::StudentInit);
        let sizes = [3, 5, 4, 3];
        let mut net = Mlp::new(&sizes, 6, &mut rng);
        // Non-zero biases so ReLU kinks are away from zero in general.
        for b in net.biases.iter_mut() {
            b.mapv_inplace(|_| rng.range(-0.3, 0.3));
        }
        let x = Array2::from_shape_fn((6, 3), |_| rng.range(-1.0, 1.0));
        let t = {
            let mut t = Array2::from_shape_fn((6, 3), |_| rng.uniform() + 0.05);
            for mut r in t.rows_mut() {
                let s = r.sum();
                r.mapv_inplace(|v| v / s);
            }
            t
        };
        let rows: Vec<usize> = (0..6).collect();
        net.forward_rows(x.view(), &rows);
        {
            let (p, d) = net.probs_and_delta_mut();
            for i in 0..6 {
                for j in 0..3 {
                    // d(mean CE)/dz = (p - t) / n for targets summing to one.
                    d[i * 3 + j] = (p[i * 3 + j] - t[[i, j]]) / 6.0;
                }
            }
        }
        net.backward();
        let h = 1e-2f32;
        let mut checked = 0;
        for l in 0..net.weights.len() {
            for idx in 0..net.weights[l].len() {
                let g = net.grad_weights[l].as_slice().unwrap()[idx] as f64;
                let orig = net.weights[l].as_slice().unwrap()[idx];
                net.weights[l].as_slice_mut().unwrap()[idx] = orig + h;
                let up = loss(&mut net, &x, &t);
                net.weights[l].as_slice_mut().unwrap()[idx] = orig - h;
                let down = loss(&mut net, &x, &t);
                net.weights[l].as_slice_mut().unwrap()[idx] = orig;
                let fd = (up - down) / (2.0 * h as f64);
                assert!(
                    (fd - g).abs() < 2e-3 + 2e-2 * g.abs(),
                    "layer {l} w[{idx}]: fd {fd} vs {g}"
                );
                checked += 1;
            }
            for idx in 0..net.biases[l].len() {
                let g = net.grad_biases[l][idx] as f64;
                let orig = net.biases[l][idx];
                net.biases[l][idx] = orig + h;
                let up = loss(&mut net, &x, &t);
                net.biases[l][idx] = orig - h;
                let down = loss(&mut net, &x, &t);
                net.biases[l][idx] = orig;
                let fd = (up - down) / (2.0 * h as f64);
                assert!(
                    (fd - g).abs() < 2e-3 + 2e-2 * g.abs(),
                    "layer {l} b[{idx}]: fd {fd} vs {g}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, net.parameter_count());
    }

    #[test]
    fn injected_hidden_gradient_matches_finite_differences() {
        // Loss = mean CE on the output + sum_i e_i . h_i at hidden layer 1 (a stand-in for a loss on
        // a hidden layer): backward_with must give its exact parameter gradients, and the deltas
        // alone (backprop_deltas) must equal those of backward.
        let mut rng = Rng::new(8, Stream::StudentInit);
        let sizes = [3, 6, 5, 2];
        let mut net = Mlp::new(&sizes, 4, &mut rng);
        for b in net.biases.iter_mut() {
            b.mapv_inplace(|_| rng.range(-0.3, 0.3));
        }
        let x = Array2::from_shape_fn((4, 3), |_| rng.range(-1.0, 1.0));
        let y = [0usize, 1, 1, 0];
        let e: Vec<f32> = (0..4 * 6).map(|_| rng.range(-0.5, 0.5)).collect();
        let rows: Vec<usize> = (0..4).collect();
        let total = |net: &mut Mlp| -> f64 {
            let p = net.forward_rows(x.view(), &rows).to_vec();
            let h = net.hidden(1);
            let ce: f64 = (0..4).map(|i| -(p[i * 2 + y[i]] as f64).ln()).sum::<f64>() / 4.0;
            ce + h.iter().zip(&e).map(|(a, b)| (*a * *b) as f64).sum::<f64>()
        };
        let set_delta = |net: &mut Mlp| {
            let (p, d) = net.probs_and_delta_mut();
            for i in 0..4 {
                for j in 0..2 {
                    d[i * 2 + j] = (p[i * 2 + j] - (j == y[i]) as u8 as f32) / 4.0;
                }
            }
        };
        net.forward_rows(x.view(), &rows);
        set_delta(&mut net);
        net.backprop_deltas();
        let plain_delta0 = net.delta(0).to_vec();
        net.backward();
        assert_eq!(net.delta(0), plain_delta0.as_slice());
        set_delta(&mut net);
        net.backward_with(1, &e);
        let h = 1e-2f32;
        for l in 0..net.weights.len() {
            for idx in 0..net.weights[l].len() {
                let g = net.grad_weights[l].as_slice().unwrap()[idx] as f64;
                let orig = net.weights[l].as_slice().unwrap()[idx];
                net.weights[l].as_slice_mut().unwrap()[idx] = orig + h;
                let up = total(&mut net);
                net.weights[l].as_slice_mut().unwrap()[idx] = orig - h;
                let down = total(&mut net);
                net.weights[l].as_slice_mut().unwrap()[idx] = orig;
                let fd = (up - down) / (2.0 * h as f64);
                assert!(
                    (fd - g).abs() < 3e-3 + 2e-2 * g.abs(),
                    "layer {l} w[{idx}]: fd {fd} vs {g}"
                );
            }
        }
        // The injection changed the first layer's gradient (else the test proves nothing).
        net.forward_rows(x.view(), &rows);
        set_delta(&mut net);
        let with = net.grad_weights[0].clone();
        net.backward();
        assert!((&with - &net.grad_weights[0])
            .iter()
            .any(|v| v.abs() > 1e-3));
    }

    #[test]
    fn he_init_has_expected_scale() {
        let mut rng = Rng::new(1, Stream::StudentInit);
        let net = Mlp::new(&[200, 300, 2], 1, &mut rng);
        let w = &net.weights[0];
        let var = w.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / w.len() as f64;
        assert!((var - 2.0 / 200.0).abs() < 0.001, "variance {var}");
    }

    #[test]
    fn softmax_sums_to_one_and_survives_large_logits() {
        let mut row = [1000.0f32, 999.0, -1000.0];
        softmax_in_place(&mut row);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row.iter().all(|v| v.is_finite()));
        assert!(row[0] > row[1] && row[1] > row[2]);
    }

    #[test]
    fn batched_forward_equals_one_row_at_a_time() {
        let mut rng = Rng::new(2, Stream::StudentInit);
        let mut net = Mlp::new(&[4, 8, 3], 4, &mut rng);
        let x = Array2::from_shape_fn((10, 4), |_| rng.range(-2.0, 2.0));
        let all = net.predict_proba(x.view());
        for i in 0..10 {
            let p = net.forward_rows(x.view(), &[i]).to_vec();
            assert_eq!(p.as_slice(), all.row(i).as_slice().unwrap());
        }
    }
}
