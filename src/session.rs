//! An interactive training session, as the page drives it: one seed prepared once, every method's
//! student stepping side by side, and the views the panels draw (scatter, grids, alpha curve, ...).

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::anatomy::{explain_next_step, StepAnatomy};
use crate::config::Checked;
use crate::data::pca::pca_2d;
use crate::estimators::AlphaModel;
use crate::experiment::needs;
use crate::methods::Method;
use crate::model::mlp::argmax;
use crate::model::Mlp;
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
}

/// One dataset row as [`Session::point`] describes it.
#[derive(Clone, Debug, Serialize)]
pub struct PointFacts {
    pub row: usize,
    pub true_class: usize,
    pub teacher_class: usize,
    pub teacher_confidence: f32,
    /// The teacher's margin (top logit minus the next, computed in f64): the alpha curve's x.
    pub teacher_margin: f64,
    /// SLaM's alpha there, as clamped and as fitted, and the truth for a synthetic teacher.
    pub alpha: f32,
    pub alpha_raw: f32,
    pub alpha_true: Option<f32>,
    pub k: usize,
    /// Per method (in order): the student's probabilities now and its predicted class.
    pub probs: Vec<Vec<f32>>,
    pub predicted: Vec<usize>,
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

/// Everything the panels show that does not change during training.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    /// Dataset name.
    pub dataset: String,
    /// Class names.
    pub class_names: Vec<String>,
    /// Feature count.
    pub dim: usize,
    /// Whether the scatter shows the raw features (2-D data) or a PCA projection.
    pub projected: bool,
    /// Sizes of L, V, U, T.
    pub sizes: [usize; 4],
    /// Teacher accuracy on T and on U.
    pub teacher_test_accuracy: f32,
    /// Teacher accuracy on U.
    pub teacher_unlabeled_accuracy: f32,
    /// Teacher confusion matrix on U: `confusion[true][teacher]`.
    pub confusion: Vec<Vec<u32>>,
    /// k chosen on V.
    pub k: usize,
    /// The lower clamp on alpha in use (`alpha_min`, or its `auto` value: 1/2, or 1/k normalised).
    pub alpha_floor: f32,
    /// alpha(margin) sampled at 101 margins in [0, 1] (before the clamp); empty for the oracle.
    pub alpha_curve: Vec<[f32; 2]>,
    /// Validation rug: (margin, teacher correct) per V point.
    pub rug: Vec<(f32, bool)>,
    /// Reliability diagram of the teacher on V: (mean confidence, accuracy, count) per bin of 10.
    pub reliability: Vec<(f32, f32, u32)>,
    /// Mean |estimated - true alpha| on U, for a synthetic teacher.
    pub alpha_oracle_error: Option<f32>,
    /// Methods, in order.
    pub methods: Vec<&'static str>,
    /// The configured epoch count.
    pub epochs: usize,
    /// Whether a synthetic teacher's true alpha exists.
    pub has_oracle: bool,
    /// What about the data keeps any method from learning (see [`PreparedSeed::data_warnings`]).
    pub data_warnings: Vec<String>,
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
        let points = if prep.data.dim() == 2 {
            prep.raw_x.clone()
        } else {
            projection(&prep.raw_x)
        };
        Session {
            cfg,
            methods,
            prep,
            runs,
            init,
            init_draw: 0,
            points,
        }
    }

    /// Up to `units` units of method `index`'s work alone (minibatches, and the blocks of the
    /// evaluation that ends each epoch: see [`StudentRun::work`]), stopping at epoch `until` (or the
    /// configured last), so a front end can keep each call short whatever the network's size;
    /// returns true while that method is short of that epoch.
    pub fn step_method(&mut self, index: usize, units: usize, until: usize) -> bool {
        let end = until.min(self.cfg.student.epochs);
        let Some(run) = self.runs.get_mut(index) else {
            return false;
        };
        for _ in 0..units {
            if run.epoch() >= end {
                break;
            }
            run.work(&self.prep, &self.cfg);
        }
        run.epoch() < end
    }

    /// Epochs method `index` has completed.
    pub fn method_epoch(&self, index: usize) -> usize {
        self.runs.get(index).map_or(0, StudentRun::epoch)
    }

    /// Rows of the data (every array of a row's facts has this many).
    pub fn row_count(&self) -> usize {
        self.prep.data.len()
    }

    /// About how many units of [`Session::step_method`] one epoch of one method takes: its
    /// minibatches over L and U, and its evaluation's blocks.
    pub fn units_per_epoch(&self) -> usize {
        let s = &self.prep.split;
        let batches = (s.labeled.len() + s.unlabeled.len()).div_ceil(self.cfg.student.batch_size);
        batches + s.test.len().div_ceil(256) + s.unlabeled.len().div_ceil(256)
    }

    /// Trainable parameters of student `method_index`: what one row of its forward pass costs, in
    /// multiply-adds, near enough (a front end sizes its decision maps by it, the same on every
    /// machine). Zero for an index past the methods.
    pub fn parameter_count(&self, method_index: usize) -> usize {
        self.runs
            .get(method_index)
            .map_or(0, |r| r.net.parameter_count())
    }

    /// What the page shows about one dataset row (its set is in [`Session::roles`]): its true class, the teacher's label,
    /// confidence and margin, SLaM's alpha there (and the truth for a synthetic teacher), and every
    /// student's probabilities for it now. None past the rows.
    pub fn point(&mut self, row: usize) -> Option<PointFacts> {
        if row >= self.prep.data.len() {
            return None;
        }
        let probs: Vec<Vec<f32>> = (0..self.runs.len())
            .map(|m| self.probs_at(m, row))
            .collect();
        let p = &self.prep;
        let t = &p.teacher;
        Some(PointFacts {
            row,
            true_class: p.data.y[row],
            teacher_class: t.labels[row],
            teacher_confidence: t.probs[[row, t.labels[row]]],
            teacher_margin: t.margins[row],
            alpha: p.alpha[row],
            alpha_raw: p.alpha_raw[row],
            alpha_true: t.oracle_alpha.as_ref().map(|o| o[row]),
            k: p.k,
            predicted: probs.iter().map(|q| argmax(q)).collect(),
            probs,
        })
    }

    /// Student `method_index`'s predicted class for `row` now (what a front end records at each of
    /// its epochs for the point it follows). None past the methods or the rows.
    pub fn point_class(&mut self, method_index: usize, row: usize) -> Option<u32> {
        if method_index >= self.runs.len() || row >= self.prep.data.len() {
            return None;
        }
        Some(argmax(&self.probs_at(method_index, row)) as u32)
    }

    /// Student `m`'s class probabilities for dataset row `row` (both in range).
    fn probs_at(&mut self, m: usize, row: usize) -> Vec<f32> {
        let x = self.prep.data.x.view();
        self.runs[m].predict_rows(x, &[row]).row(0).to_vec()
    }

    /// Takes student `method_index`'s next minibatch apart and trains it (the step it would take
    /// next anyway), with its decision map at `res x res` just before and just after (2-D data).
    /// None past the configured epochs or the methods.
    pub fn explain_step(&mut self, method_index: usize, res: usize) -> Option<SlowStep> {
        let run = self.runs.get_mut(method_index)?;
        run.prepare_next_batch(&self.prep, &self.cfg)?;
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
        for run in self.runs.iter_mut() {
            for _ in 0..batches {
                if run.epoch() >= self.cfg.student.epochs {
                    break;
                }
                run.step(&self.prep, &self.cfg);
            }
        }
        !self.finished()
    }

    /// Train every method through its next complete epoch.
    pub fn step_epoch(&mut self) -> bool {
        for run in self.runs.iter_mut() {
            if run.epoch() < self.cfg.student.epochs {
                run.train_epoch(&self.prep, &self.cfg);
            }
        }
        !self.finished()
    }

    /// Whether every method reached the configured epochs.
    pub fn finished(&self) -> bool {
        self.runs
            .iter()
            .all(|r| r.epoch() >= self.cfg.student.epochs)
    }

    /// Epochs completed by the slowest method.
    pub fn epoch(&self) -> usize {
        self.runs.iter().map(|r| r.epoch()).min().unwrap_or(0)
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

    /// One line per method whose training diverged.
    pub fn warnings(&self) -> Vec<String> {
        self.runs
            .iter()
            .filter_map(|r| r.warning().or_else(|| r.collapse_warning()))
            .collect()
    }

    /// Per method, the metrics after every completed epoch.
    pub fn histories(&self) -> Vec<(&'static str, &[EpochMetrics])> {
        self.runs
            .iter()
            .map(|r| (r.method.name(), r.history.as_slice()))
            .collect()
    }

    /// 2-D coordinates of every row: the raw features for 2-D data, else a PCA projection.
    pub fn points(&self) -> ArrayView2<'_, f32> {
        self.points.view()
    }

    /// Student `method_index`'s predicted class for every row.
    pub fn predictions(&mut self, method_index: usize) -> Vec<u32> {
        self.predictions_of(method_index, 0, self.prep.data.len())
    }

    /// Student `method_index`'s predicted class for rows `first..first + rows` (a front end asks a
    /// large network a block at a time).
    pub fn predictions_of(&mut self, method_index: usize, first: usize, rows: usize) -> Vec<u32> {
        let Some(run) = self.runs.get_mut(method_index) else {
            return Vec::new();
        };
        let n = self.prep.data.len();
        let rows: Vec<usize> = (first.min(n)..first.saturating_add(rows).min(n)).collect();
        let p = run.predict_rows(self.prep.data.x.view(), &rows);
        p.rows()
            .into_iter()
            .map(|r| argmax(r.as_slice().expect("contiguous")) as u32)
            .collect()
    }

    /// Bounds of the 2-D plot: (xmin, xmax, ymin, ymax) of the data itself with a 5% margin. Points
    /// added by hand lie inside them (clicked there), and leaving them out keeps any click on the
    /// plot within what [`crate::seed::points`] accepts.
    pub fn bounds(&self) -> [f32; 4] {
        let p = self.points.slice(ndarray::s![..self.prep.base_rows(), ..]);
        let (mut b, mut first) = ([0.0f32; 4], true);
        for r in p.rows() {
            if first {
                b = [r[0], r[0], r[1], r[1]];
                first = false;
            }
            b = [
                b[0].min(r[0]),
                b[1].max(r[0]),
                b[2].min(r[1]),
                b[3].max(r[1]),
            ];
        }
        let (dx, dy) = (
            (b[1] - b[0]).max(1e-3) * 0.05,
            (b[3] - b[2]).max(1e-3) * 0.05,
        );
        [b[0] - dx, b[1] + dx, b[2] - dy, b[3] + dy]
    }

    /// Class probabilities of student `method_index` on a `res x res` grid over [`bounds`], row-major
    /// from the top-left (y decreasing), `res * res * classes` values. None for data that is not 2-D.
    pub fn grid(&mut self, method_index: usize, res: usize) -> Option<Vec<f32>> {
        let res = res.clamp(2, 256);
        self.grid_rows(method_index, res, 0, res)
    }

    /// Rows `first..first + rows` of [`Session::grid`] (a front end draws a large network's grid a
    /// few rows at a time); the rows put together are the whole grid.
    pub fn grid_rows(
        &mut self,
        method_index: usize,
        res: usize,
        first: usize,
        rows: usize,
    ) -> Option<Vec<f32>> {
        if self.prep.data.dim() != 2 || method_index >= self.runs.len() {
            return None;
        }
        let res = res.clamp(2, 256);
        let end = (first + rows).min(res);
        let first = first.min(end);
        let [x0, x1, y0, y1] = self.bounds();
        let mut cells = Array2::zeros(((end - first) * res, 2));
        for gy in first..end {
            for gx in 0..res {
                let i = (gy - first) * res + gx;
                cells[[i, 0]] = x0 + (x1 - x0) * (gx as f32 + 0.5) / res as f32;
                cells[[i, 1]] = y1 - (y1 - y0) * (gy as f32 + 0.5) / res as f32;
            }
        }
        self.prep.standardizer.apply(&mut cells);
        Some(
            self.runs[method_index]
                .predict_proba(cells.view())
                .into_raw_vec_and_offset()
                .0,
        )
    }

    /// What the panels show that does not change while training.
    pub fn overview(&self) -> Overview {
        let p = &self.prep;
        let c = p.data.n_classes;
        let mut confusion = vec![vec![0u32; c]; c];
        for &i in &p.split.unlabeled {
            confusion[p.data.y[i]][p.teacher.labels[i]] += 1;
        }
        let alpha_curve = match &p.alpha_model {
            AlphaModel::Oracle => Vec::new(),
            model => (0..=100)
                .map(|i| {
                    let m = i as f32 / 100.0;
                    [m, model.at_margin(m as f64).unwrap_or(1.0) as f32]
                })
                .collect(),
        };
        let rug = p
            .split
            .validation
            .iter()
            .map(|&i| {
                (
                    p.teacher.margins[i] as f32,
                    p.teacher.labels[i] == p.data.y[i],
                )
            })
            .collect();
        let mut bins = vec![(0.0f32, 0u32, 0u32); 10];
        for &i in &p.split.validation {
            let conf = p.teacher.probs[[i, p.teacher.labels[i]]];
            let b = ((conf * 10.0) as usize).min(9);
            bins[b].0 += conf;
            bins[b].1 += (p.teacher.labels[i] == p.data.y[i]) as u32;
            bins[b].2 += 1;
        }
        let reliability = bins
            .into_iter()
            .map(|(s, right, n)| {
                if n == 0 {
                    (0.0, 0.0, 0)
                } else {
                    (s / n as f32, right as f32 / n as f32, n)
                }
            })
            .collect();
        Overview {
            dataset: p.data.name.clone(),
            class_names: p.data.class_names.clone(),
            dim: p.data.dim(),
            projected: p.data.dim() != 2,
            sizes: [
                p.split.labeled.len(),
                p.split.validation.len(),
                p.split.unlabeled.len(),
                p.split.test.len(),
            ],
            teacher_test_accuracy: p.teacher_test_accuracy,
            teacher_unlabeled_accuracy: p.teacher_unlabeled_accuracy,
            confusion,
            k: p.k,
            alpha_floor: p.alpha_floor,
            alpha_curve,
            rug,
            reliability,
            alpha_oracle_error: p.alpha_oracle_error(),
            methods: self.methods.iter().map(|m| m.name()).collect(),
            epochs: self.cfg.student.epochs,
            has_oracle: p.teacher.oracle_alpha.is_some(),
            data_warnings: p.data_warnings(),
        }
    }

    /// Which set each row is in: 0 = L, 1 = V, 2 = U, 3 = T.
    pub fn roles(&self) -> Vec<u8> {
        let s = &self.prep.split;
        let mut r = vec![0u8; self.prep.data.len()];
        for (role, rows) in [
            (0u8, &s.labeled),
            (1, &s.validation),
            (2, &s.unlabeled),
            (3, &s.test),
        ] {
            for &i in rows {
                r[i] = role;
            }
        }
        r
    }

    /// The teacher's confidence (top-1 probability) per row.
    pub fn teacher_confidence(&self) -> Vec<f32> {
        let t = &self.prep.teacher;
        (0..self.prep.data.len())
            .map(|i| t.probs[[i, t.labels[i]]])
            .collect()
    }
}

/// PCA of the rows standardised over all rows (not L only: a pixel that is constant on a small L would
/// otherwise get huge standardised values elsewhere and one outlier would fill the plot).
fn projection(raw: &Array2<f32>) -> Array2<f32> {
    let all: Vec<usize> = (0..raw.nrows()).collect();
    let scaled = crate::data::Standardizer::fit(raw.view(), &all).transform(raw.view());
    pca_2d(scaled.view())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::resolve;
    use serde_json::json;

    fn session(extra: serde_json::Value) -> Session {
        let mut over =
            json!({"samples": 600, "student": {"epochs": 3}, "methods": ["vanilla", "slam"]});
        crate::config::merge(&mut over, extra);
        let cfg = resolve(Some("flagship"), over).unwrap();
        let src = DataSource::Builtin(cfg.dataset.clone());
        Session::new(cfg, &src, &[]).unwrap()
    }

    #[test]
    fn stepping_by_batches_equals_the_batch_experiment() {
        let mut s = session(json!({}));
        while s.step(7) {}
        let r =
            crate::experiment::run_seed(&s.cfg, &DataSource::Builtin("moons".into()), s.cfg.seed)
                .unwrap();
        for ((_, hist), (_, want)) in s.histories().iter().zip(&r.methods) {
            assert_eq!(hist.len(), want.len());
            // The batch run measures U after its last epoch only; everything else is the same.
            for (e, (a, b)) in hist.iter().zip(want.iter()).enumerate() {
                assert_eq!(
                    (a.epoch, a.test_accuracy, a.train_loss),
                    (b.epoch, b.test_accuracy, b.train_loss),
                    "epoch {e}"
                );
                assert!(
                    a.teacher_wrong_accuracy.is_some(),
                    "the session measures U every epoch"
                );
            }
            assert_eq!(hist.last(), want.last());
        }
    }

    #[test]
    fn reset_replays_and_new_init_changes_the_run() {
        let mut s = session(json!({}));
        s.step_epoch();
        let first = s.histories()[0].1.to_vec();
        s.reset();
        assert_eq!(s.epoch(), 0);
        s.step_epoch();
        assert_eq!(s.histories()[0].1, first.as_slice());
        s.new_init();
        s.step_epoch();
        assert_ne!(s.histories()[0].1, first.as_slice());
    }

    #[test]
    fn grid_probabilities_are_distributions_and_match_predictions() {
        let mut s = session(json!({}));
        s.step_epoch();
        let g = s.grid(1, 16).unwrap();
        assert_eq!(g.len(), 16 * 16 * 2);
        for cell in g.chunks(2) {
            assert!((cell[0] + cell[1] - 1.0).abs() < 1e-5);
        }
        // Overview numbers agree with the split.
        let o = s.overview();
        let total: u32 = o.confusion.iter().flatten().sum();
        assert_eq!(total as usize, o.sizes[2]);
        assert_eq!(o.rug.len(), o.sizes[1]);
        assert_eq!(
            o.reliability.iter().map(|b| b.2).sum::<u32>() as usize,
            o.sizes[1]
        );
        assert!(
            o.alpha_curve.windows(2).all(|w| w[0][1] <= w[1][1] + 1e-6),
            "isotonic curve must not fall"
        );
    }

    #[test]
    fn added_points_join_the_labeled_set() {
        let cfg = resolve(
            Some("flagship"),
            json!({"samples": 600, "student": {"epochs": 1}}),
        )
        .unwrap();
        let src = DataSource::Builtin("moons".into());
        let extra = [ExtraPoint {
            x: vec![0.5, 0.25],
            label: 1,
        }];
        let s = Session::new(cfg.clone(), &src, &extra).unwrap();
        let last = s.prep.data.len() - 1;
        assert_eq!(s.roles()[last], 0);
        assert_eq!(s.prep.raw_x.row(last).to_vec(), vec![0.5, 0.25]);
        let bad = [ExtraPoint {
            x: vec![0.5],
            label: 1,
        }];
        let err = Session::new(cfg, &src, &bad).err().unwrap().to_string();
        assert!(err.contains("points[0].x"), "{err}");
    }

    #[test]
    fn an_added_point_changes_no_base_teacher_label() {
        let cfg = resolve(
            Some("flagship"),
            json!({"samples": 800, "student": {"epochs": 1}}),
        )
        .unwrap();
        let src = DataSource::Builtin("moons".into());
        let plain = Session::new(cfg.clone(), &src, &[]).unwrap();
        let extra = [
            ExtraPoint {
                x: vec![0.0, 0.9],
                label: 0,
            },
            ExtraPoint {
                x: vec![1.5, -0.4],
                label: 1,
            },
        ];
        let added = Session::new(cfg, &src, &extra).unwrap();
        let n = plain.prep.data.len();
        assert_eq!(added.prep.data.len(), n + 2);
        assert_eq!(
            added.prep.teacher.labels[..n],
            plain.prep.teacher.labels[..]
        );
        assert_eq!(
            added.prep.teacher.probs.slice(ndarray::s![..n, ..]),
            plain.prep.teacher.probs
        );
        assert_eq!(&added.prep.teacher.labels[n..], &[0, 1]);
        assert_eq!(
            added.prep.data.x.slice(ndarray::s![..n, ..]),
            plain.prep.data.x
        );
    }

    #[test]
    fn projection_is_not_dominated_by_outliers() {
        let cfg = resolve(
            Some("digits"),
            json!({"student": {"epochs": 1}, "teacher": {"epochs": 5}}),
        )
        .unwrap();
        let s = Session::new(cfg, &DataSource::Builtin("digits".into()), &[]).unwrap();
        let mut xs: Vec<f32> = s.points().column(0).to_vec();
        crate::order::sort_by(&mut xs, &f32::total_cmp);
        let n = xs.len();
        let (p1, p99, max) = (xs[n / 100], xs[n * 99 / 100], xs[n - 1].max(-xs[0]));
        // The bulk of the data spans most of the range: no single outlier stretches the axis tenfold.
        assert!(max < 3.0 * (p99 - p1), "p1 {p1} p99 {p99} max {max}");
    }

    #[test]
    fn high_dimensional_data_is_projected() {
        let cfg = resolve(
            Some("digits"),
            json!({"student": {"epochs": 1}, "teacher": {"epochs": 5}}),
        )
        .unwrap();
        let s = Session::new(cfg, &DataSource::Builtin("digits".into()), &[]).unwrap();
        assert!(s.overview().projected);
        assert_eq!(s.points().ncols(), 2);
        assert_eq!(s.points().nrows(), s.prep.data.len());
    }
}
