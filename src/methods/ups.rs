//! UPS: uncertainty-aware pseudo-label selection (Rizve et al., ICLR 2021, arXiv 2101.06329).
//!
//! A teacher label on U is kept as a *positive* pseudo-label only where the teacher is confident
//! (probability >= `threshold_positive`) and certain (the standard deviation of that probability
//! over an ensemble of teachers <= `max_spread`); a class is a *negative* label ("not this class")
//! where its probability is <= `threshold_negative`, with the same certainty condition. The student
//! trains on L, on the positives with cross-entropy and on the negatives with the negative-learning
//! loss `-(1/s) sum_{c negative} log(1 - f_c)`; rows of U with no selected label are skipped (they
//! are filtered out of the shared batch order).
//!
//! Departures from the paper: the uncertainty comes from an ensemble (bootstrap fits on L for a
//! trained teacher, independent draws of the noise model for a synthetic one) rather than MC-dropout,
//! one spread bound serves positives and negatives, and selection happens once from the fixed
//! teacher: the paper re-labels with the retrained network over several rounds, which distillation
//! from a fixed teacher does not do.

use ndarray::Array2;

use crate::config::keys::{above, closed, int, setting, Kind, Rule};
use crate::config::{Checked, MethodSettings};
use crate::seed::PreparedSeed;
use crate::Error;
use std::any::Any;

use crate::losses::{self, EPS};
use crate::model::{train_step, Mlp, Optimizer};
use crate::seed::Inputs;

use super::Distiller;

/// Its settings: which teacher labels count as selected. The ensemble's size is read by the seed's
/// preparation too, which trains the ensemble for every method that `needs_ensemble`.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[
        // ... and the negative threshold stays below the positive one (the rule).
        setting(
            "ups.threshold_positive",
            "UPS: keep a label when its probability is at least",
            "",
            above(0.0, 1.0),
            0.7,
        ),
        setting(
            "ups.threshold_negative",
            "UPS: rule a class out when its probability is at most",
            "",
            Kind::Float {
                min: 0.0,
                max: 1.0,
                open_min: false,
                open_max: true,
            },
            0.05,
        ),
        setting(
            "ups.max_spread",
            "UPS: and the ensemble spread is at most",
            "",
            closed(0.0, 1.0),
            0.1,
        ),
        setting("ups.ensemble", "UPS: ensemble size", "", int(2, 20), 5.0),
    ],
    rules: &[Rule {
        path: "ups.threshold_negative",
        text: "must be below ups.threshold_positive",
        check: |c| {
            let (pos, neg) = (
                c.settings.f32("ups.threshold_positive"),
                c.settings.f32("ups.threshold_negative"),
            );
            if neg >= pos {
                return Err(Error::config(
                    "ups.threshold_negative",
                    format!("must be below ups.threshold_positive ({pos}), got {neg}"),
                ));
            }
            Ok(())
        },
    }],
};

/// What UPS holds per row: the positive label, whether the row trains, the negative-label mask.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 16,
    per_row_class: 1,
    ..super::MethodMemory::PLAIN
};

impl Distiller for Ups {
    fn select(&mut self, order: &[usize], active: &mut Vec<usize>) {
        active.extend(order.iter().copied().filter(|&r| self.include[r]));
    }

    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        train_step(
            net,
            optimizer,
            rows.len(),
            |net| {
                inputs.forward(net, seed, rows);
            },
            |r, f, g, scale| self.loss_row(seed, rows[r], f, g, scale),
        )
    }

    fn stats(&self, seed: &PreparedSeed, _net: &mut Mlp) -> Vec<(&'static str, f64)> {
        Ups::stats(self, seed)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Negative-learning loss: `-(1/s) sum_{c: neg_c = 1} log(1 - f_c)` with `s` the number of negative
/// classes (0 when there are none). `g` is scratch of length C; writes `scale * dL/dz` into `grad`.
pub fn negative_labels(f: &[f32], neg: &[f32], g: &mut [f32], grad: &mut [f32], scale: f32) -> f32 {
    let s: f32 = neg.iter().sum();
    g.fill(0.0);
    if s <= 0.0 {
        grad.fill(0.0);
        return 0.0;
    }
    let mut loss = 0.0;
    for i in 0..f.len() {
        if neg[i] > 0.0 {
            let q = 1.0 - f[i];
            if q > EPS {
                loss -= libm::logf(q) / s;
                g[i] = 1.0 / (s * q);
            } else {
                loss -= libm::logf(EPS) / s;
            }
        }
    }
    losses::through_softmax(f, g, grad, scale);
    loss
}

/// The labels UPS selected for one seed.
#[derive(Clone, Debug)]
pub struct Ups {
    /// Positive pseudo-label per dataset row, `usize::MAX` where none was selected.
    positive: Vec<usize>,
    /// Negative-label mask, one row per dataset row (all zero where none).
    negative: Array2<f32>,
    /// Whether each dataset row trains at all (L, or a U row with a selected label).
    include: Vec<bool>,
    scratch: Vec<f32>,
    scratch_grad: Vec<f32>,
}

impl Ups {
    /// Select the pseudo-labels from the teacher and its ensemble spread (`prep.extras.spread`;
    /// without it every label counts as certain).
    pub fn new(prep: &PreparedSeed, cfg: &Checked) -> Ups {
        let n = prep.data.len();
        let c = prep.data.n_classes;
        let s = &cfg.settings;
        let (positive_at, negative_at, max_spread) = (
            s.f32("ups.threshold_positive"),
            s.f32("ups.threshold_negative"),
            s.f32("ups.max_spread"),
        );
        let mut positive = vec![usize::MAX; n];
        let mut negative = Array2::zeros((n, c));
        let mut include = prep.is_labeled.clone();
        for &row in &prep.split.unlabeled {
            let p = prep.teacher.probs.row(row);
            let spread =
                |class: usize| prep.extras.spread.as_ref().map_or(0.0, |s| s[[row, class]]);
            let label = prep.teacher.labels[row];
            if p[label] >= positive_at && spread(label) <= max_spread {
                positive[row] = label;
                include[row] = true;
            }
            for class in 0..c {
                if class != label && p[class] <= negative_at && spread(class) <= max_spread {
                    negative[[row, class]] = 1.0;
                    include[row] = true;
                }
            }
        }
        Ups {
            positive,
            negative,
            include,
            scratch: vec![0.0; c],
            scratch_grad: vec![0.0; c],
        }
    }

    /// The positive pseudo-label of `row`, if one was selected.
    pub fn positive(&self, row: usize) -> Option<usize> {
        (self.positive[row] != usize::MAX).then_some(self.positive[row])
    }

    /// The loss of one training row: CE on the true label (L), or CE on the positive pseudo-label
    /// plus the negative-learning loss (U).
    pub fn loss_row(
        &mut self,
        prep: &PreparedSeed,
        row: usize,
        f: &[f32],
        grad: &mut [f32],
        scale: f32,
    ) -> f32 {
        if prep.is_labeled[row] {
            return losses::cross_entropy_label(f, prep.data.y[row], grad, scale);
        }
        grad.fill(0.0);
        let mut loss = 0.0;
        if let Some(label) = self.positive(row) {
            loss += losses::cross_entropy_label(f, label, grad, scale);
        }
        let neg = self.negative.row(row);
        let neg = neg.as_slice().expect("contiguous");
        if neg.iter().any(|&v| v > 0.0) {
            loss += negative_labels(f, neg, &mut self.scratch, &mut self.scratch_grad, scale);
            for (g, &e) in grad.iter_mut().zip(&self.scratch_grad) {
                *g += e;
            }
        }
        loss
    }

    /// Selection statistics: share of U with a positive label, its accuracy against the truth,
    /// and the share of negative labels that are right (the true class is not among them).
    pub fn stats(&self, prep: &PreparedSeed) -> Vec<(&'static str, f64)> {
        let u = &prep.split.unlabeled;
        let selected: Vec<usize> = u
            .iter()
            .copied()
            .filter(|&r| self.positive(r).is_some())
            .collect();
        // Accuracies are over the rows whose true class is known.
        let known: Vec<usize> = selected
            .iter()
            .copied()
            .filter(|&r| prep.data.is_known(r))
            .collect();
        let right = known
            .iter()
            .filter(|&&r| self.positive[r] == prep.data.y[r])
            .count();
        let (mut neg_total, mut neg_right) = (0usize, 0usize);
        for &r in u.iter().filter(|&&r| prep.data.is_known(r)) {
            for (class, &v) in self.negative.row(r).iter().enumerate() {
                if v > 0.0 {
                    neg_total += 1;
                    neg_right += (class != prep.data.y[r]) as usize;
                }
            }
        }
        let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        vec![
            ("selected_share", share(selected.len(), u.len())),
            ("selected_teacher_accuracy", share(right, known.len())),
            ("negative_label_accuracy", share(neg_right, neg_total)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::softmax_in_place;
    use crate::rng::{Rng, Stream};

    #[test]
    fn negative_label_loss_matches_finite_differences() {
        let mut r = Rng::new(11, Stream::Method);
        for c in [2usize, 3, 6] {
            for _ in 0..4 {
                let z: Vec<f32> = (0..c).map(|_| r.range(-2.0, 2.0)).collect();
                let mut neg = vec![0.0f32; c];
                for v in neg.iter_mut() {
                    *v = (r.uniform() < 0.5) as u8 as f32;
                }
                neg[r.below(c)] = 1.0;
                let loss = |z: &[f32], grad: &mut [f32]| {
                    let mut f = z.to_vec();
                    softmax_in_place(&mut f);
                    let mut g = vec![0.0; c];
                    negative_labels(&f, &neg, &mut g, grad, 1.0)
                };
                let mut grad = vec![0.0; c];
                loss(&z, &mut grad);
                let h = 1e-2;
                let mut s = vec![0.0; c];
                for j in 0..c {
                    let (mut zp, mut zm) = (z.clone(), z.clone());
                    zp[j] += h;
                    zm[j] -= h;
                    let fd = (loss(&zp, &mut s) - loss(&zm, &mut s)) / (2.0 * h);
                    assert!(
                        (fd - grad[j]).abs() < 2e-3 + 3e-2 * grad[j].abs(),
                        "c={c} dz[{j}]: fd {fd} vs {}",
                        grad[j]
                    );
                }
            }
        }
        // No negatives: no loss, no gradient.
        let mut grad = vec![1.0; 3];
        assert_eq!(
            negative_labels(&[0.2, 0.3, 0.5], &[0.0; 3], &mut [0.0; 3], &mut grad, 1.0),
            0.0
        );
        assert_eq!(grad, vec![0.0; 3]);
    }

    #[test]
    fn negative_labels_push_the_ruled_out_class_down() {
        let mut f = vec![0.1f32, 0.5, 0.4];
        softmax_in_place(&mut f);
        let mut grad = vec![0.0; 3];
        negative_labels(&f, &[0.0, 1.0, 0.0], &mut [0.0; 3], &mut grad, 1.0);
        assert!(grad[1] > 0.0 && grad[0] < 0.0 && grad[2] < 0.0, "{grad:?}");
    }

    #[test]
    fn spread_is_the_per_entry_standard_deviation() {
        let a = Array2::from_shape_vec((1, 2), vec![0.2f32, 0.8]).unwrap();
        let b = Array2::from_shape_vec((1, 2), vec![0.6f32, 0.4]).unwrap();
        let s = crate::teacher::spread(&[a.clone(), b]).unwrap();
        assert!(
            (s[[0, 0]] - 0.2).abs() < 1e-6 && (s[[0, 1]] - 0.2).abs() < 1e-6,
            "{s:?}"
        );
        assert_eq!(crate::teacher::spread(&[a.clone(), a]).unwrap().sum(), 0.0);
        assert!(crate::teacher::spread(&[]).is_none());
    }
}
