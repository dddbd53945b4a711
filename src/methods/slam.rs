//! Student-Label Mixing (Kontonis, Iliopoulos, Trinh, Baykal, Menghani, Vee, NeurIPS 2023): the
//! student's prediction passes through the teacher's noise channel, `mix(f; alpha(x), k)`, before it is
//! compared with the teacher's soft label (`slam`) or argmax (`slam_hard`); see [`crate::losses::slam`].

use std::any::Any;

use crate::config::MethodSettings;
use crate::losses;
use crate::model::{Mlp, Optimizer};
use crate::seed::{Inputs, PreparedSeed};

use super::{train_distilled, Distiller};

/// Its settings: the config's own α and k keys (the seed's preparation estimates α and k from them).
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &["alpha_estimator", "alpha_min", "k_coverage", "normalize_k"],
    own: &[],
    rules: &[],
};

/// `slam` or `slam_hard`.
#[derive(Clone, Debug)]
pub struct Slam {
    /// Mix against the teacher's one-hot argmax instead of its probabilities.
    pub hard: bool,
    /// Divide the second term by k - 1 (the theory version).
    pub normalize_k: bool,
    scratch: Vec<f32>,
}

impl Slam {
    /// SLaM for `classes` classes.
    pub fn new(hard: bool, normalize_k: bool, classes: usize) -> Slam {
        Slam {
            hard,
            normalize_k,
            scratch: vec![0.0; classes],
        }
    }
}

impl Distiller for Slam {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let (hard, normalize_k, scratch) = (self.hard, self.normalize_k, &mut self.scratch);
        train_distilled(
            net,
            optimizer,
            inputs,
            seed,
            rows,
            &seed.is_labeled,
            |row, f, g, scale| {
                let target = if hard {
                    seed.hard.row(row)
                } else {
                    seed.teacher.probs.row(row)
                };
                let top = seed.top.row(row);
                losses::slam(
                    f,
                    target.as_slice().expect("contiguous"),
                    seed.alpha[row],
                    top.as_slice().expect("contiguous"),
                    seed.k,
                    normalize_k,
                    scratch,
                    g,
                    scale,
                )
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

    fn compared(&self, seed: &PreparedSeed, row: usize, f: &[f32], out: &mut [f32]) -> bool {
        if seed.is_labeled[row] {
            return false;
        }
        let top = seed.top.row(row);
        losses::mix(
            f,
            seed.alpha[row],
            top.as_slice().expect("contiguous"),
            seed.k,
            self.normalize_k,
            out,
        );
        true
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
