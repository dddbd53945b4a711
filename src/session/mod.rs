//! An interactive training session, as the page drives it: one seed prepared once, every method's
//! student stepping side by side on one clock, and the views the panels draw ([`views`]) and the
//! point a learner follows ([`point`]).
//!
//! The clock: no method starts epoch e + 1 before every method has completed epoch e, and what a
//! front end reads of the run (metrics, a followed point's history) stops at the epoch every method
//! has completed. So whatever the order of Play, Pause and Step, and however unequal the methods'
//! costs, the numbers shown side by side are always those of one epoch, the CLI's at that epoch.

mod point;
mod views;

pub use point::{FollowedPoint, PointFacts};
pub use views::Overview;

use ndarray::Array2;
use serde::Serialize;

use crate::anatomy::{explain_next_step, StepAnatomy};
use crate::config::Checked;
use crate::experiment::needs;
use crate::methods::Method;
use crate::model::{Mlp, BLOCK};
use crate::rng::{Rng, Stream};
use crate::run::{EpochMetrics, StudentRun};
use crate::seed::{BuildProgress, DataSource, ExtraPoint, PreparedSeed, SeedBuilder};
use crate::Result;

/// A prepared seed and its students.
pub struct Session {
    /// The checked configuration.
    pub cfg: Checked,
    /// Its methods, in order.
    pub methods: Vec<Method>,
    /// Data, teacher and estimates for the seed.
    pub prep: PreparedSeed,
    /// The students, one per method, in `cfg.methods` order.
    pub runs: Vec<StudentRun>,
    init: Mlp,
    init_draw: u64,
    points: Array2<f32>,
    /// The method [`Session::advance`] works next.
    turn: usize,
    followed: Option<point::Followed>,
}

/// One step taken apart ([`StepAnatomy`]) with the decision map before and after it.
#[derive(Clone, Debug, Serialize)]
pub struct SlowStep {
    #[serde(flatten)]
    pub step: StepAnatomy,
    pub grid_res: usize,
    pub grid_before: Option<Vec<f32>>,
    pub grid_after: Option<Vec<f32>>,
}

/// A session being built: its seed's teacher fitted and read a little at a time, so a front end can
/// show progress and give up (see [`SeedBuilder`]).
#[derive(Debug)]
pub struct SessionBuilder {
    cfg: Checked,
    methods: Vec<Method>,
    seed: SeedBuilder,
}

impl SessionBuilder {
    /// Load, split and scale the data of `cfg.seed` and set up its teacher.
    pub fn start(
        cfg: Checked,
        source: &DataSource,
        extra: &[ExtraPoint],
    ) -> Result<SessionBuilder> {
        let methods = Method::list(&cfg);
        let seed = SeedBuilder::start(&cfg, source, cfg.seed, extra, needs(&methods))?;
        Ok(SessionBuilder { cfg, methods, seed })
    }

    /// The stage under way and how far it is.
    pub fn progress(&self) -> BuildProgress {
        self.seed.progress()
    }

    /// Up to `units` more units of the teacher's work; true once only `finish` is left.
    pub fn advance(&mut self, units: usize) -> bool {
        self.seed.advance(units)
    }

    /// The session: the rest of the seed's preparation and every method's student.
    pub fn finish(self) -> Result<Session> {
        let prep = self.seed.finish()?;
        Ok(Session::from_prepared(self.cfg, self.methods, prep))
    }
}

impl Session {
    /// Prepare `cfg.seed`, with optional hand-added labeled points.
    pub fn new(cfg: Checked, source: &DataSource, extra: &[ExtraPoint]) -> Result<Session> {
        SessionBuilder::start(cfg, source, extra)?.finish()
    }

    fn from_prepared(cfg: Checked, methods: Vec<Method>, prep: PreparedSeed) -> Session {
        let init = prep.initial_student(&cfg);
        let runs = methods
            .iter()
            .map(|&m| StudentRun::new(&prep, &cfg, m, &init))
            .collect();
        let points = views::plane_points(&prep);
        Session {
            cfg,
            methods,
            prep,
            runs,
            init,
            init_draw: 0,
            points,
            turn: 0,
            followed: None,
        }
    }

    /// The clock: epochs every method has completed. Metrics, a followed point's history and every
    /// comparison a front end shows stop here.
    pub fn epoch(&self) -> usize {
        self.runs.iter().map(|r| r.epoch()).min().unwrap_or(0)
    }

    /// The epoch the clock works towards when asked to train up to `until`: the next one, never
    /// past `until` nor the configured last.
    fn next_tick(&self, until: usize) -> usize {
        (self.epoch() + 1).min(until).min(self.cfg.student.epochs)
    }

    /// The method [`Session::advance`] with the same `until` works next, or None when every method
    /// has reached it (a front end sizes the call by that method's cost).
    pub fn next_in_turn(&self, until: usize) -> Option<usize> {
        let tick = self.next_tick(until);
        let n = self.runs.len();
        (0..n)
            .map(|k| (self.turn + k) % n)
            .find(|&m| self.runs[m].epoch() < tick)
    }

    /// Up to `units` units of work (minibatches, and the blocks of the evaluation that ends an
    /// epoch and of the predictions a method reads as one starts: see [`StudentRun::work`]) for the
    /// next method in turn that has not completed the clock's next epoch, never past epoch `until`.
    /// Methods take turns, and none starts epoch e + 1 before all have completed e, so a front end
    /// can keep every call short whatever the network and still compare the methods at one epoch.
    /// Returns the method worked, or None when every method has reached `until` (or the last epoch).
    pub fn advance(&mut self, units: usize, until: usize) -> Option<usize> {
        let m = self.next_in_turn(until)?;
        let tick = self.next_tick(until);
        self.turn = (m + 1) % self.runs.len();
        for _ in 0..units {
            if self.runs[m].epoch() >= tick {
                break;
            }
            if self.runs[m].work(&self.prep, &self.cfg) {
                self.record_followed(m);
            }
        }
        Some(m)
    }

    /// Whether any method has trained past the clock (is inside the clock's next epoch): a run
    /// paused now shows the students' maps a little ahead of the numbers beside them.
    pub fn between_epochs(&self) -> bool {
        let e = self.epoch();
        self.runs.iter().any(|r| r.epoch() > e || r.mid_epoch())
    }

    /// Up to `units` units of method `index`'s work alone, stopping at epoch `until` (or the
    /// configured last); returns true while that method is short of that epoch. Outside the
    /// clock: tests and benchmarks drive one method with it.
    pub fn step_method(&mut self, index: usize, units: usize, until: usize) -> bool {
        let end = until.min(self.cfg.student.epochs);
        if index >= self.runs.len() {
            return false;
        }
        for _ in 0..units {
            if self.runs[index].epoch() >= end {
                break;
            }
            if self.runs[index].work(&self.prep, &self.cfg) {
                self.record_followed(index);
            }
        }
        self.runs[index].epoch() < end
    }

    /// Epochs method `index` has completed (it may be one ahead of the clock).
    pub fn method_epoch(&self, index: usize) -> usize {
        self.runs.get(index).map_or(0, StudentRun::epoch)
    }

    /// Rows of the data (every array of a row's facts has this many).
    pub fn row_count(&self) -> usize {
        self.prep.data.len()
    }

    /// Rows in one block of [`Session::predictions_of`] and of an evaluation.
    pub fn block_rows(&self) -> usize {
        BLOCK
    }

    /// About how many units of [`Session::advance`] one epoch of one method takes: its
    /// minibatches over L and U, and its evaluation's blocks.
    pub fn units_per_epoch(&self) -> usize {
        let s = &self.prep.split;
        let batches = (s.labeled.len() + s.unlabeled.len()).div_ceil(self.cfg.student.batch_size);
        batches + s.test.len().div_ceil(BLOCK) + s.unlabeled.len().div_ceil(BLOCK)
    }

    /// Trainable parameters of student `method_index`: what one row of its forward pass costs, in
    /// multiply-adds, near enough (a front end sizes its decision maps by it, the same on every
    /// machine). Zero for an index past the methods.
    pub fn parameter_count(&self, method_index: usize) -> usize {
        self.runs
            .get(method_index)
            .map_or(0, |r| r.net.parameter_count())
    }

    /// Takes student `method_index`'s next minibatch apart and trains it (the step it would take
    /// next anyway), with its decision map at `res x res` just before and just after (2-D data).
    /// None past the configured epochs or the methods.
    pub fn explain_step(&mut self, method_index: usize, res: usize) -> Option<SlowStep> {
        let run = self.runs.get_mut(method_index)?;
        let before = run.epoch();
        run.prepare_next_batch(&self.prep, &self.cfg)?;
        if self.runs[method_index].epoch() != before {
            self.record_followed(method_index);
        }
        let grid_before = self.grid(method_index, res);
        let step = explain_next_step(&mut self.runs[method_index], &self.prep, &self.cfg)?;
        let grid_after = self.grid(method_index, res);
        Some(SlowStep {
            step,
            grid_res: res.clamp(2, 256),
            grid_before,
            grid_after,
        })
    }

    /// Train `batches` minibatches of every method that has not reached the configured epochs;
    /// returns true while any can still train.
    pub fn step(&mut self, batches: usize) -> bool {
        for m in 0..self.runs.len() {
            for _ in 0..batches {
                if self.runs[m].epoch() >= self.cfg.student.epochs {
                    break;
                }
                if self.runs[m].step(&self.prep, &self.cfg) {
                    self.record_followed(m);
                }
            }
        }
        !self.finished()
    }

    /// Train every method to the end of the clock's next epoch; returns true while training can go on.
    pub fn step_epoch(&mut self) -> bool {
        let until = self.epoch() + 1;
        while self.advance(usize::MAX, until).is_some() {}
        !self.finished()
    }

    /// Whether every method reached the configured epochs.
    pub fn finished(&self) -> bool {
        self.runs
            .iter()
            .all(|r| r.epoch() >= self.cfg.student.epochs)
    }

    /// Start every student again from the same initial weights (and the same batch order).
    pub fn reset(&mut self) {
        // The old students go first, or the new ones are built beside them (twice the memory).
        self.runs.clear();
        self.runs = self
            .methods
            .iter()
            .map(|&m| StudentRun::new(&self.prep, &self.cfg, m, &self.init))
            .collect();
        self.turn = 0;
        let row = self.followed.as_ref().map(|f| f.row);
        self.follow(row);
    }

    /// Draw new initial weights (shared by all methods) and restart.
    pub fn new_init(&mut self) {
        self.init_draw += 1;
        let sizes = self.prep.student_sizes(&self.cfg);
        self.init = Mlp::new(
            &sizes,
            self.cfg.student.batch_size,
            &mut Rng::sub(self.prep.seed, Stream::StudentInit, self.init_draw),
        );
        self.reset();
    }

    /// One line per method whose training diverged or collapsed.
    pub fn warnings(&self) -> Vec<String> {
        self.runs
            .iter()
            .filter_map(|r| r.warning().or_else(|| r.collapse_warning()))
            .collect()
    }

    /// Per method, the metrics after every completed epoch (some may be one past the clock).
    pub fn histories(&self) -> Vec<(&'static str, &[EpochMetrics])> {
        self.runs
            .iter()
            .map(|r| (r.method.name(), r.history.as_slice()))
            .collect()
    }

    /// Per method, its metrics after epochs `from + 1 ..= ` the clock: what a front end shows side
    /// by side, all at one epoch (a method that finished the next epoch first waits for the others).
    pub fn metrics_from(&self, from: usize) -> Vec<(&'static str, &[EpochMetrics])> {
        let clock = self.epoch();
        self.runs
            .iter()
            .map(|r| {
                let upto = clock.min(r.history.len());
                (r.method.name(), r.history.get(from..upto).unwrap_or(&[]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
