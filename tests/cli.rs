//! The command line as a user runs it: exit codes, one-line errors, and JSON that matches the engine.

use std::io::Write;
use std::process::{Command, Output};

fn slam_lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slam-lab"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("slam-lab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    path
}

/// Bad input: exit code 2, exactly one line on stderr containing `needle`, nothing on stdout.
fn assert_refused(args: &[&str], needle: &str) {
    let out = slam_lab(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
}

#[test]
fn json_report_has_the_contract_keys_and_consistent_numbers() {
    let cfg = temp_file(
        "small.json",
        r#"{"samples": 800, "student": {"epochs": 3}}"#,
    );
    let out = slam_lab(&[
        "run",
        "--scenario",
        "flagship",
        "--config",
        cfg.to_str().unwrap(),
        "--seeds",
        "3",
        "--methods",
        "vanilla,slam",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["teacher_accuracy"].as_f64().unwrap() > 0.5);
    assert!(v["k"].as_f64().unwrap() >= 2.0);
    let methods = v["methods"].as_object().unwrap();
    assert_eq!(methods.keys().collect::<Vec<_>>(), vec!["vanilla", "slam"]);
    for (name, m) in methods {
        let per: Vec<f64> = m["per_seed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(per.len(), 3, "{name}");
        assert!(per.iter().all(|a| (0.0..=1.0).contains(a)));
        let mean = per.iter().sum::<f64>() / 3.0;
        assert!((m["mean"].as_f64().unwrap() - mean).abs() < 1e-12, "{name}");
        assert_eq!(m["curve"].as_array().unwrap().len(), 3);
    }
    // The CLI prints what the library computes for the same config and seed.
    let lib_cfg = slam_lab::scenarios::resolve(
        Some("flagship"),
        serde_json::json!({"samples": 800, "student": {"epochs": 3}, "methods": ["vanilla", "slam"]}),
    )
    .unwrap();
    let r = slam_lab::experiment::run_seed(
        &lib_cfg,
        &slam_lab::seed::DataSource::Builtin("moons".into()),
        1,
    )
    .unwrap();
    let lib = r.methods[1].1.last().unwrap().test_accuracy as f64;
    assert_eq!(methods["slam"]["per_seed"][1].as_f64().unwrap(), lib);
}

#[test]
fn text_table_lists_every_method() {
    let out = slam_lab(&[
        "run",
        "--dataset",
        "xor",
        "--seeds",
        "1",
        "--config",
        temp_file(
            "t.json",
            r#"{"samples": 400, "student": {"epochs": 2}, "teacher": {"epochs": 20}}"#,
        )
        .to_str()
        .unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for m in slam_lab::methods::Method::core() {
        assert!(
            text.lines().any(|l| l.starts_with(m.name())),
            "{} missing in\n{text}",
            m.name()
        );
    }
}

#[test]
fn listings_name_the_built_ins() {
    let d = String::from_utf8(slam_lab(&["datasets"]).stdout).unwrap();
    for name in [
        "moons",
        "circles",
        "spirals",
        "blobs",
        "xor",
        "checkerboard",
        "iris",
        "wine",
        "breast_cancer",
        "digits",
    ] {
        assert!(
            d.lines().any(|l| l.split_whitespace().next() == Some(name)),
            "{name} missing"
        );
    }
    let s = String::from_utf8(slam_lab(&["scenarios"]).stdout).unwrap();
    // Every scenario's name stands alone as the first word of its line, however long it is.
    let names: Vec<&str> = slam_lab::scenarios::all()
        .iter()
        .map(|sc| sc.name)
        .collect();
    let listed: Vec<&str> = s
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(listed, names, "{s}");
}

#[test]
fn bad_arguments_and_configs_are_refused_on_one_line() {
    assert_refused(&["run", "--dataset", "nonesuch"], "nonesuch");
    assert_refused(&["run", "--scenario", "nonesuch"], "scenario");
    assert_refused(&["run", "--methods", "vanilla,magic"], "magic");
    assert_refused(&["run", "--seeds", "0"], "seeds");
    assert_refused(&["run", "--seeds", "many"], "many");
    assert_refused(&["run", "--bogus"], "--bogus");
    assert_refused(
        &["run", "--config", "/no/such/file.json"],
        "/no/such/file.json",
    );
    let bad_json = temp_file("bad.json", "{\"labeled\": ");
    assert_refused(
        &["run", "--config", bad_json.to_str().unwrap()],
        "invalid JSON",
    );
    let bad_key = temp_file("key.json", r#"{"student": {"epochz": 3}}"#);
    assert_refused(&["run", "--config", bad_key.to_str().unwrap()], "student");
    let bad_type = temp_file("type.json", r#"{"student": {"epochs": "ten"}}"#);
    assert_refused(
        &["run", "--config", bad_type.to_str().unwrap()],
        "student.epochs",
    );
    let bad_value = temp_file("value.json", r#"{"labeled": 0}"#);
    assert_refused(&["run", "--config", bad_value.to_str().unwrap()], "labeled");
    let too_big = temp_file("big.json", r#"{"labeled": 100000, "samples": 500}"#);
    assert_refused(&["run", "--config", too_big.to_str().unwrap()], "labeled");
}

#[test]
fn bad_csv_files_are_refused_naming_row_and_column() {
    let cases: [(&str, &str, &str); 6] = [
        ("ragged.csv", "a,b,label\n1,2,x\n3,y\n", "row 3"),
        ("text.csv", "a,b,label\n1,2,x\n3,abc,y\n", "\"b\""),
        ("empty.csv", "", "empty"),
        ("missing.csv", "a,b,label\n1,,x\n2,3,y\n", "row 2"),
        ("oneclass.csv", "a,label\n1,x\n2,x\n3,x\n", "class"),
        ("header.csv", "a,b,label\n", "no data rows"),
    ];
    for (name, text, needle) in cases {
        let path = temp_file(name, text);
        assert_refused(
            &["run", "--dataset", path.to_str().unwrap(), "--seeds", "1"],
            needle,
        );
    }
}

#[test]
fn a_good_csv_runs_end_to_end() {
    // Two well-separated clusters written as CSV with text labels.
    let mut text = String::from("x,y,label\n");
    for i in 0..300 {
        let t = i as f32 / 300.0;
        let (cx, name) = if i % 2 == 0 {
            (-2.0, "left")
        } else {
            (2.0, "right")
        };
        text.push_str(&format!(
            "{},{},{}\n",
            cx + (t * 37.0).sin(),
            (t * 91.0).cos(),
            name
        ));
    }
    let path = temp_file("good.csv", &text);
    let cfg = temp_file(
        "g.json",
        r#"{"labeled": 10, "validation": 40, "student": {"epochs": 3}, "teacher": {"epochs": 30}}"#,
    );
    let out = slam_lab(&[
        "run",
        "--dataset",
        path.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--seeds",
        "1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dataset"], "good");
    assert!(
        v["methods"]["slam"]["mean"].as_f64().unwrap() > 0.9,
        "{}",
        v["methods"]["slam"]
    );
}

#[test]
fn a_csv_with_case_variants_of_a_label_warns_on_stderr_and_runs() {
    // Two clusters; one class spelled `cat`, ` CAT` and `Cat`, the other `dog`.
    let mut text = String::from("x,y,label\n");
    for i in 0..200 {
        let t = i as f32 / 200.0;
        let (cx, name) = match i % 4 {
            0 => (-2.0, "cat"),
            1 => (-2.0, " CAT"),
            2 => (-2.0, "Cat"),
            _ => (2.0, "dog"),
        };
        text.push_str(&format!(
            "{},{},{name}\n",
            cx + (t * 37.0).sin(),
            (t * 91.0).cos()
        ));
    }
    let path = temp_file("pets.csv", &text);
    let cfg = temp_file(
        "pets.json",
        r#"{"labeled": 10, "validation": 40, "student": {"epochs": 2}, "teacher": {"epochs": 20}}"#,
    );
    let warning = r#"warning: labels that differ only in case are read as one class: "cat" (from "cat", "CAT", "Cat")"#;
    for json in [true, false] {
        let mut args = vec![
            "run",
            "--dataset",
            path.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--seeds",
            "1",
            "--methods",
            "vanilla,slam",
        ];
        if json {
            args.push("--json");
        }
        let out = slam_lab(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("warning:"))
                .collect::<Vec<_>>(),
            [warning],
            "json {json}: {err}"
        );
        if json {
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
            assert_eq!(v["warnings"][0], warning.trim_start_matches("warning: "));
            assert!(v["methods"]["slam"]["mean"].as_f64().unwrap() > 0.5);
        }
    }
}

#[test]
fn all_methods_run_from_a_config_and_report_their_own_numbers() {
    let cfg = temp_file(
        "all.json",
        r#"{"samples": 600, "student": {"epochs": 2}, "methods": "all"}"#,
    );
    let out = slam_lab(&[
        "run",
        "--scenario",
        "flagship",
        "--config",
        cfg.to_str().unwrap(),
        "--seeds",
        "2",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let methods = v["methods"].as_object().unwrap();
    // A synthetic teacher has no hidden layer: `all` leaves out vid and lelp.
    let expected: Vec<&str> = slam_lab::methods::Method::all()
        .iter()
        .map(|m| m.name())
        .filter(|n| *n != "vid" && *n != "lelp")
        .collect();
    assert_eq!(
        methods.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
        expected
    );
    for rule in ["rad", "rad_random", "rad_uncertainty"] {
        let acc = methods[rule]["queried_teacher_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc), "{rule}: {acc}");
    }
    assert!(methods["ups"]["selected_teacher_accuracy"]
        .as_f64()
        .is_some());
    // Asking for a method the teacher cannot serve names the key to change.
    let vid = temp_file("vid.json", r#"{"methods": ["vid"]}"#);
    assert_refused(
        &[
            "run",
            "--scenario",
            "flagship",
            "--config",
            vid.to_str().unwrap(),
        ],
        "teacher.kind",
    );
}

#[test]
fn methods_all_on_the_command_line_runs_every_method_the_teacher_allows() {
    let cfg = temp_file("all.json", r#"{"samples": 600, "student": {"epochs": 2}}"#);
    let out = slam_lab(&[
        "run",
        "--scenario",
        "flagship",
        "--methods",
        "all",
        "--seeds",
        "1",
        "--json",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&String> = v["methods"].as_object().unwrap().keys().collect();
    // A synthetic teacher has no hidden layer: every method but vid and lelp.
    let want: Vec<&str> = slam_lab::methods::Method::all()
        .iter()
        .map(|m| m.name())
        .filter(|n| *n != "vid" && *n != "lelp")
        .collect();
    assert_eq!(names, want);
    let listed = String::from_utf8(slam_lab(&["methods"]).stdout).unwrap();
    for m in slam_lab::methods::Method::all() {
        assert!(
            listed
                .lines()
                .any(|l| l.split_whitespace().next() == Some(m.name())),
            "{} not listed",
            m.name()
        );
    }
}

#[test]
fn sweep_points_equal_runs_with_the_key_set_and_pair_with_vanilla() {
    let base = temp_file(
        "sweep-base.json",
        r#"{"samples": 600, "student": {"epochs": 3}}"#,
    );
    let out = slam_lab(&[
        "sweep",
        "--scenario",
        "flagship",
        "--config",
        base.to_str().unwrap(),
        "--vary",
        "labeled=10,40",
        "--seeds",
        "3",
        "--methods",
        "slam",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["key"], "labeled");
    assert_eq!(v["values"], serde_json::json!([10, 40]));
    assert_eq!(v["seed_list"], serde_json::json!([0, 1, 2]));
    for (i, labeled) in [10, 40].iter().enumerate() {
        let point = &v["points"][i];
        let methods = point["methods"].as_object().unwrap();
        assert_eq!(
            methods.keys().collect::<Vec<_>>(),
            vec!["vanilla", "slam"],
            "vanilla is always added, first"
        );
        let cfg = temp_file(
            &format!("sweep-{labeled}.json"),
            &format!(r#"{{"samples": 600, "student": {{"epochs": 3}}, "labeled": {labeled}}}"#),
        );
        let run = slam_lab(&[
            "run",
            "--scenario",
            "flagship",
            "--config",
            cfg.to_str().unwrap(),
            "--seeds",
            "3",
            "--methods",
            "vanilla,slam",
            "--json",
        ]);
        let r: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(point["teacher_accuracy"], r["teacher_accuracy"]);
        for m in ["vanilla", "slam"] {
            assert_eq!(
                methods[m]["per_seed"], r["methods"][m]["per_seed"],
                "labeled={labeled} {m}"
            );
        }
        // The paired difference is computed from those per-seed numbers.
        let (s, van) = (
            methods["slam"]["per_seed"].as_array().unwrap(),
            methods["vanilla"]["per_seed"].as_array().unwrap(),
        );
        let d: Vec<f64> = s
            .iter()
            .zip(van)
            .map(|(a, b)| a.as_f64().unwrap() - b.as_f64().unwrap())
            .collect();
        let mean = d.iter().sum::<f64>() / 3.0;
        assert!((methods["slam"]["vs_vanilla"]["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
        assert_eq!(
            methods["slam"]["vs_vanilla"]["wins"].as_u64().unwrap() as usize,
            d.iter().filter(|&&x| x > 0.0).count()
        );
    }
    let table = slam_lab(&[
        "sweep",
        "--scenario",
        "flagship",
        "--config",
        base.to_str().unwrap(),
        "--vary",
        "teacher.rate=0.1,0.3",
        "--seeds",
        "2",
    ]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("teacher.rate = 0.1")
            && text.contains("teacher.rate = 0.3")
            && text.contains("vs vanilla"),
        "{text}"
    );
}

#[test]
fn bad_sweeps_are_refused_naming_the_key_or_value() {
    assert_refused(
        &["sweep", "--scenario", "flagship", "--vary", "labeled"],
        "KEY=v1",
    );
    assert_refused(
        &["sweep", "--scenario", "flagship", "--vary", "labeled=ten"],
        "`labeled` value ten",
    );
    assert_refused(
        &[
            "sweep",
            "--scenario",
            "flagship",
            "--vary",
            "teacher.rate=0.2,7",
        ],
        "teacher.rate",
    );
    assert_refused(
        &["sweep", "--scenario", "flagship", "--vary", "no_such_key=1"],
        "no_such_key",
    );
    assert_refused(
        &[
            "sweep",
            "--scenario",
            "flagship",
            "--vary",
            "student.shift=1",
            "--seeds",
            "1",
        ],
        "student.shift",
    );
}

/// Settings too large for memory are refused on one line naming the key, before anything trains:
/// for a sweep, before the first value (which alone would train for minutes).
#[test]
fn settings_that_cannot_fit_in_memory_are_refused_up_front() {
    let cfg = temp_file(
        "huge.json",
        r#"{"student": {"hidden": [1024, 1024, 1024, 1024], "batch_size": 65536}}"#,
    );
    let cfg = cfg.to_str().unwrap();
    assert_refused(
        &[
            "run",
            "--scenario",
            "flagship",
            "--config",
            cfg,
            "--seeds",
            "1",
        ],
        "`student.batch_size` needs too much memory",
    );
    let started = std::time::Instant::now();
    assert_refused(
        &[
            "sweep",
            "--scenario",
            "flagship",
            "--config",
            cfg,
            "--vary",
            "student.batch_size=64,65536",
            "--seeds",
            "1",
        ],
        "the largest value that fits with the other settings is ",
    );
    assert!(started.elapsed().as_secs() < 20, "the sweep trained first");
}

#[test]
fn the_real_teacher_scenario_reads_mnist_and_lists_the_baselines() {
    let methods = slam_lab(&["methods"]);
    let text = String::from_utf8_lossy(&methods.stdout);
    for name in ["labels_only", "vanilla_lv"] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "`slam-lab methods` lists {name}"
        );
    }
    let scenarios = String::from_utf8_lossy(&slam_lab(&["scenarios"]).stdout).to_string();
    assert!(
        scenarios.contains("real-teacher") && scenarios.contains("real-teacher-matched"),
        "{scenarios}"
    );
    // Without the MNIST file the scenario says where it looks (the file is built by `npm run build`).
    let out = Command::new(env!("CARGO_BIN_EXE_slam-lab"))
        .args(["run", "--scenario", "real-teacher", "--seeds", "1"])
        .env("SLAM_LAB_MNIST", "/nonexistent/mnist.bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/mnist.bin"));
}

/// `--set` and `--seed` give the run a config file would: the same numbers as the keys in a file,
/// applied after it; the base seed moves the seed list.
#[test]
fn set_and_seed_are_config_keys_from_the_command_line() {
    let json = |out: Output| -> serde_json::Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let file = temp_file(
        "set.json",
        r#"{"samples": 1000, "student": {"epochs": 2, "hidden": [8]}, "teacher": {"rate": 0.3}, "seed": 7}"#,
    );
    // The flagship's vanilla and SLaM over two seeds, with `keys` given as flags.
    let two_seeds = |keys: &[&str]| {
        let mut args = vec![
            "run",
            "--scenario",
            "flagship",
            "--seeds",
            "2",
            "--methods",
            "vanilla,slam",
            "--json",
        ];
        args.extend_from_slice(keys);
        json(slam_lab(&args))
    };
    let from_file = two_seeds(&["--config", file.to_str().unwrap()]);
    let from_flags = two_seeds(&[
        "--set",
        "samples=1000",
        "--set",
        "student.epochs=2",
        "--set",
        "student.hidden=[8]",
        "--set",
        "teacher.rate=0.3",
        "--seed",
        "7",
    ]);
    assert_eq!(from_file["seed_list"], serde_json::json!([7, 8]));
    assert_eq!(from_file["methods"], from_flags["methods"], "the same run");
    assert_eq!(from_file["config"], from_flags["config"]);
    // After the file: --set and --seed win over it.
    let over = json(slam_lab(&[
        "run",
        "--scenario",
        "flagship",
        "--config",
        file.to_str().unwrap(),
        "--set",
        "teacher.rate=0.1",
        "--seed",
        "3",
        "--seeds",
        "1",
        "--methods",
        "vanilla",
        "--json",
    ]));
    assert_eq!(over["seed_list"], serde_json::json!([3]));
    assert_eq!(
        over["config"]["teacher"]["rate"],
        serde_json::json!(0.1_f32)
    );
    assert_eq!(
        over["config"]["samples"],
        serde_json::json!(1000),
        "the file's other keys stay"
    );
    // Text that is not JSON is a string: a name.
    let named = json(slam_lab(&[
        "run",
        "--scenario",
        "flagship",
        "--set",
        "teacher.noise=uniform",
        "--set",
        "samples=1000",
        "--set",
        "student.epochs=1",
        "--seeds",
        "1",
        "--methods",
        "vanilla",
        "--json",
    ]));
    assert_eq!(named["config"]["teacher"]["noise"], "uniform");
    assert_refused(&["run", "--set", "samples"], "--set");
    assert_refused(&["run", "--set", "=3"], "--set");
    assert_refused(&["run", "--set", "no_such_key=3"], "no_such_key");
    assert_refused(&["run", "--set", "student.epochs=many"], "student.epochs");
    assert_refused(&["run", "--seed", "x"], "--seed");
}

/// `--reference` pairs every method with the one named (or the teacher): the numbers are those of
/// the per-seed lists, and the text table says what it compares with.
#[test]
fn a_reference_of_choice_pairs_every_method_with_it() {
    let run = |reference: &str, json: bool| {
        let mut args = vec![
            "run",
            "--scenario",
            "flagship",
            "--set",
            "samples=1000",
            "--set",
            "student.epochs=3",
            "--seeds",
            "4",
            "--methods",
            "vanilla,slam,labels_only",
            "--reference",
            reference,
        ];
        if json {
            args.push("--json");
        }
        let out = slam_lab(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    for reference in ["slam", "teacher", "vanilla"] {
        let v: serde_json::Value = serde_json::from_slice(&run(reference, true)).unwrap();
        assert_eq!(v["reference"], reference);
        let base: Vec<f64> = if reference == "teacher" {
            serde_json::from_value(v["teacher_accuracy_per_seed"].clone()).unwrap()
        } else {
            serde_json::from_value(v["methods"][reference]["per_seed"].clone()).unwrap()
        };
        for (name, m) in v["methods"].as_object().unwrap() {
            if name == reference {
                assert!(
                    m.get("vs_reference").is_none(),
                    "{name}: not paired with itself"
                );
                continue;
            }
            let own: Vec<f64> = serde_json::from_value(m["per_seed"].clone()).unwrap();
            let d: Vec<f64> = own.iter().zip(&base).map(|(a, b)| a - b).collect();
            let p = &m["vs_reference"];
            let mean = d.iter().sum::<f64>() / d.len() as f64;
            assert!(
                (p["mean"].as_f64().unwrap() - mean).abs() < 1e-12,
                "{name} vs {reference}"
            );
            assert_eq!(p["wins"], d.iter().filter(|&&x| x > 0.0).count());
            assert_eq!(p["losses"], d.iter().filter(|&&x| x < 0.0).count());
            assert!(
                p["ci_low"].as_f64().unwrap() <= mean && mean <= p["ci_high"].as_f64().unwrap()
            );
            // vanilla stays the paired baseline it always was.
            if name != "vanilla" {
                assert!(m["vs_vanilla"].is_object(), "{name}: vs_vanilla kept");
            }
        }
        let table = String::from_utf8(run(reference, false)).unwrap();
        assert!(
            table.contains(&format!("vs {reference}: mean [95% CI] wins")),
            "{table}"
        );
    }
    assert_refused(
        &[
            "run",
            "--scenario",
            "flagship",
            "--methods",
            "vanilla,slam",
            "--reference",
            "ups",
        ],
        "`ups` does not run here",
    );
}

/// Every JSON the CLI prints says what made it and from what: version and commit, the digest of the
/// config it echoes, the seeds, the data's digest.
#[test]
fn every_json_carries_its_provenance() {
    use sha2::Digest;
    let sha = |b: &[u8]| -> String {
        sha2::Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    let rows: String = (0..60)
        .map(|i| format!("{},{},{}\n", i % 7, (i * 3) % 11, ["a", "b"][i % 2]))
        .collect();
    let csv = temp_file("prov.csv", &format!("x,y,label\n{rows}"));
    let small = [
        "--set",
        "student.epochs=1",
        "--set",
        "labeled=4",
        "--set",
        "validation=4",
    ];
    let cases: Vec<(Vec<&str>, serde_json::Value)> = vec![
        (
            [
                &[
                    "run",
                    "--scenario",
                    "flagship",
                    "--set",
                    "samples=1000",
                    "--seeds",
                    "2",
                    "--seed",
                    "5",
                    "--methods",
                    "vanilla",
                    "--json",
                ][..],
                &small[..2],
            ]
            .concat(),
            serde_json::json!({"name": "moons", "generated": true}),
        ),
        (
            [
                &[
                    "run",
                    "--dataset",
                    csv.to_str().unwrap(),
                    "--seeds",
                    "1",
                    "--methods",
                    "vanilla",
                    "--json",
                ][..],
                &small[..],
            ]
            .concat(),
            serde_json::json!({"name": "prov", "file": csv.to_str().unwrap(), "sha256": sha(&std::fs::read(&csv).unwrap())}),
        ),
        (
            [
                &[
                    "sweep",
                    "--dataset",
                    "iris",
                    "--vary",
                    "labeled=6,9",
                    "--seeds",
                    "1",
                    "--json",
                ][..],
                &small[..],
            ]
            .concat(),
            serde_json::json!({"name": "iris", "builtin": true, "sha256": sha(&std::fs::read("data/iris.csv").unwrap())}),
        ),
        (
            vec![
                "explain",
                "--scenario",
                "flagship",
                "--method",
                "slam",
                "--set",
                "samples=1000",
                "--seed",
                "2",
            ],
            serde_json::json!({"name": "moons", "generated": true}),
        ),
    ];
    for (args, data) in cases {
        let out = slam_lab(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let p = &v["provenance"];
        assert_eq!(p["version"], env!("CARGO_PKG_VERSION"), "{args:?}");
        assert_eq!(p["data"], data, "{args:?}");
        // Every JSON echoes the config it ran with (explain's too), and the digest is of that echo.
        let compact = serde_json::to_string(&v["config"]).unwrap();
        assert!(v["config"].is_object(), "{args:?}: the config");
        assert_eq!(
            p["config_sha256"],
            sha(compact.as_bytes()),
            "{args:?}: the digest of the config it echoes"
        );
        let seeds = v
            .get("seed_list")
            .cloned()
            .unwrap_or_else(|| serde_json::json!([v["config"]["seed"]]));
        assert_eq!(p["seeds"], seeds, "{args:?}");
        match p["commit"].as_str() {
            Some(c) => assert!(
                c.len() >= 12 && c[..12].chars().all(|x| x.is_ascii_hexdigit()),
                "{c}"
            ),
            None => assert!(p["commit"].is_null()),
        }
    }
    let version = slam_lab(&["--version"]);
    let text = String::from_utf8_lossy(&version.stdout);
    assert!(
        text.starts_with(&format!("slam-lab {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert_eq!(
        text.contains("(commit "),
        std::path::Path::new(".git").exists(),
        "{text}"
    );
}
