//! Sweeps: the comparison run at each value of one config key, the shape of the paper's figures
//! (accuracy against the label budget, the noise rate, ...). The CLI (`slam-lab sweep`) and the
//! page (a pool of workers, one seed of one value at a time) build the same report here.

use serde_json::{json, Map, Value};

use crate::config::Checked;
use crate::experiment::SeedResult;
use crate::report::{mean_std, methods_json, summarise, Reference};
use crate::{Error, Result};

/// Keys the page offers for a sweep, with what varying each shows. Any config key can be swept
/// from the command line.
pub const SUGGESTED: [(&str, &str); 12] = [
    (
        "labeled",
        "the label budget |L|: the paper's gains shrink as labels grow",
    ),
    ("validation", "|V|, the labels that estimate alpha and k"),
    ("samples", "rows drawn (a larger U relative to L)"),
    ("teacher.rate", "a synthetic teacher's mean flip rate"),
    (
        "teacher.epochs",
        "how long a trained teacher is fitted on L",
    ),
    (
        "student.shift",
        "the student's random pixel shifts (image data)",
    ),
    (
        "teacher.shift",
        "the trained teacher's random pixel shifts (the matched pipeline)",
    ),
    ("student.epochs", "how long the students train"),
    ("alpha_min", "the lower clamp on alpha"),
    ("k_coverage", "the top-k coverage that chooses k"),
    ("temperature", "the teacher's temperature"),
    ("standardize", "how features are scaled"),
];

/// Most values in one sweep.
pub const MAX_VALUES: usize = 20;

/// Split `list` at top-level commas (commas inside brackets or quotes stay: `[64,64],[16]`), and read
/// each part as JSON when it parses (`100`, `0.2`, `[64,64]`, `true`), else as a string (`auto`).
pub fn parse_values(key: &str, list: &str) -> Result<Vec<Value>> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    for (i, ch) in list.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    let values: Vec<Value> = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| serde_json::from_str(p).unwrap_or_else(|_| Value::String(p.to_string())))
        .collect();
    if values.is_empty() {
        return Err(Error::config(key, "needs at least one value to sweep"));
    }
    if values.len() > MAX_VALUES {
        return Err(Error::config(
            key,
            format!(
                "at most {MAX_VALUES} values in one sweep, got {}",
                values.len()
            ),
        ));
    }
    Ok(values)
}

/// Set the dotted `key` (`teacher.rate`) to `value` in a JSON object of config overrides.
pub fn set_key(overrides: &mut Value, key: &str, value: Value) -> Result<()> {
    let parts: Vec<&str> = key.split('.').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) || key.trim() != key {
        return Err(Error::config(
            "vary",
            format!("`{key}` is not a config key (e.g. labeled, teacher.rate)"),
        ));
    }
    if !overrides.is_object() {
        *overrides = Value::Object(Map::new());
    }
    let mut slot = overrides;
    for p in &parts[..parts.len() - 1] {
        let obj = slot.as_object_mut().expect("made an object above");
        let next = obj
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        slot = next;
    }
    slot.as_object_mut()
        .expect("made an object above")
        .insert(parts[parts.len() - 1].to_string(), value);
    Ok(())
}

/// Parse `KEY=v1,v2,...` as given to `--vary`.
pub fn parse_vary(arg: &str) -> Result<(String, Vec<Value>)> {
    let Some((key, list)) = arg.split_once('=') else {
        return Err(Error::config(
            "vary",
            format!("expected KEY=v1,v2,... (e.g. labeled=50,100,200), got `{arg}`"),
        ));
    };
    let key = key.trim().to_string();
    let values = parse_values(&key, list)?;
    Ok((key, values))
}

/// Make sure `vanilla` runs (every method is compared with it seed by seed): the method list with
/// vanilla first when it was missing, checked again.
pub fn with_vanilla(cfg: Checked) -> Result<Checked> {
    if cfg.method_names().iter().any(|n| n == "vanilla") {
        return Ok(cfg);
    }
    let mut names = vec!["vanilla".to_string()];
    names.extend(cfg.method_names().iter().cloned());
    let mut raw = cfg.into_config();
    raw.methods = Some(names);
    raw.check(&crate::methods::catalogue())
}

/// The checked config of each value: `key` set to the value over the scenario and `overrides`,
/// with vanilla added to the methods. Errors name the key and the value.
pub fn configs(
    scenario: Option<&str>,
    overrides: &Value,
    key: &str,
    values: &[Value],
) -> Result<Vec<Checked>> {
    values
        .iter()
        .map(|value| {
            let mut o = overrides.clone();
            set_key(&mut o, key, value.clone())?;
            let cfg = crate::scenarios::resolve(scenario, o).map_err(|e| match e {
                Error::Config { field, reason } if field == key => {
                    Error::config(key, format!("value {}: {reason}", label(value)))
                }
                Error::Config { field, reason } => {
                    Error::config(field, format!("{reason} (with {key} = {})", label(value)))
                }
                other => other,
            })?;
            with_vanilla(cfg)
        })
        .collect()
}

/// A value as the report prints it: numbers and strings bare, anything else as JSON.
pub fn label(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        v => crate::decode::value_text(v),
    }
}

/// The sweep report: per value, the teacher and per method the mean, sample sd, per-seed accuracies
/// and the paired difference to vanilla (mean, 95% interval over seeds, wins).
pub fn to_json(
    base: &Checked,
    dataset: &str,
    scenario: Option<&str>,
    key: &str,
    points: &[(Value, Vec<SeedResult>)],
    reference: &Reference,
) -> Value {
    let seeds = points.first().map_or(0, |(_, r)| r.len());
    let rows: Vec<Value> = points
        .iter()
        .map(|(value, results)| {
            let teacher: Vec<f64> = results.iter().map(|r| r.teacher_accuracy as f64).collect();
            let (t_mean, t_std) = mean_std(&teacher);
            // Every method's entry as `run --json` writes it.
            let methods = methods_json(results, reference);
            json!({
                "value": value,
                "teacher_accuracy": t_mean,
                "teacher_accuracy_std": t_std,
                "sizes": results.first().map(|r| r.sizes),
                "k": mean_std(&results.iter().map(|r| r.k as f64).collect::<Vec<_>>()).0,
                "methods": methods,
            })
        })
        .collect();
    json!({
        "dataset": dataset,
        "scenario": scenario,
        "key": key,
        "values": points.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        "seeds": seeds,
        "seed_list": points.first().map(|(_, r)| r.iter().map(|s| s.seed).collect::<Vec<_>>()).unwrap_or_default(),
        "reference": reference.name(),
        "points": rows,
        "config": base,
    })
}

/// The sweep as a text table: one block per value.
pub fn to_table(
    dataset: &str,
    scenario: Option<&str>,
    key: &str,
    points: &[(Value, Vec<SeedResult>)],
    reference: &Reference,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let seeds = points.first().map_or(0, |(_, r)| r.len());
    let _ = writeln!(
        out,
        "{dataset}{} | sweep of {key} | {seeds} seed(s) per value",
        scenario
            .map(|s| format!(" (scenario {s})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "test accuracy %, mean +- sd over seeds; vs {}: paired mean difference [95% CI], seeds won",
        reference.name()
    );
    for (value, results) in points {
        let teacher: Vec<f64> = results.iter().map(|r| r.teacher_accuracy as f64).collect();
        let (tm, ts) = mean_std(&teacher);
        let _ = writeln!(
            out,
            "\n{key} = {}: teacher {:.1} +- {:.1}",
            label(value),
            100.0 * tm,
            100.0 * ts
        );
        for (name, s) in summarise(results, reference) {
            let mark = if s.trains_on_validation_labels {
                " *"
            } else {
                ""
            };
            let vs = s
                .vs_reference
                .as_ref()
                .map(crate::report::Paired::to_text)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<18}{:>6.1} +- {:<5.1} {}",
                format!("{name}{mark}"),
                100.0 * s.mean,
                100.0 * s.std,
                vs
            );
        }
    }
    if points.iter().any(|(_, r)| {
        r.first().is_some_and(|s| {
            s.methods
                .iter()
                .any(|(m, _)| m.trains_on_validation_labels())
        })
    }) {
        let _ = writeln!(
            out,
            "\n* trains on V's true labels (the other methods only estimate from V)"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn values_split_at_top_level_commas_and_read_as_json() {
        let v = parse_values("x", "50, 100,0.25,auto,[64,64],[16],\"a,b\"").unwrap();
        assert_eq!(
            v,
            vec![
                json!(50),
                json!(100),
                json!(0.25),
                json!("auto"),
                json!([64, 64]),
                json!([16]),
                json!("a,b")
            ]
        );
        assert!(parse_values("labeled", " , ")
            .unwrap_err()
            .to_string()
            .contains("labeled"));
        let many = (0..=MAX_VALUES)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse_values("labeled", &many)
            .unwrap_err()
            .to_string()
            .contains("at most"));
    }

    #[test]
    fn keys_set_nested_objects_and_overrides_win() {
        let mut o = json!({"teacher": {"kind": "trained", "rate": 0.1}, "seed": 3});
        set_key(&mut o, "teacher.rate", json!(0.3)).unwrap();
        set_key(&mut o, "student.shift", json!(2)).unwrap();
        set_key(&mut o, "labeled", json!(50)).unwrap();
        assert_eq!(
            o,
            json!({"teacher": {"kind": "trained", "rate": 0.3}, "student": {"shift": 2}, "seed": 3, "labeled": 50})
        );
        assert!(set_key(&mut o, "teacher..rate", json!(1)).is_err());
        let (k, v) = parse_vary("labeled=50,100").unwrap();
        assert_eq!((k.as_str(), v), ("labeled", vec![json!(50), json!(100)]));
        assert!(parse_vary("labeled")
            .unwrap_err()
            .to_string()
            .contains("KEY=v1"));
    }

    #[test]
    fn a_bad_value_is_named_once_with_its_key() {
        let err = configs(
            Some("flagship"),
            &json!({}),
            "labeled",
            &[json!(10), json!("nope")],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("config: `labeled` value nope:") && err.matches("config:").count() == 1,
            "{err}"
        );
        let err = configs(None, &json!({}), "teacher.rate", &[json!(2.0)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`teacher.rate`") && err.contains("2"), "{err}");
    }

    #[test]
    fn every_suggested_key_is_a_config_key() {
        // Each suggested key, set to its own default, is accepted by the config decoder.
        let defaults = serde_json::to_value(Config::default()).unwrap();
        for (key, _) in SUGGESTED {
            let mut v = &defaults;
            for p in key.split('.') {
                v = v
                    .get(p)
                    .unwrap_or_else(|| panic!("{key} is not a config key"));
            }
            let mut o = json!({});
            set_key(&mut o, key, v.clone()).unwrap();
            Config::from_value(o).unwrap_or_else(|e| panic!("{key}: {e}"));
        }
    }
}
