//! Browser tests of the wasm API (`wasm-pack test --headless --chrome`; `npm test` runs them).
//!
//! (a) The flagship scenario trained in wasm gives exactly the numbers of the native release CLI,
//!     whose output `npm test` writes to target/reference/flagship-seed1.json just before.
//! (b) Bad requests throw a JS `Error` naming the bad field, and the module keeps working afterwards.
//! (c) A kernel-heavy run (the benchmark workloads W1 and W2: 64-row batches through 2-32-32-3 and
//!     64-64-10 students, one epoch) gives the native students bit for bit, with the SIMD128 kernels
//!     and with the plain reference loops; `npm test` writes the native fingerprints just before.
#![cfg(target_arch = "wasm32")]

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `slam-lab run --scenario flagship --seeds 1 --json`, from the native release build.
const REFERENCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/reference/flagship-seed1.json"
));

/// Runs a request as the page's pool of workers does: `runSeed` for each seed, then
/// `summariseSeeds`, with the request given as JSON text (parsed by the browser, so it is the plain
/// object a page would pass). Ok: the report as JSON, as the page would see it through
/// `JSON.stringify`. Err: the thrown value.
fn run(request_json: &str) -> Result<Value, JsValue> {
    let request = js_sys::JSON::parse(request_json).expect("the test's request is valid JSON");
    let seeds = js_sys::Reflect::get(&request, &"seeds".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(1.0) as u32;
    let mut results = Vec::new();
    for i in 0..seeds.max(1) {
        results
            .push(slam_lab::wasm::run_seed_json(request.clone(), i, None).map_err(JsValue::from)?);
    }
    let result = slam_lab::wasm::summarise_seeds(request, results, None).map_err(JsValue::from)?;
    let text = js_sys::JSON::stringify(&result)
        .expect("the result can be turned into JSON")
        .as_string()
        .expect("JSON.stringify gives a string");
    Ok(serde_json::from_str(&text).expect("the result is valid JSON"))
}

fn number(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} is not a number in {v}"))
}

fn method_names(v: &Value) -> Vec<String> {
    v.get("methods")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("no `methods` object in {v}"))
        .keys()
        .cloned()
        .collect()
}

#[wasm_bindgen_test]
fn flagship_seed1_matches_the_native_cli_exactly() {
    let reference: Value =
        serde_json::from_str(REFERENCE).expect("the reference is the CLI's JSON");
    let wasm = run(r#"{"scenario": "flagship", "seeds": 1}"#)
        .unwrap_or_else(|e| panic!("the flagship run failed: {e:?}"));

    let methods = method_names(&reference);
    assert!(
        methods.len() >= 2,
        "the reference has at least two methods: {methods:?}"
    );
    assert_eq!(method_names(&wasm), methods, "same methods, same order");

    for key in ["dataset", "scenario"] {
        assert_eq!(wasm.get(key), reference.get(key), "`{key}` differs");
    }
    // Numbers compare by value: JSON.stringify writes 2.0 as `2`.
    for key in ["seeds", "k"] {
        let path = format!("/{key}");
        assert_eq!(
            number(&wasm, &path),
            number(&reference, &path),
            "`{key}` differs"
        );
    }
    let teacher = number(&reference, "/teacher_accuracy");
    assert!(
        (0.0..=1.0).contains(&teacher),
        "teacher accuracy {teacher} is a fraction"
    );
    assert_eq!(
        number(&wasm, "/teacher_accuracy"),
        teacher,
        "teacher accuracy"
    );

    for m in &methods {
        let per_seed = format!("/methods/{m}/per_seed");
        let r = reference
            .pointer(&per_seed)
            .and_then(Value::as_array)
            .expect("per_seed array");
        let w = wasm
            .pointer(&per_seed)
            .and_then(Value::as_array)
            .expect("per_seed array");
        assert_eq!(r.len(), 1, "{m}: one seed in the reference");
        assert_eq!(w.len(), 1, "{m}: one seed in wasm");
        let (rv, wv) = (r[0].as_f64().unwrap(), w[0].as_f64().unwrap());
        assert!(
            (0.0..=1.0).contains(&rv),
            "{m}: accuracy {rv} is a fraction"
        );
        assert_eq!(wv, rv, "{m}: wasm accuracy {wv} != native {rv}");
        for stat in ["mean", "std"] {
            let path = format!("/methods/{m}/{stat}");
            assert_eq!(
                number(&wasm, &path),
                number(&reference, &path),
                "{m}: {stat}"
            );
        }
    }
}

/// The message of a thrown value, which must be a JS `Error`.
fn error_message(thrown: &JsValue) -> String {
    let err = thrown
        .dyn_ref::<js_sys::Error>()
        .unwrap_or_else(|| panic!("threw a non-Error value: {thrown:?}"));
    String::from(err.message())
}

#[wasm_bindgen_test]
fn bad_requests_throw_an_error_naming_the_field_and_the_module_keeps_working() {
    let cases = [
        (r#"{"config": {"labeled": -3}}"#, "labeled"),
        (r#"{"config": {"student": {"epochs": "x"}}}"#, "epochs"),
        (r#"{"scenario": "nope"}"#, "scenario"),
        (r#"{"config": {"no_such_key": 1}}"#, "no_such_key"),
        (r#"{"seeds": "two"}"#, "seeds"),
    ];
    for (request, field) in cases {
        match run(request) {
            Ok(v) => panic!("{request} was accepted: {v}"),
            Err(thrown) => {
                let message = error_message(&thrown);
                assert!(
                    message.contains(field),
                    "the error for {request} does not name `{field}`: {message:?}"
                );
            }
        }
    }

    // After all those errors, a valid (small) run still works and gives sane numbers.
    let ok = run(r#"{"scenario": "flagship", "seeds": 1, "config": {"student": {"epochs": 2}}}"#)
        .unwrap_or_else(|e| panic!("a valid run after errors failed: {:?}", error_message(&e)));
    let methods = method_names(&ok);
    assert!(!methods.is_empty(), "no methods in {ok}");
    for m in &methods {
        let acc = number(&ok, &format!("/methods/{m}/per_seed/0"));
        assert!(
            (0.0..=1.0).contains(&acc),
            "{m}: accuracy {acc} outside [0, 1]"
        );
    }
}

/// `slam-bench --fingerprints`, from the native release build: W1's and W2's parameter fingerprints
/// after one epoch.
const BENCH_REFERENCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/reference/bench-fingerprints.json"
));

#[wasm_bindgen_test]
fn kernel_heavy_runs_match_the_native_students_bit_for_bit() {
    use slam_lab::bench::{fingerprint, Loss, Trainer, Workload};
    use slam_lab::linalg::{set_kernels, Kernels};

    // W2 is the built-in digits, which a wasm build is handed (the page fetches data/digits.csv).
    slam_lab::wasm::provide_dataset("digits", include_str!("../data/digits.csv"))
        .map_err(JsValue::from)
        .unwrap();
    let reference: Value =
        serde_json::from_str(BENCH_REFERENCE).expect("the reference is slam-bench's JSON");
    for kernels in [Kernels::Simd128, Kernels::Reference] {
        set_kernels(kernels);
        for name in ["W1", "W2"] {
            let w = Workload::new(name, None).expect("W1 and W2 need no files");
            for loss in Loss::ALL {
                let mut t = Trainer::new(w.clone(), loss);
                let mean_loss = t.epoch();
                let got = format!("{:016x}", fingerprint(&t.parameters()));
                let want = reference
                    .pointer(&format!("/{name}/{}/fingerprint", loss.name()))
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("no {name}/{} in the reference", loss.name()));
                assert_eq!(
                    got,
                    want,
                    "{name} {} with {kernels:?} kernels: wasm parameters differ from native",
                    loss.name()
                );
                let native_bits =
                    number(&reference, &format!("/{name}/{}/loss_bits", loss.name())) as u32;
                assert_eq!(
                    mean_loss.to_bits(),
                    native_bits,
                    "{name} {}: mean loss {mean_loss}",
                    loss.name()
                );
            }
        }
    }
    set_kernels(Kernels::Simd128);
}

#[wasm_bindgen_test]
fn built_in_csvs_are_fetched_files_checked_against_the_build() {
    // The .wasm does not hold the built-in CSVs: a request for iris says which file it needs, and
    // building it before the file is handed over fails naming that file.
    let request =
        to_js_value(r#"{"config": {"dataset": "iris", "labeled": 15, "validation": 15}}"#);
    assert_eq!(
        slam_lab::wasm::dataset_file(request.clone()).as_deref(),
        Some("iris.csv")
    );
    let err = match slam_lab::wasm::Session::new(request.clone(), None) {
        Ok(_) => panic!("iris trained without its file"),
        Err(e) => error_message(&e.into()),
    };
    assert!(err.contains("data/iris.csv"), "{err}");
    // A file that is not the one this engine was built with is refused, naming it.
    let text = include_str!("../data/iris.csv");
    let err = error_message(
        &slam_lab::wasm::provide_dataset("iris", &text.replacen("5.1", "5.2", 1))
            .unwrap_err()
            .into(),
    );
    assert!(
        err.contains("data/iris.csv") && err.contains("not the file"),
        "{err}"
    );
    assert_eq!(
        slam_lab::wasm::dataset_file(request.clone()).as_deref(),
        Some("iris.csv"),
        "a refused file is not kept"
    );
    // The real file is kept and the session trains on it; generators and uploads need no file.
    slam_lab::wasm::provide_dataset("iris", text)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(slam_lab::wasm::dataset_file(request.clone()), None);
    let mut s = slam_lab::wasm::Session::new(request, None)
        .map_err(JsValue::from)
        .unwrap();
    while s.advance(1000, 1) >= 0 {}
    assert_eq!(s.epoch(), 1);
    assert!(!s.finished());
    assert_eq!(
        slam_lab::wasm::dataset_file(to_js_value(r#"{"scenario": "flagship"}"#)),
        None
    );
    assert_eq!(
        slam_lab::wasm::dataset_file(to_js_value(
            r#"{"csv": "a,label\n1,x\n2,y\n", "config": {"dataset": "iris"}}"#
        )),
        None
    );
}

fn to_js_value(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON")
}

#[wasm_bindgen_test]
fn metrics_from_gives_each_history_from_that_epoch_on() {
    let request = to_js_value(
        r#"{"scenario": "flagship", "config": {"samples": 1200, "student": {"epochs": 4}, "methods": ["vanilla", "slam"]}}"#,
    );
    let mut s = slam_lab::wasm::Session::new(request, None)
        .map_err(JsValue::from)
        .unwrap();
    while s.advance(5, 3) >= 0 {}
    let json = |v: JsValue| -> Value {
        serde_json::from_str(&String::from(js_sys::JSON::stringify(&v).unwrap())).unwrap()
    };
    let all = json(s.metrics().map_err(JsValue::from).unwrap());
    for from in 0..=4u32 {
        let part = json(s.metrics_from(from).map_err(JsValue::from).unwrap());
        for m in ["vanilla", "slam"] {
            let whole = all[m].as_array().unwrap();
            assert_eq!(whole.len(), 3);
            let want: Vec<Value> = whole.iter().skip(from as usize).cloned().collect();
            assert_eq!(part[m].as_array().unwrap(), &want, "{m} from {from}");
        }
    }
}
