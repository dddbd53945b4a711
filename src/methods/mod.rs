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

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::config::{Checked, MethodNeeds};
use crate::losses;
pub use crate::memory::MethodMemory;
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

    /// The rows whose student probabilities [`Distiller::start_epoch`] reads at the start of `epoch`,
    /// in the order it reads them. The run predicts them beforehand, a block at a time, so that a
    /// large network over a large U never becomes one long call.
    fn rows_to_predict(&self, _seed: &PreparedSeed, _epoch: usize) -> Vec<usize> {
        Vec::new()
    }

    /// Called at the start of every epoch with the current student and its probabilities on
    /// [`Distiller::rows_to_predict`] (row i of `predicted` is that list's i-th row): re-estimate
    /// weights, query the teacher, ...
    fn start_epoch(
        &mut self,
        _net: &mut Mlp,
        _seed: &PreparedSeed,
        _epoch: usize,
        _predicted: ArrayView2<f32>,
    ) {
    }

    /// This epoch's rows from the shared shuffled `order` (appended to the empty `active`): all of
    /// them unless the method trains on a subset.
    fn select(&mut self, order: &[usize], active: &mut Vec<usize>) {
        active.extend_from_slice(order);
    }

    /// Train one minibatch of `rows`, their inputs through `inputs`; returns the summed loss.
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32;

    /// Called when an epoch completes.
    fn finish_epoch(&mut self) {}

    /// What the method trains `row` towards, as class probabilities in `out` (for the slow-motion
    /// view): by default the true label on a row of L, the teacher's soft label elsewhere.
    fn target(&self, seed: &PreparedSeed, row: usize, out: &mut [f32]) {
        default_target(seed, row, out);
    }

    /// What the loss compares with the target in place of the student's probabilities `f`, written
    /// to `out` (SLaM's mix(f)); false (the default) when it compares `f` itself.
    fn compared(&self, _seed: &PreparedSeed, _row: usize, _f: &[f32], _out: &mut [f32]) -> bool {
        false
    }

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

/// Where a method stands among the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The six SLaM is compared with.
    Core,
    /// The wider family of ways to learn from a teacher that makes mistakes.
    Family,
    /// Reference points: what V's labels alone, or L alone, buy.
    Baseline,
}

/// Everything the engine, the reports and the page know about a method, and how to build it.
#[derive(Debug, Serialize)]
pub struct MethodFacts {
    /// The stable name used by the CLI, JSON, the page and `data-testid`s.
    pub name: &'static str,
    /// Its own random stream, fixed when the method is added and never reused: adding, removing or
    /// reordering rows changes no other method's numbers.
    pub stream: u64,
    /// How the page and the reports name it ("SLaM (soft)").
    pub label: &'static str,
    /// One short line for the method picker and tooltips.
    pub help: &'static str,
    /// Its colour and line dash on the page: a slot of the page's method palette (`www/palette.js`
    /// holds the colours, chosen to stay apart from the class colours).
    pub colour: usize,
    /// One sentence: what it does and, for our small-scale versions, how it departs from the paper.
    pub description: &'static str,
    /// Where it comes from.
    pub source: &'static str,
    /// Core, wider family or baseline.
    pub group: Group,
    /// What the config must offer it, by requirement (`config::keys::REQUIREMENTS`):
    /// `teacher_embedding` to read the trained teacher's last hidden layer, `student_hidden` to read
    /// the student's.
    pub requires: &'static [&'static str],
    /// Reads the spread of an ensemble of teachers.
    pub needs_ensemble: bool,
    /// Asks the teacher about a budget of points instead of reading its labels on all of U.
    pub queries_teacher: bool,
    /// Trains on the teacher's argmax instead of its probabilities.
    pub hard_labels: bool,
    /// Takes gradient steps on V's true labels (every other method only estimates from V).
    pub trains_on_validation_labels: bool,
    /// The config keys of its own settings.
    pub settings: &'static [&'static str],
    /// What it holds beside a plain student, for the memory estimate.
    #[serde(skip)]
    pub memory: MethodMemory,
    /// Its distiller for one seed.
    #[serde(skip)]
    pub build: fn(&Build) -> Built,
}

impl MethodFacts {
    /// What the config check needs to know of it.
    pub fn needs(&self) -> MethodNeeds {
        MethodNeeds {
            name: self.name,
            core: self.group == Group::Core,
            requires: self.requires,
        }
    }
}

/// What a config check needs to know of every built-in method (the catalogue of
/// [`crate::config::Config::check`]).
pub fn catalogue() -> Vec<MethodNeeds> {
    TABLE.iter().map(MethodFacts::needs).collect()
}

/// What building a method's student sees.
pub struct Build<'a> {
    /// The prepared seed.
    pub seed: &'a PreparedSeed,
    /// The checked settings.
    pub cfg: &'a Checked,
    /// The shared initial student.
    pub init: &'a Mlp,
    stream: u64,
}

impl Build<'_> {
    /// The method's own random stream (a fresh copy each call).
    pub fn rng(&self) -> Rng {
        Rng::sub(self.seed.seed, Stream::Method, self.stream)
    }

    /// Classes of the data.
    pub fn classes(&self) -> usize {
        self.seed.data.n_classes
    }

    /// A distiller that trains the shared initial student.
    pub fn plain(&self, d: impl Distiller + 'static) -> Built {
        Built {
            distiller: Box::new(d),
            net: None,
        }
    }
}

/// A method's student-to-be: its distiller, and the student network when the method needs another
/// shape than the shared initial student (LELP's wider output).
pub struct Built {
    /// The method's state.
    pub distiller: Box<dyn Distiller>,
    /// A replacement for the shared initial student, if any.
    pub net: Option<Mlp>,
}

/// Every method the engine knows, in display order: one row per method. A new method is a file with
/// its [`Distiller`] and a row here, with a `stream` no row has used (the next after the largest);
/// the order is only the display order.
pub static TABLE: [MethodFacts; 16] = [
    MethodFacts {
        name: "vanilla",
        stream: 0,
        label: "Vanilla (soft)",
        help: "cross-entropy on the teacher's soft labels",
        colour: 0,
        description: "cross-entropy on the teacher's soft labels (Hinton et al. 2015)",
        source: "Hinton, Vinyals, Dean, Distilling the Knowledge in a Neural Network, 2015 (arXiv 1503.02531)",
        group: Group::Core,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &[],
        memory: MethodMemory::PLAIN,
        build: |b| b.plain(vanilla::Vanilla { hard: false }),
    },
    MethodFacts {
        name: "vanilla_hard",
        stream: 1,
        label: "Vanilla (hard)",
        help: "cross-entropy on the teacher's argmax labels",
        colour: 1,
        description: "cross-entropy on the teacher's argmax labels",
        source: "Hinton, Vinyals, Dean, Distilling the Knowledge in a Neural Network, 2015 (arXiv 1503.02531)",
        group: Group::Core,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: true,
        trains_on_validation_labels: false,
        settings: &[],
        memory: MethodMemory::PLAIN,
        build: |b| b.plain(vanilla::Vanilla { hard: true }),
    },
    MethodFacts {
        name: "slam",
        stream: 2,
        label: "SLaM (soft)",
        help: "Student-Label Mixing on the teacher's soft labels",
        colour: 2,
        description: "Student-Label Mixing on soft labels: fit alpha*f + (1-alpha)*(1-f)*top_k to the teacher (Kontonis et al. 2023)",
        source: "Kontonis, Iliopoulos, Trinh, Baykal, Menghani, Vee, SLaM: Student-Label Mixing for Distillation with Unlabeled Examples, NeurIPS 2023 (arXiv 2302.03806)",
        group: Group::Core,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["alpha_estimator", "alpha_min", "k_coverage", "normalize_k"],
        memory: MethodMemory::PLAIN,
        build: |b| b.plain(slam::Slam::new(false, b.cfg.normalize_k, b.classes())),
    },
    MethodFacts {
        name: "slam_hard",
        stream: 3,
        label: "SLaM (hard)",
        help: "Student-Label Mixing on the teacher's argmax labels",
        colour: 3,
        description: "Student-Label Mixing on the teacher's argmax labels",
        source: "Kontonis, Iliopoulos, Trinh, Baykal, Menghani, Vee, SLaM: Student-Label Mixing for Distillation with Unlabeled Examples, NeurIPS 2023 (arXiv 2302.03806)",
        group: Group::Core,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: true,
        trains_on_validation_labels: false,
        settings: &["alpha_estimator", "alpha_min", "k_coverage", "normalize_k"],
        memory: MethodMemory::PLAIN,
        build: |b| b.plain(slam::Slam::new(true, b.cfg.normalize_k, b.classes())),
    },
    MethodFacts {
        name: "weighted",
        stream: 4,
        label: "Weighted",
        help: "soft cross-entropy weighted by the estimated chance the teacher is right",
        colour: 4,
        description: "soft cross-entropy weighted by the estimated chance the teacher is right (Iliopoulos et al. 2022)",
        source: "Iliopoulos et al., Weighted Distillation with Unlabeled Examples, NeurIPS 2022 (arXiv 2210.06711)",
        group: Group::Core,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &[],
        memory: weighted::FOOTPRINT,
        build: |b| b.plain(weighted::Weighted::new(b.seed.data.len())),
    },
    MethodFacts {
        name: "taylor_ce",
        stream: 5,
        label: "Taylor-CE",
        help: "Taylor cross-entropy, a noise-robust loss between MAE and CE",
        colour: 5,
        description: "Taylor cross-entropy, a noise-robust loss between MAE and CE (Feng et al. 2020)",
        source: "Feng et al., Can Cross Entropy Loss Be Robust to Label Noise?, IJCAI 2020",
        group: Group::Core,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: true,
        trains_on_validation_labels: false,
        settings: &["taylor_order"],
        memory: MethodMemory::PLAIN,
        build: |b| b.plain(taylor::TaylorCe::new(b.cfg.taylor_order, b.classes())),
    },
    MethodFacts {
        name: "ups",
        stream: 6,
        label: "UPS",
        help: "keeps only confident, certain teacher labels, plus negative labels",
        colour: 6,
        description: "keeps a teacher label only where the teacher is confident and its ensemble agrees, adds negative labels for classes it rules out; one selection round from a fixed teacher, not the paper's re-labelling loop (Rizve et al. 2021)",
        source: "Rizve, Duarte, Rawat, Shah, In Defense of Pseudo-Labeling: An Uncertainty-Aware Pseudo-label Selection Framework for Semi-Supervised Learning, ICLR 2021 (arXiv 2101.06329)",
        group: Group::Family,
        requires: &[],
        needs_ensemble: true,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["ups.threshold_positive", "ups.threshold_negative", "ups.max_spread", "ups.ensemble"],
        memory: ups::FOOTPRINT,
        build: |b| b.plain(ups::Ups::new(b.seed, b.cfg)),
    },
    MethodFacts {
        name: "vid",
        stream: 7,
        label: "VID",
        help: "soft cross-entropy plus matching the teacher's hidden layer",
        colour: 7,
        description: "soft cross-entropy plus a Gaussian likelihood of the teacher's last hidden layer given the student's, with learned per-unit variances (Ahn et al. 2019); needs a trained teacher",
        source: "Ahn, Hu, Damianou, Lawrence, Dai, Variational Information Distillation for Knowledge Transfer, CVPR 2019 (arXiv 1904.05835)",
        group: Group::Family,
        requires: &["teacher_embedding", "student_hidden"],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["vid_weight"],
        memory: vid::FOOTPRINT,
        build: |b| b.plain(vid::Vid::new(b.seed, b.cfg, b.init)),
    },
    MethodFacts {
        name: "alm",
        stream: 8,
        label: "ALM",
        help: "per-example mix of distillation and label loss, meta-learned on V",
        colour: 8,
        description: "per-example weights between the distillation and the label loss, meta-learned by a one-step look-ahead on V; on U, with no label, the weight scales the distillation loss (Sivasubramanian et al., AAAI 2023)",
        source: "Sivasubramanian, Maheshwari, Shenoy, Prathosh AP, Ramakrishnan, Adaptive Mixing of Auxiliary Losses in Supervised Learning (AMAL), AAAI 2023 (arXiv 2202.03250)",
        group: Group::Family,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: true,
        settings: &["meta_lr"],
        memory: alm::FOOTPRINT,
        build: |b| b.plain(alm::Alm::new(b.seed, b.cfg, b.init, b.rng())),
    },
    MethodFacts {
        name: "rad",
        stream: 9,
        label: "RAD",
        help: "a budget of teacher queries, spent on informative, likely-correct points",
        colour: 9,
        description: "spends a budget of teacher queries on U by a max-min game between gain (student uncertainty x estimated alpha) and an adversary who spoils the expected number of teacher mistakes; trains on L plus the queried points (our reading of Baykal et al. 2023)",
        source: "Baykal, Trinh, Iliopoulos, Menghani, Vee, Robust Active Distillation, ICLR 2023 (arXiv 2210.01213)",
        group: Group::Family,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: true,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["query_budget", "query_rounds"],
        memory: rad::FOOTPRINT,
        build: |b| b.plain(rad::Rad::new(b.seed, b.cfg, rad::Rule::Robust, b.rng())),
    },
    MethodFacts {
        name: "rad_random",
        stream: 10,
        label: "RAD (random)",
        help: "the RAD budget spent on random points",
        colour: 10,
        description: "the same query budget and rounds as rad, points drawn uniformly at random from U",
        source: "Baykal, Trinh, Iliopoulos, Menghani, Vee, Robust Active Distillation, ICLR 2023 (arXiv 2210.01213)",
        group: Group::Family,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: true,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["query_budget", "query_rounds"],
        memory: rad::FOOTPRINT,
        build: |b| b.plain(rad::Rad::new(b.seed, b.cfg, rad::Rule::Random, b.rng())),
    },
    MethodFacts {
        name: "rad_uncertainty",
        stream: 11,
        label: "RAD (uncertainty)",
        help: "the RAD budget spent on the points the student is least sure about",
        colour: 11,
        description: "the same query budget and rounds as rad, the points the student is least sure about (smallest margin)",
        source: "Baykal, Trinh, Iliopoulos, Menghani, Vee, Robust Active Distillation, ICLR 2023 (arXiv 2210.01213)",
        group: Group::Family,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: true,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["query_budget", "query_rounds"],
        memory: rad::FOOTPRINT,
        build: |b| b.plain(rad::Rad::new(b.seed, b.cfg, rad::Rule::Uncertainty, b.rng())),
    },
    MethodFacts {
        name: "lelp",
        stream: 12,
        label: "LELP",
        help: "pseudo-subclasses from the teacher's embedding",
        colour: 12,
        description: "splits each class into pseudo-subclasses along principal directions of the teacher's embedding outside its classifier's span, distils them into a wider output summed per class (Loo et al. 2024); needs a trained teacher",
        source: "Loo, Iliopoulos, Hu, Vee, Linear Projections of Teacher Embeddings for Few-Class Distillation, 2024 (arXiv 2409.20449)",
        group: Group::Family,
        requires: &["teacher_embedding"],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &["lelp_subclasses"],
        memory: lelp::FOOTPRINT,
        build: lelp::build,
    },
    MethodFacts {
        name: "l2t",
        stream: 13,
        label: "L2T",
        help: "a small learned teacher sets per-example distillation weights",
        colour: 13,
        description: "a small recurrent teacher reads the training state and sets per-example distillation weights, trained by one-step look-ahead on V; a weighting of fixed losses, not the paper's LSTM-driven loss network (after Hai et al. 2023)",
        source: "Hai, Pan, Liu, Liu, Yunita, L2T-DLN: Learning to Teach with Dynamic Loss Network, NeurIPS 2023 (arXiv 2310.19313)",
        group: Group::Family,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: true,
        settings: &["l2t_lr"],
        memory: l2t::FOOTPRINT,
        build: |b| b.plain(l2t::L2t::new(b.seed, b.cfg, b.init, b.rng())),
    },
    MethodFacts {
        name: "vanilla_lv",
        stream: 14,
        label: "Vanilla + V labels",
        help: "vanilla distillation that also trains on V's true labels",
        colour: 14,
        description: "vanilla distillation that also trains on V's true labels (with L's): what V's labels alone buy, beside methods that only estimate from V",
        source: "a baseline of this lab: Hinton, Vinyals, Dean's distillation (2015, arXiv 1503.02531) on L and V's labels",
        group: Group::Baseline,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: true,
        settings: &[],
        memory: vanilla_lv::FOOTPRINT,
        build: |b| b.plain(vanilla_lv::VanillaLv::new(b.seed)),
    },
    MethodFacts {
        name: "labels_only",
        stream: 15,
        label: "Labels only (no teacher)",
        help: "no teacher: the student trained on L's true labels alone",
        colour: 15,
        description: "no teacher: cross-entropy on L's true labels alone, as many steps as the others and the same augmentation: what distillation has to beat",
        source: "the supervised baseline every distillation paper reports, e.g. Hinton, Vinyals, Dean 2015 (arXiv 1503.02531)",
        group: Group::Baseline,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &[],
        memory: labels_only::FOOTPRINT,
        build: |b| b.plain(labels_only::LabelsOnly::new(b.seed, b.rng())),
    },
];

/// A method: a handle on its facts (built-in ones from [`TABLE`]; a test may bring its own).
#[derive(Clone, Copy)]
pub struct Method(&'static MethodFacts);

impl Method {
    /// A method from its facts (for methods outside [`TABLE`]).
    pub const fn new(facts: &'static MethodFacts) -> Method {
        Method(facts)
    }

    /// The built-in method called `name`.
    pub fn named(name: &str) -> crate::Result<Method> {
        TABLE
            .iter()
            .find(|f| f.name == name.trim())
            .map(Method)
            .ok_or_else(|| crate::Error::Unknown {
                kind: "method",
                name: name.to_string(),
                known: TABLE.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
            })
    }

    /// The methods a checked config runs, in order (its names were checked against [`TABLE`]).
    pub fn list(cfg: &Checked) -> Vec<Method> {
        cfg.method_names()
            .iter()
            .map(|n| Method::named(n).expect("the check knows every built-in method"))
            .collect()
    }

    /// Every built-in method, in display order.
    pub fn all() -> Vec<Method> {
        TABLE.iter().map(Method).collect()
    }

    /// The six core methods: a config's default.
    pub fn core() -> Vec<Method> {
        TABLE
            .iter()
            .filter(|f| f.group == Group::Core)
            .map(Method)
            .collect()
    }

    /// Its facts.
    pub fn facts(self) -> &'static MethodFacts {
        self.0
    }

    /// The stable name used by the CLI, JSON and the page.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// One sentence for listings and the page.
    pub fn description(self) -> &'static str {
        self.0.description
    }

    /// Where the method comes from, in one line.
    pub fn source(self) -> &'static str {
        self.0.source
    }

    /// Whether it takes gradient steps on V's true labels.
    pub fn trains_on_validation_labels(self) -> bool {
        self.0.trains_on_validation_labels
    }

    /// Whether it is a reference point for the others (`vanilla_lv`, `labels_only`).
    pub fn is_baseline(self) -> bool {
        self.0.group == Group::Baseline
    }

    /// Whether it reads the trained teacher's hidden layer.
    pub fn needs_teacher_embedding(self) -> bool {
        self.0.requires.contains(&"teacher_embedding")
    }

    /// Whether it needs the teacher's ensemble.
    pub fn needs_ensemble(self) -> bool {
        self.0.needs_ensemble
    }

    /// Its random stream (the row's frozen `stream`, not its position: rows may move).
    pub fn index(self) -> u64 {
        self.0.stream
    }

    /// Build this method's distiller for one seed; `init` is the shared initial student.
    pub fn build(self, seed: &PreparedSeed, cfg: &Checked, init: &Mlp) -> Built {
        (self.0.build)(&Build {
            seed,
            cfg,
            init,
            stream: self.index(),
        })
    }

    /// Parse a comma-separated list as given to `--methods`, as the JSON value of the config key
    /// `methods`: `all` stays the string `"all"` (expanded once the teacher is known); otherwise an
    /// array of checked names.
    pub fn parse_list(list: &str) -> crate::Result<serde_json::Value> {
        if list.trim() == "all" {
            return Ok(serde_json::Value::String("all".into()));
        }
        let names = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| Method::named(s).map(|m| serde_json::Value::String(m.name().into())))
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(serde_json::Value::Array(names))
    }
}

impl PartialEq for Method {
    fn eq(&self, other: &Method) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Method {}

impl std::fmt::Debug for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Method, D::Error> {
        let name = String::deserialize(d)?;
        Method::named(&name).map_err(serde::de::Error::custom)
    }
}

/// One minibatch of a method that trains `labeled` rows on their true label (cross-entropy) and every
/// other row with `unlabeled(row, f, grad, scale)`: the shape of most distillation losses.
pub(crate) fn train_distilled(
    net: &mut Mlp,
    optimizer: &mut Optimizer,
    inputs: &mut Inputs,
    seed: &PreparedSeed,
    rows: &[usize],
    labeled: &[bool],
    mut unlabeled: impl FnMut(usize, &[f32], &mut [f32], f32) -> f32,
) -> f32 {
    crate::model::train_step(
        net,
        optimizer,
        rows.len(),
        |net| {
            inputs.forward(net, seed, rows);
        },
        |r, f, g, scale| {
            let row = rows[r];
            if labeled[row] {
                losses::cross_entropy_label(f, seed.data.y[row], g, scale)
            } else {
                unlabeled(row, f, g, scale)
            }
        },
    )
}

/// [`Distiller::target`]'s default: the true label on a row of L, the teacher's soft label elsewhere.
pub(crate) fn default_target(seed: &PreparedSeed, row: usize, out: &mut [f32]) {
    out.fill(0.0);
    if seed.is_labeled[row] {
        out[seed.data.y[row]] = 1.0;
    } else {
        out.copy_from_slice(seed.teacher.probs.row(row).as_slice().expect("contiguous"));
    }
}

/// The baseline loss of one training row: cross-entropy on the true label for a row of L, on the
/// teacher's soft label otherwise (vanilla distillation). Returns the loss; writes `scale * dL/dz`.
pub(crate) fn distill_row(
    prep: &PreparedSeed,
    row: usize,
    f: &[f32],
    grad: &mut [f32],
    scale: f32,
) -> f32 {
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
    use crate::config::Config;

    #[test]
    fn names_round_trip_and_match_serde() {
        for m in Method::all() {
            assert_eq!(Method::named(m.name()).unwrap(), m);
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.name())
            );
            assert_eq!(
                serde_json::from_str::<Method>(&format!("\"{}\"", m.name())).unwrap(),
                m
            );
            assert!(
                !m.description().is_empty() && !m.source().is_empty(),
                "{}",
                m.name()
            );
        }
        let mut streams: Vec<u64> = TABLE.iter().map(|f| f.stream).collect();
        streams.sort_unstable();
        streams.dedup();
        assert_eq!(
            streams.len(),
            TABLE.len(),
            "every method has its own stream"
        );
        let core = Method::core();
        assert_eq!(core.len(), 6);
        assert_eq!(&Method::all()[..6], &core[..], "the core six come first");
        let err = Method::named("slamm").unwrap_err().to_string();
        assert!(
            err.contains("slamm") && err.contains("vanilla") && err.contains("l2t"),
            "{err}"
        );
        let names: Vec<&str> = TABLE.iter().map(|f| f.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "names are unique");
    }

    #[test]
    fn settings_are_config_keys() {
        let defaults = serde_json::to_value(Config::default()).unwrap();
        for f in &TABLE {
            for key in f.settings {
                let mut v = &defaults;
                for p in key.split('.') {
                    v = v
                        .get(p)
                        .unwrap_or_else(|| panic!("{}: {key} is not a config key", f.name));
                }
            }
        }
    }

    #[test]
    fn lists_parse_to_config_values() {
        assert_eq!(Method::parse_list("all").unwrap(), serde_json::json!("all"));
        assert_eq!(
            Method::parse_list("vanilla, rad_random,").unwrap(),
            serde_json::json!(["vanilla", "rad_random"])
        );
        assert!(Method::parse_list("vanilla,magic")
            .unwrap_err()
            .to_string()
            .contains("magic"));
    }
}
