//! The benchmark workloads' minibatch (the engine's `bench::Trainer`), here so that the per-row loop
//! is built with the kernels it times.

use ndarray::ArrayView2;

use crate::losses;
use crate::model::{Mlp, Optimizer};

/// SLaM's part of a minibatch: per row the top-k mask (`rows x classes`), alpha, and k.
pub struct SlamTargets<'a> {
    pub top: ArrayView2<'a, f32>,
    pub alpha: &'a [f32],
    pub k: usize,
}

/// One minibatch on `rows` of `x`: the forward pass, per row cross-entropy on the teacher's soft
/// labels `soft` (or SLaM's loss when `slam` is given, unnormalised), the backward pass and one
/// optimiser step. Returns the summed loss.
pub fn soft_label_batch(
    net: &mut Mlp,
    opt: &mut Optimizer,
    x: ArrayView2<f32>,
    rows: &[usize],
    soft: ArrayView2<f32>,
    slam: Option<&SlamTargets>,
    scratch: &mut [f32],
) -> f32 {
    let c = *net.sizes.last().expect("sizes");
    let scale = 1.0 / rows.len() as f32;
    net.forward_rows(x, rows);
    let (p, d) = net.probs_and_delta_mut();
    let mut total = 0.0;
    for (r, &row) in rows.iter().enumerate() {
        let f = &p[r * c..(r + 1) * c];
        let g = &mut d[r * c..(r + 1) * c];
        let soft = soft.row(row);
        let soft = soft.as_slice().expect("contiguous");
        total += match slam {
            None => losses::cross_entropy(f, soft, g, scale),
            Some(s) => {
                let top = s.top.row(row);
                let top = top.as_slice().expect("contiguous");
                losses::slam(f, soft, s.alpha[row], top, s.k, false, scratch, g, scale)
            }
        };
    }
    net.backward();
    opt.step(net);
    total
}
