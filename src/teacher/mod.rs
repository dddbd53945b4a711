//! Teachers: a trained wider MLP fitted on L only (`trained`), or a synthetic teacher whose labels are
//! corrupted by a known noise model, so that its true per-point accuracy (the oracle alpha) is known
//! (`synthetic`); UPS's ensemble of either kind (`ensemble`). This file holds what they share: what a
//! teacher is fitted on, what it gives every row, and the temperature.

mod ensemble;
mod given;
mod synthetic;
#[cfg(test)]
mod tests;
mod trained;

use ndarray::{Array2, ArrayView2};

use crate::data::{ImageShape, Standardizer};
use crate::model::Mlp;

pub use ensemble::{ensemble, spread};
pub use given::given_output;
pub use synthetic::synthetic_output;
pub use trained::{embedding, trained_output, Labelling, TeacherTraining, BATCH};

/// What a teacher is fitted on: the network's inputs, and for image augmentation the raw pixels
/// and the scaling that turns them into inputs.
#[derive(Clone, Copy)]
pub struct TeacherInputs<'a> {
    /// Scaled features, one row per dataset row.
    pub x: ArrayView2<'a, f32>,
    /// Raw features (same rows).
    pub raw: ArrayView2<'a, f32>,
    /// The scaling from `raw` to `x`.
    pub scaler: &'a Standardizer,
    /// The pixel grid, for image data.
    pub image: Option<ImageShape>,
}

/// The teacher's view of every row of the dataset.
#[derive(Clone, Debug)]
pub struct TeacherOutput {
    /// Logits after the temperature (`softmax(logits) = probs`), one row per dataset row. For a
    /// synthetic teacher, the log of its probabilities.
    pub logits: Array2<f32>,
    /// Margin (top-1 minus top-2 probability) per row, computed from the logits in f64: f32
    /// probabilities saturate at 1 for logit gaps above about 17 and would tie confident rows.
    pub margins: Vec<f64>,
    /// Soft labels (after temperature), one row per dataset row.
    pub probs: Array2<f32>,
    /// Argmax of each row of `probs`.
    pub labels: Vec<usize>,
    /// For a synthetic teacher: the true probability that its label at each row is right.
    pub oracle_alpha: Option<Vec<f32>>,
    /// The trained teacher network (None for a synthetic teacher): VID and LELP read its hidden
    /// layer and classifier.
    pub net: Option<Mlp>,
}

pub(crate) fn output(
    probs: Array2<f32>,
    logits: Array2<f32>,
    oracle_alpha: Option<Vec<f32>>,
    net: Option<Mlp>,
) -> TeacherOutput {
    let labels = probs
        .rows()
        .into_iter()
        .map(|r| crate::model::mlp::argmax(r.as_slice().expect("contiguous")))
        .collect();
    let margins = logits
        .rows()
        .into_iter()
        .map(|r| margin_from_logits(r.as_slice().expect("contiguous")))
        .collect();
    TeacherOutput {
        logits,
        margins,
        probs,
        labels,
        oracle_alpha,
        net,
    }
}

/// `log p` row by row (the logits of a synthetic teacher, up to a constant per row).
pub(crate) fn log_probs(p: &Array2<f32>) -> Array2<f32> {
    p.mapv(|v| libm::logf(v.max(1e-30)))
}

/// The logits divided by the temperature.
pub(crate) fn scaled(mut logits: Array2<f32>, tau: f32) -> Array2<f32> {
    if tau != 1.0 {
        logits.mapv_inplace(|z| z / tau);
    }
    logits
}

/// `softmax(z / tau)` row by row: the temperature acts on logits, never on clamped probabilities.
pub fn probs_at_temperature(logits: &Array2<f32>, tau: f32) -> Array2<f32> {
    let mut out = scaled(logits.clone(), tau);
    for mut row in out.rows_mut() {
        crate::model::softmax_in_place(row.as_slice_mut().expect("contiguous"));
    }
    out
}

/// Top-1 minus top-2 probability of `softmax(z)`, in f64 from the logits:
/// `(1 - exp(z2 - z1)) / sum_j exp(z_j - z1)`. Stays below 1 and strictly ordered for logit gaps
/// up to about 36, where f32 probabilities already read 1 and 0 at a gap of 17. 0 for one class.
pub fn margin_from_logits(z: &[f32]) -> f64 {
    let (mut a, mut b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &v in z {
        let v = v as f64;
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    if !b.is_finite() || !a.is_finite() {
        return 0.0;
    }
    let sum: f64 = z.iter().map(|&v| libm::exp(v as f64 - a)).sum();
    (1.0 - libm::exp(b - a)) / sum
}
