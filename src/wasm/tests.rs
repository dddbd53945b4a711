//! Tests of `wasm`.

use super::*;
use crate::decode::samples::{odd_values, set_dotted};
use serde_json::json;

/// What serde's derived decoder made of a request: the request, or the path and message.
fn by_serde(v: &Value) -> std::result::Result<String, (String, String)> {
    serde_path_to_error::deserialize::<_, Request>(v.clone())
        .map(|r| format!("{r:?}"))
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))
}

fn by_hand(v: &Value) -> std::result::Result<String, (String, String)> {
    Request::decode(v)
        .map(|r| format!("{r:?}"))
        .map_err(|e| (e.path, e.message))
}

#[test]
fn requests_are_read_as_serde_read_them() {
    let keys = [
        "scenario",
        "seeds",
        "config",
        "csv",
        "csv_name",
        "points",
        "vary",
        "nope",
        "vary.key",
        "vary.value",
        "vary.nope",
    ];
    let mut cases = 0;
    for v in odd_values() {
        assert_eq!(by_hand(&v), by_serde(&v), "{v}");
        for key in keys {
            let mut o = json!({"scenario": "flagship"});
            set_dotted(&mut o, key, v.clone());
            assert_eq!(by_hand(&o), by_serde(&o), "{o}");
            let mut o = json!({"vary": {"key": "labeled", "value": 3}});
            set_dotted(&mut o, key, v.clone());
            assert_eq!(by_hand(&o), by_serde(&o), "{o}");
            cases += 2;
        }
        for point in [
            json!({"x": v, "label": 1}),
            json!({"x": [0.5, 1], "label": v}),
            json!({"x": [0.5, 1], "label": 1, "extra": v}),
            json!({"x": [v, 1], "label": 1}),
            json!({"label": v}),
            json!({"x": [1, 2]}),
            json!([[0.5], v]),
            json!([[0.5]]),
            json!([[0.5], 1, v]),
            v.clone(),
        ] {
            let o = json!({"points": [{"x": [0, 0], "label": 0}, point]});
            assert_eq!(by_hand(&o), by_serde(&o), "{o}");
            cases += 1;
        }
    }
    assert!(cases > 1000, "{cases}");
}

#[test]
fn seed_results_read_back_as_serde_read_them() {
    let metrics = |e: usize| crate::run::EpochMetrics {
        epoch: e,
        test_accuracy: 0.1 * e as f32 + 1e-7,
        teacher_right_accuracy: if e % 2 == 0 { Some(0.3) } else { None },
        teacher_wrong_accuracy: Some(1.0 / 3.0),
        train_loss: 2.5e-9,
    };
    let result = SeedResult {
        seed: u64::MAX - 3,
        teacher_accuracy: 0.8125,
        teacher_unlabeled_accuracy: 0.1 + 0.2,
        k: 3,
        alpha_stats: (0.5, 1e-30, 1.0),
        alpha_floor: 0.33333334,
        alpha_oracle_error: Some(0.0123),
        sizes: [30, 200, 1500, 750],
        methods: vec![
            (
                crate::methods::Method::named("vanilla").unwrap(),
                vec![metrics(1), metrics(2)],
            ),
            (crate::methods::Method::named("slam").unwrap(), vec![]),
        ],
        method_stats: vec![vec![], vec![("queried_teacher_accuracy".into(), 0.1 + 0.7)]],
        queried: vec![vec![], vec![4, 8, 15]],
        warnings: vec!["vanilla: \"x\"".into()],
    };
    let text = serde_json::to_string(&result).unwrap();
    let serde: SeedResult = serde_json::from_str(&text).unwrap();
    let hand = SeedResult::from_json(&text).unwrap();
    assert_eq!(format!("{hand:?}"), format!("{serde:?}"));
    assert_eq!(serde_json::to_string(&hand).unwrap(), text);
    // Written by hand (what a pool worker sends), it reads back to the same result both ways.
    let written = result.to_json();
    let serde: SeedResult = serde_json::from_str(&written).unwrap();
    assert_eq!(format!("{serde:?}"), format!("{result:?}"));
    assert_eq!(
        serde_json::to_string(&SeedResult::from_json(&written).unwrap()).unwrap(),
        text
    );
    let mut diverged = result.clone();
    diverged.methods[0].1[0].train_loss = f32::NAN;
    let hand_err = SeedResult::from_json(&diverged.to_json()).unwrap_err();
    let serde_err = SeedResult::from_json(&serde_json::to_string(&diverged).unwrap()).unwrap_err();
    assert_eq!(hand_err, serde_err);
    assert!(hand_err.contains("expected f32"), "{hand_err}");
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["alpha_oracle_error"] = Value::Null;
    v.as_object_mut().unwrap().remove("warnings");
    let e = SeedResult::decode(&v, "").unwrap_err();
    let s = serde_path_to_error::deserialize::<_, SeedResult>(v.clone()).unwrap_err();
    assert_eq!(
        (e.path, e.message),
        (s.path().to_string(), s.inner().to_string())
    );
    v["warnings"] = json!([]);
    v["methods"][0][1][1]["test_accuracy"] = json!("x");
    let e = SeedResult::decode(&v, "").unwrap_err();
    let s = serde_path_to_error::deserialize::<_, SeedResult>(v).unwrap_err();
    assert_eq!(
        (e.path, e.message),
        (s.path().to_string(), s.inner().to_string())
    );
}
