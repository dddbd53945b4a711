//! What every network's training shares: one minibatch step, predictions on chosen rows, and summing a
//! wider output's subclass units per class.

use std::cell::RefCell;

use ndarray::{Array2, ArrayView2};

use super::{Mlp, Optimizer};

/// What one minibatch step saw, row by row (for the slow-motion view): the output probabilities the
/// loss read, each row's loss, and its gradient with respect to the logits (the row's own, before
/// the 1 / rows of the batch mean).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepTrace {
    pub classes: usize,
    /// `rows x classes`.
    pub probs: Vec<f32>,
    pub loss: Vec<f32>,
    /// `rows x classes`.
    pub grad: Vec<f32>,
}

thread_local! {
    // The step being recorded by [`traced`]. A thread-local keeps the recording out of every
    // method's signature; an idle step pays one check per minibatch.
    static TRACE: RefCell<Option<StepTrace>> = const { RefCell::new(None) };
}

/// Runs `f`, recording the last [`train_step`] it takes; returns `f`'s result and that record (None
/// when it took no step).
pub fn traced<R>(f: impl FnOnce() -> R) -> (R, Option<StepTrace>) {
    TRACE.with(|t| *t.borrow_mut() = Some(StepTrace::default()));
    let out = f();
    let trace = TRACE.with(|t| t.borrow_mut().take());
    (out, trace.filter(|t| t.classes > 0))
}

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
    let tracing = TRACE.with(|t| t.borrow().is_some());
    {
        let (p, d) = net.probs_and_delta_mut();
        if tracing {
            let mut trace = StepTrace {
                classes: c,
                probs: p[..rows * c].to_vec(),
                loss: Vec::with_capacity(rows),
                grad: Vec::with_capacity(rows * c),
            };
            for r in 0..rows {
                let l = loss(r, &p[r * c..(r + 1) * c], &mut d[r * c..(r + 1) * c], scale);
                total += l;
                trace.loss.push(l);
                trace
                    .grad
                    .extend(d[r * c..(r + 1) * c].iter().map(|g| g / scale));
            }
            TRACE.with(|t| *t.borrow_mut() = Some(trace));
        } else {
            for r in 0..rows {
                total += loss(r, &p[r * c..(r + 1) * c], &mut d[r * c..(r + 1) * c], scale);
            }
        }
    }
    net.backward();
    optimizer.step(net);
    total
}

/// Rows one block of a prediction holds: evaluation, the predictions a method reads and a teacher's
/// embedding go [`BLOCK`] rows at a time, so a network's buffers hold at least this many rows.
pub const BLOCK: usize = 256;

/// Softmax outputs of `net` on the given rows of `x`, [`BLOCK`] rows at a time.
pub fn predict_rows(net: &mut Mlp, x: ArrayView2<f32>, rows: &[usize]) -> Array2<f32> {
    let c = net.classes();
    let mut out = Array2::zeros((rows.len(), c));
    for (chunk_index, chunk) in rows.chunks(BLOCK).enumerate() {
        let p = net.forward_rows(x, chunk);
        let start = chunk_index * BLOCK * c;
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
