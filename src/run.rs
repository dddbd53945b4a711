//! One method's student during training: the shared batch order, the epochs, the optimiser step,
//! evaluation after each epoch, and what went wrong (divergence, collapse). What the method itself
//! does lives in its [`Distiller`].

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::config::Checked;
use crate::methods::{Distiller, Method};
use crate::model::mlp::argmax;
use crate::model::{fold_subclasses, predict_rows, Mlp, Optimizer};
use crate::rng::{Rng, Stream};
use crate::seed::{Inputs, PreparedSeed};

/// Metrics after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct EpochMetrics {
    /// Epochs completed.
    pub epoch: usize,
    /// Accuracy on T.
    pub test_accuracy: f32,
    /// Accuracy (against the truth) on the U points the teacher labels correctly. `None` for the
    /// epochs of a batch run before the last (see [`StudentRun::unlabeled_every_epoch`]).
    pub teacher_right_accuracy: Option<f32>,
    /// Accuracy (against the truth) on the U points the teacher labels wrongly: how much the student
    /// avoided memorising the teacher's mistakes. `None` as above.
    pub teacher_wrong_accuracy: Option<f32>,
    /// Mean training loss over the epoch.
    pub train_loss: f32,
}

impl EpochMetrics {
    /// Read from a JSON value (see [`crate::decode`]).
    pub fn decode(v: &serde_json::Value, path: &str) -> crate::decode::Decoded<EpochMetrics> {
        use crate::decode::{self as d, Shape};
        const SHAPE: Shape = Shape {
            expected: "struct EpochMetrics",
            names: &[
                "epoch",
                "test_accuracy",
                "teacher_right_accuracy",
                "teacher_wrong_accuracy",
                "train_loss",
            ],
            deny_unknown: false,
            defaults: false,
            optional: &[2, 3],
        };
        let mut m = EpochMetrics {
            epoch: 0,
            test_accuracy: 0.0,
            teacher_right_accuracy: None,
            teacher_wrong_accuracy: None,
            train_loss: 0.0,
        };
        d::fields(v, path, &SHAPE, &mut |i, v, p| {
            match i {
                0 => m.epoch = d::usize_(v, p)?,
                1 => m.test_accuracy = d::f32_(v, p)?,
                2 => m.teacher_right_accuracy = d::option(v, p, d::f32_)?,
                3 => m.teacher_wrong_accuracy = d::option(v, p, d::f32_)?,
                _ => m.train_loss = d::f32_(v, p)?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// One method's student during training.
pub struct StudentRun {
    /// The method.
    pub method: Method,
    /// The student network. For LELP its output has `classes * lelp_subclasses` units; read class
    /// probabilities with [`StudentRun::predict_rows`].
    pub net: Mlp,
    optimizer: Optimizer,
    order_rng: Rng,
    /// The shared batch order (every method shuffles its training rows with the same stream).
    order: Vec<usize>,
    /// This epoch's rows: `order` as the method selects it (all of it, a subset, or L repeated).
    active: Vec<usize>,
    cursor: usize,
    epoch: usize,
    loss_sum: f64,
    loss_count: usize,
    inputs: Inputs,
    distiller: Box<dyn Distiller>,
    /// Metrics after each completed epoch.
    pub history: Vec<EpochMetrics>,
    /// The first epoch whose training loss was not finite (the learning rate is too large).
    pub diverged_at: Option<usize>,
    /// Whether every epoch measures accuracy on U (the page's curves need it); when false only the
    /// last configured epoch does, which is all a batch run reports.
    pub unlabeled_every_epoch: bool,
    /// The evaluation that ends the current epoch, while it is under way.
    evaluating: Option<Evaluation>,
    /// The student's probabilities the method reads at the start of the next epoch, while they are
    /// being predicted.
    predicting: Option<Prediction>,
    /// Minibatches trained so far.
    batches: usize,
    /// Whether the last evaluation found one class predicted for every test point (while the truth
    /// has several).
    collapsed: bool,
}

impl std::fmt::Debug for StudentRun {
    /// Its method and progress (a distiller's state is not written out: the trait does not ask
    /// for `Debug`, which would put every method's formatter in the .wasm).
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("StudentRun")
            .field("method", &self.method.name())
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl StudentRun {
    /// A student for `method` starting from `init`.
    pub fn new(prep: &PreparedSeed, cfg: &Checked, method: Method, init: &Mlp) -> StudentRun {
        let built = method.build(prep, cfg, init);
        let net = built.net.unwrap_or_else(|| init.clone());
        let optimizer = Optimizer::new(
            cfg.student.optimizer,
            cfg.student.lr,
            cfg.student.weight_decay,
            &net,
        );
        let order = built.distiller.training_rows(prep);
        StudentRun {
            method,
            optimizer,
            net,
            // The same stream for every method: identical batch order.
            order_rng: Rng::new(prep.seed, Stream::BatchOrder),
            active: Vec::with_capacity(order.len()),
            order,
            cursor: usize::MAX,
            epoch: 0,
            loss_sum: 0.0,
            loss_count: 0,
            inputs: Inputs::new(prep, cfg),
            distiller: built.distiller,
            history: Vec::new(),
            diverged_at: None,
            unlabeled_every_epoch: true,
            evaluating: None,
            predicting: None,
            batches: 0,
            collapsed: false,
        }
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Whether the student has trained past its last completed epoch: a minibatch of the next one
    /// is trained, or the evaluation that ends it is under way.
    pub fn mid_epoch(&self) -> bool {
        self.evaluating.is_some() || (self.cursor > 0 && self.cursor < self.active.len())
    }

    /// Dataset rows the teacher was asked to label, in query order (RAD and its baselines; empty
    /// for every other method, which sees the teacher's labels on all of U).
    pub fn queried(&self) -> &[usize] {
        self.distiller.queried()
    }

    /// Method-specific numbers for the report (e.g. RAD's `queried_teacher_accuracy`).
    pub fn stats(&mut self, prep: &PreparedSeed) -> Vec<(&'static str, f64)> {
        self.distiller.stats(prep, &mut self.net)
    }

    /// Subclasses per class of the student's output (LELP), 1 otherwise.
    pub fn subclasses(&self) -> usize {
        self.distiller.subclasses()
    }

    /// The method's own state as its type `T` (e.g. `methods::alm::Alm`), for inspection.
    pub fn state<T: 'static>(&self) -> Option<&T> {
        self.distiller.as_any().downcast_ref::<T>()
    }

    /// Class probabilities of the student on the given rows of `x` (LELP's subclasses summed).
    pub fn predict_rows(&mut self, x: ArrayView2<f32>, rows: &[usize]) -> Array2<f32> {
        let s = self.subclasses();
        fold_subclasses(predict_rows(&mut self.net, x, rows), s)
    }

    /// Class probabilities of the student on every row of `x` (LELP's subclasses summed).
    pub fn predict_proba(&mut self, x: ArrayView2<f32>) -> Array2<f32> {
        let s = self.subclasses();
        fold_subclasses(self.net.predict_proba(x), s)
    }

    /// Train one minibatch (and the evaluation that follows it when it ends an epoch, or finish an
    /// evaluation under way); returns true when it completed an epoch (metrics then in `history`).
    pub fn step(&mut self, prep: &PreparedSeed, cfg: &Checked) -> bool {
        loop {
            let batches = self.batches;
            if self.work(prep, cfg) {
                return true;
            }
            if self.batches > batches && self.evaluating.is_none() {
                return false;
            }
        }
    }

    /// One unit of work, the smallest a front end can interleave with others: a minibatch, a block
    /// of the predictions a method reads at the start of an epoch, or a block of the evaluation that
    /// ends an epoch. Returns true when it completed an epoch. Any sequence of units trains exactly
    /// as [`StudentRun::step`] does.
    pub fn work(&mut self, prep: &PreparedSeed, cfg: &Checked) -> bool {
        if let Some(ev) = self.evaluating.as_mut() {
            let s = self.distiller.subclasses();
            if !ev.advance(&mut self.net, prep, s) {
                return false;
            }
            let ev = self.evaluating.take().expect("under way");
            self.end_epoch(prep, ev);
            return true;
        }
        if self.batch_ready(prep) {
            self.train_next_batch(prep, cfg);
        }
        false
    }

    /// Whether a minibatch is next; if not, does one unit towards it (a block of the predictions
    /// the method reads at the start of an epoch; once they are in, the epoch starts).
    fn batch_ready(&mut self, prep: &PreparedSeed) -> bool {
        if self.cursor < self.active.len() {
            return true;
        }
        let epoch = self.epoch;
        let p = self.predicting.get_or_insert_with(|| {
            Prediction::new(
                self.distiller.rows_to_predict(prep, epoch),
                self.net.classes(),
            )
        });
        if !p.advance(&mut self.net, prep) {
            return false;
        }
        let p = self.predicting.take().expect("under way");
        self.start_epoch(prep, p.out.view());
        true
    }

    /// Trains the next minibatch of the epoch under way; the last one starts the evaluation.
    /// Where the next minibatch of the epoch under way ends in `active`.
    fn next_batch_end(&self, cfg: &Checked) -> usize {
        (self.cursor + cfg.student.batch_size).min(self.active.len())
    }

    fn train_next_batch(&mut self, prep: &PreparedSeed, cfg: &Checked) {
        let end = self.next_batch_end(cfg);
        let start = self.cursor;
        self.cursor = end;
        if end > start {
            let rows = &self.active[start..end];
            let loss = self.distiller.train_batch(
                &mut self.net,
                &mut self.optimizer,
                &mut self.inputs,
                prep,
                rows,
            );
            self.loss_sum += loss as f64;
            self.loss_count += end - start;
            self.batches += 1;
        }
        if end == self.active.len() {
            self.distiller.finish_epoch();
            let unlabeled = self.unlabeled_every_epoch || self.epoch + 1 >= cfg.student.epochs;
            self.evaluating = Some(Evaluation::new(prep, unlabeled));
        }
    }

    /// Does the units [`StudentRun::work`] would do before the next minibatch (an evaluation under
    /// way, the predictions and start of an epoch), so that a minibatch is next; None once the
    /// configured epochs are done.
    pub fn prepare_next_batch(&mut self, prep: &PreparedSeed, cfg: &Checked) -> Option<()> {
        loop {
            if self.evaluating.is_some() {
                self.work(prep, cfg);
                continue;
            }
            if self.epoch >= cfg.student.epochs {
                return None;
            }
            if self.batch_ready(prep) {
                return Some(());
            }
        }
    }

    /// Takes the next minibatch apart: brings the run to where a minibatch is next (the units
    /// [`StudentRun::work`] would do first), then trains it as `work` would, recording what the
    /// step saw. None once the configured epochs are done.
    pub fn explain_next_batch(
        &mut self,
        prep: &PreparedSeed,
        cfg: &Checked,
    ) -> Option<BatchRecord> {
        self.prepare_next_batch(prep, cfg)?;
        let end = self.next_batch_end(cfg);
        let rows = self.active[self.cursor..end].to_vec();
        let batch = self.cursor / cfg.student.batch_size.max(1);
        let epoch = self.epoch;
        let before = self.predict_rows(prep.data.x.view(), &rows);
        let ((), trace) = crate::model::traced(|| self.train_next_batch(prep, cfg));
        Some(BatchRecord {
            epoch,
            batch,
            rows,
            before,
            trace,
        })
    }

    /// What the method trains a row towards, as class probabilities: its own target (the teacher's
    /// soft or hard label, or the true label for a row of L).
    pub fn target_of(&self, prep: &PreparedSeed, row: usize) -> Vec<f32> {
        let mut out = vec![0.0; prep.data.n_classes];
        self.distiller.target(prep, row, &mut out);
        out
    }

    /// What the method's loss compares with the target in place of the student's probabilities
    /// `f` (SLaM's mix(f)); None when it compares `f` itself.
    pub fn compared_of(&self, prep: &PreparedSeed, row: usize, f: &[f32]) -> Option<Vec<f32>> {
        let mut out = vec![0.0; f.len()];
        self.distiller
            .compared(prep, row, f, &mut out)
            .then_some(out)
    }

    /// Record the epoch the evaluation `ev` closed.
    fn end_epoch(&mut self, prep: &PreparedSeed, ev: Evaluation) {
        self.epoch += 1;
        let train_loss = (self.loss_sum / self.loss_count.max(1) as f64) as f32;
        self.collapsed = ev.collapsed(prep);
        let mut m = ev.metrics();
        m.epoch = self.epoch;
        m.train_loss = train_loss;
        // Losses clamp their logs, so a blown-up network can still report a finite loss: look
        // at the parameters themselves (once per epoch, cheap).
        let broken = !train_loss.is_finite()
            || self
                .net
                .weights
                .iter()
                .any(|w| w.iter().any(|v| !v.is_finite()))
            || self
                .net
                .biases
                .iter()
                .any(|b| b.iter().any(|v| !v.is_finite()));
        if broken && self.diverged_at.is_none() {
            self.diverged_at = Some(self.epoch);
        }
        self.history.push(m);
    }

    /// A one-line warning when training diverged, naming the setting to change.
    pub fn warning(&self) -> Option<String> {
        self.diverged_at.map(|e| {
            format!("{}: training diverged in epoch {e} (the network's weights are no longer numbers); lower `student.lr`", self.method.name())
        })
    }

    /// A one-line warning when the student predicted one class for every test point at the last
    /// evaluation although the data has several (typically dead ReLUs after too large a step).
    pub fn collapse_warning(&self) -> Option<String> {
        (self.epoch > 0 && self.collapsed).then(|| {
            format!("{}: predicts one class for every test point (training collapsed); lower `student.lr`", self.method.name())
        })
    }

    /// Minibatches trained so far.
    pub fn minibatches(&self) -> usize {
        self.batches
    }

    /// Train until the current epoch completes.
    pub fn train_epoch(&mut self, prep: &PreparedSeed, cfg: &Checked) -> EpochMetrics {
        while !self.step(prep, cfg) {}
        *self.history.last().expect("an epoch just completed")
    }

    /// Shuffle the shared order, let the method look at its student, and take this epoch's rows.
    fn start_epoch(&mut self, prep: &PreparedSeed, predicted: ArrayView2<f32>) {
        self.order_rng.shuffle(&mut self.order);
        self.cursor = 0;
        self.loss_sum = 0.0;
        self.loss_count = 0;
        self.distiller
            .start_epoch(&mut self.net, prep, self.epoch, predicted);
        self.active.clear();
        self.distiller.select(&self.order, &mut self.active);
    }
}

/// One minibatch as [`StudentRun::explain_next_batch`] took it.
#[derive(Clone, Debug)]
pub struct BatchRecord {
    /// The epoch it belongs to (0 for the first) and its index in that epoch.
    pub epoch: usize,
    pub batch: usize,
    /// Its dataset rows.
    pub rows: Vec<usize>,
    /// The student's class probabilities on them before the step (`rows x classes`).
    pub before: Array2<f32>,
    /// What the shared minibatch step recorded (each row's probabilities as trained, loss and
    /// output gradient); None for the methods with a step of their own (ALM, L2T, VID).
    pub trace: Option<crate::model::StepTrace>,
}

/// Rows one block of an evaluation predicts (the blocks [`predict_rows`] uses).
const EVAL_BLOCK: usize = crate::model::BLOCK;

/// The student's probabilities on the rows a method reads at the start of an epoch, a block of
/// [`EVAL_BLOCK`] rows at a time (the blocks of [`predict_rows`], so the numbers are the same).
#[derive(Debug)]
struct Prediction {
    rows: Vec<usize>,
    out: Array2<f32>,
    pos: usize,
}

impl Prediction {
    fn new(rows: Vec<usize>, classes: usize) -> Prediction {
        let out = Array2::zeros((rows.len(), classes));
        Prediction { rows, out, pos: 0 }
    }

    /// Predicts the next block; true once every row is predicted (at once when there are none).
    fn advance(&mut self, net: &mut Mlp, prep: &PreparedSeed) -> bool {
        if self.pos >= self.rows.len() {
            return true;
        }
        let end = (self.pos + EVAL_BLOCK).min(self.rows.len());
        let p = net.forward_rows(prep.data.x.view(), &self.rows[self.pos..end]);
        let c = self.out.ncols();
        self.out.as_slice_mut().expect("contiguous")[self.pos * c..end * c].copy_from_slice(p);
        self.pos = end;
        false
    }
}

/// An epoch's evaluation, a block of rows at a time: test accuracy, and (when `unlabeled`) accuracy
/// on the U points the teacher labels rightly and wrongly, of a student whose output has
/// `subclasses` units per class (summed per class). U is most of the data: skipping it makes an
/// epoch's evaluation about four times cheaper.
#[derive(Debug)]
struct Evaluation {
    /// Test rows, then U's rows the teacher labels rightly, then wrongly (empty unless `unlabeled`).
    groups: [Vec<usize>; 3],
    hits: [usize; 3],
    unlabeled: bool,
    group: usize,
    pos: usize,
    /// The class predicted for the first test row, and whether every test row got it.
    first_class: Option<usize>,
    one_class: bool,
}

impl Evaluation {
    fn new(prep: &PreparedSeed, unlabeled: bool) -> Evaluation {
        let (right, wrong) = if unlabeled {
            prep.split
                .unlabeled
                .iter()
                .filter(|&&i| prep.data.is_known(i))
                .partition(|&&i| prep.teacher.labels[i] == prep.data.y[i])
        } else {
            (Vec::new(), Vec::new())
        };
        Evaluation {
            groups: [prep.split.test.clone(), right, wrong],
            hits: [0; 3],
            unlabeled,
            group: 0,
            pos: 0,
            first_class: None,
            one_class: true,
        }
    }

    /// Predict the next block; true once every row is predicted.
    fn advance(&mut self, net: &mut Mlp, prep: &PreparedSeed, subclasses: usize) -> bool {
        while self.group < 3 && self.pos >= self.groups[self.group].len() {
            self.group += 1;
            self.pos = 0;
        }
        if self.group >= 3 {
            return true;
        }
        let rows = &self.groups[self.group];
        let block = &rows[self.pos..(self.pos + EVAL_BLOCK).min(rows.len())];
        let p = fold_subclasses(predict_rows(net, prep.data.x.view(), block), subclasses);
        for (&i, r) in block.iter().zip(p.rows()) {
            let c = argmax(r.as_slice().expect("contiguous"));
            self.hits[self.group] += (c == prep.data.y[i]) as usize;
            if self.group == 0 {
                let first = *self.first_class.get_or_insert(c);
                self.one_class &= c == first;
            }
        }
        self.pos += block.len();
        let rest_empty = self.groups[self.group + 1..].iter().all(Vec::is_empty);
        self.pos >= rows.len() && rest_empty
    }

    fn metrics(&self) -> EpochMetrics {
        let share = |g: usize| {
            if self.groups[g].is_empty() {
                0.0
            } else {
                self.hits[g] as f32 / self.groups[g].len() as f32
            }
        };
        let (right, wrong) = if self.unlabeled {
            (Some(share(1)), Some(share(2)))
        } else {
            (None, None)
        };
        EpochMetrics {
            epoch: 0,
            test_accuracy: share(0),
            teacher_right_accuracy: right,
            teacher_wrong_accuracy: wrong,
            train_loss: 0.0,
        }
    }

    /// One class for every test point although the truth varies (and there are enough to tell).
    fn collapsed(&self, prep: &PreparedSeed) -> bool {
        let test = &self.groups[0];
        let truth_varies = test.iter().any(|&i| prep.data.y[i] != prep.data.y[test[0]]);
        test.len() >= 10 && self.one_class && truth_varies
    }
}
