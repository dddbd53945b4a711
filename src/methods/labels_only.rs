//! `labels_only`, the supervised baseline every distillation paper reports: no teacher, cross-entropy
//! on L's true labels. It takes as many steps per epoch as the distilled students (cycling through
//! shuffled copies of L) with the same augmentation, so only the teacher's labels differ.

use std::any::Any;

use crate::losses;
use crate::model::{train_step, Mlp, Optimizer};
use crate::rng::Rng;
use crate::seed::{Inputs, PreparedSeed};

use super::Distiller;

/// What `labels_only` holds per row: L's rows.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 8,
    ..super::MethodMemory::PLAIN
};

/// `labels_only`.
#[derive(Clone, Debug)]
pub struct LabelsOnly {
    labeled: Vec<usize>,
    rng: Rng,
}

impl LabelsOnly {
    /// Cycles through L with its own stream `rng`.
    pub fn new(seed: &PreparedSeed, rng: Rng) -> LabelsOnly {
        LabelsOnly {
            labeled: seed.split.labeled.clone(),
            rng,
        }
    }
}

impl Distiller for LabelsOnly {
    fn select(&mut self, order: &[usize], active: &mut Vec<usize>) {
        let len = order.len();
        while active.len() < len && !self.labeled.is_empty() {
            let start = active.len();
            active.extend_from_slice(&self.labeled);
            self.rng.shuffle(&mut active[start..]);
        }
        active.truncate(len);
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
            |r, f, g, scale| losses::cross_entropy_label(f, seed.data.y[rows[r]], g, scale),
        )
    }

    fn target(&self, seed: &PreparedSeed, row: usize, out: &mut [f32]) {
        out.fill(0.0);
        out[seed.data.y[row]] = 1.0;
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
