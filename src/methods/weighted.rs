//! Weighted distillation (Iliopoulos, Kontonis, Baykal, Menghani, Trinh, Vee, NeurIPS 2022): soft
//! cross-entropy on U times `w(x) = 1 - p_wrong(x)`, the share of teacher mistakes among the nearest V
//! rows in the plane (teacher confidence, student confidence), re-estimated as the student changes
//! (at the start of every epoch).

use std::any::Any;

use crate::estimators;
use crate::losses;
use ndarray::{s, ArrayView2};

use crate::model::{Mlp, Optimizer};
use crate::seed::{Inputs, PreparedSeed};

use super::{train_distilled, Distiller};

/// What `weighted` holds per row: the weights, the rows it predicts, their (teacher confidence,
/// student confidence) points and the nearest-neighbour scratch; and its student's probabilities
/// on V and U.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 48,
    per_row_class: 1,
    ..super::MethodMemory::PLAIN
};

/// `weighted`.
#[derive(Clone, Debug)]
pub struct Weighted {
    /// Per dataset row, the weight of its distillation loss (1 until the first epoch starts).
    pub weights: Vec<f32>,
    scratch: Vec<(f32, usize)>,
}

impl Weighted {
    /// Weights of 1 for a dataset of `rows` rows.
    pub fn new(rows: usize) -> Weighted {
        Weighted {
            weights: vec![1.0; rows],
            scratch: Vec::new(),
        }
    }
}

impl Distiller for Weighted {
    fn rows_to_predict(&self, seed: &PreparedSeed, _epoch: usize) -> Vec<usize> {
        let s = &seed.split;
        s.validation.iter().chain(&s.unlabeled).copied().collect()
    }

    fn start_epoch(
        &mut self,
        _net: &mut Mlp,
        seed: &PreparedSeed,
        _epoch: usize,
        predicted: ArrayView2<f32>,
    ) {
        // Each row's point in the plane (teacher confidence, student confidence).
        let plane = |rows: &[usize], p: ArrayView2<f32>| -> Vec<[f32; 2]> {
            rows.iter()
                .zip(p.rows())
                .map(|(&i, r)| {
                    let t = seed.teacher.probs.row(i);
                    [
                        t[seed.teacher.labels[i]],
                        r.iter().copied().fold(0.0, f32::max),
                    ]
                })
                .collect()
        };
        let v = &seed.split.validation;
        let u = &seed.split.unlabeled;
        let val_points = plane(v, predicted.slice(s![..v.len(), ..]));
        let val_correct: Vec<bool> = v
            .iter()
            .map(|&i| seed.teacher.labels[i] == seed.data.y[i])
            .collect();
        let queries = plane(u, predicted.slice(s![v.len().., ..]));
        let mut out = vec![0.0; u.len()];
        let k = estimators::weights::neighbour_count(v.len());
        estimators::knn_correct_weights(
            &val_points,
            &val_correct,
            &queries,
            k,
            &mut self.scratch,
            &mut out,
        );
        for (&i, w) in u.iter().zip(out) {
            self.weights[i] = w;
        }
    }

    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let weights = &self.weights;
        train_distilled(
            net,
            optimizer,
            inputs,
            seed,
            rows,
            &seed.is_labeled,
            |row, f, g, scale| {
                let w = weights[row];
                w * losses::cross_entropy(
                    f,
                    seed.teacher.probs.row(row).as_slice().expect("contiguous"),
                    g,
                    scale * w,
                )
            },
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
