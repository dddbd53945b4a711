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

/// Rows a file gives no class for are in U and nowhere else, and every accuracy counts only rows
/// whose class is known: recounted here by brute force from the split and the teacher's labels.
#[test]
fn accuracies_count_only_rows_whose_class_is_known() {
    let mut text = String::from("a,b,label,teacher:x,teacher:y,teacher:z\n");
    for i in 0..300 {
        let c = i % 3;
        let label = if i % 4 == 1 {
            "?".to_string()
        } else {
            ["x", "y", "z"][c].to_string()
        };
        // The teacher is right on rows i % 5 != 0, else says the next class.
        let t = if i % 5 == 0 { (c + 1) % 3 } else { c };
        let p: Vec<&str> = (0..3).map(|k| if k == t { "0.8" } else { "0.1" }).collect();
        text.push_str(&format!(
            "{},{},{label},{}\n",
            c as f32 + (i % 7) as f32 * 0.1,
            (i % 11) as f32,
            p.join(",")
        ));
    }
    let table = parse_csv(&text, "mine").unwrap();
    assert_eq!(table.unknown_rows(), 75);
    let (cfg, source) = Request {
        scenario: None,
        overrides: json!({"labeled": 12, "validation": 30, "methods": ["vanilla"]}),
        data: Some(DataSource::Table(table)),
        vary: None,
    }
    .resolve(&no_mnist)
    .unwrap();
    let prep = PreparedSeed::new(&cfg, &source, 3, Needs::default()).unwrap();
    let d = &prep.data;
    let s = &prep.split;
    for i in (0..d.len()).filter(|&i| !d.is_known(i)) {
        assert!(s.unlabeled.contains(&i), "row {i} of unknown class is in U");
    }
    for part in [&s.labeled, &s.validation, &s.test] {
        assert!(part.iter().all(|&i| d.is_known(i)));
    }
    let recount = |rows: &[usize]| {
        let known: Vec<usize> = rows.iter().copied().filter(|&i| d.is_known(i)).collect();
        known
            .iter()
            .filter(|&&i| prep.teacher.labels[i] == d.y[i])
            .count() as f32
            / known.len() as f32
    };
    assert_eq!(prep.teacher_unlabeled_accuracy, recount(&s.unlabeled));
    assert_eq!(prep.teacher_test_accuracy, recount(&s.test));
    // The teacher was built to be wrong on every fifth row; on known rows it is near 80 %.
    assert!((prep.teacher_unlabeled_accuracy - 0.8).abs() < 0.08);
    let session = slam_lab::session::Session::new(cfg.clone(), &source, &[]).unwrap();
    let o = session.overview();
    assert_eq!(o.unknown_rows, 75);
    assert!(o.teacher_given);
    let counted: u32 = o.confusion.iter().flatten().sum();
    assert_eq!(
        counted as usize,
        s.unlabeled.len() - 75,
        "the confusion on U counts known rows only"
    );
}
