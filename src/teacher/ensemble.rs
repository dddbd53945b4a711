//! UPS's ensemble: more teachers of the same kind, and the spread of their opinions.

use ndarray::Array2;

use super::synthetic::{noise_profile, synthetic_draw};
use super::{log_probs, probs_at_temperature, TeacherInputs, TeacherTraining};
use crate::config::{TeacherConfig, TeacherKind};
use crate::data::Split;
use crate::rng::{Rng, Stream};

/// `members` more teachers of the same kind, for the spread of their opinions (UPS): a trained
/// teacher's siblings are fitted on bootstrap resamples of L from their own initial weights; a
/// synthetic teacher's are independent draws of the same noise model (same region, same per-row
/// accuracy), so they disagree exactly where the teacher is unreliable. Temperature as for the teacher.
/// A teacher given by a file is one model: no members (the config check keeps UPS from it).
#[allow(clippy::too_many_arguments)]
pub fn ensemble(
    cfg: &TeacherConfig,
    inputs: TeacherInputs,
    y: &[usize],
    classes: usize,
    split: &Split,
    temperature: f32,
    seed: u64,
    members: usize,
) -> Vec<Array2<f32>> {
    let x = inputs.x;
    let mut out = Vec::with_capacity(members);
    match cfg.kind {
        TeacherKind::Trained => {
            for m in 0..members {
                let mut rng = Rng::sub(seed, Stream::Teacher, m as u64);
                let l = &split.labeled;
                let sample: Vec<usize> = (0..l.len()).map(|_| l[rng.below(l.len())]).collect();
                let aug = Rng::sub(seed, Stream::Augment, m as u64 + 1);
                let mut training =
                    TeacherTraining::with_streams(cfg, inputs, classes, &sample, rng, aug);
                training.train(inputs, y, usize::MAX);
                let mut net = training.finish();
                out.push(if temperature == 1.0 {
                    net.predict_proba(x)
                } else {
                    probs_at_temperature(&net.predict_logits(x), temperature)
                });
            }
        }
        TeacherKind::Synthetic => {
            let mut rng = Rng::new(seed, Stream::TeacherNoise);
            let (alpha, wrong) = noise_profile(cfg, x, y, classes, &mut rng);
            for m in 0..members {
                let mut draw = Rng::sub(seed, Stream::TeacherNoise, m as u64);
                let p = synthetic_draw(cfg, &alpha, &wrong, y, classes, &mut draw);
                out.push(if temperature == 1.0 {
                    p
                } else {
                    probs_at_temperature(&log_probs(&p), temperature)
                });
            }
        }
        TeacherKind::Given => {}
    }
    out
}

/// Per-row standard deviation of each class probability over the ensemble members.
pub fn spread(members: &[Array2<f32>]) -> Option<Array2<f32>> {
    let first = members.first()?;
    let m = members.len() as f64;
    let mut out = Array2::zeros(first.raw_dim());
    for (idx, slot) in out.iter_mut().enumerate() {
        let values = members
            .iter()
            .map(|p| p.as_slice().expect("contiguous")[idx] as f64);
        let mean = values.clone().sum::<f64>() / m;
        let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / m;
        *slot = var.sqrt() as f32;
    }
    Some(out)
}
