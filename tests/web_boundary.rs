//! Hardening of the wasm boundary, in the browser (`wasm-pack test --headless --chrome`):
//! (a) determinism: the whole flagship report from wasm equals the native CLI's, every number of it
//!     (curves, alpha summary, per-seed values), bit for bit;
//! (b) hundreds of random malformed requests (wrong types, missing or unknown keys, NaN, negative and
//!     huge sizes) each throw an error naming the field, never panic, and a session still works after.
#![cfg(target_arch = "wasm32")]

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `slam-lab run --scenario flagship --seeds 1 --json`, written by `npm test` just before.
const REFERENCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/reference/flagship-seed1.json"
));

fn to_js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).expect("valid JSON")
}

fn error_text(e: JsValue) -> String {
    js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

#[wasm_bindgen_test]
fn the_whole_flagship_report_is_bit_identical_to_native() {
    let mut native: Value = serde_json::from_str(REFERENCE).unwrap();
    // The command line's provenance (its version, commit and digests) is the CLI's own; the rest is
    // the engine's report, which the page's must equal.
    assert!(native["provenance"]["config_sha256"].is_string(), "the CLI's report says what made it");
    native.as_object_mut().unwrap().remove("provenance");
    // As the page's pool of workers runs it: `runSeed`, then `summariseSeeds`.
    let request = to_js(&json!({"scenario": "flagship", "seeds": 1}));
    let seed = slam_lab::wasm::run_seed_json(request.clone(), 0, None)
        .map_err(|e| error_text(e.into()))
        .unwrap();
    let report = slam_lab::wasm::summarise_seeds(request, vec![seed], None)
        .map_err(|e| error_text(e.into()))
        .unwrap();
    let text = js_sys::JSON::stringify(&report)
        .unwrap()
        .as_string()
        .unwrap();
    let wasm: Value = serde_json::from_str(&text).unwrap();
    // Every number compared as the f64 it is (JSON.stringify writes 2.0 as `2`), exactly.
    assert_same(&wasm, &native, "");
}

/// `a` and `b` have the same shape, keys in the same order, and numbers equal as f64s.
fn assert_same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            assert_eq!(x.as_f64(), y.as_f64(), "{at}: {x} != {y}")
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: lengths");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                assert_same(p, q, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            let (kx, ky): (Vec<_>, Vec<_>) = (x.keys().collect(), y.keys().collect());
            assert_eq!(kx, ky, "{at}: keys");
            for (k, p) in x {
                assert_same(p, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// A tiny deterministic generator (the test must be reproducible, not clever).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() as usize) % v.len()]
    }
}

/// (config path, value that must be refused).
fn bad_values() -> Vec<(&'static str, Value)> {
    let huge = json!(1e12);
    vec![
        ("labeled", json!(-3)),
        ("labeled", json!("ten")),
        ("labeled", json!(0)),
        ("labeled", huge.clone()),
        ("validation", json!(null)),
        ("validation", json!([1, 2])),
        ("samples", json!(5)),
        ("samples", huge.clone()),
        ("samples", json!(1.5)),
        ("test_fraction", json!(0)),
        ("test_fraction", json!(1.5)),
        ("test_fraction", json!("half")),
        ("classes", json!(1)),
        ("classes", json!(500)),
        ("data_noise", json!(-1)),
        ("alpha_min", json!(2)),
        ("alpha_min", json!({"x": 1})),
        ("k_coverage", json!(0)),
        ("temperature", json!(0)),
        ("temperature", json!(1e9)),
        ("taylor_order", json!(0)),
        ("seed", json!(-1)),
        ("seed", json!("s")),
        ("dataset", json!("no_such_data")),
        ("dataset", json!(7)),
        ("alpha_estimator", json!("guess")),
        ("methods", json!([])),
        ("methods", json!(["slam", "slam"])),
        ("methods", json!(["magic"])),
        ("methods", json!("some")),
        ("student.epochs", json!("x")),
        ("student.epochs", json!(0)),
        ("student.epochs", huge.clone()),
        ("student.lr", json!(-0.1)),
        ("student.lr", json!(1000)),
        ("student.batch_size", json!(0)),
        ("student.hidden", json!([0])),
        ("student.hidden", json!([4096])),
        ("student.hidden", json!([1, 2, 3, 4, 5, 6, 7, 8, 9])),
        ("student.hidden", json!("wide")),
        ("student.optimizer", json!("lbfgs")),
        ("student.weight_decay", json!(-1)),
        ("student.nope", json!(1)),
        ("teacher.kind", json!("oracle")),
        ("teacher.rate", json!(0.99)),
        ("teacher.rate", json!(-0.1)),
        ("teacher.noise", json!("loud")),
        ("teacher.epochs", json!(0)),
        ("teacher.hidden", json!([-1])),
        ("teacher.lr", json!(0)),
        ("unknown_key", json!(1)),
    ]
}

fn set_path(obj: &mut Value, path: &str, v: Value) {
    let mut cur = obj;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        cur = cur
            .as_object_mut()
            .unwrap()
            .entry(p.to_string())
            .or_insert(json!({}));
    }
    cur.as_object_mut()
        .unwrap()
        .insert(parts[parts.len() - 1].to_string(), v);
}

#[wasm_bindgen_test]
fn random_malformed_requests_are_refused_naming_the_field_and_the_module_keeps_working() {
    // The digits scenario's file, as the page hands it over (a wasm build does not embed it).
    slam_lab::wasm::provide_dataset("digits", include_str!("../data/digits.csv"))
        .map_err(JsValue::from)
        .unwrap();
    let bad = bad_values();
    let mut rng = Lcg(12345);
    let mut tried = 0;
    for round in 0..300 {
        // One bad key among zero to three good ones, over a random scenario.
        let (path, value) = rng.pick(&bad).clone();
        let mut config = json!({});
        for _ in 0..(rng.next() % 4) {
            let good = [
                ("seed", json!(3)),
                ("student.epochs", json!(1)),
                ("labeled", json!(30)),
                ("teacher.rate", json!(0.1)),
            ];
            let (p, v) = rng.pick(&good).clone();
            set_path(&mut config, p, v);
        }
        set_path(&mut config, path, value.clone());
        let scenario = *rng.pick(&["flagship", "digits", "uniform-noise"]);
        let request = json!({"scenario": scenario, "config": config, "seeds": 1});
        let err = match slam_lab::wasm::Session::new(to_js(&request), None) {
            Ok(_) => panic!("round {round}: {request} was accepted"),
            Err(e) => error_text(e.into()),
        };
        let leaf = path.rsplit('.').next().unwrap();
        let named = err.contains(leaf) || (path == "dataset" && err.contains("no_such_data"));
        assert!(
            named,
            "round {round}: the error for {path} = {value} does not name it: {err}"
        );
        tried += 1;
    }
    // Malformed request shapes, not just bad values.
    for request in [
        json!(null),
        json!(7),
        json!("flagship"),
        json!([1]),
        json!({"scenario": 5}),
        json!({"seeds": -1, "scenario": "flagship"}),
        json!({"config": "x"}),
        json!({"csv": 42}),
    ] {
        if let Ok(_) = slam_lab::wasm::SeedRunner::new(to_js(&request), 0, None) {
            if request.is_null() {
                continue; // no request at all means the defaults
            }
            panic!("{request} was accepted");
        }
        tried += 1;
    }
    // NaN and infinities cannot travel in JSON text; set them on a real JS object.
    for (key, v) in [
        ("lr", f64::NAN),
        ("lr", f64::INFINITY),
        ("epochs", f64::NAN),
        ("batch_size", -f64::INFINITY),
    ] {
        let student = js_sys::Object::new();
        js_sys::Reflect::set(&student, &key.into(), &JsValue::from_f64(v)).unwrap();
        let config = js_sys::Object::new();
        js_sys::Reflect::set(&config, &"student".into(), &student).unwrap();
        let request = js_sys::Object::new();
        js_sys::Reflect::set(&request, &"config".into(), &config).unwrap();
        let err = match slam_lab::wasm::Session::new(request.into(), None) {
            Ok(_) => panic!("student.{key} = {v} was accepted"),
            Err(e) => error_text(e.into()),
        };
        assert!(err.contains(key), "student.{key} = {v}: {err}");
        tried += 1;
    }
    assert!(tried >= 300);
    // After all of that, a session still trains.
    let mut s = slam_lab::wasm::Session::new(
        to_js(
            &json!({"scenario": "flagship", "config": {"samples": 800, "student": {"epochs": 2}}}),
        ),
        None,
    )
    .map_err(|e| error_text(e.into()))
    .unwrap();
    while s.step(50) {}
    assert_eq!(s.epoch(), 2);
}
