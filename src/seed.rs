//! One seed, prepared: the data drawn and split, the features scaled, the teacher built, and the
//! estimates of how far to trust it (alpha, k); everything that does not depend on the method. Also
//! how a training batch reaches the network (`Inputs`, with image shifts), and the points a learner
//! adds by hand ([`points`]).

mod export;
pub mod points;
mod prepare;
use prepare::{fits, given_teacher, observed_rows, synthetic_teacher};
mod source;

use ndarray::Array2;
use serde::Serialize;

use crate::config::{Checked, TeacherKind};
use crate::data::augment::Shifter;
use crate::data::{self, Dataset, Split, Standardizer};
use crate::estimators::{self, AlphaModel};
use crate::losses;
use crate::memory;
use crate::model::Mlp;
use crate::rng::{Rng, Stream};
use crate::teacher::{self, Labelling, TeacherInputs, TeacherOutput, TeacherTraining};
use crate::{Error, Result};

pub use crate::memory::Needs;
pub use points::{ExtraPoint, MAX_EXTRA_POINTS};
pub use source::DataSource;

/// Everything about one seed that does not depend on the method: the data, its split and scaling, the
/// teacher and the estimates of how far to trust it.
#[derive(Clone, Debug)]
pub struct PreparedSeed {
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
    /// Teacher accuracy on U (over its rows whose class is known).
    pub teacher_unlabeled_accuracy: f32,
    /// Teacher accuracy on V.
    pub teacher_validation_accuracy: f32,
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
    /// How many of the last rows of `data` a learner added by hand; the rows before them are the
    /// data itself.
    pub hand_added: usize,
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

impl PreparedSeed {
    /// Load, split, scale, build the teacher and fit the estimators for `seed`, with the teacher
    /// views in `needs`.
    pub fn new(
        cfg: &Checked,
        source: &DataSource,
        seed: u64,
        needs: Needs,
    ) -> Result<PreparedSeed> {
        PreparedSeed::with_extra(cfg, source, seed, &[], needs)
    }

    /// As [`PreparedSeed::new`], with extra labeled points (raw features, class) added to L, as a
    /// learner does by clicking on the 2-D plot.
    pub fn with_extra(
        cfg: &Checked,
        source: &DataSource,
        seed: u64,
        extra: &[ExtraPoint],
        needs: Needs,
    ) -> Result<PreparedSeed> {
        SeedBuilder::start(cfg, source, seed, extra, needs)?.finish()
    }

    /// Rows of the data itself: every row before the hand-added ones.
    pub fn base_rows(&self) -> usize {
        self.data.len() - self.hand_added
    }

    /// Layer sizes of the student.
    pub fn student_sizes(&self, cfg: &Checked) -> Vec<usize> {
        let mut s = vec![self.data.dim()];
        s.extend(&cfg.student.hidden);
        s.push(self.data.n_classes);
        s
    }

    /// The shared initial student for this seed (every method starts from these weights).
    pub fn initial_student(&self, cfg: &Checked) -> Mlp {
        Mlp::new(
            &self.student_sizes(cfg),
            cfg.student.batch_size,
            &mut Rng::new(self.seed, Stream::StudentInit),
        )
    }

    /// What reading the data changed (label spellings read as one class) and what about the data
    /// keeps any method from learning (too few rows per class, classes missing from L for a trained
    /// teacher), one sentence each, the latter naming the setting to change.
    pub fn data_warnings(&self) -> Vec<String> {
        let c = self.data.n_classes;
        let mut out = self.data.warnings.clone();
        let per_class = self.data.len() as f64 / c as f64;
        if per_class < 10.0 {
            out.push(format!(
                "only {per_class:.1} rows per class on average: too few to learn {c} classes, so expect test accuracy near chance ({:.0}%); use more rows or fewer classes",
                100.0 / c as f64
            ));
        }
        if self.teacher.net.is_some() {
            let mut seen = vec![false; c];
            self.split
                .labeled
                .iter()
                .for_each(|&i| seen[self.data.y[i]] = true);
            let missing = seen.iter().filter(|s| !**s).count();
            if missing > 0 {
                out.push(format!(
                    "{missing} of {c} classes have no row in L, so the trained teacher never sees them and never predicts them; raise `labeled` to at least {c}"
                ));
            }
        }
        out
    }

    /// Mean absolute difference between estimated (clamped) and true alpha on U, for a synthetic teacher.
    pub fn alpha_oracle_error(&self) -> Option<f32> {
        let o = self.teacher.oracle_alpha.as_ref()?;
        let u = &self.split.unlabeled;
        Some(
            u.iter()
                .map(|&i| (self.alpha_raw[i] - o[i]).abs())
                .sum::<f32>()
                / u.len().max(1) as f32,
        )
    }
}

/// One seed being prepared in steps a front end can interleave with other work: the data drawn,
/// split and scaled at once, then a trained teacher fitted a minibatch at a time and its labels
/// computed a block of rows at a time ([`advance`]), then everything that reads the teacher
/// ([`finish`]). The result is the same as in one go.
///
/// [`advance`]: SeedBuilder::advance
/// [`finish`]: SeedBuilder::finish
#[derive(Debug)]
pub struct SeedBuilder {
    cfg: Checked,
    seed: u64,
    needs: Needs,
    data: Dataset,
    raw_x: Array2<f32>,
    standardizer: Standardizer,
    split: Split,
    n_base: usize,
    teacher: TeacherWork,
}

/// Where a trained teacher is (a synthetic teacher is drawn, a given one read, in
/// [`SeedBuilder::finish`]).
#[derive(Debug)]
enum TeacherWork {
    Synthetic,
    Given,
    Training(Box<TeacherTraining>),
    Labelling(Box<Labelling>),
}

/// What a seed's preparation is doing, and how far it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BuildProgress {
    /// The stage under way.
    pub stage: BuildStage,
    /// Its units done (epochs, rows) ...
    pub done: usize,
    /// ... and in all.
    pub total: usize,
}

/// The stages of a seed's preparation that take long enough to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildStage {
    /// A trained teacher's epochs.
    TeacherEpochs,
    /// A trained teacher labelling every row.
    TeacherLabels,
    /// Nothing left but the quick rest of [`SeedBuilder::finish`].
    Ready,
}

impl SeedBuilder {
    /// Load, split and scale `seed`'s data, and set up its teacher.
    pub fn start(
        cfg: &Checked,
        source: &DataSource,
        seed: u64,
        extra: &[ExtraPoint],
        needs: Needs,
    ) -> Result<SeedBuilder> {
        let mut data = source.load(cfg, seed)?;
        let classes = data.n_classes;
        let mut split = data::split_known(
            &data.y,
            data.known.as_deref(),
            classes,
            cfg.labeled,
            cfg.validation,
            cfg.test_fraction,
            &mut Rng::new(seed, Stream::Split),
        )?;
        fits(cfg, &data)?;
        // The scaling is fitted on the base rows' features, and a synthetic teacher draws its noise on
        // the base rows only, so a point the learner adds changes nothing but that point's own label.
        let n_base = data.len();
        let observed = observed_rows(&split);
        let standardizer = Standardizer::for_mode(
            cfg.standardize,
            data.x.view(),
            data.image,
            &observed,
            &split.labeled,
        );
        points::append(&mut data, &mut split, extra)?;
        memory::check(cfg, &source.shape(&data, extra.len()), &needs)?;
        let raw_x = data.x.clone();
        standardizer.apply(&mut data.x);
        let teacher = if cfg.teacher.kind == TeacherKind::Given {
            TeacherWork::Given
        } else if cfg.teacher.kind == TeacherKind::Trained {
            let inputs = TeacherInputs {
                x: data.x.view(),
                raw: raw_x.view(),
                scaler: &standardizer,
                image: data.image,
            };
            TeacherWork::Training(Box::new(TeacherTraining::new(
                &cfg.teacher,
                inputs,
                classes,
                &split.labeled,
                seed,
            )))
        } else {
            TeacherWork::Synthetic
        };
        Ok(SeedBuilder {
            cfg: cfg.clone(),
            seed,
            needs,
            data,
            raw_x,
            standardizer,
            split,
            n_base,
            teacher,
        })
    }

    /// The stage under way and how far it is.
    pub fn progress(&self) -> BuildProgress {
        let (stage, (done, total)) = match &self.teacher {
            TeacherWork::Training(t) => (BuildStage::TeacherEpochs, t.progress()),
            TeacherWork::Labelling(l) if l.progress().0 < l.progress().1 => {
                (BuildStage::TeacherLabels, l.progress())
            }
            _ => (BuildStage::Ready, (0, 0)),
        };
        BuildProgress { stage, done, total }
    }

    /// Up to `units` more units of the teacher's work (minibatches of its training, then blocks of
    /// rows to label); true once only [`SeedBuilder::finish`]'s quick part is left.
    pub fn advance(&mut self, units: usize) -> bool {
        let units = units.max(1);
        match &mut self.teacher {
            TeacherWork::Synthetic | TeacherWork::Given => true,
            TeacherWork::Labelling(l) => l.advance(self.data.x.view(), units),
            TeacherWork::Training(t) => {
                let inputs = TeacherInputs {
                    x: self.data.x.view(),
                    raw: self.raw_x.view(),
                    scaler: &self.standardizer,
                    image: self.data.image,
                };
                if t.train(inputs, &self.data.y, units) {
                    if let TeacherWork::Training(t) =
                        std::mem::replace(&mut self.teacher, TeacherWork::Synthetic)
                    {
                        self.teacher = TeacherWork::Labelling(Box::new(Labelling::new(
                            t.finish(),
                            self.data.len(),
                            self.cfg.temperature,
                        )));
                    }
                }
                false
            }
        }
    }

    /// Everything that reads the teacher: its outputs, the estimates of how far to trust it, the
    /// views some methods need. Fits whatever the teacher still lacks first.
    pub fn finish(mut self) -> Result<PreparedSeed> {
        while !self.advance(usize::MAX) {}
        let SeedBuilder {
            cfg,
            seed,
            needs,
            data,
            raw_x,
            standardizer,
            split,
            n_base,
            teacher,
        } = self;
        let classes = data.n_classes;
        let teacher = match teacher {
            TeacherWork::Labelling(l) => (*l).finish(),
            TeacherWork::Training(_) => unreachable!("advance fits the teacher before it labels"),
            TeacherWork::Synthetic => synthetic_teacher(&cfg, &data, n_base, seed),
            TeacherWork::Given => given_teacher(&cfg, &data, n_base)?,
        };
        if teacher.probs.iter().any(|p| !p.is_finite()) {
            return Err(Error::config(
                "teacher.lr",
                "the teacher's training diverged (its outputs are not numbers): lower it",
            ));
        }
        let teacher_test_accuracy = share_right(&teacher, &data, &split.test);
        let teacher_unlabeled_accuracy = share_right(&teacher, &data, &split.unlabeled);
        let teacher_validation_accuracy = share_right(&teacher, &data, &split.validation);
        let trust = Trust::fit(&cfg, &teacher, &data.y, &split)?;
        let n = data.len();
        let (top, hard) = label_targets(&teacher, trust.k, classes);
        let mut train_rows = split.labeled.clone();
        train_rows.extend(&split.unlabeled);
        let inputs = TeacherInputs {
            x: data.x.view(),
            raw: raw_x.view(),
            scaler: &standardizer,
            image: data.image,
        };
        let extras = TeacherExtras::fit(&cfg, needs, &teacher, inputs, &data.y, &split, seed);
        let Trust {
            alpha_model,
            alpha_raw,
            k,
            alpha_floor,
            alpha,
        } = trust;
        Ok(PreparedSeed {
            hand_added: data.len() - n_base,
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
            teacher_validation_accuracy,
            train_rows,
            top,
            hard,
        })
    }
}

impl TeacherExtras {
    /// The views of the teacher that the run's methods need: its embedding (VID, LELP) and the
    /// spread of an ensemble's opinions (UPS).
    fn fit(
        cfg: &Checked,
        needs: Needs,
        teacher: &TeacherOutput,
        inputs: TeacherInputs,
        y: &[usize],
        split: &Split,
        seed: u64,
    ) -> TeacherExtras {
        TeacherExtras {
            embedding: if needs.embedding {
                teacher
                    .net
                    .as_ref()
                    .and_then(|net| teacher::embedding(net, inputs.x))
            } else {
                None
            },
            spread: if needs.ensemble {
                let members = teacher::ensemble(
                    &cfg.teacher,
                    inputs,
                    y,
                    teacher.probs.ncols(),
                    split,
                    cfg.temperature,
                    seed,
                    cfg.settings.usize("ups.ensemble"),
                );
                teacher::spread(&members)
            } else {
                None
            },
        }
    }
}

/// The share of `rows` whose teacher label is the true one, over the rows whose class is known.
fn share_right(teacher: &TeacherOutput, data: &Dataset, rows: &[usize]) -> f32 {
    let (mut right, mut known) = (0usize, 0usize);
    for &i in rows.iter().filter(|&&i| data.is_known(i)) {
        known += 1;
        right += (teacher.labels[i] == data.y[i]) as usize;
    }
    right as f32 / known.max(1) as f32
}

/// How far to trust the teacher, from the validation rows: alpha(x) before and after its floor, and k.
struct Trust {
    alpha_model: AlphaModel,
    alpha_raw: Vec<f32>,
    k: usize,
    alpha_floor: f32,
    alpha: Vec<f32>,
}

impl Trust {
    fn fit(cfg: &Checked, teacher: &TeacherOutput, y: &[usize], split: &Split) -> Result<Trust> {
        let val_margin: Vec<f64> = split
            .validation
            .iter()
            .map(|&i| teacher.margins[i])
            .collect();
        let val_correct: Vec<f64> = split
            .validation
            .iter()
            .map(|&i| (teacher.labels[i] == y[i]) as u8 as f64)
            .collect();
        let alpha_model = AlphaModel::fit(cfg.alpha_estimator, &val_margin, &val_correct)?;
        let alpha_raw: Vec<f32> = (0..y.len())
            .map(|i| match alpha_model.at_margin(teacher.margins[i]) {
                Some(a) => a as f32,
                None => teacher.oracle_alpha.as_ref().map_or(1.0, |o| o[i]),
            })
            .collect();
        let val_probs = data::split::select_rows(&teacher.probs, &split.validation);
        let val_labels: Vec<usize> = split.validation.iter().map(|&i| y[i]).collect();
        let k = estimators::estimate_k(val_probs.view(), &val_labels, cfg.k_coverage);
        let alpha_floor = cfg.alpha_min.resolve(cfg.normalize_k, k);
        let alpha = alpha_raw
            .iter()
            .map(|&a| a.clamp(alpha_floor, 1.0))
            .collect();
        Ok(Trust {
            alpha_model,
            alpha_raw,
            k,
            alpha_floor,
            alpha,
        })
    }
}

/// Per row: the mask of the teacher's top `k` classes, and its label one-hot.
fn label_targets(teacher: &TeacherOutput, k: usize, classes: usize) -> (Array2<f32>, Array2<f32>) {
    let n = teacher.labels.len();
    let mut top = Array2::zeros((n, classes));
    let mut hard = Array2::zeros((n, classes));
    for i in 0..n {
        let t = top.row_mut(i).into_slice().expect("contiguous");
        losses::top_k_mask(teacher.probs.row(i).as_slice().expect("contiguous"), k, t);
        hard[[i, teacher.labels[i]]] = 1.0;
    }
    (top, hard)
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
    pub fn new(prep: &PreparedSeed, cfg: &Checked) -> Inputs {
        let shifter = match prep.data.image {
            Some(shape) if cfg.student.shift > 0 => Some(Shifter::new(
                shape,
                cfg.student.shift,
                Rng::new(prep.seed, Stream::Augment),
            )),
            _ => None,
        };
        Inputs { shifter }
    }

    /// Plain rows, no augmentation.
    pub fn plain() -> Inputs {
        Inputs { shifter: None }
    }

    /// Forward pass of `net` on the training rows `rows`; returns the softmax outputs.
    pub fn forward<'n>(
        &mut self,
        net: &'n mut Mlp,
        prep: &PreparedSeed,
        rows: &[usize],
    ) -> &'n [f32] {
        match self.shifter.as_mut() {
            None => net.forward_rows(prep.data.x.view(), rows),
            Some(s) => net.forward_filled(rows.len(), |buf| {
                s.fill(prep.raw_x.view(), &prep.standardizer, rows, buf)
            }),
        }
    }
}
