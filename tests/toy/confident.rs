//! A method added the way any method is: this one file (its distiller, its setting and its row) and
//! one line in the method table. It is not one of the lab's methods: `tests/toy_method.rs` trains it
//! natively, and the page is built with it (`cargo` feature `toy-method`, scripts/build-toy.sh) for
//! `tests/e2e/toy.test.mjs`, which finds it listed, its setting offered, run and exported, with no
//! JavaScript written for it. Paths are `slam_lab::`, so the file compiles inside the crate and in a
//! test alike.

use slam_lab::config::keys::{closed, setting};
use slam_lab::config::MethodSettings;
use slam_lab::losses;
use slam_lab::methods::{Group, MethodFacts, MethodMemory};
use slam_lab::model::{train_step, Mlp, Optimizer};
use slam_lab::seed::{Inputs, PreparedSeed};

/// Distil only the unlabeled rows where the teacher is at least `threshold` confident.
pub struct Confident {
    /// The teacher's top probability a row needs to be distilled.
    pub threshold: f32,
}

/// Its one setting, with its default.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[setting(
        "confident.threshold",
        "Confident only: keep a label when the teacher is at least this sure",
        "",
        closed(0.0, 1.0),
        0.9,
    )],
    rules: &[],
};

/// Its row: everything the engine, the reports and the page know of it.
pub const ROW: MethodFacts = MethodFacts {
    name: "confident",
    stream: 1000,
    label: "Confident only",
    help: "distils only the teacher's confident labels",
    colour: 16,
    description: "soft cross-entropy on the teacher's confident labels only",
    source: "a test (tests/toy/confident.rs)",
    group: Group::Family,
    requires: &[],
    needs_ensemble: false,
    queries_teacher: false,
    hard_labels: false,
    trains_on_validation_labels: false,
    settings: SETTINGS,
    memory: MethodMemory::PLAIN,
    build: |b| {
        b.plain(Confident {
            threshold: b.cfg.settings.f32("confident.threshold"),
        })
    },
};

impl slam_lab::methods::Distiller for Confident {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let threshold = self.threshold;
        train_step(
            net,
            optimizer,
            rows.len(),
            |net| {
                inputs.forward(net, seed, rows);
            },
            |r, f, g, scale| {
                let row = rows[r];
                let soft = seed.teacher.probs.row(row);
                if seed.is_labeled[row] {
                    losses::cross_entropy_label(f, seed.data.y[row], g, scale)
                } else if soft[seed.teacher.labels[row]] >= threshold {
                    losses::cross_entropy(f, soft.as_slice().expect("contiguous"), g, scale)
                } else {
                    g.fill(0.0);
                    0.0
                }
            },
        )
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
