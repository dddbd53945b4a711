//! Tests of `methods`.

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
    let checked = Config::default().check(&super::catalogue()).unwrap();
    let defaults = serde_json::to_value(&checked).unwrap();
    for f in TABLE {
        for key in f.settings.paths() {
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
