//! The schema's limits against what the check accepts (the catalogue of `config/tests.rs`, and the
//! engine's).

use super::super::tests::CATALOGUE;
use super::super::{Config, MethodEntry};
use super::schema;
use serde_json::{json, Value};

/// The schema's limits are the check's: every bound, and just past it, brute-forced key by key,
/// for the test's catalogue and the engine's.
#[test]
fn the_schema_says_what_the_check_accepts() {
    schema_says_what_the_check_accepts(&CATALOGUE);
    schema_says_what_the_check_accepts(&crate::methods::catalogue());
}

fn schema_says_what_the_check_accepts(catalogue: &[MethodEntry]) {
    let specs = schema(&["moons", "digits"], catalogue);
    let mut defaults = serde_json::to_value(Config::default().check(catalogue).unwrap()).unwrap();
    defaults["methods"] = Value::Null;
    let check = |key: &str, v: Value| -> std::result::Result<(), String> {
        // The rules between keys: the UPS thresholds (and the test's band) stay apart; test each
        // against the other's extreme.
        let mut o = match key {
            "ups.threshold_positive" => json!({"ups": {"threshold_negative": 0.0}}),
            "ups.threshold_negative" => json!({"ups": {"threshold_positive": 1.0}}),
            "band.high" => json!({"band": {"low": 0.0}}),
            "band.low" => json!({"band": {"high": 1.0}}),
            _ => json!({}),
        };
        let mut slot = &mut o;
        let parts: Vec<&str> = key.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            slot = slot
                .as_object_mut()
                .unwrap()
                .entry(p.to_string())
                .or_insert(json!({}));
        }
        slot[parts[parts.len() - 1]] = v;
        let cfg = Config::from_value(o).map_err(|e| e.to_string())?;
        cfg.check(catalogue).map(|_| ()).map_err(|e| e.to_string())
    };
    let refused = |key: &str, v: Value| {
        let err = check(key, v.clone()).expect_err(&format!("{key} = {v} should be refused"));
        assert!(
            err.contains(key.split('.').next().unwrap()),
            "{key} = {v}: {err}"
        );
    };
    for s in &specs {
        let mut d = &defaults;
        for p in s.key.split('.') {
            d = &d[p];
        }
        let want = if d.is_null() { json!([]) } else { d.clone() };
        assert_eq!(s.default, want, "{}: the default", s.key);
        let (lo, hi) = (s.min, s.max);
        match s.kind {
            "int" if s.options.is_empty() => {
                let (lo, hi) = (lo.unwrap() as u64, hi.unwrap() as u64);
                check(s.key, json!(lo)).unwrap_or_else(|e| panic!("{}: min {lo}: {e}", s.key));
                check(s.key, json!(hi)).unwrap_or_else(|e| panic!("{}: max {hi}: {e}", s.key));
                if lo > 0 {
                    refused(s.key, json!(lo - 1));
                }
                if s.key != "seed" {
                    refused(s.key, json!(hi + 1));
                }
            }
            "int" => {
                for o in &s.options {
                    check(s.key, o.clone())
                        .unwrap_or_else(|e| panic!("{}: option {o}: {e}", s.key));
                }
                refused(s.key, json!(3));
            }
            "float" | "float_or_auto" => {
                let (lo, hi) = (lo.unwrap(), hi);
                let near = |x: f64, up: bool| if up { x + 1e-3 } else { x - 1e-3 };
                if s.min_exclusive {
                    refused(s.key, json!(lo));
                    check(s.key, json!(near(lo, true)))
                        .unwrap_or_else(|e| panic!("{}: just above min: {e}", s.key));
                } else {
                    check(s.key, json!(lo)).unwrap_or_else(|e| panic!("{}: min: {e}", s.key));
                    refused(s.key, json!(near(lo, false)));
                }
                if let Some(hi) = hi {
                    if s.max_exclusive {
                        refused(s.key, json!(hi));
                        check(s.key, json!(near(hi, false)))
                            .unwrap_or_else(|e| panic!("{}: just below max: {e}", s.key));
                    } else {
                        check(s.key, json!(hi)).unwrap_or_else(|e| panic!("{}: max: {e}", s.key));
                        refused(s.key, json!(near(hi, true)));
                    }
                } else {
                    check(s.key, json!(1e6))
                        .unwrap_or_else(|e| panic!("{}: unbounded: {e}", s.key));
                }
                if s.kind == "float_or_auto" {
                    check(s.key, json!("auto")).unwrap();
                }
            }
            "enum" => {
                for o in &s.options {
                    if s.key != "dataset" {
                        check(s.key, o.clone())
                            .unwrap_or_else(|e| panic!("{}: option {o}: {e}", s.key));
                    }
                }
                if s.key != "dataset" {
                    refused(s.key, json!("no_such_option"));
                }
            }
            "int_list" => {
                let max_len = s.max_len.unwrap();
                check(s.key, json!(vec![hi.unwrap() as u64; max_len])).unwrap();
                check(s.key, json!([lo.unwrap() as u64])).unwrap();
                refused(s.key, json!(vec![1; max_len + 1]));
                refused(s.key, json!([hi.unwrap() as u64 + 1]));
                refused(s.key, json!([0]));
            }
            "bool" => {
                check(s.key, json!(true)).unwrap();
                refused(s.key, json!("yes"));
            }
            "enum_list" => {
                let (a, b) = (catalogue[0].name, catalogue[1].name);
                check(s.key, json!([a, b])).unwrap();
                refused(s.key, json!([a, "nope"]));
            }
            k => panic!("{}: unknown kind {k}", s.key),
        }
    }
    // Every key of the config is in the schema (and nothing else is).
    fn leaves(v: &Value, prefix: String, out: &mut Vec<String>) {
        match v.as_object() {
            Some(o) if !o.is_empty() => {
                for (k, x) in o {
                    leaves(
                        x,
                        if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        },
                        out,
                    );
                }
            }
            _ => out.push(prefix),
        }
    }
    let mut keys = Vec::new();
    leaves(&defaults, String::new(), &mut keys);
    let mut in_schema: Vec<String> = specs.iter().map(|s| s.key.to_string()).collect();
    keys.sort();
    in_schema.sort();
    assert_eq!(keys, in_schema);
}
