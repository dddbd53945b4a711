//! `vanilla_lv`, a baseline of this lab: vanilla distillation that also trains on V's true labels,
//! beside the methods that only estimate from V: what V's labels alone buy.

use std::any::Any;

use crate::losses;
use crate::model::{Mlp, Optimizer};
use crate::seed::{Inputs, PreparedSeed};

use super::{train_distilled, Distiller};

/// What `vanilla_lv` holds per row: the truth mask, and the rows it trains on (L, U and V).
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 16,
    ..super::MethodMemory::PLAIN
};

/// `vanilla_lv`.
#[derive(Clone, Debug)]
pub struct VanillaLv {
    /// Per dataset row, whether it trains on its true label (L and V).
    truth: Vec<bool>,
}

impl VanillaLv {
    /// L's and V's rows train on their true labels.
    pub fn new(seed: &PreparedSeed) -> VanillaLv {
        let mut truth = seed.is_labeled.clone();
        seed.split.validation.iter().for_each(|&i| truth[i] = true);
        VanillaLv { truth }
    }
}

impl Distiller for VanillaLv {
    fn training_rows(&self, seed: &PreparedSeed) -> Vec<usize> {
        let mut rows = seed.train_rows.clone();
        rows.extend(&seed.split.validation);
        rows
    }

    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        train_distilled(
            net,
            optimizer,
            inputs,
            seed,
            rows,
            &self.truth,
            |row, f, g, scale| {
                losses::cross_entropy(
                    f,
                    seed.teacher.probs.row(row).as_slice().expect("contiguous"),
                    g,
                    scale,
                )
            },
        )
    }

    fn target(&self, seed: &PreparedSeed, row: usize, out: &mut [f32]) {
        out.fill(0.0);
        if self.truth[row] {
            out[seed.data.y[row]] = 1.0;
        } else {
            out.copy_from_slice(seed.teacher.probs.row(row).as_slice().expect("contiguous"));
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
