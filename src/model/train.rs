//! What every network's training shares: one minibatch step, predictions on chosen rows, and summing a
//! wider output's subclass units per class.

use ndarray::{Array2, ArrayView2};

use super::{Mlp, Optimizer};

/// One minibatch of `rows` rows: `forward` fills the network's input and runs the forward pass,
/// `loss(r, f, grad, scale)` writes row `r`'s output gradient (times `scale = 1 / rows`) and returns its
/// loss, then the backward pass and one optimiser step. Returns the summed loss.
pub fn train_step(
    net: &mut Mlp,
    optimizer: &mut Optimizer,
    rows: usize,
    forward: impl FnOnce(&mut Mlp),
    mut loss: impl FnMut(usize, &[f32], &mut [f32], f32) -> f32,
) -> f32 {
    let c = net.classes();
    let scale = 1.0 / rows as f32;
    forward(net);
    let mut total = 0.0;
    {
        let (p, d) = net.probs_and_delta_mut();
        for r in 0..rows {
            total += loss(r, &p[r * c..(r + 1) * c], &mut d[r * c..(r + 1) * c], scale);
        }
    }
    net.backward();
    optimizer.step(net);
    total
}

/// Softmax outputs of `net` on the given rows of `x`, 256 rows at a time.
pub fn predict_rows(net: &mut Mlp, x: ArrayView2<f32>, rows: &[usize]) -> Array2<f32> {
    let c = net.classes();
    let mut out = Array2::zeros((rows.len(), c));
    for (chunk_index, chunk) in rows.chunks(256).enumerate() {
        let p = net.forward_rows(x, chunk);
        let start = chunk_index * 256 * c;
        out.as_slice_mut().expect("contiguous")[start..start + p.len()].copy_from_slice(p);
    }
    out
}

/// Sum subclass probabilities `p` (`classes * s` entries, the subclasses of a class adjacent) per class.
pub fn fold(p: &[f32], s: usize, out: &mut [f32]) {
    for (c, o) in out.iter_mut().enumerate() {
        *o = p[c * s..(c + 1) * s].iter().sum();
    }
}

/// [`fold`] row by row; `s = 1` returns `p` unchanged.
pub fn fold_subclasses(p: Array2<f32>, s: usize) -> Array2<f32> {
    if s <= 1 {
        return p;
    }
    let classes = p.ncols() / s;
    let mut out = Array2::zeros((p.nrows(), classes));
    for (src, mut dst) in p.rows().into_iter().zip(out.rows_mut()) {
        fold(
            src.as_slice().expect("contiguous"),
            s,
            dst.as_slice_mut().expect("contiguous"),
        );
    }
    out
}
