//! The one table of the config's own keys. Each row declares a key once: its path, how front ends
//! name and explain it, its kind and limits, the names of its values, the control range the page
//! offers, and when it matters. The check ([`super::Config::check`]), the schema (`slam-lab schema`,
//! the page's URL table, form labels, options and hints) and the page's "needs ..." notes all read
//! it; the defaults are [`super::Config::default`]'s, read through each row's `get`. A method's own
//! settings are rows of the same kind, made by [`setting`] with their default and declared in the
//! method's file (see [`super::settings`]).

use super::{caps, Config};
use crate::{Error, Result};

/// What values a key takes, and so how it is checked.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A dataset name (any non-empty text: a built-in name, or a file for the CLI).
    Dataset,
    /// A whole number in `min..=max`.
    Int { min: u64, max: u64 },
    /// One of a few whole numbers.
    OneOf(&'static [u64]),
    /// A number between `min` and `max` (`f64::INFINITY`: unbounded), each end open or closed.
    Float {
        min: f64,
        max: f64,
        open_min: bool,
        open_max: bool,
    },
    /// A number in `min..=max`, or `"auto"`.
    FloatOrAuto { min: f64, max: f64 },
    /// `true` or `false`.
    Bool,
    /// One of these names (the decoder refuses any other).
    Enum(&'static [&'static str]),
    /// Hidden-layer widths: at most [`caps::LAYERS`] of them, each in `1..=caps::WIDTH`.
    Widths,
    /// A list of method names (checked against the method table by the check).
    Methods,
}

/// A key's value in a config, as the check reads it.
#[derive(Clone, Copy, Debug)]
pub enum Val<'a> {
    /// A whole number.
    Int(u64),
    /// A number.
    Float(f32),
    /// `"auto"`.
    Auto,
    /// A name or a yes/no: checked by the decoder already.
    Named,
    /// Text.
    Text(&'a str),
    /// Widths.
    Widths(&'a [usize]),
}

/// A value as the page offers it: its spelling, its name, and a line on what it does.
pub type Choice = (&'static str, &'static str, &'static str);

/// One config key.
#[derive(Debug)]
pub struct Key {
    /// The dotted key (`student.epochs`), as in the config JSON, `--set` and the page's URL.
    pub path: &'static str,
    /// How front ends name it.
    pub label: &'static str,
    /// One line on what it does ("" when the label says it).
    pub help: &'static str,
    /// Its values and limits.
    pub kind: Kind,
    /// The values the page offers by name, in the order it lists them (enums: every option).
    pub choices: &'static [Choice],
    /// The page's slider (min, max, step) where one suits, inside the limits.
    pub slider: Option<(f64, f64, f64)>,
    /// The [`Requirement`] under which the key matters ("" always), so the page can grey it out.
    pub needs: &'static str,
    /// Where its value is: a field of [`Config`], or a method's setting with its default.
    pub get: Get,
}

/// Where a key's value is.
#[derive(Clone, Copy, Debug)]
pub enum Get {
    /// A field of the config, read by this.
    Field(fn(&Config) -> Val<'_>),
    /// A setting a method declares (see [`super::settings`]), with its default.
    Setting(f64),
}

impl Key {
    /// Its value in `cfg`, as the check reads it.
    pub fn value<'a>(&self, cfg: &'a Config) -> Val<'a> {
        match self.get {
            Get::Field(f) => f(cfg),
            Get::Setting(d) => cfg.settings.val(self, d),
        }
    }
}

/// A condition on the config, declared as data so front ends evaluate the very same rule: every
/// `(key, test)` must hold.
pub struct Requirement {
    /// Its name, as keys' `needs` and methods' requirements cite it.
    pub name: &'static str,
    /// What it asks, to complete "needs ...".
    pub reason: &'static str,
    /// The tests, all of which must hold.
    pub all: &'static [(&'static str, Test)],
}

/// A test on one key's value.
#[derive(Clone, Copy, Debug)]
pub enum Test {
    /// The value is this name.
    Is(&'static str),
    /// The list is not empty.
    NotEmpty,
    /// The dataset holds images (the dataset registry says which: `datasets` in the schema).
    ImageDataset,
    /// The value is one of these names.
    OneOf(&'static [&'static str]),
}

/// Every requirement a key or a method may cite.
pub static REQUIREMENTS: &[Requirement] = &[
    Requirement {
        name: "trained_teacher",
        reason: "a trained teacher (teacher.kind = \"trained\")",
        all: &[("teacher.kind", Test::Is("trained"))],
    },
    Requirement {
        name: "teacher_embedding",
        reason: "a trained teacher with a hidden layer (teacher.kind = \"trained\" and a non-empty teacher.hidden)",
        all: &[
            ("teacher.kind", Test::Is("trained")),
            ("teacher.hidden", Test::NotEmpty),
        ],
    },
    Requirement {
        name: "synthetic_teacher",
        reason: "a synthetic teacher (teacher.kind = \"synthetic\")",
        all: &[("teacher.kind", Test::Is("synthetic"))],
    },
    Requirement {
        name: "teacher_ensemble",
        reason: "a teacher the lab can redraw into an ensemble (teacher.kind = \"trained\" or \"synthetic\"; a teacher given by a file is one model)",
        all: &[("teacher.kind", Test::OneOf(&["trained", "synthetic"]))],
    },
    Requirement {
        name: "student_hidden",
        reason: "a student with a hidden layer (a non-empty student.hidden)",
        all: &[("student.hidden", Test::NotEmpty)],
    },
    Requirement {
        name: "image_data",
        reason: "image data (MNIST or digits)",
        all: &[("dataset", Test::ImageDataset)],
    },
];

impl Requirement {
    /// The requirement called `name`.
    pub fn named(name: &str) -> &'static Requirement {
        REQUIREMENTS
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no requirement `{name}`"))
    }

    /// Whether `cfg` meets it (`is_image` says whether a dataset name holds images).
    pub fn holds(&self, cfg: &Config, is_image: &dyn Fn(&str) -> bool) -> bool {
        self.all.iter().all(|&(path, test)| {
            let key = key(path);
            match (test, key.value(cfg)) {
                (Test::Is(name), _) => enum_name(cfg, path) == Some(name),
                (Test::NotEmpty, Val::Widths(w)) => !w.is_empty(),
                (Test::ImageDataset, Val::Text(d)) => is_image(d),
                (Test::OneOf(names), _) => enum_name(cfg, path).is_some_and(|n| names.contains(&n)),
                _ => false,
            }
        })
    }
}

/// The spelling of an enum key's value (for requirements), `None` for other kinds.
fn enum_name(cfg: &Config, path: &str) -> Option<&'static str> {
    Some(match path {
        "teacher.kind" => cfg.teacher.kind.name(),
        _ => return None,
    })
}

/// The row of `path`.
pub fn key(path: &str) -> &'static Key {
    KEYS.iter()
        .find(|k| k.path == path)
        .unwrap_or_else(|| panic!("no config key `{path}`"))
}

const SHIFTS: &[Choice] = &[
    ("0", "none", ""),
    ("1", "up to 1 pixel", ""),
    ("2", "up to 2 pixels", ""),
    ("3", "up to 3 pixels", ""),
    ("4", "up to 4 pixels", ""),
];

pub const fn int(min: u64, max: u64) -> Kind {
    Kind::Int { min, max }
}

pub const fn closed(min: f64, max: f64) -> Kind {
    Kind::Float {
        min,
        max,
        open_min: false,
        open_max: false,
    }
}

/// Above `min`, at most `max`.
pub const fn above(min: f64, max: f64) -> Kind {
    Kind::Float {
        min,
        max,
        open_min: true,
        open_max: false,
    }
}

/// A key with no choices, no slider, needed always, its value found by `get`.
const fn plain(
    path: &'static str,
    label: &'static str,
    help: &'static str,
    kind: Kind,
    get: Get,
) -> Key {
    Key {
        path,
        label,
        help,
        kind,
        choices: &[],
        slider: None,
        needs: "",
        get,
    }
}

/// A row of the config's own: no choices, no slider, needed always.
const fn row(
    path: &'static str,
    label: &'static str,
    help: &'static str,
    kind: Kind,
    get: fn(&Config) -> Val<'_>,
) -> Key {
    plain(path, label, help, kind, Get::Field(get))
}

/// A method's setting with its default: no choices, no slider, needed always. Whole numbers
/// ([`Kind::Int`], [`Kind::OneOf`]) and numbers ([`Kind::Float`]) only.
pub const fn setting(
    path: &'static str,
    label: &'static str,
    help: &'static str,
    kind: Kind,
    default: f64,
) -> Key {
    plain(path, label, help, kind, Get::Setting(default))
}

/// Every config key, in the order the page and `slam-lab schema` list them.
pub static KEYS: &[Key] = &[
    row("dataset", "Dataset", "a generator, a built-in real dataset, or (from the command line) a CSV file", Kind::Dataset, |c| Val::Text(&c.dataset)),
    row("samples", "Points", "drawn by the generator (or taken from MNIST)", int(10, caps::SAMPLES as u64), |c| Val::Int(c.samples as u64)),
    Key {
        slider: Some((0.0, 2.0, 0.01)),
        ..row("data_noise", "Data noise", "how much the classes overlap", closed(0.0, 10.0), |c| Val::Float(c.data_noise))
    },
    row("classes", "Classes", "spirals and blobs only", int(2, caps::CLASSES as u64), |c| Val::Int(c.classes as u64)),
    row("labeled", "|L| labeled points", "true labels the teacher and student see", int(1, caps::SAMPLES as u64), |c| Val::Int(c.labeled as u64)),
    row("validation", "|V| validation points", "used only to measure the teacher", int(1, caps::SAMPLES as u64), |c| Val::Int(c.validation as u64)),
    Key {
        slider: Some((0.05, 0.5, 0.01)),
        ..row(
            "test_fraction",
            "Test share",
            "",
            Kind::Float { min: 0.0, max: 1.0, open_min: true, open_max: true },
            |c| Val::Float(c.test_fraction),
        )
    },
    Key {
        choices: &[
            ("auto", "auto: images to [0, 1], the rest standardised", ""),
            ("always", "standardise every column", ""),
            ("never", "none", ""),
            ("labeled", "standardise on L only (not advised)", ""),
        ],
        ..row("standardize", "Feature scaling", "fitted on the features of L, V and U (they are observed), never on T", Kind::Enum(super::Standardize::NAMES), |_| Val::Named)
    },
    Key {
        choices: &[
            ("synthetic", "synthetic (known noise)", ""),
            ("trained", "trained on L", ""),
            ("given", "your teacher (from the file)", "the predictions your data file carries, from a model trained elsewhere"),
        ],
        ..row("teacher.kind", "Teacher", "", Kind::Enum(super::TeacherKind::NAMES), |_| Val::Named)
    },
    Key {
        needs: "trained_teacher",
        ..row("teacher.hidden", "Teacher hidden layers", "widths, e.g. 64,64", Kind::Widths, |c| Val::Widths(&c.teacher.hidden))
    },
    Key {
        needs: "trained_teacher",
        ..row("teacher.epochs", "Teacher epochs", "", int(1, caps::EPOCHS as u64), |c| Val::Int(c.teacher.epochs as u64))
    },
    Key {
        needs: "trained_teacher",
        ..row("teacher.lr", "Teacher learning rate", "", above(0.0, f64::INFINITY), |c| Val::Float(c.teacher.lr))
    },
    Key {
        choices: &[
            ("region", "one noisy region", "one region of the plane where the teacher is mostly wrong"),
            ("margin", "near the boundary", "flips gather near the class boundaries"),
            ("uniform", "uniform flips", "every label flips with the same chance, to any other class"),
            ("class_pair", "class-pair flips", "class c flips to class c+1: one systematic confusion"),
        ],
        needs: "synthetic_teacher",
        ..row("teacher.noise", "Noise model", "", Kind::Enum(super::NoiseModel::NAMES), |_| Val::Named)
    },
    Key {
        slider: Some((0.0, 0.95, 0.01)),
        needs: "synthetic_teacher",
        ..row("teacher.rate", "Noise rate", "share of U the teacher labels wrongly (on average)", closed(0.0, 0.95), |c| Val::Float(c.teacher.rate))
    },
    Key {
        slider: Some((0.0, 1.0, 0.01)),
        needs: "synthetic_teacher",
        ..row("teacher.confidence_jitter", "Confidence jitter", "how loosely its confidence tracks its accuracy", closed(0.0, 1.0), |c| Val::Float(c.teacher.confidence_jitter))
    },
    Key {
        choices: SHIFTS,
        needs: "image_data",
        ..row(
            "teacher.shift",
            "Teacher pixel shifts",
            "image data: each training visit moves the digit at random (the same as the student: the matched pipeline)",
            int(0, caps::SHIFT as u64),
            |c| Val::Int(c.teacher.shift as u64),
        )
    },
    row("student.hidden", "Student hidden layers", "widths, e.g. 16 or 32,16 (empty: a linear model)", Kind::Widths, |c| Val::Widths(&c.student.hidden)),
    row("student.epochs", "Student epochs", "", int(1, caps::EPOCHS as u64), |c| Val::Int(c.student.epochs as u64)),
    row("student.lr", "Learning rate", "", above(0.0, 100.0), |c| Val::Float(c.student.lr)),
    row("student.batch_size", "Batch size", "", int(1, 65_536), |c| Val::Int(c.student.batch_size as u64)),
    Key {
        choices: &[("adam", "Adam", ""), ("sgd", "SGD (momentum 0.9)", "")],
        ..row("student.optimizer", "Optimizer", "", Kind::Enum(super::OPTIMIZERS), |_| Val::Named)
    },
    row("student.weight_decay", "Weight decay", "", closed(0.0, 1.0), |c| Val::Float(c.student.weight_decay)),
    Key {
        choices: SHIFTS,
        needs: "image_data",
        ..row(
            "student.shift",
            "Pixel shifts (augmentation)",
            "image data: each training visit moves the digit at random; the teacher's label stays that of the unshifted digit",
            int(0, caps::SHIFT as u64),
            |c| Val::Int(c.student.shift as u64),
        )
    },
    Key {
        choices: &[
            ("isotonic", "isotonic (monotone fit on V)", ""),
            ("binned", "binned (equal-mass bins on V)", ""),
            ("constant", "constant (one number)", ""),
            ("oracle", "oracle (true α, synthetic teacher)", ""),
        ],
        ..row("alpha_estimator", "α estimator", "", Kind::Enum(super::AlphaEstimator::NAMES), |_| Val::Named)
    },
    Key {
        slider: Some((0.0, 1.0, 0.01)),
        ..row("alpha_min", "α lower clamp (alpha_min)", "SLaM never uses an α below this", Kind::FloatOrAuto { min: 0.0, max: 1.0 }, |c| match c.alpha_min {
            super::AlphaFloor::Auto => Val::Auto,
            super::AlphaFloor::Value(v) => Val::Float(v),
        })
    },
    Key {
        slider: Some((0.5, 1.0, 0.01)),
        ..row("k_coverage", "k coverage", "smallest k whose top-k holds the truth this often on V", above(0.0, 1.0), |c| Val::Float(c.k_coverage))
    },
    row("normalize_k", "divide the second term by k − 1 (theory version)", "", Kind::Bool, |_| Val::Named),
    row("temperature", "Temperature τ", "softens (τ > 1) or sharpens the teacher's soft labels", closed(0.05, 100.0), |c| Val::Float(c.temperature)),
    // Any seed JavaScript holds exactly (2^53 - 1), so the page and the CLI run the same seeds.
    row("seed", "Seed", "same seed, same run, here and on the command line", int(0, 9_007_199_254_740_991), |c| Val::Int(c.seed)),
    row("methods", "Methods", "", Kind::Methods, |_| Val::Named),
];

/// A rule between keys: checked after every key's own limits.
#[derive(Debug)]
pub struct Rule {
    /// The key the error names.
    pub path: &'static str,
    /// The rule in words, for the schema.
    pub text: &'static str,
    /// The check.
    pub check: fn(&Config) -> Result<()>,
}

impl Key {
    /// Check this key's value in `cfg` against its limits; the error names the key.
    pub fn check(&self, cfg: &Config) -> Result<()> {
        let fail = |msg: String| Err(Error::config(self.path, msg));
        match (self.kind, self.value(cfg)) {
            (Kind::Dataset, Val::Text(t)) if t.trim().is_empty() => {
                fail("must name a dataset".into())
            }
            (Kind::Int { min, max }, Val::Int(v)) if !(min..=max).contains(&v) => {
                fail(format!("must be between {min} and {max}, got {v}"))
            }
            (Kind::OneOf(options), Val::Int(v)) if !options.contains(&v) => {
                fail(format!("must be {}, got {v}", spoken_list(options)))
            }
            (
                Kind::Float {
                    min,
                    max,
                    open_min,
                    open_max,
                },
                Val::Float(v),
            ) => {
                let x = v as f64;
                let low_ok = if open_min { x > min } else { x >= min };
                let high_ok = if open_max { x < max } else { x <= max };
                if v.is_finite() && low_ok && high_ok {
                    return Ok(());
                }
                fail(match (open_min, open_max, max.is_finite()) {
                    (true, _, false) if min == 0.0 => format!("must be a positive number, got {v}"),
                    (true, _, false) => format!("must be above {min}, got {v}"),
                    (false, false, _) => format!("must be between {min} and {max}, got {v}"),
                    (true, true, _) => {
                        format!("must be between {min} and {max} (exclusive), got {v}")
                    }
                    (true, false, _) => format!("must be in ({min}, {max}], got {v}"),
                    (false, true, _) => format!("must be in [{min}, {max}), got {v}"),
                })
            }
            (Kind::FloatOrAuto { min, max }, Val::Float(v))
                if !(v.is_finite() && (min..=max).contains(&(v as f64))) =>
            {
                fail(format!(
                    "must be between {min} and {max} or \"auto\", got {v}"
                ))
            }
            (Kind::Widths, Val::Widths(w)) => {
                if w.len() > caps::LAYERS {
                    return fail(format!(
                        "has {} layers, at most {} allowed",
                        w.len(),
                        caps::LAYERS
                    ));
                }
                for (i, &v) in w.iter().enumerate() {
                    if v == 0 || v > caps::WIDTH {
                        return Err(Error::config(
                            format!("{}[{i}]", self.path),
                            format!("must be between 1 and {}, got {v}", caps::WIDTH),
                        ));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// "2, 4, 6 or 8".
fn spoken_list(options: &[u64]) -> String {
    let words: Vec<String> = options.iter().map(u64::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.join(""),
    }
}

/// Check every key's limits (the config's own, then the methods' `declared` ones), then the
/// methods' `rules` between keys.
pub fn check_all(cfg: &Config, declared: &[&Key], rules: &[&Rule]) -> Result<()> {
    for k in KEYS.iter().chain(declared.iter().copied()) {
        k.check(cfg)?;
    }
    for r in rules {
        (r.check)(cfg)?;
    }
    Ok(())
}
