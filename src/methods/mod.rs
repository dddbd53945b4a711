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
mod table;
pub mod taylor;
pub mod ups;
pub mod vanilla;
pub mod vanilla_lv;
pub mod vid;
pub mod weighted;

use std::any::Any;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::config::{Checked, MethodEntry, MethodSettings};
use crate::losses;
pub use crate::memory::MethodMemory;
use crate::model::{Mlp, Optimizer};
use crate::rng::{Rng, Stream};
use crate::seed::{Inputs, PreparedSeed};
// A test's method (the `toy-method` feature): one file and one line of the table.
#[cfg(feature = "toy-method")]
#[path = "../../tests/toy/confident.rs"]
pub mod confident;
pub use table::TABLE;

/// What a distillation method does beside the shared training loop (the batch order, the epoch
/// count, evaluation and the optimiser step belong to the student run).
pub trait Distiller: Send {
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
    /// Its settings: the config's keys it reads and the settings it declares, with their defaults
    /// and rules (written as the list of key paths it reads).
    pub settings: MethodSettings,
    /// What it holds beside a plain student, for the memory estimate.
    #[serde(skip)]
    pub memory: MethodMemory,
    /// Its distiller for one seed.
    #[serde(skip)]
    pub build: fn(&Build) -> Built,
}

impl MethodFacts {
    /// What the config check needs to know of it.
    pub fn entry(&self) -> MethodEntry {
        MethodEntry {
            name: self.name,
            core: self.group == Group::Core,
            requires: self.requires,
            settings: self.settings,
        }
    }
}

/// What a config check needs to know of every built-in method (the catalogue of
/// [`crate::config::Config::check`]).
pub fn catalogue() -> Vec<MethodEntry> {
    TABLE.iter().map(MethodFacts::entry).collect()
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
mod tests;
