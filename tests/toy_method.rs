//! A new method is one file (its `Distiller`) and one row of the method table (its `MethodFacts`).
//! Here the file is this test and the row a value it registers itself: the engine trains it beside
//! the built-in methods, from the same initial weights and batches, and reports it.

use serde_json::json;
use slam_lab::config::Config;
use slam_lab::experiment::run_methods;
use slam_lab::losses;
use slam_lab::methods::{self, Build, Built, Distiller, Group, Method, MethodFacts};
use slam_lab::model::{train_step, Mlp, Optimizer};
use slam_lab::scenarios::resolve;
use slam_lab::seed::{DataSource, Inputs, PreparedSeed};

/// Distil only the unlabeled rows where the teacher is at least `threshold` confident.
#[derive(Debug)]
struct Confident {
    threshold: f32,
}

impl Distiller for Confident {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let threshold = self.threshold;
        train_step(
            net,
            optimizer,
            rows.len(),
            |net| {
                inputs.forward(net, seed, rows);
            },
            |r, f, g, scale| {
                let row = rows[r];
                let soft = seed.teacher.probs.row(row);
                if seed.is_labeled[row] {
                    losses::cross_entropy_label(f, seed.data.y[row], g, scale)
                } else if soft[seed.teacher.labels[row]] >= threshold {
                    losses::cross_entropy(f, soft.as_slice().expect("contiguous"), g, scale)
                } else {
                    g.fill(0.0);
                    0.0
                }
            },
        )
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn facts(name: &'static str, stream: u64, build: fn(&Build) -> Built) -> MethodFacts {
    MethodFacts {
        name,
        stream,
        label: "Confident only",
        help: "distils only the teacher's confident labels",
        colour: 99,
        description: "soft cross-entropy on the teacher's confident labels only",
        source: "a test",
        group: Group::Family,
        requires: &[],
        needs_ensemble: false,
        queries_teacher: false,
        hard_labels: false,
        trains_on_validation_labels: false,
        settings: &[],
        memory: methods::MethodMemory::PLAIN,
        build,
    }
}

#[test]
fn a_method_registered_in_a_test_trains_beside_the_built_in_ones() {
    // Its row: the facts, leaked to 'static as the table's rows are.
    let all: &'static MethodFacts = Box::leak(Box::new(facts("confident_all", 1000, |b| {
        b.plain(Confident { threshold: 0.0 })
    })));
    let sure: &'static MethodFacts = Box::leak(Box::new(facts("confident_90", 1001, |b| {
        b.plain(Confident { threshold: 0.9 })
    })));
    // The config check accepts it once it is in the catalogue it checks against.
    let mut catalogue = methods::catalogue();
    catalogue.extend([all.entry(), sure.entry()]);
    let cfg = Config::from_value(json!({"dataset": "moons", "samples": 600, "student": {"epochs": 4}, "methods": ["vanilla", "confident_all", "confident_90"]}))
        .unwrap()
        .check(&catalogue)
        .unwrap();
    assert_eq!(
        cfg.method_names(),
        &["vanilla", "confident_all", "confident_90"]
    );
    let unknown = resolve(None, json!({"methods": ["confident_all"]}))
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("confident_all"),
        "not in the built-in table: {unknown}"
    );

    let list = [
        Method::named("vanilla").unwrap(),
        Method::new(all),
        Method::new(sure),
    ];
    let r = run_methods(&cfg, &DataSource::Builtin("moons".into()), 5, &[], &list).unwrap();
    assert_eq!(
        r.methods.iter().map(|(m, _)| m.name()).collect::<Vec<_>>(),
        ["vanilla", "confident_all", "confident_90"]
    );
    // With every label kept it is vanilla distillation: it retraces vanilla step for step, which only
    // holds if it gets the shared initial weights, batch order and training loop.
    assert_eq!(r.methods[0].1, r.methods[1].1);
    // With a threshold it trains differently, and it is reported like any method.
    assert_ne!(r.methods[0].1, r.methods[2].1);
    assert_eq!(r.methods[2].1.len(), 4);
    let report = slam_lab::report::to_json(&cfg, "moons", None, std::slice::from_ref(&r));
    assert!(
        report["methods"]["confident_90"]["mean"].as_f64().is_some(),
        "{}",
        report["methods"]
    );
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
