//! "Bring your own teacher" from the command line: `slam-lab teacher` writes the lab's teacher as a
//! file (CSV, .npz), and `run` on that file gives the built-in run's numbers; NumPy arrays
//! (`--data`, `--labels`, `--teacher-probs`) run, explain and sweep; bad files are refused on one
//! line naming the file, row and column.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

use ndarray::{Array1, Array2};
use serde_json::Value;

fn slam_lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slam-lab"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn ok_json(args: &[&str]) -> Value {
    let out = slam_lab(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn refused(args: &[&str], needles: &[&str]) {
    let out = slam_lab(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        needles.iter().all(|n| err.contains(n)),
        "{err} (wanted {needles:?})"
    );
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("slam-lab-teacher-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const SMALL: &[&str] = &[
    "--set",
    "samples=600",
    "--set",
    "student.epochs=3",
    "--seed",
    "5",
];

/// Each method's per-seed accuracies and histories of a `run --json`.
fn per_method(v: &Value) -> Vec<(String, Value)> {
    v["methods"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(m, r)| (m.clone(), r["per_seed"].clone()))
        .collect()
}

#[test]
fn the_lab_teacher_written_to_csv_or_npz_reads_back_as_the_same_run() {
    let d = dir();
    for (scenario, file) in [
        ("flagship", "f.csv"),
        ("flagship", "f.npz"),
        ("trained-spirals", "s.npz"),
    ] {
        let path = d.join(file);
        let path = path.to_str().unwrap();
        let mut write = vec!["teacher", "--scenario", scenario, "--out", path];
        write.extend(SMALL);
        let out = slam_lab(&write);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("wrote"));
        let methods = "vanilla,slam,slam_hard,weighted,taylor_ce,vanilla_hard";
        let mut base = vec![
            "run",
            "--scenario",
            scenario,
            "--seeds",
            "1",
            "--methods",
            methods,
            "--json",
        ];
        base.extend(SMALL);
        let built = ok_json(&base);
        let flag = if file.ends_with(".csv") {
            "--dataset"
        } else {
            "--data"
        };
        let mut again = base.clone();
        again.extend([flag, path]);
        let given = ok_json(&again);
        assert_eq!(given["config"]["teacher"]["kind"], "given");
        assert_eq!(
            built["config"]["teacher"]["kind"],
            if scenario == "flagship" {
                "synthetic"
            } else {
                "trained"
            }
        );
        assert_eq!(
            per_method(&given),
            per_method(&built),
            "{scenario} via {file}"
        );
        assert_eq!(given["teacher_accuracy"], built["teacher_accuracy"]);
        assert!(given["given_data"]["note"]
            .as_str()
            .unwrap()
            .contains("the teacher is yours"));
        // The file's digest is the provenance's.
        // Recounted from the file's bytes.
        use sha2::Digest;
        let sha = slam_lab::data::hex(&sha2::Sha256::digest(std::fs::read(path).unwrap()));
        assert_eq!(given["provenance"]["data"]["sha256"], Value::String(sha));
    }
}

#[test]
fn numpy_arrays_run_explain_and_sweep_and_rows_of_unknown_class_join_u() {
    let d = dir().join("arrays");
    std::fs::create_dir_all(&d).unwrap();
    // Two noisy blobs; the teacher is right with probability 0.8 on each row, a quarter of the rows
    // have no known class.
    let n = 400;
    let mut rng = slam_lab::rng::Rng::new(3, slam_lab::rng::Stream::Data);
    let y: Array1<i64> = (0..n).map(|i| (i % 2) as i64).collect();
    let x = Array2::from_shape_fn((n, 3), |(i, j)| {
        rng.normal() as f64 + if j == 0 { 2.0 * y[i] as f64 } else { 0.0 }
    });
    let probs = Array2::from_shape_fn((n, 2), |(i, c)| {
        if (c as i64 == y[i]) ^ (i % 5 == 0) {
            0.8f32
        } else {
            0.2
        }
    });
    let labels = y
        .iter()
        .enumerate()
        .map(|(i, &c)| if i % 4 == 3 { -1 } else { c })
        .collect::<Array1<i64>>();
    let (xp, yp, pp) = (d.join("x.npy"), d.join("y.npy"), d.join("p.npy"));
    ndarray_npy::write_npy(&xp, &x).unwrap();
    ndarray_npy::write_npy(&yp, &labels).unwrap();
    ndarray_npy::write_npy(&pp, &probs).unwrap();
    let (xs, ys, ps) = (
        xp.to_str().unwrap(),
        yp.to_str().unwrap(),
        pp.to_str().unwrap(),
    );
    let arrays = ["--data", xs, "--labels", ys, "--teacher-probs", ps];
    let mut run = vec![
        "run",
        "--seeds",
        "2",
        "--json",
        "--set",
        "labeled=20",
        "--set",
        "validation=60",
        "--set",
        "student.epochs=3",
    ];
    run.extend(arrays);
    let v = ok_json(&run);
    assert_eq!(v["given_data"]["unknown_class_rows"], 100);
    // L, V and T are drawn from the 300 rows of known class; U takes the other known rows and all
    // 100 unknown ones.
    let sizes = &v["sizes"];
    let t = (v["config"]["test_fraction"].as_f64().unwrap() * 300.0).round() as u64;
    assert_eq!(
        sizes,
        &serde_json::json!({"labeled": 20, "validation": 60, "unlabeled": 400 - 20 - 60 - t, "test": t}),
        "{sizes}"
    );
    // The teacher is wrong on every fifth row: 80% right on T, measured on known rows only.
    let acc = v["teacher_accuracy"].as_f64().unwrap();
    assert!((acc - 0.8).abs() < 0.1, "{acc}");
    assert_eq!(
        v["provenance"]["data"]["files"].as_array().unwrap().len(),
        3
    );

    let mut explain = vec![
        "explain",
        "--method",
        "slam",
        "--set",
        "labeled=20",
        "--set",
        "validation=60",
    ];
    explain.extend(arrays);
    let step = ok_json(&explain);
    assert_eq!(step["config"]["teacher"]["kind"], "given");
    let mut sweep = vec![
        "sweep",
        "--vary",
        "labeled=10,20",
        "--seeds",
        "1",
        "--json",
        "--set",
        "validation=60",
        "--set",
        "student.epochs=2",
    ];
    sweep.extend(arrays);
    let s = ok_json(&sweep);
    assert_eq!(s["points"].as_array().unwrap().len(), 2);

    // Refusals: one line, naming what to fix.
    let mut bad = probs.clone();
    bad[[17, 0]] = 0.3;
    ndarray_npy::write_npy(&pp, &bad).unwrap();
    refused(&run, &["p.npy row 17", "sum to"]);
    ndarray_npy::write_npy(&pp, &probs).unwrap();
    let mut vid = run.clone();
    vid.extend(["--methods", "vid"]);
    refused(&vid, &["vid", "given by the data file"]);
    refused(&["run", "--labels", ys], &["--data"]);
    let mut plain = vec![
        "run",
        "--scenario",
        "flagship",
        "--set",
        "teacher.kind=given",
    ];
    plain.extend(SMALL);
    refused(&plain, &["teacher.kind", "carries none"]);
    let mut synthetic = run.clone();
    synthetic.extend(["--set", "teacher.kind=synthetic"]);
    refused(&synthetic, &["teacher.kind", "100 rows"]);
}
