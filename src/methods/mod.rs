//! The distillation methods the engine trains side by side: one [`Distiller`] type per method, each
//! in its own file, and their names everywhere (CLI, JSON, page, `data-testid`). The look-ahead and
//! per-example gradient products that ALM and L2T share live in [`meta`].

pub mod alm;
pub mod l2t;
pub mod labels_only;
pub mod lelp;
pub mod meta;
pub mod rad;
pub mod slam;
pub mod taylor;
pub mod ups;
pub mod vanilla;
pub mod vanilla_lv;
pub mod vid;
pub mod weighted;

use std::any::Any;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::losses;
use crate::model::{Mlp, Optimizer};
use crate::rng::{Rng, Stream};
use crate::seed::{Inputs, PreparedSeed};

/// What a distillation method does beside the shared training loop (the batch order, the epoch
/// count, evaluation and the optimiser step belong to the student run).
pub trait Distiller: std::fmt::Debug + Send {
    /// The dataset rows the method trains on, in the order the shared shuffle permutes: L then U.
    fn training_rows(&self, seed: &PreparedSeed) -> Vec<usize> {
        seed.train_rows.clone()
    }

    /// Called at the start of every epoch with the current student (re-estimate weights, query the
    /// teacher, ...).
    fn start_epoch(&mut self, _net: &mut Mlp, _seed: &PreparedSeed, _epoch: usize) {}

    /// This epoch's rows from the shared shuffled `order` (appended to the empty `active`): all of
    /// them unless the method trains on a subset.
    fn select(&mut self, order: &[usize], active: &mut Vec<usize>) {
        active.extend_from_slice(order);
    }

    /// Train one minibatch of `rows`, their inputs through `inputs`; returns the summed loss.
    fn train_batch(&mut self, net: &mut Mlp, optimizer: &mut Optimizer, inputs: &mut Inputs, seed: &PreparedSeed, rows: &[usize]) -> f32;

    /// Called when an epoch completes.
    fn finish_epoch(&mut self) {}

    /// The method's own numbers for the report (e.g. RAD's `queried_teacher_accuracy`).
    fn stats(&self, _seed: &PreparedSeed, _net: &mut Mlp) -> Vec<(&'static str, f64)> {
        Vec::new()
    }

    /// The dataset rows the teacher was asked to label, in query order (RAD and its baselines).
    fn queried(&self) -> &[usize] {
        &[]
    }

    /// Output units per class of the student (LELP's subclasses), 1 otherwise.
    fn subclasses(&self) -> usize {
        1
    }

    /// For inspection: the method's own type.
    fn as_any(&self) -> &dyn Any;
}

/// A method's student-to-be: its distiller, and the student network when the method needs another
/// shape than the shared initial student (LELP's wider output).
pub struct Built {
    /// The method's state.
    pub distiller: Box<dyn Distiller>,
    /// A replacement for the shared initial student, if any.
    pub net: Option<Mlp>,
}

/// Build `method`'s distiller for one seed; `init` is the shared initial student.
pub fn build(method: Method, seed: &PreparedSeed, cfg: &Config, init: &Mlp) -> Built {
    let rng = || Rng::sub(seed.seed, Stream::Method, method.index());
    let classes = seed.data.n_classes;
    let plain = |d: Box<dyn Distiller>| Built { distiller: d, net: None };
    match method {
        Method::Vanilla => plain(Box::new(vanilla::Vanilla { hard: false })),
        Method::VanillaHard => plain(Box::new(vanilla::Vanilla { hard: true })),
        Method::Slam => plain(Box::new(slam::Slam::new(false, cfg.normalize_k, classes))),
        Method::SlamHard => plain(Box::new(slam::Slam::new(true, cfg.normalize_k, classes))),
        Method::Weighted => plain(Box::new(weighted::Weighted::new(seed.data.len()))),
        Method::TaylorCe => plain(Box::new(taylor::TaylorCe::new(cfg.taylor_order, classes))),
        Method::Ups => plain(Box::new(ups::Ups::new(seed, cfg))),
        Method::Vid => plain(Box::new(vid::Vid::new(seed, cfg, init))),
        Method::Alm => plain(Box::new(alm::Alm::new(seed, cfg, init, rng()))),
        Method::Rad => plain(Box::new(rad::Rad::new(seed, cfg, rad::Rule::Robust, rng()))),
        Method::RadRandom => plain(Box::new(rad::Rad::new(seed, cfg, rad::Rule::Random, rng()))),
        Method::RadUncertainty => plain(Box::new(rad::Rad::new(seed, cfg, rad::Rule::Uncertainty, rng()))),
        Method::Lelp => {
            let lelp = lelp::Lelp::new(seed, cfg);
            let net = lelp::Lelp::initial_student(init, lelp.subclasses, cfg.student.batch_size, &mut rng());
            Built { distiller: Box::new(lelp), net: Some(net) }
        }
        Method::L2t => plain(Box::new(l2t::L2t::new(seed, cfg, init, rng()))),
        Method::VanillaLv => plain(Box::new(vanilla_lv::VanillaLv::new(seed))),
        Method::LabelsOnly => plain(Box::new(labels_only::LabelsOnly::new(seed, rng()))),
    }
}

/// A way of turning the teacher's labels on U into a student loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Cross-entropy on the teacher's soft labels.
    Vanilla,
    /// Cross-entropy on the teacher's hard (argmax) labels.
    VanillaHard,
    /// Student-Label Mixing on soft labels.
    Slam,
    /// Student-Label Mixing on hard labels.
    SlamHard,
    /// Weighted distillation: soft cross-entropy times the estimated probability the teacher is right.
    Weighted,
    /// Taylor cross-entropy on the teacher's hard labels.
    TaylorCe,
    /// Uncertainty-aware pseudo-label selection with negative labels.
    Ups,
    /// Variational information distillation between hidden layers, plus soft cross-entropy.
    Vid,
    /// Instance-specific mixing of distillation and label losses, meta-learned on V.
    Alm,
    /// Robust active distillation: a query budget spent on informative, likely-correct points.
    Rad,
    /// The same budget spent on uniformly random points.
    RadRandom,
    /// The same budget spent on the points the student is least sure about.
    RadUncertainty,
    /// Pseudo-subclasses from linear projections of the teacher's embedding.
    Lelp,
    /// A learned loss: a small teacher network with memory sets the distillation weights.
    L2t,
    /// Vanilla distillation with V's true labels added to L's: what V's labels alone buy.
    VanillaLv,
    /// The student trained on L's true labels alone, no teacher: what distillation must beat.
    LabelsOnly,
}

impl Method {
    /// The six core methods, in display order: the default `methods` of a config.
    pub const ALL: [Method; 6] =
        [Method::Vanilla, Method::VanillaHard, Method::Slam, Method::SlamHard, Method::Weighted, Method::TaylorCe];

    /// Every method the engine knows, in display order (`--methods all`, `slam-lab methods`).
    pub const EVERY: [Method; 16] = [
        Method::Vanilla,
        Method::VanillaHard,
        Method::Slam,
        Method::SlamHard,
        Method::Weighted,
        Method::TaylorCe,
        Method::Ups,
        Method::Vid,
        Method::Alm,
        Method::Rad,
        Method::RadRandom,
        Method::RadUncertainty,
        Method::Lelp,
        Method::L2t,
        Method::VanillaLv,
        Method::LabelsOnly,
    ];

    /// The stable name used by the CLI, JSON and the page.
    pub fn name(self) -> &'static str {
        match self {
            Method::Vanilla => "vanilla",
            Method::VanillaHard => "vanilla_hard",
            Method::Slam => "slam",
            Method::SlamHard => "slam_hard",
            Method::Weighted => "weighted",
            Method::TaylorCe => "taylor_ce",
            Method::Ups => "ups",
            Method::Vid => "vid",
            Method::Alm => "alm",
            Method::Rad => "rad",
            Method::RadRandom => "rad_random",
            Method::RadUncertainty => "rad_uncertainty",
            Method::Lelp => "lelp",
            Method::L2t => "l2t",
            Method::VanillaLv => "vanilla_lv",
            Method::LabelsOnly => "labels_only",
        }
    }

    /// One sentence for listings and the page: what it does, and for our small-scale versions of
    /// the wider family, how it departs from the paper.
    pub fn description(self) -> &'static str {
        match self {
            Method::Vanilla => "cross-entropy on the teacher's soft labels (Hinton et al. 2015)",
            Method::VanillaHard => "cross-entropy on the teacher's argmax labels",
            Method::Slam => "Student-Label Mixing on soft labels: fit alpha*f + (1-alpha)*(1-f)*top_k to the teacher (Kontonis et al. 2023)",
            Method::SlamHard => "Student-Label Mixing on the teacher's argmax labels",
            Method::Weighted => "soft cross-entropy weighted by the estimated chance the teacher is right (Iliopoulos et al. 2022)",
            Method::TaylorCe => "Taylor cross-entropy, a noise-robust loss between MAE and CE (Feng et al. 2020)",
            Method::Ups => "keeps a teacher label only where the teacher is confident and its ensemble agrees, adds negative labels for classes it rules out; one selection round from a fixed teacher, not the paper's re-labelling loop (Rizve et al. 2021)",
            Method::Vid => "soft cross-entropy plus a Gaussian likelihood of the teacher's last hidden layer given the student's, with learned per-unit variances (Ahn et al. 2019); needs a trained teacher",
            Method::Alm => "per-example weights between the distillation and the label loss, meta-learned by a one-step look-ahead on V; on U, with no label, the weight scales the distillation loss (Sivasubramanian et al., AAAI 2023)",
            Method::Rad => "spends a budget of teacher queries on U by a max-min game between gain (student uncertainty x estimated alpha) and an adversary who spoils the expected number of teacher mistakes; trains on L plus the queried points (our reading of Baykal et al. 2023)",
            Method::RadRandom => "the same query budget and rounds as rad, points drawn uniformly at random from U",
            Method::RadUncertainty => "the same query budget and rounds as rad, the points the student is least sure about (smallest margin)",
            Method::Lelp => "splits each class into pseudo-subclasses along principal directions of the teacher's embedding outside its classifier's span, distils them into a wider output summed per class (Loo et al. 2024); needs a trained teacher",
            Method::L2t => "a small recurrent teacher reads the training state and sets per-example distillation weights, trained by one-step look-ahead on V; a weighting of fixed losses, not the paper's LSTM-driven loss network (after Hai et al. 2023)",
            Method::VanillaLv => "vanilla distillation that also trains on V's true labels (with L's): what V's labels alone buy, beside methods that only estimate from V",
            Method::LabelsOnly => "no teacher: cross-entropy on L's true labels alone, as many steps as the others and the same augmentation: what distillation has to beat",
        }
    }

    /// Where the method comes from, in one line.
    pub fn source(self) -> &'static str {
        match self {
            Method::Vanilla | Method::VanillaHard => "Hinton, Vinyals, Dean, Distilling the Knowledge in a Neural Network, 2015 (arXiv 1503.02531)",
            Method::Slam | Method::SlamHard => "Kontonis, Iliopoulos, Trinh, Baykal, Menghani, Vee, SLaM: Student-Label Mixing for Distillation with Unlabeled Examples, NeurIPS 2023 (arXiv 2302.03806)",
            Method::Weighted => "Iliopoulos et al., Weighted Distillation with Unlabeled Examples, NeurIPS 2022 (arXiv 2210.06711)",
            Method::TaylorCe => "Feng et al., Can Cross Entropy Loss Be Robust to Label Noise?, IJCAI 2020",
            Method::Ups => "Rizve, Duarte, Rawat, Shah, In Defense of Pseudo-Labeling: An Uncertainty-Aware Pseudo-label Selection Framework for Semi-Supervised Learning, ICLR 2021 (arXiv 2101.06329)",
            Method::Vid => "Ahn, Hu, Damianou, Lawrence, Dai, Variational Information Distillation for Knowledge Transfer, CVPR 2019 (arXiv 1904.05835)",
            Method::Alm => "Sivasubramanian, Maheshwari, Shenoy, Prathosh AP, Ramakrishnan, Adaptive Mixing of Auxiliary Losses in Supervised Learning (AMAL), AAAI 2023 (arXiv 2202.03250)",
            Method::Rad | Method::RadRandom | Method::RadUncertainty => {
                "Baykal, Trinh, Iliopoulos, Menghani, Vee, Robust Active Distillation, ICLR 2023 (arXiv 2210.01213)"
            }
            Method::Lelp => "Loo, Iliopoulos, Hu, Vee, Linear Projections of Teacher Embeddings for Few-Class Distillation, 2024 (arXiv 2409.20449)",
            Method::L2t => "Hai, Pan, Liu, Liu, Yunita, L2T-DLN: Learning to Teach with Dynamic Loss Network, NeurIPS 2023 (arXiv 2310.19313)",
            Method::VanillaLv => "a baseline of this lab: Hinton, Vinyals, Dean's distillation (2015, arXiv 1503.02531) on L and V's labels",
            Method::LabelsOnly => "the supervised baseline every distillation paper reports, e.g. Hinton, Vinyals, Dean 2015 (arXiv 1503.02531)",
        }
    }

    /// Parse a name as used on the command line.
    pub fn parse(name: &str) -> crate::Result<Method> {
        Method::EVERY.iter().copied().find(|m| m.name() == name.trim()).ok_or_else(|| crate::Error::Unknown {
            kind: "method",
            name: name.to_string(),
            known: Method::EVERY.iter().map(|m| m.name()).collect::<Vec<_>>().join(", "),
        })
    }

    /// Parse a comma-separated list as given to `--methods`, as the JSON value of the config key
    /// `methods`: `all` stays the string `"all"` (expanded once the teacher is known, see
    /// [`crate::config::Config::from_value`]); otherwise an array of checked names.
    pub fn parse_list(list: &str) -> crate::Result<serde_json::Value> {
        if list.trim() == "all" {
            return Ok(serde_json::Value::String("all".into()));
        }
        let names = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| Method::parse(s).map(|m| serde_json::Value::String(m.name().into())))
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(serde_json::Value::Array(names))
    }

    /// Whether the method trains on the teacher's argmax instead of its probabilities.
    pub fn uses_hard_labels(self) -> bool {
        matches!(self, Method::VanillaHard | Method::SlamHard | Method::TaylorCe)
    }

    /// Whether the method takes gradient steps on V's true labels (ALM and L2T meta-learn on them,
    /// `vanilla_lv` trains on them); every other method only estimates from V. Tables mark these.
    pub fn trains_on_validation_labels(self) -> bool {
        matches!(self, Method::Alm | Method::L2t | Method::VanillaLv)
    }

    /// Whether the method is a reference point for the others rather than a way to learn from the
    /// teacher (`vanilla_lv`, `labels_only`).
    pub fn is_baseline(self) -> bool {
        matches!(self, Method::VanillaLv | Method::LabelsOnly)
    }

    /// Whether the method reads the trained teacher's hidden layer (VID, LELP).
    pub fn needs_teacher_embedding(self) -> bool {
        matches!(self, Method::Vid | Method::Lelp)
    }

    /// Whether the method needs the teacher's ensemble (UPS).
    pub fn needs_ensemble(self) -> bool {
        matches!(self, Method::Ups)
    }

    /// Stable index of the method in [`Method::EVERY`]: its own random stream.
    pub fn index(self) -> u64 {
        Method::EVERY.iter().position(|&m| m == self).unwrap_or(0) as u64
    }
}

/// The baseline loss of one training row: cross-entropy on the true label for a row of L, on the
/// teacher's soft label otherwise (vanilla distillation). Returns the loss; writes `scale * dL/dz`.
pub(crate) fn distill_row(prep: &PreparedSeed, row: usize, f: &[f32], grad: &mut [f32], scale: f32) -> f32 {
    if prep.is_labeled[row] {
        losses::cross_entropy_label(f, prep.data.y[row], grad, scale)
    } else {
        let soft = prep.teacher.probs.row(row);
        losses::cross_entropy(f, soft.as_slice().expect("contiguous"), grad, scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for m in Method::EVERY {
            assert_eq!(Method::parse(m.name()).unwrap(), m);
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.name()));
            assert!(!m.description().is_empty() && m.source().contains("20"), "{}", m.name());
        }
        for (i, m) in Method::EVERY.iter().enumerate() {
            assert_eq!(m.index(), i as u64);
        }
        assert_eq!(&Method::EVERY[..6], &Method::ALL[..], "the core six come first");
        let err = Method::parse("slamm").unwrap_err().to_string();
        assert!(err.contains("slamm") && err.contains("vanilla") && err.contains("l2t"), "{err}");
    }

    #[test]
    fn lists_parse_to_config_values() {
        assert_eq!(Method::parse_list("all").unwrap(), serde_json::json!("all"));
        assert_eq!(Method::parse_list("vanilla, rad_random,").unwrap(), serde_json::json!(["vanilla", "rad_random"]));
        assert!(Method::parse_list("vanilla,magic").unwrap_err().to_string().contains("magic"));
    }
}
