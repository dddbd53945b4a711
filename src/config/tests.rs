//! Tests of the config: the hand-written decoder against serde's derived one, the check's errors
//! naming their field, the key table against itself (the schema against the check: `spec/tests.rs`).

use super::keys::setting;
use super::*;
use crate::decode::samples::{odd_values, set_dotted};
use serde_json::json;

/// The decoder `Config::from_value` had before `crate::decode`: serde's derived one.
fn serde_from_value(mut value: Value) -> Result<Config> {
    if !value.is_object() {
        return Err(Error::config("config", "must be a JSON object"));
    }
    if let Some(Value::String(s)) = value.get("methods") {
        let single = Value::Array(vec![Value::String(s.trim().to_string())]);
        value["methods"] = single;
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() {
            "config".to_string()
        } else {
            path
        };
        Error::config(field, clean_serde_message(&e.inner().to_string()))
    })
}

#[test]
fn the_hand_written_decoder_reads_every_value_as_serde_did() {
    // Every key serde's side knows (the default config as serde writes it, nested sections
    // included), and an unknown one at each level.
    let mut keys: Vec<String> = Vec::new();
    let Value::Object(top) = serde_json::to_value(Config::default()).unwrap() else {
        unreachable!("a config serialises to an object")
    };
    for (k, v) in &top {
        keys.push(k.clone());
        if let Value::Object(section) = v {
            keys.extend(section.keys().map(|s| format!("{k}.{s}")));
            keys.push(format!("{k}.nope"));
        }
    }
    // (An unknown key at the top may be a method's setting: the check refuses it, see
    // `settings_are_read_against_the_methods_that_declare_them`.)
    assert_eq!(keys.len(), 17 + 9 + 8, "{keys:?}");
    let values = odd_values();
    let mut cases = 0;
    for key in &keys {
        for v in &values {
            let mut o = json!({});
            set_dotted(&mut o, key, v.clone());
            assert_eq!(
                Config::from_value(o.clone()),
                serde_from_value(o.clone()),
                "{o}"
            );
            cases += 1;
        }
    }
    // Two keys, in both orders: the first wrong one in the object's order is the one named.
    for (i, a) in keys.iter().enumerate() {
        let b = &keys[(i * 7 + 3) % keys.len()];
        for (j, va) in values.iter().enumerate().step_by(5) {
            let vb = &values[(j * 3 + 1) % values.len()];
            for (k1, v1, k2, v2) in [(a, va, b, vb), (b, vb, a, va)] {
                let mut o = json!({});
                set_dotted(&mut o, k1, v1.clone());
                set_dotted(&mut o, k2, v2.clone());
                assert_eq!(
                    Config::from_value(o.clone()),
                    serde_from_value(o.clone()),
                    "{o}"
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 2500, "{cases}");
}

/// Settings as a method declares them: a section with a rule between its keys (as UPS's), a
/// top-level one, and one of a few values.
const PLAIN: MethodSettings = MethodSettings {
    shared: &["k_coverage"],
    own: &[
        setting(
            "band.low",
            "Band: low",
            "",
            keys::Kind::Float {
                min: 0.0,
                max: 1.0,
                open_min: false,
                open_max: true,
            },
            0.25,
        ),
        setting("band.high", "Band: high", "", keys::above(0.0, 1.0), 0.75),
        setting("rounds", "Rounds", "", keys::int(1, 9), 3.0),
        keys::Key {
            choices: &[("2", "2", ""), ("4", "4", "")],
            ..setting("parts", "Parts", "", keys::Kind::OneOf(&[2, 4]), 2.0)
        },
    ],
    rules: &[keys::Rule {
        path: "band.low",
        text: "must be below band.high",
        check: |c| {
            let (low, high) = (c.settings.f32("band.low"), c.settings.f32("band.high"));
            if low < high {
                Ok(())
            } else {
                Err(Error::config(
                    "band.low",
                    format!("must be below band.high ({high}), got {low}"),
                ))
            }
        },
    }],
};

/// Another method declaring one of the same settings (declared once in the schema).
const OTHER: MethodSettings = MethodSettings {
    shared: &[],
    own: &[setting("rounds", "Rounds", "", keys::int(1, 9), 3.0)],
    rules: &[],
};

/// A catalogue of methods for the checks: two core with settings, one that reads a trained
/// teacher's hidden layer, one that also reads the student's.
pub(super) const CATALOGUE: [MethodEntry; 4] = [
    MethodEntry {
        name: "plain",
        core: true,
        requires: &[],
        settings: PLAIN,
    },
    MethodEntry {
        name: "other",
        core: true,
        requires: &[],
        settings: OTHER,
    },
    MethodEntry {
        name: "deep",
        core: false,
        requires: &["teacher_embedding"],
        settings: MethodSettings::NONE,
    },
    MethodEntry {
        name: "both",
        core: false,
        requires: &["teacher_embedding", "student_hidden"],
        settings: MethodSettings::NONE,
    },
];

#[test]
fn settings_are_read_against_the_methods_that_declare_them() {
    let checked = |v: Value| Config::from_value(v).unwrap().check(&CATALOGUE);
    let c = checked(json!({"band": {"low": 0.5}, "parts": 4})).unwrap();
    assert_eq!(c.settings.f32("band.low"), 0.5);
    assert_eq!(c.settings.f32("band.high"), 0.75, "a default filled in");
    assert_eq!((c.settings.int("rounds"), c.settings.int("parts")), (3, 4));
    // Written back as the config writes it, and read back as the same config.
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["band"], json!({"high": 0.75, "low": 0.5}));
    assert_eq!(v["rounds"], json!(3));
    assert_eq!(checked(v).unwrap(), c);
    // Every refusal names the key, as the config's own keys' do.
    for (v, field, words) in [
        (
            json!({"nope": 1}),
            "nope",
            "unknown field `nope`, expected one of `dataset`",
        ),
        (
            json!({"band": {"middle": 1}}),
            "band.middle",
            "expected one of `low`, `high`",
        ),
        (json!({"band": 3}), "band", "invalid type: integer `3`"),
        (
            json!({"rounds": "x"}),
            "rounds",
            "invalid type: string \"x\", expected usize",
        ),
        (
            json!({"band": {"low": true}}),
            "band.low",
            "invalid type: boolean `true`, expected f32",
        ),
        (
            json!({"rounds": 0}),
            "rounds",
            "must be between 1 and 9, got 0",
        ),
        (json!({"parts": 3}), "parts", "must be 2 or 4, got 3"),
        (
            json!({"band": {"high": 1.5}}),
            "band.high",
            "must be in (0, 1], got 1.5",
        ),
        (
            json!({"band": {"low": 0.8}}),
            "band.low",
            "must be below band.high (0.75), got 0.8",
        ),
    ] {
        let err = checked(v.clone()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("`{field}`")) && err.contains(words),
            "{v}: {err}"
        );
    }
    let err = checked(json!({"nope": 1})).unwrap_err().to_string();
    assert!(
        err.contains("`band`, `rounds`, `parts`"),
        "the settings are known keys: {err}"
    );
    // A catalogue without the method that declares a setting refuses it.
    let err = Config::from_value(json!({"parts": 2, "methods": ["deep"]}))
        .unwrap()
        .check(&CATALOGUE[2..])
        .unwrap_err();
    assert!(err.to_string().contains("`parts`"), "{err}");
}

#[test]
fn defaults_pass_the_check() {
    let checked = Config::default().check(&CATALOGUE).unwrap();
    assert_eq!(
        checked.method_names(),
        &["plain", "other"],
        "no list: the core methods"
    );
    let c = Config::from_value(json!({})).unwrap();
    assert_eq!(c, Config::default());
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (json!({"student": {"epochs": "x"}}), "student.epochs"),
        (json!({"labeled": -3}), "labeled"),
        (json!({"teacher": {"kind": "wise"}}), "teacher.kind"),
        (json!({"methods": ["plain", 7]}), "methods"),
        (
            json!({"student": {"hidden": [4, "wide"]}}),
            "student.hidden",
        ),
    ];
    for (v, field) in cases {
        let err = Config::from_value(v.clone()).unwrap_err().to_string();
        assert!(err.contains(field), "{v}: {err}");
        assert!(!err.contains("line 1"), "{err}");
    }
    let checks = [
        (json!({"labeled": 0}), "labeled"),
        (json!({"no_such_key": 1}), "no_such_key"),
        (json!({"test_fraction": 1.5}), "test_fraction"),
        (json!({"student": {"hidden": [0]}}), "student.hidden[0]"),
        (json!({"student": {"lr": -1.0}}), "student.lr"),
        (json!({"alpha_min": 2.0}), "alpha_min"),
        (json!({"methods": []}), "methods"),
        (json!({"methods": ["plain", "magic"]}), "methods"),
        (json!({"methods": ["plain", "plain"]}), "methods"),
        (json!({"samples": 1_000_000_000u64}), "samples"),
        (json!({"teacher": {"rate": 0.99}}), "teacher.rate"),
        (
            json!({"methods": ["deep"], "teacher": {"kind": "synthetic"}}),
            "methods",
        ),
        (
            json!({"methods": ["deep"], "teacher": {"hidden": []}}),
            "methods",
        ),
        (
            json!({"methods": ["both"], "student": {"hidden": []}}),
            "student.hidden",
        ),
    ];
    for (v, field) in checks {
        let c = Config::from_value(v.clone()).unwrap();
        let err = c.check(&CATALOGUE).unwrap_err().to_string();
        assert!(err.contains(&format!("`{field}`")), "{v}: {err}");
    }
    // The engine's methods' own settings.
    let engine = crate::methods::catalogue();
    for (v, field) in [
        (
            json!({"ups": {"threshold_positive": 1.5}}),
            "ups.threshold_positive",
        ),
        (
            json!({"ups": {"threshold_negative": 0.8}}),
            "ups.threshold_negative",
        ),
        (json!({"ups": {"ensemble": 1}}), "ups.ensemble"),
        (json!({"vid_weight": -1.0}), "vid_weight"),
        (json!({"query_budget": 0.0}), "query_budget"),
        (json!({"query_rounds": 0}), "query_rounds"),
        (json!({"lelp_subclasses": 3}), "lelp_subclasses"),
        (json!({"meta_lr": 0.0}), "meta_lr"),
        (json!({"l2t_lr": 2.0}), "l2t_lr"),
        (json!({"taylor_order": 0}), "taylor_order"),
    ] {
        let c = Config::from_value(v.clone()).unwrap();
        let err = c.check(&engine).unwrap_err().to_string();
        assert!(err.contains(&format!("`{field}`")), "{v}: {err}");
    }
    let unknown = Config::from_value(json!({"methods": ["plain", "magic"]}))
        .unwrap()
        .check(&CATALOGUE)
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("magic") && unknown.contains("plain, other, deep, both"),
        "{unknown}"
    );
}

#[test]
fn all_methods_expand_to_what_the_teacher_allows() {
    let trained = Config::from_value(json!({"methods": "all"})).unwrap();
    assert_eq!(trained.methods, Some(vec!["all".to_string()]));
    assert_eq!(
        trained.check(&CATALOGUE).unwrap().method_names(),
        &["plain", "other", "deep", "both"]
    );
    let synthetic =
        Config::from_value(json!({"methods": ["all"], "teacher": {"kind": "synthetic"}})).unwrap();
    assert_eq!(
        synthetic.check(&CATALOGUE).unwrap().method_names(),
        &["plain", "other"]
    );
    let err = Config::from_value(json!({"methods": ["deep"], "teacher": {"kind": "synthetic"}}))
        .unwrap()
        .check(&CATALOGUE)
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`methods`") && msg.contains("teacher.kind") && msg.contains("deep"),
        "{msg}"
    );
}

#[test]
fn a_checked_config_serialises_as_the_config_with_its_method_names() {
    let checked = Config::from_value(json!({"methods": "all", "labeled": 12}))
        .unwrap()
        .check(&CATALOGUE)
        .unwrap();
    let v = serde_json::to_value(&checked).unwrap();
    assert_eq!(v["methods"], json!(["plain", "other", "deep", "both"]));
    assert_eq!(v["labeled"], json!(12));
    assert_eq!(
        Config::from_value(v).unwrap().check(&CATALOGUE).unwrap(),
        checked,
        "it reads back as the same config"
    );
}

#[test]
fn merge_recurses_into_objects() {
    let mut base = json!({"student": {"epochs": 5, "lr": 0.1}, "seed": 1});
    merge(&mut base, json!({"student": {"epochs": 9}, "labeled": 3}));
    assert_eq!(
        base,
        json!({"student": {"epochs": 9, "lr": 0.1}, "seed": 1, "labeled": 3})
    );
}

/// serde's messages end with "at line 1 column 7" for JSON text, meaningless for objects; drop it.
fn clean_serde_message(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[test]
fn the_key_table_is_consistent_with_itself() {
    use super::keys::{Get, Kind, Requirement, Test, KEYS, REQUIREMENTS};
    let engine = crate::methods::catalogue();
    let declared = settings::declared(engine.iter().map(|m| &m.settings));
    let defaults = Config::default().check(&engine).unwrap().into_config();
    let mut paths: Vec<&str> = KEYS
        .iter()
        .chain(declared.iter().copied())
        .map(|k| k.path)
        .collect();
    let count = paths.len();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), count, "a key declared twice");
    // A method's settings: whole numbers or numbers, with a default, named by a method's shared
    // list only when the config has them, and each one declared by one row (rows that share one
    // declare the same).
    for m in &engine {
        for path in m.settings.shared {
            assert!(
                KEYS.iter().any(|k| k.path == *path),
                "{}: {path} is no config key",
                m.name
            );
        }
        for k in m.settings.own {
            assert!(matches!(k.get, Get::Setting(_)), "{}", k.path);
            assert!(
                matches!(
                    k.kind,
                    Kind::Int { .. } | Kind::OneOf(_) | Kind::Float { .. }
                ),
                "{}",
                k.path
            );
            assert!(
                std::ptr::eq(*declared.iter().find(|d| d.path == k.path).unwrap(), k)
                    || format!("{k:?}")
                        == format!("{:?}", declared.iter().find(|d| d.path == k.path).unwrap()),
                "{}: declared twice, differently",
                k.path
            );
        }
        for r in m.settings.rules {
            assert!(
                m.settings.own.iter().any(|k| k.path == r.path),
                "{}: rule on {}",
                m.name,
                r.path
            );
        }
    }
    for k in KEYS.iter().chain(declared.iter().copied()) {
        assert!(!k.label.is_empty(), "{}: no label", k.path);
        // The defaults meet every key's limits.
        k.check(&defaults)
            .unwrap_or_else(|e| panic!("{}: the default is refused: {e}", k.path));
        if !k.needs.is_empty() {
            Requirement::named(k.needs);
        }
        match k.kind {
            // An enum's choices name every option, once.
            Kind::Enum(options) if !k.choices.is_empty() => {
                let mut named: Vec<&str> = k.choices.iter().map(|c| c.0).collect();
                named.sort_unstable();
                let mut all = options.to_vec();
                all.sort_unstable();
                assert_eq!(named, all, "{}: the choices and the options differ", k.path);
            }
            Kind::Int { min, max } => {
                for c in k.choices {
                    let v: u64 = c.0.parse().unwrap();
                    assert!(
                        (min..=max).contains(&v),
                        "{}: choice {v} outside the limits",
                        k.path
                    );
                }
            }
            Kind::OneOf(options) => {
                for c in k.choices {
                    assert!(
                        options.contains(&c.0.parse().unwrap()),
                        "{}: choice {}",
                        k.path,
                        c.0
                    );
                }
            }
            _ => assert!(
                k.choices.is_empty(),
                "{}: choices for a kind without them",
                k.path
            ),
        }
        if let Some((lo, hi, step)) = k.slider {
            assert!(lo < hi && step > 0.0, "{}: slider", k.path);
            for end in [lo, hi] {
                let mut v = serde_json::to_value(&defaults).unwrap();
                set_dotted(&mut v, k.path, json!(end));
                Config::from_value(v)
                    .unwrap()
                    .check(&engine)
                    .unwrap_or_else(|e| {
                        panic!("{}: the slider's end {end} is refused: {e}", k.path)
                    });
            }
        }
    }
    for r in REQUIREMENTS {
        for &(path, test) in r.all {
            let k = KEYS
                .iter()
                .find(|k| k.path == path)
                .expect("a requirement's key");
            if let Test::Is(name) = test {
                assert!(
                    matches!(k.kind, Kind::Enum(o) if o.contains(&name)),
                    "{}: {path} is never {name}",
                    r.name
                );
            }
        }
    }
    // The requirements as the check applies them: a method that reads the teacher's hidden layer
    // runs exactly when `teacher_embedding` holds.
    let deep = &CATALOGUE[2];
    for (kind, hidden) in [
        ("trained", vec![8]),
        ("trained", vec![]),
        ("synthetic", vec![8]),
    ] {
        let cfg = Config::from_value(
            json!({"teacher": {"kind": kind, "hidden": hidden}, "methods": ["deep"]}),
        )
        .unwrap();
        let holds = Requirement::named("teacher_embedding").holds(&cfg, &|_| false);
        assert_eq!(cfg.supports(deep), holds, "{kind} {hidden:?}");
        assert_eq!(
            cfg.clone().check(&CATALOGUE).is_ok(),
            holds,
            "{kind} {hidden:?}"
        );
    }
}
