//! The config's keys as front ends see them ([`KeySpec`]), made from the key table
//! ([`super::keys::KEYS`]) for `slam-lab schema` and the page.

use serde::Serialize;
use serde_json::Value;

use super::{caps, keys, settings, Config, MethodEntry};

/// One config key as front ends see it, from its row of [`keys::KEYS`]: its kind, limits, options,
/// default, names and help. The page builds its URL table, form controls and hints from this; a test
/// pins every limit to [`Config::check`].
#[derive(Clone, Debug, Serialize)]
pub struct KeySpec {
    /// The dotted key (`student.epochs`).
    pub key: &'static str,
    /// `int`, `float`, `float_or_auto`, `bool`, `enum`, `int_list` or `enum_list`.
    pub kind: &'static str,
    /// Smallest value (or list element); `None`: unbounded.
    pub min: Option<f64>,
    /// Largest value (or list element); `None`: unbounded.
    pub max: Option<f64>,
    /// Whether `min` itself is refused.
    pub min_exclusive: bool,
    /// Whether `max` itself is refused.
    pub max_exclusive: bool,
    /// The values an `enum`, `enum_list` or option-restricted `int` may take.
    pub options: Vec<Value>,
    /// Most elements of a list.
    pub max_len: Option<usize>,
    /// The default (the value of [`Config::default`]).
    pub default: Value,
    /// How front ends name it.
    pub label: &'static str,
    /// One line on what it does ("" when the label says it).
    pub help: &'static str,
    /// The values the page offers by name, in its order: `{value, label, help}`.
    pub choices: Vec<ChoiceSpec>,
    /// The page's slider `[min, max, step]`, where one suits.
    pub slider: Option<[f64; 3]>,
    /// The requirement (see the schema's `requirements`) under which the key matters.
    pub needs: Option<&'static str>,
    /// Rules between this key and others, in words.
    pub rules: Vec<&'static str>,
}

/// A value the page offers by name.
#[derive(Clone, Debug, Serialize)]
pub struct ChoiceSpec {
    /// The value (a number for number keys).
    pub value: Value,
    /// Its name.
    pub label: &'static str,
    /// What it does ("" when the name says it).
    pub help: &'static str,
}

/// Every config key, in the order the page lists them: the config's own, with the settings the
/// `catalogue`'s methods declare before `seed`. `datasets` are the dataset names the engine knows
/// (the options of `dataset`; the catalogue's names are those of `methods`).
pub fn schema(datasets: &[&str], catalogue: &[MethodEntry]) -> Vec<KeySpec> {
    let methods: Vec<&str> = catalogue.iter().map(|m| m.name).collect();
    let declared = settings::declared(catalogue.iter().map(|m| &m.settings));
    let rules = settings::rules(catalogue.iter().map(|m| &m.settings));
    let defaults = serde_json::to_value(Config::default()).expect("the defaults serialise");
    let seed = keys::KEYS
        .iter()
        .position(|k| k.path == "seed")
        .unwrap_or(0);
    let (before, after) = keys::KEYS.split_at(seed);
    before
        .iter()
        .chain(declared.iter().copied())
        .chain(after)
        .map(|k| {
            let default = match k.get {
                keys::Get::Field(_) => k.path.split('.').fold(&defaults, |v, p| &v[p]).clone(),
                keys::Get::Setting(d) => match k.kind {
                    keys::Kind::Float { .. } => {
                        serde_json::to_value(settings::Setting::Float(d as f32))
                            .expect("a number serialises")
                    }
                    _ => Value::from(d as u64),
                },
            };
            let mut spec = KeySpec {
                key: k.path,
                kind: "",
                min: None,
                max: None,
                min_exclusive: false,
                max_exclusive: false,
                options: Vec::new(),
                max_len: None,
                default,
                label: k.label,
                help: k.help,
                choices: choices(k),
                slider: k.slider.map(|(a, b, c)| [a, b, c]),
                needs: (!k.needs.is_empty()).then_some(k.needs),
                rules: rules
                    .iter()
                    .filter(|r| r.path == k.path)
                    .map(|r| r.text)
                    .collect(),
            };
            limits(&mut spec, k.kind, datasets, &methods);
            spec
        })
        .collect()
}

/// A key's named values, numbers for number keys.
fn choices(k: &keys::Key) -> Vec<ChoiceSpec> {
    let number = matches!(k.kind, keys::Kind::Int { .. } | keys::Kind::OneOf(_));
    k.choices
        .iter()
        .map(|&(value, label, help)| ChoiceSpec {
            value: if number {
                Value::from(
                    value
                        .parse::<u64>()
                        .expect("a number key's choices are numbers"),
                )
            } else {
                Value::String(value.into())
            },
            label,
            help,
        })
        .collect()
}

/// The spec's kind, limits and options, from the key's kind.
fn limits(spec: &mut KeySpec, kind: keys::Kind, datasets: &[&str], methods: &[&str]) {
    let names = |list: &[&str]| list.iter().map(|o| Value::String(o.to_string())).collect();
    match kind {
        keys::Kind::Dataset => {
            spec.kind = "enum";
            spec.options = names(datasets);
        }
        keys::Kind::Int { min, max } => {
            spec.kind = "int";
            (spec.min, spec.max) = (Some(min as f64), Some(max as f64));
        }
        keys::Kind::OneOf(options) => {
            spec.kind = "int";
            spec.options = options.iter().map(|&v| Value::from(v)).collect();
            spec.min = options.iter().min().map(|&v| v as f64);
            spec.max = options.iter().max().map(|&v| v as f64);
        }
        keys::Kind::Float {
            min,
            max,
            open_min,
            open_max,
        } => {
            spec.kind = "float";
            (spec.min, spec.max) = (Some(min), max.is_finite().then_some(max));
            (spec.min_exclusive, spec.max_exclusive) = (open_min, open_max && max.is_finite());
        }
        keys::Kind::FloatOrAuto { min, max } => {
            spec.kind = "float_or_auto";
            (spec.min, spec.max) = (Some(min), Some(max));
        }
        keys::Kind::Bool => spec.kind = "bool",
        keys::Kind::Enum(options) => {
            spec.kind = "enum";
            spec.options = names(options);
        }
        keys::Kind::Widths => {
            spec.kind = "int_list";
            (spec.min, spec.max) = (Some(1.0), Some(caps::WIDTH as f64));
            spec.max_len = Some(caps::LAYERS);
        }
        keys::Kind::Methods => {
            spec.kind = "enum_list";
            spec.options = names(methods);
            if spec.default.is_null() {
                spec.default = Value::Array(Vec::new());
            }
        }
    }
}

#[cfg(test)]
mod tests;
