//! A new method is one file (its `Distiller`, its settings and its `MethodFacts` row) and one line
//! of the method table. Here the file is tests/toy/confident.rs and the test registers its row
//! itself: the config reads and checks its setting, the schema offers it, and the engine trains it
//! beside the built-in methods, from the same initial weights and batches, and reports it.

use serde_json::json;
use slam_lab::config::{Config, MethodSettings};
use slam_lab::experiment::run_methods;
use slam_lab::methods::{self, Build, Built, Distiller, Method, MethodFacts};
use slam_lab::model::{Mlp, Optimizer};
use slam_lab::scenarios::resolve;
use slam_lab::seed::{DataSource, Inputs, PreparedSeed};

/// The method: its file, shared with the page's test build (the `toy-method` feature).
#[path = "toy/confident.rs"]
mod confident;

/// Its row, as the table would hold it.
static CONFIDENT: MethodFacts = confident::ROW;

/// A row for a test's method with no settings: the toy's row with another name, stream and build.
fn facts(name: &'static str, stream: u64, build: fn(&Build) -> Built) -> MethodFacts {
    MethodFacts {
        name,
        stream,
        label: "Jittered vanilla",
        help: "vanilla distillation that draws from its random stream",
        description: "vanilla distillation that draws one number per batch from its own stream",
        settings: MethodSettings::NONE,
        build,
        ..confident::ROW
    }
}

#[test]
fn a_method_registered_in_a_test_trains_beside_the_built_in_ones() {
    let row: &'static MethodFacts = &CONFIDENT;
    // The config check accepts it, and reads its setting, once it is in the catalogue it checks
    // against; the built-in table knows neither.
    let mut catalogue = methods::catalogue();
    catalogue.push(row.entry());
    let config = |extra: serde_json::Value| {
        let mut v = json!({"dataset": "moons", "samples": 600, "student": {"epochs": 4}, "methods": ["vanilla", "confident"]});
        slam_lab::config::merge(&mut v, extra);
        Config::from_value(v).unwrap().check(&catalogue)
    };
    let cfg = config(json!({})).unwrap();
    assert_eq!(cfg.method_names(), &["vanilla", "confident"]);
    assert_eq!(cfg.settings.f32("confident.threshold"), 0.9, "its default");
    for over in [
        json!({"methods": ["confident"]}),
        json!({"methods": ["vanilla"], "confident": {"threshold": 0.5}}),
    ] {
        let err = resolve(None, over).unwrap_err().to_string();
        assert!(
            err.contains("confident"),
            "not in the built-in table: {err}"
        );
    }
    let err = config(json!({"confident": {"threshold": 1.5}})).unwrap_err();
    assert!(
        err.to_string().contains("confident.threshold") && err.to_string().contains("1.5"),
        "its limits are checked, naming it: {err}"
    );
    // The schema offers its setting, with its default, before `seed`.
    let keys = slam_lab::config::schema(&["moons"], &catalogue);
    let at = keys
        .iter()
        .position(|k| k.key == "confident.threshold")
        .unwrap();
    assert_eq!(keys[at].default, json!(0.9_f32));
    assert_eq!((keys[at].min, keys[at].max), (Some(0.0), Some(1.0)));
    assert_eq!(keys[at + 1].key, "seed");
    assert!(!slam_lab::schema::schema()
        .keys
        .iter()
        .any(|k| k.key == "confident.threshold"));

    let list = [Method::named("vanilla").unwrap(), Method::new(row)];
    let train = |cfg: &slam_lab::config::Checked| {
        run_methods(cfg, &DataSource::Builtin("moons".into()), 5, &[], &list).unwrap()
    };
    let every = train(&config(json!({"confident": {"threshold": 0.0}})).unwrap());
    let sure = train(&cfg);
    assert_eq!(
        sure.methods
            .iter()
            .map(|(m, _)| m.name())
            .collect::<Vec<_>>(),
        ["vanilla", "confident"]
    );
    // With every label kept it is vanilla distillation: it retraces vanilla step for step, which only
    // holds if it gets the shared initial weights, batch order and training loop.
    assert_eq!(every.methods[0].1, every.methods[1].1);
    // With its default threshold it trains differently, and it is reported like any method, its
    // setting in the config it echoes.
    assert_ne!(sure.methods[0].1, sure.methods[1].1);
    assert_eq!(sure.methods[1].1.len(), 4);
    let report = slam_lab::report::to_json(
        &cfg,
        "moons",
        None,
        std::slice::from_ref(&sure),
        &Default::default(),
    );
    assert!(
        report["methods"]["confident"]["mean"].as_f64().is_some(),
        "{}",
        report["methods"]
    );
    assert_eq!(report["config"]["confident"]["threshold"], json!(0.9_f32));
}

/// A row added in the middle of the table, and the table's order turned around, change no other
/// method's numbers: each row carries its own random stream, so the flagship's recorded numbers
/// (tests/golden/, written by `slam-lab run`, seed 0) come out bit for bit.
#[test]
fn a_method_inserted_mid_table_changes_no_other_methods_numbers() {
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/scenario-flagship.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let recorded = golden["methods"].as_object().unwrap();
    assert_eq!(golden["seed_list"][0], 0);
    // It draws from its random stream, as a method that samples would (the toy's row is leaked to
    // 'static as the table's rows are).
    #[derive(Debug)]
    struct Jittered(methods::vanilla::Vanilla, slam_lab::rng::Rng);
    impl Distiller for Jittered {
        fn train_batch(
            &mut self,
            net: &mut Mlp,
            o: &mut Optimizer,
            i: &mut Inputs,
            s: &PreparedSeed,
            rows: &[usize],
        ) -> f32 {
            let _ = self.1.uniform();
            self.0.train_batch(net, o, i, s, rows)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }
    let toy: &'static MethodFacts = Box::leak(Box::new(facts("toy_middle", 1002, |b| {
        b.plain(Jittered(methods::vanilla::Vanilla { hard: false }, b.rng()))
    })));
    let mut list: Vec<Method> = recorded.keys().map(|n| Method::named(n).unwrap()).collect();
    list.reverse();
    list.insert(list.len() / 2, Method::new(toy));
    let mut catalogue = methods::catalogue();
    catalogue.push(toy.entry());
    let names: Vec<&str> = list.iter().map(|m| m.name()).collect();
    let mut value = golden["config"].clone();
    value["methods"] = json!(names);
    let cfg = Config::from_value(value)
        .unwrap()
        .check(&catalogue)
        .unwrap();
    let r = run_methods(
        &cfg,
        &DataSource::Builtin(cfg.dataset.clone()),
        0,
        &[],
        &list,
    )
    .unwrap();
    assert_eq!(r.methods.len(), recorded.len() + 1);
    for (m, curve) in &r.methods {
        if m.name() == "toy_middle" {
            continue;
        }
        // The accuracies are f32s; serde_json reads the recorded decimal to within an ulp of f64,
        // which the f32 it came from absorbs.
        let got = curve.last().unwrap().test_accuracy;
        let want = recorded[m.name()]["per_seed"][0].as_f64().unwrap() as f32;
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "{}: {got} against the recorded {want}",
            m.name()
        );
    }
}
