//! The experiment configuration: one set of keys shared by the CLI (`--config`), the wasm API and
//! the page's URL. Decoded leniently into defaults, then checked once ([`Config::check`]) into a
//! [`Checked`] config, the only type the engine's runs take, so that code past this point never
//! re-validates.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::decode::{self, Decoded};
use crate::model::OptimizerKind;
use crate::{Error, Result};

pub mod keys;
mod read;
pub mod settings;
mod spec;
pub use settings::{MethodSettings, Settings};
pub use spec::{schema, ChoiceSpec, KeySpec};

/// Upper bounds that keep a browser tab responsive and memory bounded.
pub mod caps {
    /// Points drawn by a generator.
    pub const SAMPLES: usize = 200_000;
    /// Width of one hidden layer.
    pub const WIDTH: usize = 1_024;
    /// Number of hidden layers.
    pub const LAYERS: usize = 8;
    /// Training epochs.
    pub const EPOCHS: usize = 10_000;
    /// Seeds in one run.
    pub const SEEDS: usize = 1_000;
    /// Classes for generators.
    pub const CLASSES: usize = 50;
    /// Largest pixel shift of image augmentation.
    pub const SHIFT: usize = 4;
}

/// The student's optimisers as the config spells them (`model::OptimizerKind`'s variants, in order).
pub const OPTIMIZERS: &[&str] = &["adam", "sgd"];

/// How the teacher is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeacherKind {
    /// A wider MLP fitted on L only.
    Trained,
    /// Labels corrupted by a known noise model, so the true per-point accuracy (oracle alpha) exists.
    Synthetic,
    /// The predictions a data file carries: a model trained elsewhere ("your teacher").
    Given,
}

impl TeacherKind {
    /// Its values as the config spells them, in declaration order.
    pub const NAMES: &'static [&'static str] = &["trained", "synthetic", "given"];

    /// Its spelling in the config.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// One of `trained`, `synthetic`, `given` (as serde reads a unit variant).
    pub fn decode(v: &Value, path: &str) -> Decoded<TeacherKind> {
        Ok(match decode::variant(v, path, Self::NAMES)? {
            0 => TeacherKind::Trained,
            1 => TeacherKind::Synthetic,
            _ => TeacherKind::Given,
        })
    }
}

/// Noise models of the synthetic teacher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseModel {
    /// Every label flips with probability `rate`, to a uniformly chosen other class.
    Uniform,
    /// Class c flips to class c+1 (mod C) with probability `rate`.
    ClassPair,
    /// Flips concentrate near the class boundary; the mean flip rate is `rate`.
    Margin,
    /// One region of the input space where the teacher is mostly wrong; the mean flip rate is `rate`.
    Region,
}

impl NoiseModel {
    /// Its values as the config spells them, in declaration order.
    pub const NAMES: &'static [&'static str] = &["uniform", "class_pair", "margin", "region"];

    /// One of `uniform`, `class_pair`, `margin`, `region` (as serde reads a unit variant).
    pub fn decode(v: &Value, path: &str) -> Decoded<NoiseModel> {
        Ok(match decode::variant(v, path, Self::NAMES)? {
            0 => NoiseModel::Uniform,
            1 => NoiseModel::ClassPair,
            2 => NoiseModel::Margin,
            _ => NoiseModel::Region,
        })
    }
}

/// How alpha(x), the chance the teacher's top-1 label is right, is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlphaEstimator {
    /// Isotonic regression of correctness on teacher margin over V.
    Isotonic,
    /// Accuracy in equal-mass margin bins over V.
    Binned,
    /// The synthetic teacher's true per-point accuracy.
    Oracle,
    /// A single number: the teacher's accuracy on V (no dependence on x).
    Constant,
}

impl AlphaEstimator {
    /// Its values as the config spells them, in declaration order.
    pub const NAMES: &'static [&'static str] = &["isotonic", "binned", "oracle", "constant"];

    /// One of `isotonic`, `binned`, `oracle`, `constant` (as serde reads a unit variant).
    pub fn decode(v: &Value, path: &str) -> Decoded<AlphaEstimator> {
        Ok(match decode::variant(v, path, Self::NAMES)? {
            0 => AlphaEstimator::Isotonic,
            1 => AlphaEstimator::Binned,
            2 => AlphaEstimator::Oracle,
            _ => AlphaEstimator::Constant,
        })
    }
}

/// How features are scaled before the networks see them. Fitted on the features of L, V and U
/// (observed in this setting), never on T and never on labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standardize {
    /// Images (MNIST, digits) divided by their pixel maximum into [0, 1]; every other dataset
    /// standardised per column on L, V and U.
    Auto,
    /// Standardise every column (mean 0, sd 1) on L, V and U, images too.
    Always,
    /// Leave the features as they are.
    Never,
    /// Standardise on L alone: with a small L and many columns, a column almost constant in L is
    /// blown up on U. Kept to measure what fitting on L, V and U changes.
    Labeled,
}

impl Standardize {
    /// Its values as the config spells them, in declaration order.
    pub const NAMES: &'static [&'static str] = &["auto", "always", "never", "labeled"];

    /// One of `auto`, `always`, `never`, `labeled` (as serde reads a unit variant).
    pub fn decode(v: &Value, path: &str) -> Decoded<Standardize> {
        Ok(match decode::variant(v, path, Self::NAMES)? {
            0 => Standardize::Auto,
            1 => Standardize::Always,
            2 => Standardize::Never,
            _ => Standardize::Labeled,
        })
    }
}

/// The lower clamp on alpha: a number, or `auto`, the point where SLaM's pull on the teacher's
/// label changes sign (1/2 in the unnormalised form, 1/k when normalised by k - 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AlphaFloor {
    /// The switch point of the chosen form.
    Auto,
    /// A fixed value in [0, 1].
    Value(f32),
}

impl AlphaFloor {
    /// The floor for `k` mixed classes in the chosen form.
    pub fn resolve(self, normalize_k: bool, k: usize) -> f32 {
        match self {
            AlphaFloor::Value(v) => v,
            AlphaFloor::Auto => switch_point(normalize_k, k),
        }
    }
}

/// Where SLaM's coefficient on the teacher's top-1 class, `alpha - c (1 - alpha)`, changes sign:
/// `c = 1` unnormalised (alpha = 1/2), `c = 1 / (k - 1)` normalised (alpha = 1/k).
pub fn switch_point(normalize_k: bool, k: usize) -> f32 {
    if normalize_k && k > 1 {
        1.0 / k as f32
    } else {
        0.5
    }
}

impl Serialize for AlphaFloor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            AlphaFloor::Auto => s.serialize_str("auto"),
            AlphaFloor::Value(v) => s.serialize_f32(*v),
        }
    }
}

impl<'de> Deserialize<'de> for AlphaFloor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = AlphaFloor;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number between 0 and 1 or \"auto\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<AlphaFloor, E> {
                if v.trim() == "auto" {
                    Ok(AlphaFloor::Auto)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<AlphaFloor, E> {
                Ok(AlphaFloor::Value(v as f32))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<AlphaFloor, E> {
                Ok(AlphaFloor::Value(v as f32))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<AlphaFloor, E> {
                Ok(AlphaFloor::Value(v as f32))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl AlphaFloor {
    /// A number (any, checked later) or `"auto"`, as its `Deserialize` reads it.
    pub fn decode(v: &Value, path: &str) -> Decoded<AlphaFloor> {
        const EXPECTED: &str = "a number between 0 and 1 or \"auto\"";
        match v {
            Value::String(s) if s.trim() == "auto" => Ok(AlphaFloor::Auto),
            Value::String(_) => decode::invalid_value(path, v, EXPECTED),
            Value::Number(_) => Ok(AlphaFloor::Value(decode::f32_(v, path)?)),
            _ => decode::invalid_type(path, v, EXPECTED),
        }
    }
}

/// Teacher settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeacherConfig {
    /// `trained` or `synthetic`.
    pub kind: TeacherKind,
    /// Hidden widths of a trained teacher.
    pub hidden: Vec<usize>,
    /// Epochs over L for a trained teacher.
    pub epochs: usize,
    /// Adam learning rate of a trained teacher.
    pub lr: f32,
    /// Noise model of a synthetic teacher.
    pub noise: NoiseModel,
    /// Mean flip rate of a synthetic teacher.
    pub rate: f32,
    /// How sharply a synthetic teacher's confidence tracks its true accuracy (0 = no jitter).
    pub confidence_jitter: f32,
    /// A trained teacher on image data: largest random pixel shift (in x and y) of each training
    /// image, drawn anew on every visit; 0 = no augmentation.
    pub shift: usize,
}

impl Default for TeacherConfig {
    fn default() -> Self {
        TeacherConfig {
            kind: TeacherKind::Trained,
            hidden: vec![64, 64],
            epochs: 300,
            lr: 0.01,
            noise: NoiseModel::Region,
            rate: 0.2,
            confidence_jitter: 0.05,
            shift: 0,
        }
    }
}

/// Student settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StudentConfig {
    /// Hidden widths.
    pub hidden: Vec<usize>,
    /// Epochs over L + U.
    pub epochs: usize,
    /// Learning rate.
    pub lr: f32,
    /// Minibatch size.
    pub batch_size: usize,
    /// `adam` or `sgd` (momentum 0.9).
    pub optimizer: OptimizerKind,
    /// L2 weight decay on weights.
    pub weight_decay: f32,
    /// On image data: largest random pixel shift (in x and y) of each training image, drawn anew on
    /// every visit; the teacher's label, alpha and top-k stay those of the unshifted image. 0 = off.
    pub shift: usize,
}

impl Default for StudentConfig {
    fn default() -> Self {
        StudentConfig {
            hidden: vec![16],
            epochs: 40,
            lr: 0.01,
            batch_size: 32,
            optimizer: OptimizerKind::Adam,
            weight_decay: 1e-4,
            shift: 0,
        }
    }
}

/// The whole experiment configuration. Every key is optional.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Built-in dataset or generator name (the CLI's `--dataset` overrides it).
    pub dataset: String,
    /// Points drawn by a generator.
    pub samples: usize,
    /// Generator noise.
    pub data_noise: f32,
    /// Classes for generators that take one.
    pub classes: usize,
    /// Size of the labeled set L.
    pub labeled: usize,
    /// Size of the validation set V.
    pub validation: usize,
    /// Share of all rows held out as the test set T.
    pub test_fraction: f32,
    /// How features are scaled (fitted on L, V and U, never on T).
    pub standardize: Standardize,
    /// Teacher settings.
    pub teacher: TeacherConfig,
    /// Student settings.
    pub student: StudentConfig,
    /// How alpha(x) is estimated.
    pub alpha_estimator: AlphaEstimator,
    /// Lower clamp on alpha: a number, or `auto` (the switch point of the chosen form).
    pub alpha_min: AlphaFloor,
    /// Coverage q for choosing k: smallest k >= 2 with top-k accuracy on V >= q.
    pub k_coverage: f32,
    /// Divide SLaM's second term by k - 1 (the theory version).
    pub normalize_k: bool,
    /// Temperature applied to the teacher's logits.
    pub temperature: f32,
    /// The methods' own settings (declared beside each method, with their defaults), by dotted
    /// path; written as the config writes them (`"ups": {"ensemble": 5}`).
    #[serde(skip)]
    pub settings: Settings,
    /// Base seed; run i uses seed + i.
    pub seed: u64,
    /// Methods to train, by name, in display order; `["all"]` means every method the teacher allows,
    /// none the core six. The check turns it into the list of names that will run.
    pub methods: Option<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dataset: "moons".into(),
            samples: 2000,
            data_noise: 0.2,
            classes: 3,
            labeled: 40,
            validation: 200,
            test_fraction: 0.25,
            standardize: Standardize::Auto,
            teacher: TeacherConfig::default(),
            student: StudentConfig::default(),
            alpha_estimator: AlphaEstimator::Isotonic,
            alpha_min: AlphaFloor::Auto,
            k_coverage: 0.9,
            normalize_k: false,
            temperature: 1.0,
            settings: Settings::default(),
            seed: 0,
            methods: None,
        }
    }
}

impl Serialize for Config {
    /// Each field under its name, the methods' settings between `temperature` and `seed`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("dataset", &self.dataset)?;
        m.serialize_entry("samples", &self.samples)?;
        m.serialize_entry("data_noise", &self.data_noise)?;
        m.serialize_entry("classes", &self.classes)?;
        m.serialize_entry("labeled", &self.labeled)?;
        m.serialize_entry("validation", &self.validation)?;
        m.serialize_entry("test_fraction", &self.test_fraction)?;
        m.serialize_entry("standardize", &self.standardize)?;
        m.serialize_entry("teacher", &self.teacher)?;
        m.serialize_entry("student", &self.student)?;
        m.serialize_entry("alpha_estimator", &self.alpha_estimator)?;
        m.serialize_entry("alpha_min", &self.alpha_min)?;
        m.serialize_entry("k_coverage", &self.k_coverage)?;
        m.serialize_entry("normalize_k", &self.normalize_k)?;
        m.serialize_entry("temperature", &self.temperature)?;
        self.settings.write(&mut m)?;
        m.serialize_entry("seed", &self.seed)?;
        m.serialize_entry("methods", &self.methods)?;
        m.end()
    }
}

impl Config {
    /// Decode a JSON object of overrides on top of the defaults; errors name the key path.
    /// `"methods": "all"` is kept as `["all"]`, expanded by the check once the teacher is known.
    pub fn from_value(mut value: Value) -> Result<Config> {
        if !value.is_object() {
            return Err(Error::config("config", "must be a JSON object"));
        }
        if let Some(Value::String(s)) = value.get("methods") {
            let single = Value::Array(vec![Value::String(s.trim().to_string())]);
            value["methods"] = single;
        }
        Config::decode(&value, "").map_err(|e| {
            let field = if e.path == "." || e.path.is_empty() {
                "config".to_string()
            } else {
                e.path
            };
            Error::config(field, e.message)
        })
    }

    /// Whether the method can run with this teacher and student (it meets every requirement).
    pub fn supports(&self, m: &MethodEntry) -> bool {
        self.unmet(m).is_none()
    }

    /// The first requirement of `m` this config does not meet.
    fn unmet(&self, m: &MethodEntry) -> Option<&'static keys::Requirement> {
        m.requires
            .iter()
            .map(|r| keys::Requirement::named(r))
            .find(|r| !r.holds(self, &|_| false))
    }

    /// The method names that will run: `None` is the core methods, `["all"]` every method the teacher
    /// allows; errors name `methods` (or `student.hidden`) and the method.
    fn checked_methods(&self, catalogue: &[MethodEntry]) -> Result<Vec<String>> {
        let names: Vec<String> = match &self.methods {
            None => catalogue
                .iter()
                .filter(|m| m.core)
                .map(|m| m.name.to_string())
                .collect(),
            Some(list) if list.len() == 1 && list[0].trim() == "all" => catalogue
                .iter()
                .filter(|m| self.supports(m))
                .map(|m| m.name.to_string())
                .collect(),
            Some(list) => list.iter().map(|n| n.trim().to_string()).collect(),
        };
        if names.is_empty() {
            return Err(Error::config("methods", "needs at least one method"));
        }
        for (i, name) in names.iter().enumerate() {
            let Some(m) = catalogue.iter().find(|m| m.name == name) else {
                let known: Vec<&str> = catalogue.iter().map(|m| m.name).collect();
                return Err(Error::config(
                    "methods",
                    format!("unknown method `{name}` (known: {})", known.join(", ")),
                ));
            };
            if names[..i].contains(name) {
                return Err(Error::config("methods", format!("lists `{name}` twice")));
            }
            match self.unmet(m) {
                None => {}
                Some(r) if r.name == "student_hidden" => {
                    return Err(Error::config("student.hidden", format!("`{name}` matches the student's last hidden layer: give the student at least one")));
                }
                Some(r) => {
                    return Err(Error::config(
                        "methods",
                        format!(
                            "`{name}` needs {}; this one is {}",
                            r.reason,
                            match self.teacher.kind {
                                TeacherKind::Trained => "trained without hidden layers",
                                TeacherKind::Synthetic => "synthetic",
                                TeacherKind::Given => "given by the data file",
                            }
                        ),
                    ));
                }
            }
        }
        Ok(names)
    }

    /// Check every value and the method list once (against the engine's `catalogue` of methods):
    /// the engine's runs take only the result.
    /// Method settings are read against the keys the catalogue's methods declare, and every
    /// declared setting gets its default.
    pub fn check(mut self, catalogue: &[MethodEntry]) -> Result<Checked> {
        let declared = settings::declared(catalogue.iter().map(|m| &m.settings));
        self.settings.read(&declared, read::NAMES)?;
        let rules = settings::rules(catalogue.iter().map(|m| &m.settings));
        keys::check_all(&self, &declared, &rules)?;
        self.methods = Some(self.checked_methods(catalogue)?);
        Ok(Checked(self))
    }
}

/// A method as the check sees it, one entry of the catalogue it checks a method list against (the
/// engine's method table provides them): its name, whether it is a core method, its requirements.
#[derive(Clone, Copy, Debug)]
pub struct MethodEntry {
    /// Its name.
    pub name: &'static str,
    /// One of the core methods (the default list).
    pub core: bool,
    /// The requirements it cites (names in [`keys::REQUIREMENTS`]).
    pub requires: &'static [&'static str],
    /// Its settings: the config keys it reads, those it declares, their rules.
    pub settings: MethodSettings,
}

/// A configuration whose every value and method name has been checked; only [`Config::check`] makes
/// one, and it reads like the config it wraps. The method list holds the names that will run.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked(Config);

impl Checked {
    /// The names of the methods that will run, in order.
    pub fn method_names(&self) -> &[String] {
        self.0.methods.as_deref().unwrap_or(&[])
    }

    /// The config, to change and check again.
    pub fn into_config(self) -> Config {
        self.0
    }
}

impl std::ops::Deref for Checked {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.0
    }
}

impl Serialize for Checked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Merge `overlay` into `base`, recursing into objects (later keys win).
pub fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests;
