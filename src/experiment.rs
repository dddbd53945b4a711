//! Experiments: prepare one seed (data, split, teacher, alpha, k), train every method's student from
//! the same initial weights with the same batch order, and summarise over seeds.

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::config::{AlphaEstimator, Config, TeacherKind};
use crate::data::augment::Shifter;
use crate::data::{self, Dataset, GeneratorParams, Split, Standardizer};
use crate::estimators::{self, AlphaModel};
use crate::losses;
use crate::methods::{alm::Alm, l2t::L2t, lelp::Lelp, rad::Rad, ups::Ups, vid::Vid, Method};
use crate::model::mlp::argmax;
use crate::model::{Mlp, Optimizer};
use crate::rng::{Rng, Stream};
use crate::teacher::{self, build_teacher, TeacherInputs, TeacherOutput};
use crate::{Error, Result};

/// Where the rows come from: a built-in name, or a table already loaded (CSV upload).
#[derive(Clone, Debug)]
pub enum DataSource {
    /// A generator or built-in real dataset, by name.
    Builtin(String),
    /// A loaded table; each seed re-splits it.
    Table(Dataset),
    /// A large loaded pool (the MNIST subset); each seed draws `samples` rows of it.
    Pool(Dataset),
}

impl DataSource {
    /// Display name of the data.
    pub fn name(&self) -> &str {
        match self {
            DataSource::Builtin(n) => n,
            DataSource::Table(d) | DataSource::Pool(d) => &d.name,
        }
    }

    /// The dataset for one seed (generators draw fresh points per seed).
    pub fn load(&self, cfg: &Config, seed: u64) -> Result<Dataset> {
        match self {
            DataSource::Builtin(name) => {
                let params = GeneratorParams { samples: cfg.samples, noise: cfg.data_noise, classes: cfg.classes };
                data::load_builtin(name, &params, &mut Rng::new(seed, Stream::Data))
            }
            DataSource::Table(d) => Ok(d.clone()),
            DataSource::Pool(d) => {
                if cfg.samples >= d.len() {
                    return Ok(d.clone());
                }
                let mut rows = Rng::new(seed, Stream::Data).permutation(d.len());
                rows.truncate(cfg.samples);
                rows.sort_unstable();
                let mut sub = d.clone();
                sub.x = data::split::select_rows(&d.x, &rows);
                sub.y = rows.iter().map(|&i| d.y[i]).collect();
                Ok(sub)
            }
        }
    }
}

/// Everything about one seed that does not depend on the method.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The seed.
    pub seed: u64,
    /// The dataset with its features scaled as `standardize` asks (the network's inputs).
    pub data: Dataset,
    /// Raw (unscaled) features, for drawing and for image augmentation.
    pub raw_x: Array2<f32>,
    /// The scaling fitted on the features of L, V and U (maps raw features to the network's inputs).
    pub standardizer: Standardizer,
    /// Row indices of L, V, U and T.
    pub split: Split,
    /// The teacher's soft labels on every row.
    pub teacher: TeacherOutput,
    /// The fitted alpha(margin) model.
    pub alpha_model: AlphaModel,
    /// alpha per dataset row after the lower clamp (used on U).
    pub alpha: Vec<f32>,
    /// The lower clamp on alpha this seed used (`alpha_min`, or its `auto` value for this k).
    pub alpha_floor: f32,
    /// alpha per dataset row before the clamp.
    pub alpha_raw: Vec<f32>,
    /// Number of teacher top classes SLaM mixes over.
    pub k: usize,
    /// Teacher accuracy on T.
    pub teacher_test_accuracy: f32,
    /// Teacher accuracy on U.
    pub teacher_unlabeled_accuracy: f32,
    /// Training rows of the student: L first, then U.
    pub train_rows: Vec<usize>,
    /// Whether each dataset row is in L (trained on its true label).
    pub is_labeled: Vec<bool>,
    /// Top-k mask of the teacher's label per dataset row.
    pub top: Array2<f32>,
    /// One-hot of the teacher's argmax per dataset row.
    pub hard: Array2<f32>,
    /// What only some methods read, computed only when a configured method needs it.
    pub extras: TeacherExtras,
}

/// Teacher views that only some methods need (so runs of the core methods do not pay for them).
#[derive(Clone, Debug, Default)]
pub struct TeacherExtras {
    /// The trained teacher's last hidden layer for every row (VID, LELP).
    pub embedding: Option<Array2<f32>>,
    /// Per row and class, the standard deviation of the class probability over an ensemble of
    /// teachers (UPS).
    pub spread: Option<Array2<f32>>,
}

impl Prepared {
    /// Load, split, standardise, build the teacher and fit the estimators for `seed`.
    pub fn new(cfg: &Config, source: &DataSource, seed: u64) -> Result<Prepared> {
        Prepared::with_extra(cfg, source, seed, &[])
    }

    /// As [`Prepared::new`], with extra labeled points (raw features, class) added to L, as a learner
    /// does by clicking on the 2-D plot.
    pub fn with_extra(cfg: &Config, source: &DataSource, seed: u64, extra: &[ExtraPoint]) -> Result<Prepared> {
        let mut data = source.load(cfg, seed)?;
        let classes = data.n_classes;
        let mut split = data::split(&data.y, classes, cfg.labeled, cfg.validation, cfg.test_fraction, &mut Rng::new(seed, Stream::Split))?;
        if cfg.alpha_estimator == AlphaEstimator::Oracle && cfg.teacher.kind != TeacherKind::Synthetic {
            return Err(Error::config("alpha_estimator", "`oracle` needs a synthetic teacher (teacher.kind = \"synthetic\")"));
        }
        if data.image.is_none() {
            let not_image = |field: &str| Error::config(field, format!("shifts need image data (mnist, digits); {} is not an image dataset: set it to 0", data.name));
            if cfg.student.shift > 0 {
                return Err(not_image("student.shift"));
            }
            if cfg.teacher.shift > 0 && cfg.teacher.kind == TeacherKind::Trained {
                return Err(not_image("teacher.shift"));
            }
        }
        // The scaling is fitted on the base rows' features, and a synthetic teacher draws its noise on
        // the base rows only, so a point the learner adds changes nothing but that point's own label.
        let n_base = data.len();
        let observed: Vec<usize> = {
            let mut v: Vec<usize> = split.labeled.iter().chain(&split.validation).chain(&split.unlabeled).copied().collect();
            v.sort_unstable();
            v
        };
        let standardizer = Standardizer::for_mode(cfg.standardize, data.x.view(), data.image, &observed, &split.labeled);
        append_extra(&mut data, &mut split, extra)?;
        let raw_x = data.x.clone();
        standardizer.apply(&mut data.x);
        let inputs = |n: usize| TeacherInputs {
            x: data.x.slice(ndarray::s![..n, ..]),
            raw: raw_x.slice(ndarray::s![..n, ..]),
            scaler: &standardizer,
            image: data.image,
        };
        let teacher = if cfg.teacher.kind == TeacherKind::Synthetic && data.len() > n_base {
            let base_split = Split { labeled: split.labeled.iter().copied().filter(|&i| i < n_base).collect(), ..split.clone() };
            let mut t = build_teacher(&cfg.teacher, inputs(n_base), &data.y[..n_base], classes, &base_split, cfg.temperature, seed);
            extend_with_true_labels(&mut t, &data.y[n_base..], classes);
            t
        } else {
            build_teacher(&cfg.teacher, inputs(data.len()), &data.y, classes, &split, cfg.temperature, seed)
        };
        if teacher.probs.iter().any(|p| !p.is_finite()) {
            return Err(Error::config("teacher.lr", "the teacher's training diverged (its outputs are not numbers): lower it"));
        }
        let correct = |rows: &[usize]| rows.iter().filter(|&&i| teacher.labels[i] == data.y[i]).count() as f32 / rows.len().max(1) as f32;
        let teacher_test_accuracy = correct(&split.test);
        let teacher_unlabeled_accuracy = correct(&split.unlabeled);

        let val_margin: Vec<f64> = split.validation.iter().map(|&i| teacher.margins[i]).collect();
        let val_correct: Vec<f64> = split.validation.iter().map(|&i| (teacher.labels[i] == data.y[i]) as u8 as f64).collect();
        let alpha_model = AlphaModel::fit(cfg.alpha_estimator, &val_margin, &val_correct)?;
        let n = data.len();
        let alpha_raw: Vec<f32> = (0..n)
            .map(|i| match alpha_model.at_margin(teacher.margins[i]) {
                Some(a) => a as f32,
                None => teacher.oracle_alpha.as_ref().map_or(1.0, |o| o[i]),
            })
            .collect();

        let val_probs = data::split::select_rows(&teacher.probs, &split.validation);
        let val_labels: Vec<usize> = split.validation.iter().map(|&i| data.y[i]).collect();
        let k = estimators::estimate_k(val_probs.view(), &val_labels, cfg.k_coverage);
        let alpha_floor = cfg.alpha_min.resolve(cfg.normalize_k, k);
        let alpha: Vec<f32> = alpha_raw.iter().map(|&a| a.clamp(alpha_floor, 1.0)).collect();

        let mut top = Array2::zeros((n, classes));
        let mut hard = Array2::zeros((n, classes));
        for i in 0..n {
            let t = top.row_mut(i).into_slice().expect("contiguous");
            losses::top_k_mask(teacher.probs.row(i).as_slice().expect("contiguous"), k, t);
            hard[[i, teacher.labels[i]]] = 1.0;
        }
        let mut train_rows = split.labeled.clone();
        train_rows.extend(&split.unlabeled);
        let wants = |need: fn(Method) -> bool| cfg.methods.iter().any(|&m| need(m));
        let extras = TeacherExtras {
            embedding: if wants(Method::needs_teacher_embedding) {
                teacher.net.as_ref().and_then(|net| teacher::embedding(net, data.x.view()))
            } else {
                None
            },
            spread: if wants(Method::needs_ensemble) {
                let members = teacher::ensemble(&cfg.teacher, inputs(data.len()), &data.y, classes, &split, cfg.temperature, seed, cfg.ups.ensemble);
                crate::methods::ups::spread(&members)
            } else {
                None
            },
        };
        Ok(Prepared {
            extras,
            seed,
            standardizer,
            alpha_floor,
            is_labeled: {
                let mut m = vec![false; n];
                split.labeled.iter().for_each(|&i| m[i] = true);
                m
            },
            data,
            raw_x,
            split,
            teacher,
            alpha_model,
            alpha,
            alpha_raw,
            k,
            teacher_test_accuracy,
            teacher_unlabeled_accuracy,
            train_rows,
            top,
            hard,
        })
    }

    /// Layer sizes of the student.
    pub fn student_sizes(&self, cfg: &Config) -> Vec<usize> {
        let mut s = vec![self.data.dim()];
        s.extend(&cfg.student.hidden);
        s.push(self.data.n_classes);
        s
    }

    /// The shared initial student for this seed (every method starts from these weights).
    pub fn initial_student(&self, cfg: &Config) -> Mlp {
        Mlp::new(&self.student_sizes(cfg), cfg.student.batch_size, &mut Rng::new(self.seed, Stream::StudentInit))
    }

    /// Mean absolute difference between estimated (clamped) and true alpha on U, for a synthetic teacher.
    pub fn alpha_oracle_error(&self) -> Option<f32> {
        let o = self.teacher.oracle_alpha.as_ref()?;
        let u = &self.split.unlabeled;
        Some(u.iter().map(|&i| (self.alpha_raw[i] - o[i]).abs()).sum::<f32>() / u.len().max(1) as f32)
    }
}

/// A labeled point added by the user: raw features and class index.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, Serialize)]
pub struct ExtraPoint {
    /// Raw feature values (as many as the dataset has columns).
    pub x: Vec<f32>,
    /// Class index.
    pub label: usize,
}

/// Most points a user may add by hand.
pub const MAX_EXTRA_POINTS: usize = 1_000;

fn append_extra(data: &mut Dataset, split: &mut Split, extra: &[ExtraPoint]) -> Result<()> {
    if extra.is_empty() {
        return Ok(());
    }
    if extra.len() > MAX_EXTRA_POINTS {
        return Err(Error::config("points", format!("at most {MAX_EXTRA_POINTS} added points, got {}", extra.len())));
    }
    let d = data.dim();
    for (i, p) in extra.iter().enumerate() {
        if p.x.len() != d {
            return Err(Error::config(format!("points[{i}].x"), format!("needs {d} values, got {}", p.x.len())));
        }
        if p.x.iter().any(|v| !v.is_finite()) {
            return Err(Error::config(format!("points[{i}].x"), "must be finite numbers"));
        }
        if p.label >= data.n_classes {
            return Err(Error::config(format!("points[{i}].label"), format!("must be below {}, got {}", data.n_classes, p.label)));
        }
    }
    let n = data.len();
    let mut x = Array2::zeros((n + extra.len(), d));
    x.slice_mut(ndarray::s![..n, ..]).assign(&data.x);
    for (i, p) in extra.iter().enumerate() {
        for (j, &v) in p.x.iter().enumerate() {
            x[[n + i, j]] = v;
        }
        data.y.push(p.label);
        split.labeled.push(n + i);
    }
    data.x = x;
    Ok(())
}

/// Give hand-added rows a confident, correct teacher label (they are labeled points in L, so the
/// student trains on their true label anyway; this keeps the teacher's arrays one row per data row).
fn extend_with_true_labels(t: &mut TeacherOutput, labels: &[usize], classes: usize) {
    let n = t.probs.nrows();
    let mut probs = Array2::zeros((n + labels.len(), classes));
    probs.slice_mut(ndarray::s![..n, ..]).assign(&t.probs);
    let mut logits = Array2::zeros((n + labels.len(), classes));
    logits.slice_mut(ndarray::s![..n, ..]).assign(&t.logits);
    let rest = if classes > 1 { 0.005 / (classes - 1) as f32 } else { 0.0 };
    for (i, &c) in labels.iter().enumerate() {
        probs.row_mut(n + i).fill(rest);
        probs[[n + i, c]] = 0.995;
        let z = probs.row(n + i).mapv(|p| libm::logf(p.max(1e-30)));
        t.margins.push(teacher::margin_from_logits(z.as_slice().expect("contiguous")));
        logits.row_mut(n + i).assign(&z);
    }
    t.probs = probs;
    t.logits = logits;
    t.labels.extend_from_slice(labels);
    if let Some(o) = t.oracle_alpha.as_mut() {
        o.extend(std::iter::repeat_n(1.0, labels.len()));
    }
}

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

/// How a training batch reaches the network: the scaled rows as they are, or, with `student.shift`
/// on image data, each image moved by a fresh random shift (the same shifts for every method, which
/// visit the same rows in the same order). Every method's training forward pass goes through here.
#[derive(Clone, Debug)]
pub struct Inputs {
    shifter: Option<Shifter>,
}

impl Inputs {
    /// The inputs for a student of this seed.
    pub fn new(prep: &Prepared, cfg: &Config) -> Inputs {
        let shifter = match prep.data.image {
            Some(shape) if cfg.student.shift > 0 => Some(Shifter::new(shape, cfg.student.shift, Rng::new(prep.seed, Stream::Augment))),
            _ => None,
        };
        Inputs { shifter }
    }

    /// Plain rows, no augmentation.
    pub fn plain() -> Inputs {
        Inputs { shifter: None }
    }

    /// Forward pass of `net` on the training rows `rows`; returns the softmax outputs.
    pub fn forward<'n>(&mut self, net: &'n mut Mlp, prep: &Prepared, rows: &[usize]) -> &'n [f32] {
        match self.shifter.as_mut() {
            None => net.forward_rows(prep.data.x.view(), rows),
            Some(s) => net.forward_filled(rows.len(), |buf| s.fill(prep.raw_x.view(), &prep.standardizer, rows, buf)),
        }
    }
}

/// What a method of the wider family keeps beside the student (the core six need nothing).
#[derive(Clone, Debug)]
enum MethodState {
    Core,
    /// `labels_only`: its own stream for cycling through L.
    LabelsOnly(Box<Rng>),
    Ups(Box<Ups>),
    Vid(Box<Vid>),
    Alm(Box<Alm>),
    Rad(Box<Rad>),
    Lelp(Box<Lelp>),
    L2t(Box<L2t>),
}

/// One method's student during training.
#[derive(Clone, Debug)]
pub struct StudentRun {
    /// The method.
    pub method: Method,
    /// The student network. For LELP its output has `classes * lelp_subclasses` units; read class
    /// probabilities with [`StudentRun::predict_rows`].
    pub net: Mlp,
    optimizer: Optimizer,
    order_rng: Rng,
    /// The shared batch order (every method shuffles the same rows with the same stream).
    order: Vec<usize>,
    /// This epoch's rows: `order` filtered by the method's subset (UPS, RAD), else `order` itself.
    active: Vec<usize>,
    cursor: usize,
    epoch: usize,
    loss_sum: f64,
    loss_count: usize,
    /// Weighted distillation's per-row weight (dataset row index), 1 elsewhere.
    weights: Vec<f32>,
    /// Per dataset row, whether this method trains on its true label (L; and V for `vanilla_lv`).
    truth: Vec<bool>,
    inputs: Inputs,
    scratch_g: Vec<f32>,
    scratch_knn: Vec<(f32, usize)>,
    state: MethodState,
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
    pub fn new(prep: &Prepared, cfg: &Config, method: Method, init: &Mlp) -> StudentRun {
        let method_rng = || Rng::sub(prep.seed, Stream::Method, method.index());
        let mut net = init.clone();
        let state = match method {
            Method::Ups => MethodState::Ups(Box::new(Ups::new(prep, cfg))),
            Method::Vid => MethodState::Vid(Box::new(Vid::new(prep, cfg, &net))),
            Method::Alm => MethodState::Alm(Box::new(Alm::new(prep, cfg, &net, method_rng()))),
            Method::Rad | Method::RadRandom | Method::RadUncertainty => {
                let rule = crate::methods::rad::rule_of(method).expect("a selection method");
                MethodState::Rad(Box::new(Rad::new(prep, cfg, rule, method_rng())))
            }
            Method::Lelp => {
                let lelp = Lelp::new(prep, cfg);
                net = Lelp::initial_student(init, lelp.subclasses, cfg.student.batch_size, &mut method_rng());
                MethodState::Lelp(Box::new(lelp))
            }
            Method::L2t => MethodState::L2t(Box::new(L2t::new(prep, cfg, &net, method_rng()))),
            Method::LabelsOnly => MethodState::LabelsOnly(Box::new(method_rng())),
            _ => MethodState::Core,
        };
        let mut order = prep.train_rows.clone();
        let mut truth = prep.is_labeled.clone();
        if method.trains_on_validation_labels() && matches!(state, MethodState::Core) {
            order.extend(&prep.split.validation);
            prep.split.validation.iter().for_each(|&i| truth[i] = true);
        }
        let optimizer = Optimizer::new(cfg.student.optimizer, cfg.student.lr, cfg.student.weight_decay, &net);
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
            weights: vec![1.0; prep.data.len()],
            truth,
            inputs: Inputs::new(prep, cfg),
            scratch_g: vec![0.0; prep.data.n_classes],
            scratch_knn: Vec::new(),
            state,
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
        match &self.state {
            MethodState::Rad(r) => &r.queried,
            _ => &[],
        }
    }

    /// Method-specific numbers for the report (e.g. RAD's `queried_teacher_accuracy`).
    pub fn stats(&mut self, prep: &Prepared) -> Vec<(&'static str, f64)> {
        match &self.state {
            MethodState::Core | MethodState::LabelsOnly(_) => Vec::new(),
            MethodState::Ups(u) => u.stats(prep),
            MethodState::Vid(v) => v.stats(),
            MethodState::Alm(a) => a.stats(prep),
            MethodState::Rad(r) => r.stats(prep),
            MethodState::Lelp(l) => l.stats(prep),
            MethodState::L2t(l) => l.stats(prep, &mut self.net),
        }
    }

    /// Subclasses per class of the student's output (LELP), 1 otherwise.
    pub fn subclasses(&self) -> usize {
        match &self.state {
            MethodState::Lelp(l) => l.subclasses,
            _ => 1,
        }
    }

    /// Class probabilities of the student on the given rows of `x` (LELP's subclasses summed).
    pub fn predict_rows(&mut self, x: ArrayView2<f32>, rows: &[usize]) -> Array2<f32> {
        fold_subclasses(predict_rows(&mut self.net, x, rows), self.subclasses())
    }

    /// Class probabilities of the student on every row of `x` (LELP's subclasses summed).
    pub fn predict_proba(&mut self, x: ArrayView2<f32>) -> Array2<f32> {
        let s = self.subclasses();
        fold_subclasses(self.net.predict_proba(x), s)
    }

    /// The VID side model, for inspection.
    pub fn vid(&self) -> Option<&Vid> {
        match &self.state {
            MethodState::Vid(v) => Some(v),
            _ => None,
        }
    }

    /// The ALM weights, for inspection.
    pub fn alm(&self) -> Option<&Alm> {
        match &self.state {
            MethodState::Alm(a) => Some(a),
            _ => None,
        }
    }

    /// The L2T teacher, for inspection.
    pub fn l2t(&self) -> Option<&L2t> {
        match &self.state {
            MethodState::L2t(l) => Some(l),
            _ => None,
        }
    }

    /// The LELP targets, for inspection.
    pub fn lelp(&self) -> Option<&Lelp> {
        match &self.state {
            MethodState::Lelp(l) => Some(l),
            _ => None,
        }
    }

    /// The UPS selection, for inspection.
    pub fn ups(&self) -> Option<&Ups> {
        match &self.state {
            MethodState::Ups(u) => Some(u),
            _ => None,
        }
    }

    /// Train one minibatch; returns true when it completed an epoch (metrics then in `history`).
    pub fn step(&mut self, prep: &Prepared, cfg: &Config) -> bool {
        if self.cursor >= self.active.len() {
            self.start_epoch(prep);
        }
        let batch = cfg.student.batch_size;
        let end = (self.cursor + batch).min(self.active.len());
        let start = self.cursor;
        self.cursor = end;
        if end > start {
            let loss = self.train_batch(prep, cfg, start, end);
            self.loss_sum += loss as f64;
            self.loss_count += end - start;
        }
        if end == self.active.len() {
            self.epoch += 1;
            if let MethodState::Vid(v) = &mut self.state {
                v.finish_epoch();
            }
            let train_loss = (self.loss_sum / self.loss_count.max(1) as f64) as f32;
            let s = self.subclasses();
            let unlabeled = self.unlabeled_every_epoch || self.epoch >= cfg.student.epochs;
            let mut m = evaluate_with(&mut self.net, prep, s, unlabeled);
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
    pub fn collapse_warning(&mut self, prep: &Prepared) -> Option<String> {
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
    pub fn train_epoch(&mut self, prep: &Prepared, cfg: &Config) -> EpochMetrics {
        while !self.step(prep, cfg) {}
        *self.history.last().expect("an epoch just completed")
    }

    fn start_epoch(&mut self, prep: &Prepared) {
        self.order_rng.shuffle(&mut self.order);
        self.cursor = 0;
        self.loss_sum = 0.0;
        self.loss_count = 0;
        if self.method == Method::Weighted {
            self.update_weights(prep);
        }
        if let MethodState::Rad(rad) = &mut self.state {
            rad.start_epoch(&mut self.net, prep, self.epoch);
        }
        // Methods that train on a subset filter the shared order instead of drawing their own.
        let include = match &self.state {
            MethodState::Ups(u) => Some(u.include()),
            MethodState::Rad(r) => Some(r.include()),
            _ => None,
        };
        self.active.clear();
        match include {
            Some(mask) => self.active.extend(self.order.iter().copied().filter(|&r| mask[r])),
            None => self.active.extend_from_slice(&self.order),
        }
        // `labels_only` takes as many steps as the others, cycling through shuffled copies of L.
        if let MethodState::LabelsOnly(rng) = &mut self.state {
            let labeled = &prep.split.labeled;
            let len = self.active.len();
            self.active.clear();
            while self.active.len() < len && !labeled.is_empty() {
                let start = self.active.len();
                self.active.extend_from_slice(labeled);
                rng.shuffle(&mut self.active[start..]);
            }
            self.active.truncate(len);
        }
    }

    /// Re-estimate weighted distillation's weights from the current student.
    fn update_weights(&mut self, prep: &Prepared) {
        let plane = |net: &mut Mlp, rows: &[usize]| -> Vec<[f32; 2]> {
            let p = predict_rows(net, prep.data.x.view(), rows);
            rows.iter()
                .zip(p.rows())
                .map(|(&i, r)| {
                    let t = prep.teacher.probs.row(i);
                    [t[prep.teacher.labels[i]], r.iter().copied().fold(0.0, f32::max)]
                })
                .collect()
        };
        let v = &prep.split.validation;
        let u = &prep.split.unlabeled;
        let val_points = plane(&mut self.net, v);
        let val_correct: Vec<bool> = v.iter().map(|&i| prep.teacher.labels[i] == prep.data.y[i]).collect();
        let queries = plane(&mut self.net, u);
        let mut out = vec![0.0; u.len()];
        let k = estimators::weights::neighbour_count(v.len());
        estimators::knn_correct_weights(&val_points, &val_correct, &queries, k, &mut self.scratch_knn, &mut out);
        for (&i, w) in u.iter().zip(out) {
            self.weights[i] = w;
        }
    }

    fn train_batch(&mut self, prep: &Prepared, cfg: &Config, start: usize, end: usize) -> f32 {
        let rows = &self.active[start..end];
        let (net, opt, inputs) = (&mut self.net, &mut self.optimizer, &mut self.inputs);
        match &mut self.state {
            MethodState::Core | MethodState::LabelsOnly(_) => {}
            MethodState::Ups(ups) => {
                return train_rows_with(net, opt, inputs, prep, rows, |prep, row, f, g, scale| ups.loss_row(prep, row, f, g, scale))
            }
            MethodState::Vid(vid) => return vid.train_batch(net, opt, inputs, prep, rows),
            MethodState::Alm(alm) => return alm.train_batch(net, opt, inputs, prep, rows),
            MethodState::Rad(rad) => return rad.train_batch(net, opt, inputs, prep, rows),
            MethodState::Lelp(lelp) => return lelp.train_batch(net, opt, inputs, prep, rows),
            MethodState::L2t(l2t) => return l2t.train_batch(net, opt, inputs, prep, rows),
        }
        let c = prep.data.n_classes;
        let scale = 1.0 / rows.len() as f32;
        self.inputs.forward(&mut self.net, prep, rows);
        let (p, d) = self.net.probs_and_delta_mut();
        let mut total = 0.0;
        for (r, &row) in rows.iter().enumerate() {
            let f = &p[r * c..(r + 1) * c];
            let g = &mut d[r * c..(r + 1) * c];
            let labeled = self.truth[row];
            total += if labeled {
                losses::cross_entropy_label(f, prep.data.y[row], g, scale)
            } else {
                let soft = prep.teacher.probs.row(row);
                let soft = soft.as_slice().expect("contiguous");
                let label = prep.teacher.labels[row];
                let top = prep.top.row(row);
                let top = top.as_slice().expect("contiguous");
                match self.method {
                    Method::Vanilla | Method::VanillaLv => losses::cross_entropy(f, soft, g, scale),
                    Method::VanillaHard => losses::cross_entropy_label(f, label, g, scale),
                    Method::Slam => {
                        losses::slam(f, soft, prep.alpha[row], top, prep.k, cfg.normalize_k, &mut self.scratch_g, g, scale)
                    }
                    Method::SlamHard => {
                        let hard = prep.hard.row(row);
                        let hard = hard.as_slice().expect("contiguous");
                        losses::slam(f, hard, prep.alpha[row], top, prep.k, cfg.normalize_k, &mut self.scratch_g, g, scale)
                    }
                    Method::Weighted => {
                        let w = self.weights[row];
                        w * losses::cross_entropy(f, soft, g, scale * w)
                    }
                    Method::TaylorCe => losses::taylor_ce(f, label, cfg.taylor_order, &mut self.scratch_g, g, scale),
                    _ => unreachable!("the wider family returned above"),
                }
            };
        }
        self.net.backward();
        self.optimizer.step(&mut self.net);
        total
    }
}

/// Softmax outputs of `net` on the given rows of `x`.
pub fn predict_rows(net: &mut Mlp, x: ArrayView2<f32>, rows: &[usize]) -> Array2<f32> {
    let c = net.classes();
    let mut out = Array2::zeros((rows.len(), c));
    for (chunk_index, chunk) in rows.chunks(256).enumerate() {
        let p = net.forward_rows(x, chunk);
        let start = chunk_index * 256 * c;
        out.as_slice_mut().expect("contiguous")[start..start + p.len()].copy_from_slice(p);
    }
    out
}

/// Train one minibatch with a per-row loss `loss(prep, row, f, grad, scale)` and a plain step.
pub(crate) fn train_rows_with(
    net: &mut Mlp,
    optimizer: &mut Optimizer,
    inputs: &mut Inputs,
    prep: &Prepared,
    rows: &[usize],
    mut loss: impl FnMut(&Prepared, usize, &[f32], &mut [f32], f32) -> f32,
) -> f32 {
    let c = net.classes();
    let scale = 1.0 / rows.len() as f32;
    inputs.forward(net, prep, rows);
    let mut total = 0.0;
    let (p, d) = net.probs_and_delta_mut();
    for (r, &row) in rows.iter().enumerate() {
        total += loss(prep, row, &p[r * c..(r + 1) * c], &mut d[r * c..(r + 1) * c], scale);
    }
    net.backward();
    optimizer.step(net);
    total
}

/// Sum each class's `s` adjacent subclass columns (LELP); `s = 1` returns `p` unchanged.
pub fn fold_subclasses(p: Array2<f32>, s: usize) -> Array2<f32> {
    if s <= 1 {
        return p;
    }
    let classes = p.ncols() / s;
    let mut out = Array2::zeros((p.nrows(), classes));
    for (src, mut dst) in p.rows().into_iter().zip(out.rows_mut()) {
        crate::methods::lelp::fold(src.as_slice().expect("contiguous"), s, dst.as_slice_mut().expect("contiguous"));
    }
    out
}

/// Test accuracy and accuracy on U split by teacher right / wrong.
pub fn evaluate(net: &mut Mlp, prep: &Prepared) -> EpochMetrics {
    evaluate_with(net, prep, 1, true)
}

/// [`evaluate`] for a student whose output has `subclasses` units per class (summed per class);
/// the accuracies on U only when `unlabeled` (U is most of the data: skipping it makes an epoch's
/// evaluation about four times cheaper).
pub fn evaluate_with(net: &mut Mlp, prep: &Prepared, subclasses: usize, unlabeled: bool) -> EpochMetrics {
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
    EpochMetrics {
        epoch: 0,
        test_accuracy: share(&test),
        teacher_right_accuracy: right,
        teacher_wrong_accuracy: wrong,
        train_loss: 0.0,
    }
}

/// One seed's results: the teacher and every method's history.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// Teacher accuracy on T.
    pub teacher_accuracy: f32,
    /// Teacher accuracy on U.
    pub teacher_unlabeled_accuracy: f32,
    /// k chosen on V.
    pub k: usize,
    /// Mean, min and max of the clamped alpha over U.
    pub alpha_stats: (f32, f32, f32),
    /// The lower clamp on alpha used (`alpha_min`, or its `auto` value for this seed's k).
    pub alpha_floor: f32,
    /// Mean |estimated - true| alpha on U (synthetic teachers).
    pub alpha_oracle_error: Option<f32>,
    /// Split sizes (L, V, U, T).
    pub sizes: [usize; 4],
    /// Per method, the metrics after every epoch.
    pub methods: Vec<(Method, Vec<EpochMetrics>)>,
    /// Per method (same order), its own numbers after training, e.g. RAD's
    /// `queried_teacher_accuracy` or ALM's mean learned weights; empty for the core six.
    pub method_stats: Vec<Vec<(String, f64)>>,
    /// Per method (same order), the dataset rows the teacher was queried on (RAD and its baselines).
    pub queried: Vec<Vec<usize>>,
    /// Problems worth telling the user (e.g. a method whose training diverged).
    pub warnings: Vec<String>,
}

/// Prepare and train every configured method for one seed.
pub fn run_seed(cfg: &Config, source: &DataSource, seed: u64) -> Result<SeedResult> {
    run_seed_with(cfg, source, seed, &[])
}

/// As [`run_seed`], with hand-added labeled points joining L.
pub fn run_seed_with(cfg: &Config, source: &DataSource, seed: u64, extra: &[ExtraPoint]) -> Result<SeedResult> {
    let prep = Prepared::with_extra(cfg, source, seed, extra)?;
    let init = prep.initial_student(cfg);
    let mut methods = Vec::with_capacity(cfg.methods.len());
    let mut method_stats = Vec::with_capacity(cfg.methods.len());
    let mut queried = Vec::with_capacity(cfg.methods.len());
    let mut warnings = Vec::new();
    for &m in &cfg.methods {
        let mut run = StudentRun::new(&prep, cfg, m, &init);
        // The report shows U's accuracies after the last epoch only (its curves are test accuracy).
        run.unlabeled_every_epoch = false;
        for _ in 0..cfg.student.epochs {
            run.train_epoch(&prep, cfg);
        }
        warnings.extend(run.warning().or_else(|| run.collapse_warning(&prep)));
        method_stats.push(run.stats(&prep).into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        queried.push(run.queried().to_vec());
        methods.push((m, run.history));
    }
    let u = &prep.split.unlabeled;
    let (mut lo, mut hi, mut sum) = (f32::MAX, f32::MIN, 0.0f64);
    for &i in u {
        lo = lo.min(prep.alpha[i]);
        hi = hi.max(prep.alpha[i]);
        sum += prep.alpha[i] as f64;
    }
    Ok(SeedResult {
        seed,
        teacher_accuracy: prep.teacher_test_accuracy,
        teacher_unlabeled_accuracy: prep.teacher_unlabeled_accuracy,
        k: prep.k,
        alpha_stats: ((sum / u.len().max(1) as f64) as f32, lo, hi),
        alpha_floor: prep.alpha_floor,
        alpha_oracle_error: prep.alpha_oracle_error(),
        sizes: [prep.split.labeled.len(), prep.split.validation.len(), u.len(), prep.split.test.len()],
        methods,
        method_stats,
        queried,
        warnings,
    })
}

/// Run `seeds` seeds (config.seed, config.seed + 1, ...). Natively the seeds run on all cores; the
/// results do not depend on how many. `progress(done, total)` is called after each seed.
pub fn run_seeds(cfg: &Config, source: &DataSource, seeds: usize, progress: &mut dyn FnMut(usize, usize)) -> Result<Vec<SeedResult>> {
    cfg.check()?;
    if seeds == 0 || seeds > crate::config::caps::SEEDS {
        return Err(Error::config("seeds", format!("must be between 1 and {}, got {seeds}", crate::config::caps::SEEDS)));
    }
    let list: Vec<u64> = (0..seeds as u64).map(|i| cfg.seed.wrapping_add(i)).collect();
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(seeds);
        if threads > 1 {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let results: Vec<std::sync::Mutex<Option<Result<SeedResult>>>> = list.iter().map(|_| std::sync::Mutex::new(None)).collect();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    let tx = tx.clone();
                    let (next, results, list) = (&next, &results, &list);
                    s.spawn(move || loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if i >= list.len() {
                            break;
                        }
                        let r = run_seed(cfg, source, list[i]);
                        *results[i].lock().expect("no panics while holding the lock") = Some(r);
                        let _ = tx.send(());
                    });
                }
                drop(tx);
                for done in 1..=list.len() {
                    if rx.recv().is_err() {
                        break;
                    }
                    progress(done, list.len());
                }
            });
            return results.into_iter().map(|m| m.into_inner().expect("lock").expect("every seed ran")).collect();
        }
    }
    let mut out = Vec::with_capacity(list.len());
    for (done, &seed) in list.iter().enumerate() {
        out.push(run_seed(cfg, source, seed)?);
        progress(done + 1, list.len());
    }
    Ok(out)
}
