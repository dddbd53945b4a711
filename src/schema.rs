//! What the engine tells front ends about itself, so that none keeps a copy: every config key with
//! its kind, limits, options and default; every method's facts; the keys a sweep offers; the limits
//! on uploads, hand-added points and memory. The page reads it once (`schema()` in wasm), the CLI prints it
//! (`slam-lab schema`).

use serde::Serialize;
use serde_json::{json, Value};

use crate::config::{schema as keys, KeySpec};
use crate::methods::{MethodFacts, TABLE};

/// A key the page offers for a sweep.
#[derive(Serialize)]
pub struct SweepKey {
    /// The dotted config key.
    pub key: &'static str,
    /// What varying it shows.
    pub description: &'static str,
}

/// Limits that are not config keys.
#[derive(Serialize)]
pub struct Limits {
    /// Largest CSV upload in bytes.
    pub csv_bytes: usize,
    /// Most rows of a CSV.
    pub csv_rows: usize,
    /// Most columns of a CSV.
    pub csv_columns: usize,
    /// Most hand-added labeled points.
    pub extra_points: usize,
    /// How far past the data's range a hand-added point may lie on each axis, in spans of the data
    /// on that axis (a span below 0.001 counts as 0.001); the plot (the data's bounds plus 5 %) lies
    /// well inside.
    pub extra_point_margin: f64,
    /// The most memory one run (one seed, or the page's session) may need, in bytes: settings whose
    /// estimated peak is larger are refused, naming the key to lower.
    pub memory_bytes: u64,
    /// Most values in one sweep.
    pub sweep_values: usize,
    /// Most seeds in one run.
    pub seeds: usize,
}

/// The whole schema.
#[derive(Serialize)]
pub struct Schema {
    /// Every config key.
    pub keys: Vec<KeySpec>,
    /// The conditions keys (`needs`) and methods (`requires`) cite, as data front ends evaluate:
    /// `{name, reason, all: [{key, is | not_empty | one_of}]}`, every test of `all` must hold.
    pub requirements: Value,
    /// Every method's facts, in display order.
    pub methods: &'static [MethodFacts],
    /// The keys the page offers for a sweep.
    pub sweep_keys: Vec<SweepKey>,
    /// Limits beside the config keys.
    pub limits: Limits,
}

/// The engine's schema.
pub fn schema() -> Schema {
    let datasets: Vec<&str> = crate::data::catalogue()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    Schema {
        keys: keys(&datasets, &crate::methods::catalogue()),
        requirements: requirements(),
        methods: TABLE,
        sweep_keys: crate::sweep::SUGGESTED
            .iter()
            .map(|&(key, description)| SweepKey { key, description })
            .collect(),
        limits: Limits {
            csv_bytes: crate::data::csv::MAX_BYTES,
            csv_rows: crate::data::csv::MAX_ROWS,
            csv_columns: crate::data::csv::MAX_COLUMNS,
            extra_points: crate::seed::MAX_EXTRA_POINTS,
            extra_point_margin: crate::seed::points::MARGIN_SPANS,
            memory_bytes: crate::memory::BUDGET,
            sweep_values: crate::sweep::MAX_VALUES,
            seeds: crate::config::caps::SEEDS,
        },
    }
}

/// [`crate::config::keys::REQUIREMENTS`] as data (the image datasets from the data registry).
fn requirements() -> Value {
    use crate::config::keys::{Test, REQUIREMENTS};
    let list: Vec<Value> = REQUIREMENTS
        .iter()
        .map(|r| {
            let all: Vec<Value> = r
                .all
                .iter()
                .map(|&(key, test)| match test {
                    Test::Is(name) => json!({"key": key, "is": name}),
                    Test::NotEmpty => json!({"key": key, "not_empty": true}),
                    Test::OneOf(names) => json!({"key": key, "one_of": names}),
                    Test::ImageDataset => {
                        json!({"key": key, "one_of": crate::data::IMAGE_DATASETS})
                    }
                })
                .collect();
            json!({"name": r.name, "reason": r.reason, "all": all})
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_lists_every_key_method_and_sweep_key() {
        let s = schema();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(s.methods.len(), TABLE.len());
        assert!(v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["key"] == "student.shift" && k["max"] == 4.0));
        assert_eq!(v["methods"][0]["group"], "core");
        for k in &s.sweep_keys {
            assert!(
                s.keys.iter().any(|spec| spec.key == k.key),
                "sweep key {} is a config key",
                k.key
            );
        }
    }
}
