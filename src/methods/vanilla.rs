//! Vanilla distillation (Hinton, Vinyals, Dean 2015): cross-entropy on the teacher's soft labels, or on
//! its argmax (`vanilla_hard`). Rows of L train on their true label, as in every method here.

use std::any::Any;

use crate::losses;
use crate::model::{Mlp, Optimizer};
use crate::seed::{Inputs, PreparedSeed};

use super::{train_distilled, Distiller};

/// `vanilla` (soft labels) or `vanilla_hard` (the teacher's argmax).
#[derive(Clone, Debug)]
pub struct Vanilla {
    /// Train on the teacher's argmax instead of its probabilities.
    pub hard: bool,
}

impl Distiller for Vanilla {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let hard = self.hard;
        train_distilled(
            net,
            optimizer,
            inputs,
            seed,
            rows,
            &seed.is_labeled,
            |row, f, g, scale| {
                if hard {
                    losses::cross_entropy_label(f, seed.teacher.labels[row], g, scale)
                } else {
                    losses::cross_entropy(
                        f,
                        seed.teacher.probs.row(row).as_slice().expect("contiguous"),
                        g,
                        scale,
                    )
                }
            },
        )
    }

    fn target(&self, seed: &PreparedSeed, row: usize, out: &mut [f32]) {
        if self.hard && !seed.is_labeled[row] {
            out.copy_from_slice(seed.hard.row(row).as_slice().expect("contiguous"));
        } else {
            super::default_target(seed, row, out);
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
