//! The synthetic teacher: the true labels corrupted by a known noise model (uniform, class pair,
//! near the class boundary, or in one region), so its per-row accuracy (the oracle alpha) is known.

use ndarray::{Array2, ArrayView2};

use super::{log_probs, output, probs_at_temperature, scaled, TeacherOutput};
use crate::config::{NoiseModel, TeacherConfig};
use crate::rng::{Rng, Stream};

/// A synthetic teacher's view of every row of `x`.
pub fn synthetic_output(
    cfg: &TeacherConfig,
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    temperature: f32,
    seed: u64,
) -> TeacherOutput {
    let (p, a) = synthetic_teacher(cfg, x, y, classes, seed);
    let logits = log_probs(&p);
    let probs = if temperature == 1.0 {
        p
    } else {
        probs_at_temperature(&logits, temperature)
    };
    output(probs, scaled(logits, temperature), Some(a), None)
}

/// Per-row probability that the synthetic teacher is right, and the wrong label it gives when not.
pub(super) fn noise_profile(
    cfg: &TeacherConfig,
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<usize>) {
    let n = y.len();
    let pair = |c: usize| (c + 1) % classes;
    match cfg.noise {
        NoiseModel::Uniform => {
            let wrong = y
                .iter()
                .map(|&c| (c + 1 + rng.below(classes - 1)) % classes)
                .collect();
            (vec![1.0 - cfg.rate; n], wrong)
        }
        NoiseModel::ClassPair => (
            vec![1.0 - cfg.rate; n],
            y.iter().map(|&c| pair(c)).collect(),
        ),
        NoiseModel::Margin => {
            // Distance to the nearest row of another class measures closeness to the boundary; flips
            // are more likely near it, and go to that neighbouring class.
            let (dist, other) = nearest_other_class(x, y, classes, rng);
            let mut sorted = dist.clone();
            crate::order::sort_by(&mut sorted, &f32::total_cmp);
            let scale = sorted[n / 2].max(1e-6);
            let h: Vec<f32> = dist.iter().map(|d| libm::expf(-d / scale)).collect();
            let c = calibrate(&h, cfg.rate);
            let alpha = h.iter().map(|v| 1.0 - (c * v).min(0.95)).collect();
            (alpha, other)
        }
        NoiseModel::Region => {
            // A ball around a random row, holding enough rows that flipping 75% of them gives the
            // requested mean rate.
            const INSIDE: f32 = 0.75;
            let centre = x.row(rng.below(n)).to_owned();
            let d: Vec<f32> = x
                .rows()
                .into_iter()
                .map(|r| {
                    r.iter()
                        .zip(centre.iter())
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum()
                })
                .collect();
            let mut sorted = d.clone();
            crate::order::sort_by(&mut sorted, &f32::total_cmp);
            let members = ((cfg.rate / INSIDE) * n as f32).round() as usize;
            let radius = if members == 0 {
                -1.0
            } else {
                sorted[(members - 1).min(n - 1)]
            };
            let alpha = d
                .iter()
                .map(|&v| if v <= radius { 1.0 - INSIDE } else { 1.0 })
                .collect();
            (alpha, y.iter().map(|&c| pair(c)).collect())
        }
    }
}

/// The factor c with mean(min(c h, 0.95)) = rate (bisection; h in (0, 1]).
fn calibrate(h: &[f32], rate: f32) -> f32 {
    let mean = |c: f32| h.iter().map(|v| (c * v).min(0.95)).sum::<f32>() / h.len() as f32;
    let (mut lo, mut hi) = (0.0f32, 1.0f32);
    while mean(hi) < rate && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if mean(mid) < rate {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// For each row: the distance to the nearest row of another class (over a deterministic reference
/// sample of at most 2,000 rows, so large datasets stay fast), and that row's class.
fn nearest_other_class(
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<usize>) {
    let n = y.len();
    let mut reference = rng.permutation(n);
    reference.truncate(2000);
    crate::order::sort_indices(&mut reference);
    let mut dist = vec![f32::INFINITY; n];
    let mut other = vec![0usize; n];
    for i in 0..n {
        let xi = x.row(i);
        for &j in &reference {
            if y[j] == y[i] {
                continue;
            }
            let d: f32 = xi
                .iter()
                .zip(x.row(j).iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            if d < dist[i] {
                dist[i] = d;
                other[i] = y[j];
            }
        }
        dist[i] = dist[i].sqrt();
        if !dist[i].is_finite() {
            dist[i] = 0.0;
            other[i] = (y[i] + 1) % classes;
        }
    }
    (dist, other)
}

/// A synthetic teacher: its top-1 label is right with the noise model's probability alpha(x); when
/// wrong, the true class is its runner-up (SLaM's noise model with k = 2). Its confidence tracks
/// alpha(x) up to `confidence_jitter`, floored so the given label stays on top.
fn synthetic_teacher(
    cfg: &TeacherConfig,
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    seed: u64,
) -> (Array2<f32>, Vec<f32>) {
    let mut rng = Rng::new(seed, Stream::TeacherNoise);
    let (alpha, wrong) = noise_profile(cfg, x, y, classes, &mut rng);
    let probs = synthetic_draw(cfg, &alpha, &wrong, y, classes, &mut rng);
    (probs, alpha)
}

/// One draw of the synthetic teacher's soft labels given its per-row accuracy and wrong labels.
pub(super) fn synthetic_draw(
    cfg: &TeacherConfig,
    alpha: &[f32],
    wrong: &[usize],
    y: &[usize],
    classes: usize,
    rng: &mut Rng,
) -> Array2<f32> {
    let n = y.len();
    let mut probs = Array2::zeros((n, classes));
    for i in 0..n {
        let correct = rng.uniform() < alpha[i];
        let (label, runner_up) = if correct {
            let r = if wrong[i] != y[i] {
                wrong[i]
            } else {
                (y[i] + 1) % classes
            };
            (y[i], r)
        } else {
            (wrong[i], y[i])
        };
        let conf = (alpha[i] + cfg.confidence_jitter * rng.normal()).clamp(0.52, 0.995);
        let rest = 1.0 - conf;
        let mut row = probs.row_mut(i);
        if classes == 2 {
            row[label] = conf;
            row[runner_up] = rest;
        } else {
            let spread = 0.25 * rest / (classes - 2) as f32;
            row.fill(spread);
            row[label] = conf;
            row[runner_up] = 0.75 * rest;
        }
    }
    probs
}
