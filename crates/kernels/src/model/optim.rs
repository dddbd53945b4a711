//! Adam and SGD with momentum, with L2 weight decay on the weights (not the biases).

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::Mlp;

/// Which update rule to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Adam (Kingma and Ba), beta1 0.9, beta2 0.999, eps 1e-8.
    Adam,
    /// Stochastic gradient descent with heavy-ball momentum 0.9.
    Sgd,
}

/// Optimiser state for one network.
#[derive(Clone, Debug)]
pub struct Optimizer {
    kind: OptimizerKind,
    lr: f32,
    weight_decay: f32,
    /// First moments (Adam) or velocities (SGD), per weight matrix and per bias vector.
    m_w: Vec<Array2<f32>>,
    m_b: Vec<Array1<f32>>,
    /// Second moments (Adam only).
    v_w: Vec<Array2<f32>>,
    v_b: Vec<Array1<f32>>,
    /// beta1^t and beta2^t, kept by multiplication so no `powf` differs across platforms.
    beta1_t: f32,
    beta2_t: f32,
}

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPS: f32 = 1e-8;
const MOMENTUM: f32 = 0.9;
/// Moments below this are flushed to zero: Adam state of dead units otherwise decays into
/// denormals, which are very slow on some CPUs and change nothing in the result.
const FLUSH: f32 = 1e-30;

impl Optimizer {
    /// Fresh state for `net`.
    pub fn new(kind: OptimizerKind, lr: f32, weight_decay: f32, net: &Mlp) -> Self {
        let zw = || {
            net.weights
                .iter()
                .map(|w| Array2::zeros(w.raw_dim()))
                .collect::<Vec<_>>()
        };
        let zb = || {
            net.biases
                .iter()
                .map(|b| Array1::zeros(b.raw_dim()))
                .collect::<Vec<_>>()
        };
        let adam = kind == OptimizerKind::Adam;
        Optimizer {
            kind,
            lr,
            weight_decay,
            m_w: zw(),
            m_b: zb(),
            v_w: if adam { zw() } else { Vec::new() },
            v_b: if adam { zb() } else { Vec::new() },
            beta1_t: 1.0,
            beta2_t: 1.0,
        }
    }

    /// Apply one update from the gradients stored in `net`.
    pub fn step(&mut self, net: &mut Mlp) {
        match self.kind {
            OptimizerKind::Adam => self.adam(net),
            OptimizerKind::Sgd => self.sgd(net),
        }
    }

    fn adam(&mut self, net: &mut Mlp) {
        self.beta1_t *= BETA1;
        self.beta2_t *= BETA2;
        let c1 = 1.0 / (1.0 - self.beta1_t);
        let c2 = 1.0 / (1.0 - self.beta2_t);
        let (lr, wd) = (self.lr, self.weight_decay);
        let update = |p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], decay: f32| {
            adam_update(p, g, m, v, AdamStep { decay, lr, c1, c2 })
        };
        for l in 0..net.weights.len() {
            update(
                net.weights[l].as_slice_mut().expect("contiguous"),
                net.grad_weights[l].as_slice().expect("contiguous"),
                self.m_w[l].as_slice_mut().expect("contiguous"),
                self.v_w[l].as_slice_mut().expect("contiguous"),
                wd,
            );
            update(
                net.biases[l].as_slice_mut().expect("contiguous"),
                net.grad_biases[l].as_slice().expect("contiguous"),
                self.m_b[l].as_slice_mut().expect("contiguous"),
                self.v_b[l].as_slice_mut().expect("contiguous"),
                0.0,
            );
        }
    }

    fn sgd(&mut self, net: &mut Mlp) {
        let (lr, wd) = (self.lr, self.weight_decay);
        let update = |p: &mut [f32], g: &[f32], vel: &mut [f32], decay: f32| {
            for i in 0..p.len() {
                let mut v = MOMENTUM * vel[i] + g[i] + decay * p[i];
                if v.abs() < FLUSH {
                    v = 0.0;
                }
                vel[i] = v;
                p[i] -= lr * v;
            }
        };
        for l in 0..net.weights.len() {
            update(
                net.weights[l].as_slice_mut().expect("contiguous"),
                net.grad_weights[l].as_slice().expect("contiguous"),
                self.m_w[l].as_slice_mut().expect("contiguous"),
                wd,
            );
            update(
                net.biases[l].as_slice_mut().expect("contiguous"),
                net.grad_biases[l].as_slice().expect("contiguous"),
                self.m_b[l].as_slice_mut().expect("contiguous"),
                0.0,
            );
        }
    }
}

/// The scalars of one Adam step.
#[derive(Clone, Copy)]
struct AdamStep {
    decay: f32,
    lr: f32,
    c1: f32,
    c2: f32,
}

/// One Adam update of a parameter slice. Every element is computed on its own, with the same
/// operations in the same order, so the bits do not depend on how wide the compiler vectorises it:
/// natively it runs 8 lanes wide on AVX (when the matrix kernels do), 4 otherwise and in wasm.
fn adam_update(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], s: AdamStep) {
    #[cfg(target_arch = "x86_64")]
    if crate::linalg::kernels() == crate::linalg::Kernels::Avx {
        // SAFETY: the AVX kernels are only selected when the CPU has AVX.
        unsafe { adam_avx(p, g, m, v, s) };
        return;
    }
    adam_slice(p, g, m, v, s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn adam_avx(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], s: AdamStep) {
    adam_slice(p, g, m, v, s)
}

#[inline(always)]
fn adam_slice(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], s: AdamStep) {
    let AdamStep { decay, lr, c1, c2 } = s;
    for (((pi, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let gi = g + decay * *pi;
        let mut mi = BETA1 * *m + (1.0 - BETA1) * gi;
        let mut vi = BETA2 * *v + (1.0 - BETA2) * gi * gi;
        if mi.abs() < FLUSH {
            mi = 0.0;
        }
        if vi < FLUSH {
            vi = 0.0;
        }
        *m = mi;
        *v = vi;
        *pi -= lr * (mi * c1) / ((vi * c2).sqrt() + EPS);
    }
}

/// Adam over one flat parameter vector: for the small side models some methods train beside the
/// student (VID's regressor and variances, L2T's teacher network).
#[derive(Clone, Debug)]
pub struct FlatAdam {
    lr: f32,
    m: Vec<f32>,
    v: Vec<f32>,
    beta1_t: f32,
    beta2_t: f32,
}

impl FlatAdam {
    /// Fresh state for `len` parameters.
    pub fn new(len: usize, lr: f32) -> Self {
        FlatAdam {
            lr,
            m: vec![0.0; len],
            v: vec![0.0; len],
            beta1_t: 1.0,
            beta2_t: 1.0,
        }
    }

    /// One update of `params` from `grads` (same length as at construction).
    pub fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        self.beta1_t *= BETA1;
        self.beta2_t *= BETA2;
        let c1 = 1.0 / (1.0 - self.beta1_t);
        let c2 = 1.0 / (1.0 - self.beta2_t);
        for i in 0..params.len().min(grads.len()).min(self.m.len()) {
            let g = grads[i];
            let mut mi = BETA1 * self.m[i] + (1.0 - BETA1) * g;
            let mut vi = BETA2 * self.v[i] + (1.0 - BETA2) * g * g;
            if mi.abs() < FLUSH {
                mi = 0.0;
            }
            if vi < FLUSH {
                vi = 0.0;
            }
            self.m[i] = mi;
            self.v[i] = vi;
            params[i] -= self.lr * (mi * c1) / ((vi * c2).sqrt() + EPS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};
    use ndarray::Array2;

    /// Train a small net on a separable problem and check the loss falls, for both optimisers.
    fn trains(kind: OptimizerKind, lr: f32) -> (f32, f32) {
        let mut rng = Rng::new(3, Stream::StudentInit);
        let x = Array2::from_shape_fn((64, 2), |_| rng.range(-1.0, 1.0));
        let y: Vec<usize> = x
            .rows()
            .into_iter()
            .map(|r| (r[0] + r[1] > 0.0) as usize)
            .collect();
        let mut net = Mlp::new(&[2, 8, 2], 64, &mut rng);
        let mut opt = Optimizer::new(kind, lr, 0.0, &net);
        let rows: Vec<usize> = (0..64).collect();
        let ce = |p: &[f32]| -> f32 { (0..64).map(|i| -p[i * 2 + y[i]].ln()).sum::<f32>() / 64.0 };
        let first = ce(net.forward_rows(x.view(), &rows));
        for _ in 0..200 {
            net.forward_rows(x.view(), &rows);
            let (p, d) = net.probs_and_delta_mut();
            for i in 0..64 {
                for j in 0..2 {
                    d[i * 2 + j] = (p[i * 2 + j] - (j == y[i]) as u8 as f32) / 64.0;
                }
            }
            net.backward();
            opt.step(&mut net);
        }
        let last = ce(net.forward_rows(x.view(), &rows));
        (first, last)
    }

    #[test]
    fn adam_and_sgd_reduce_the_loss() {
        for (kind, lr) in [(OptimizerKind::Adam, 0.02), (OptimizerKind::Sgd, 0.1)] {
            let (first, last) = trains(kind, lr);
            assert!(last < 0.5 * first, "{kind:?}: {first} -> {last}");
        }
    }

    #[test]
    fn flat_adam_minimises_a_quadratic() {
        let target = [1.5f32, -2.0, 0.25];
        let mut p = vec![0.0f32; 3];
        let mut opt = FlatAdam::new(3, 0.05);
        let mut g = vec![0.0f32; 3];
        for _ in 0..2000 {
            for i in 0..3 {
                g[i] = 2.0 * (p[i] - target[i]);
            }
            opt.step(&mut p, &g);
        }
        for i in 0..3 {
            assert!((p[i] - target[i]).abs() < 1e-2, "{p:?}");
        }
    }

    #[test]
    fn weight_decay_shrinks_weights_without_gradient() {
        let mut rng = Rng::new(4, Stream::StudentInit);
        let mut net = Mlp::new(&[3, 4, 2], 1, &mut rng);
        let before: f32 = net
            .weights
            .iter()
            .map(|w| w.iter().map(|v| v * v).sum::<f32>())
            .sum();
        let mut opt = Optimizer::new(OptimizerKind::Sgd, 0.1, 0.5, &net);
        for _ in 0..10 {
            opt.step(&mut net); // gradients are zero: only decay acts
        }
        let after: f32 = net
            .weights
            .iter()
            .map(|w| w.iter().map(|v| v * v).sum::<f32>())
            .sum();
        assert!(after < 0.5 * before, "{before} -> {after}");
    }
}
