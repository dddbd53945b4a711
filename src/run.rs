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

/// One method's student during training.
#[derive(Debug)]
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
}

impl StudentRun {
    /// A student for `method` starting from `init`.
    pub fn new(prep: &PreparedSeed, cfg: &Checked, method: Method, init: &Mlp) -> StudentRun {
        let built = method.build(prep, cfg, init);
        let net = built.net.unwrap_or_else(|| init.clone());
        let optimizer = Optimizer::new(cfg.student.optimizer, cfg.student.lr, cfg.student.weight_decay, &net);
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
        }
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        self.epoch
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

    /// Train one minibatch; returns true when it completed an epoch (metrics then in `history`).
    pub fn step(&mut self, prep: &PreparedSeed, cfg: &Checked) -> bool {
        if self.cursor >= self.active.len() {
            self.start_epoch(prep);
        }
        let batch = cfg.student.batch_size;
        let end = (self.cursor + batch).min(self.active.len());
        let start = self.cursor;
        self.cursor = end;
        if end > start {
            let rows = &self.active[start..end];
            let loss = self.distiller.train_batch(&mut self.net, &mut self.optimizer, &mut self.inputs, prep, rows);
            self.loss_sum += loss as f64;
            self.loss_count += end - start;
        }
        if end == self.active.len() {
            self.epoch += 1;
            self.distiller.finish_epoch();
            let train_loss = (self.loss_sum / self.loss_count.max(1) as f64) as f32;
            let s = self.subclasses();
            let unlabeled = self.unlabeled_every_epoch || self.epoch >= cfg.student.epochs;
            let mut m = evaluate(&mut self.net, prep, s, unlabeled);
            m.epoch = self.epoch;
            m.train_loss = train_loss;
            // Losses clamp their logs, so a blown-up network can still report a finite loss: look
            // at the parameters themselves (once per epoch, cheap).
            let broken = !train_loss.is_finite()
                || self.net.weights.iter().any(|w| w.iter().any(|v| !v.is_finite()))
                || self.net.biases.iter().any(|b| b.iter().any(|v| !v.is_finite()));
            if broken && self.diverged_at.is_none() {
                self.diverged_at = Some(self.epoch);
            }
            self.history.push(m);
            return true;
        }
        false
    }

    /// A one-line warning when training diverged, naming the setting to change.
    pub fn warning(&self) -> Option<String> {
        self.diverged_at.map(|e| {
            format!("{}: training diverged in epoch {e} (the network's weights are no longer numbers); lower `student.lr`", self.method.name())
        })
    }

    /// A one-line warning when the student predicts one class for every test point although the data
    /// has several (typically dead ReLUs after too large a step).
    pub fn collapse_warning(&mut self, prep: &PreparedSeed) -> Option<String> {
        if self.epoch == 0 || prep.split.test.len() < 10 {
            return None;
        }
        let p = predict_rows(&mut self.net, prep.data.x.view(), &prep.split.test);
        let first = argmax(p.row(0).as_slice().expect("contiguous"));
        let all_same = p.rows().into_iter().all(|r| argmax(r.as_slice().expect("contiguous")) == first);
        let truth_varies = prep.split.test.iter().any(|&i| prep.data.y[i] != prep.data.y[prep.split.test[0]]);
        (all_same && truth_varies).then(|| {
            format!("{}: predicts one class for every test point (training collapsed); lower `student.lr`", self.method.name())
        })
    }

    /// Train until the current epoch completes.
    pub fn train_epoch(&mut self, prep: &PreparedSeed, cfg: &Checked) -> EpochMetrics {
        while !self.step(prep, cfg) {}
        *self.history.last().expect("an epoch just completed")
    }

    /// Shuffle the shared order, let the method look at its student, and take this epoch's rows.
    fn start_epoch(&mut self, prep: &PreparedSeed) {
        self.order_rng.shuffle(&mut self.order);
        self.cursor = 0;
        self.loss_sum = 0.0;
        self.loss_count = 0;
        self.distiller.start_epoch(&mut self.net, prep, self.epoch);
        self.active.clear();
        self.distiller.select(&self.order, &mut self.active);
    }
}

/// Test accuracy, and (when `unlabeled`) accuracy on the U points the teacher labels rightly and
/// wrongly, of a student whose output has `subclasses` units per class (summed per class). U is most
/// of the data: skipping it makes an epoch's evaluation about four times cheaper.
pub fn evaluate(net: &mut Mlp, prep: &PreparedSeed, subclasses: usize, unlabeled: bool) -> EpochMetrics {
    let hits = |net: &mut Mlp, rows: &[usize]| -> Vec<bool> {
        let p = fold_subclasses(predict_rows(net, prep.data.x.view(), rows), subclasses);
        rows.iter().zip(p.rows()).map(|(&i, r)| argmax(r.as_slice().expect("contiguous")) == prep.data.y[i]).collect()
    };
    let share = |v: &[bool]| if v.is_empty() { 0.0 } else { v.iter().filter(|&&b| b).count() as f32 / v.len() as f32 };
    let test = hits(net, &prep.split.test);
    let (mut right, mut wrong) = (None, None);
    if unlabeled {
        let (right_rows, wrong_rows): (Vec<usize>, Vec<usize>) =
            prep.split.unlabeled.iter().partition(|&&i| prep.teacher.labels[i] == prep.data.y[i]);
        right = Some(share(&hits(net, &right_rows)));
        wrong = Some(share(&hits(net, &wrong_rows)));
    }
    EpochMetrics { epoch: 0, test_accuracy: share(&test), teacher_right_accuracy: right, teacher_wrong_accuracy: wrong, train_loss: 0.0 }
}
