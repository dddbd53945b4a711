//! A teacher given by a file is the lab's own teacher when the file holds it: the data and the
//! teacher's predictions of one seed, written as `slam-lab teacher` writes them and read back as
//! "your teacher", give every method that reads only the teacher's predictions the built-in run's
//! numbers to the last bit. Methods that need more than predictions (the teacher's network: VID,
//! LELP; an ensemble of teachers: UPS) are refused with a given teacher, by name.

use serde_json::{json, Value};
use slam_lab::config::Checked;
use slam_lab::data::csv::{parse_csv, write_csv};
use slam_lab::experiment::{run_seeds, SeedResult};
use slam_lab::request::Request;
use slam_lab::seed::{DataSource, Needs, PreparedSeed};

fn no_mnist() -> slam_lab::Result<slam_lab::data::Dataset> {
    Err(slam_lab::Error::Data("no MNIST in this test".into()))
}

fn resolve(
    scenario: &str,
    over: Value,
    data: Option<DataSource>,
) -> slam_lab::Result<(Checked, DataSource)> {
    Request {
        scenario: Some(scenario.into()),
        overrides: over,
        data,
        vary: None,
    }
    .resolve(&no_mnist)
}

/// A seed's numbers that do not depend on where the teacher came from, one JSON value per method.
fn numbers(r: &SeedResult) -> Vec<(String, Value)> {
    r.methods
        .iter()
        .zip(&r.method_stats)
        .map(|((m, history), stats)| {
            (
                m.name().to_string(),
                json!({"history": history, "stats": stats}),
            )
        })
        .collect()
}

fn round_trip(scenario: &str, small: Value) {
    let seed = 11;
    let mut over = small.clone();
    over["seed"] = json!(seed);
    over["methods"] = json!(["all"]);
    // The file: seed 11's data and teacher at temperature 1, as CSV text.
    let mut at_one = over.clone();
    at_one["temperature"] = json!(1.0);
    let (cfg1, source) = resolve(scenario, at_one, None).unwrap();
    let prep = PreparedSeed::new(&cfg1, &source, seed, Needs::default()).unwrap();
    let text = write_csv(&prep.teacher_data(&cfg1).unwrap());
    let table = parse_csv(&text, "mine").unwrap();
    assert!(table.teacher.is_some());

    let (built_cfg, built_source) = resolve(scenario, over.clone(), None).unwrap();
    let (given_cfg, given_source) =
        resolve(scenario, over, Some(DataSource::Table(table))).unwrap();
    assert_eq!(
        given_cfg.teacher.kind.name(),
        "given",
        "data with a teacher is distilled from it"
    );
    // `all` with a given teacher: every method but those that need the teacher's network or an
    // ensemble of teachers.
    let needs_more = ["vid", "lelp", "ups"];
    let expected: Vec<&String> = built_cfg
        .method_names()
        .iter()
        .filter(|m| !needs_more.contains(&m.as_str()))
        .collect();
    assert_eq!(
        given_cfg.method_names().iter().collect::<Vec<_>>(),
        expected
    );
    assert!(expected.len() >= 12, "{expected:?}");

    let built = run_seeds(&built_cfg, &built_source, 1, &mut |_, _| {})
        .unwrap()
        .remove(0);
    let given = run_seeds(&given_cfg, &given_source, 1, &mut |_, _| {})
        .unwrap()
        .remove(0);
    assert_eq!(
        given.teacher_accuracy.to_bits(),
        built.teacher_accuracy.to_bits()
    );
    assert_eq!(
        given.teacher_unlabeled_accuracy.to_bits(),
        built.teacher_unlabeled_accuracy.to_bits()
    );
    assert_eq!((given.k, given.sizes), (built.k, built.sizes));
    assert_eq!(json!(given.alpha_stats), json!(built.alpha_stats));
    assert_eq!(given.alpha_floor.to_bits(), built.alpha_floor.to_bits());
    let built_numbers: Vec<(String, Value)> = numbers(&built)
        .into_iter()
        .filter(|(m, _)| !needs_more.contains(&m.as_str()))
        .collect();
    assert_eq!(
        numbers(&given),
        built_numbers,
        "{scenario}: every method's history, bit for bit"
    );

    // Asked for by name, a method that needs more than predictions is refused, naming it.
    for m in needs_more {
        let mut one = small.clone();
        one["methods"] = json!([m]);
        let table = parse_csv(&text, "mine").unwrap();
        let err = resolve(scenario, one, Some(DataSource::Table(table)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(m) && err.contains("given by the data file"),
            "{err}"
        );
    }
}

#[test]
fn a_synthetic_teacher_written_and_read_back_gives_every_method_the_same_numbers() {
    round_trip(
        "flagship",
        json!({"samples": 600, "student": {"epochs": 4}, "temperature": 2.0}),
    );
}

#[test]
fn a_trained_teacher_written_and_read_back_gives_every_method_the_same_numbers() {
    round_trip(
        "trained-spirals",
        json!({"samples": 600, "teacher": {"epochs": 40}, "student": {"epochs": 4}}),
    );
}
