//! Whole-pipeline properties: determinism, shared initialisation, and that SLaM learns past a
//! teacher's mistakes when the noise follows its model.

use serde_json::json;
use slam_lab::experiment::{prepare, run_seed, run_seeds};
use slam_lab::methods::Method;
use slam_lab::run::StudentRun;
use slam_lab::scenarios::resolve;
use slam_lab::seed::DataSource;

fn small_flagship(extra: serde_json::Value) -> slam_lab::config::Checked {
    let mut over = json!({"samples": 1200, "student": {"epochs": 8}});
    slam_lab::config::merge(&mut over, extra);
    resolve(Some("flagship"), over).unwrap()
}

#[test]
fn same_seed_gives_identical_numbers() {
    let cfg = small_flagship(json!({}));
    let src = DataSource::Builtin(cfg.dataset.clone());
    let a = run_seed(&cfg, &src, 3).unwrap();
    let b = run_seed(&cfg, &src, 3).unwrap();
    assert_eq!(a.methods, b.methods);
    assert_eq!(a.teacher_accuracy.to_bits(), b.teacher_accuracy.to_bits());
    let c = run_seed(&cfg, &src, 4).unwrap();
    assert_ne!(
        a.methods, c.methods,
        "a different seed must give different numbers"
    );
}

#[test]
fn threaded_seeds_equal_sequential_seeds() {
    let cfg = small_flagship(json!({"methods": ["vanilla", "slam"]}));
    let src = DataSource::Builtin(cfg.dataset.clone());
    let all = run_seeds(&cfg, &src, 3, &mut |_, _| {}).unwrap();
    for (i, r) in all.iter().enumerate() {
        let single = run_seed(&cfg, &src, cfg.seed + i as u64).unwrap();
        assert_eq!(r.methods, single.methods);
    }
}

#[test]
fn every_method_starts_from_the_same_weights_and_batches() {
    // With alpha clamped to 1, SLaM's mixed prediction is the student's own: it must then retrace
    // vanilla distillation exactly, which only happens with identical initial weights and batch order.
    let cfg = small_flagship(json!({"alpha_min": 1.0, "methods": ["vanilla", "slam"]}));
    let r = run_seed(&cfg, &DataSource::Builtin(cfg.dataset.clone()), 1).unwrap();
    let (vanilla, slam) = (&r.methods[0].1, &r.methods[1].1);
    for (v, s) in vanilla.iter().zip(slam) {
        assert_eq!(v.test_accuracy, s.test_accuracy);
        assert!((v.train_loss - s.train_loss).abs() <= 1e-6 * v.train_loss.abs().max(1.0));
    }
    let prep = prepare(&cfg, &DataSource::Builtin(cfg.dataset.clone()), 1).unwrap();
    let init = prep.initial_student(&cfg);
    let a = StudentRun::new(&prep, &cfg, m("vanilla"), &init);
    let b = StudentRun::new(&prep, &cfg, m("taylor_ce"), &init);
    assert_eq!(a.net.weights, b.net.weights);
}

#[test]
fn slam_beats_vanilla_when_the_noise_follows_its_model() {
    // Synthetic teacher: unsure and mostly wrong in one region (its margin reveals it). Averaged over
    // seeds, SLaM must beat vanilla distillation, and the gain must come from the points the teacher
    // gets wrong.
    let cfg = resolve(Some("flagship"), json!({"methods": ["vanilla", "slam"]})).unwrap();
    let runs = run_seeds(
        &cfg,
        &DataSource::Builtin(cfg.dataset.clone()),
        6,
        &mut |_, _| {},
    )
    .unwrap();
    let mean = |m: usize, f: &dyn Fn(&slam_lab::run::EpochMetrics) -> f32| {
        runs.iter()
            .map(|r| f(r.methods[m].1.last().unwrap()) as f64)
            .sum::<f64>()
            / runs.len() as f64
    };
    let (vanilla, slam) = (mean(0, &|e| e.test_accuracy), mean(1, &|e| e.test_accuracy));
    assert!(
        slam > vanilla + 0.02,
        "slam {slam:.3} vs vanilla {vanilla:.3}"
    );
    let wrong = |e: &slam_lab::run::EpochMetrics| {
        e.teacher_wrong_accuracy.expect("the last epoch measures U")
    };
    let (vw, sw) = (mean(0, &wrong), mean(1, &wrong));
    assert!(
        sw > vw + 0.1,
        "on teacher-wrong points: slam {sw:.3} vs vanilla {vw:.3}"
    );
}

#[test]
fn estimated_alpha_tracks_the_oracle() {
    // The synthetic teacher's true alpha is the probability that its label is right: recounted here
    // against the labels it actually gave, on U in bins of true alpha (plain loops, no engine summary).
    let cfg = small_flagship(json!({}));
    let src = DataSource::Builtin(cfg.dataset.clone());
    let prep = prepare(&cfg, &src, 2).unwrap();
    let oracle = prep
        .teacher
        .oracle_alpha
        .clone()
        .expect("a synthetic teacher");
    let u = &prep.split.unlabeled;
    let mut bins = [(0.0f64, 0.0f64, 0usize); 5];
    for &i in u {
        let b = ((oracle[i] * 5.0) as usize).min(4);
        bins[b].0 += oracle[i] as f64;
        bins[b].1 += (prep.teacher.labels[i] == prep.data.y[i]) as u8 as f64;
        bins[b].2 += 1;
    }
    let mut used = 0;
    for (b, &(sum_alpha, right, n)) in bins.iter().enumerate() {
        if n < 30 {
            continue;
        }
        used += 1;
        let (mean_alpha, acc) = (sum_alpha / n as f64, right / n as f64);
        // Four binomial standard deviations.
        let tol = 4.0 * (mean_alpha * (1.0 - mean_alpha) / n as f64).sqrt() + 1e-3;
        assert!(
            (acc - mean_alpha).abs() <= tol,
            "true-alpha bin {b}: teacher right on {acc:.3} of {n} rows, true alpha {mean_alpha:.3}"
        );
    }
    assert!(
        used >= 2,
        "U spans at least two bins of true alpha: {bins:?}"
    );
    // The estimate on the margin tracks it: the mean |estimate - truth| on U, recounted.
    let mut err = 0.0f64;
    for &i in u {
        err += (prep.alpha_raw[i] - oracle[i]).abs() as f64;
    }
    err /= u.len() as f64;
    let reported = prep.alpha_oracle_error().unwrap() as f64;
    assert!(
        (reported - err).abs() < 1e-5,
        "reported {reported}, recounted {err}"
    );
    assert!(
        err > 0.0 && err < 0.08,
        "mean |alpha - true alpha| on U = {err}"
    );
    // The oracle estimator gives SLaM the true alpha itself, row by row (no clamp with alpha_min 0),
    // which the recount above tied to the teacher's actual mistakes.
    let oracle_cfg = small_flagship(json!({"alpha_estimator": "oracle", "alpha_min": 0.0}));
    let p = prepare(&oracle_cfg, &src, 2).unwrap();
    assert_eq!(p.teacher.labels, prep.teacher.labels, "the same teacher");
    for &i in &p.split.unlabeled {
        assert_eq!(p.alpha[i], oracle[i], "row {i}");
    }
    assert_eq!(p.alpha_oracle_error().unwrap(), 0.0);
}

#[test]
fn oracle_alpha_without_a_synthetic_teacher_is_refused() {
    let cfg = resolve(Some("digits"), json!({"alpha_estimator": "oracle"})).unwrap();
    let err = prepare(&cfg, &DataSource::Builtin("digits".into()), 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("alpha_estimator"), "{err}");
}

#[test]
fn extreme_but_legal_settings_train_without_nan_or_warn() {
    // Each case is legal; training must either give finite numbers everywhere or say it diverged.
    let cases = [
        json!({"student": {"lr": 10.0}}),
        json!({"student": {"lr": 10.0, "optimizer": "sgd"}}),
        json!({"alpha_min": 0.0}),
        json!({"dataset": "blobs", "classes": 5, "k_coverage": 1.0}),
        json!({"dataset": "blobs", "classes": 4, "labeled": 4}),
        json!({"dataset": "blobs", "classes": 50, "samples": 3000, "labeled": 50, "validation": 100}),
    ];
    for over in cases {
        let mut o = json!({"samples": 600, "student": {"epochs": 4}, "teacher": {"epochs": 40}, "methods": "all"});
        slam_lab::config::merge(&mut o, over.clone());
        let cfg = resolve(None, o).unwrap();
        let r = run_seed(&cfg, &DataSource::Builtin(cfg.dataset.clone()), 0).unwrap();
        for (m, hist) in &r.methods {
            let warned = r.warnings.iter().any(|w| w.starts_with(m.name()));
            for e in hist {
                assert!(
                    e.test_accuracy.is_finite() && (0.0..=1.0).contains(&e.test_accuracy),
                    "{over}: {m:?}"
                );
                assert!(
                    e.train_loss.is_finite() || warned,
                    "{over}: {m:?} lost finiteness without a warning"
                );
                assert!(
                    !warned || r.warnings.iter().all(|w| w.contains("student.lr")),
                    "{over}: {:?}",
                    r.warnings
                );
            }
        }
        let k = r.k;
        if over.get("k_coverage").is_some() {
            assert!((2..=5).contains(&k), "{over}: k = {k}");
        }
    }
    // Adam with lr 10 kills the ReLUs of a small student (8 units: every test point gets one class)
    // and merely shakes a larger one (16 units: both classes, no collapse). Whether it collapsed is
    // recounted from the student's class for every test row; the warning must say so exactly then.
    let src = DataSource::Builtin("moons".into());
    let mut outcomes = Vec::new();
    for hidden in [8, 16] {
        let cfg = resolve(
            None,
            json!({"samples": 600, "student": {"epochs": 4, "lr": 10.0, "hidden": [hidden]}, "methods": ["vanilla"]}),
        )
        .unwrap();
        let r = run_seed(&cfg, &src, 0).unwrap();
        let prep = prepare(&cfg, &src, 0).unwrap();
        let mut run = StudentRun::new(&prep, &cfg, m("vanilla"), &prep.initial_student(&cfg));
        run.unlabeled_every_epoch = false; // as the seed run: U measured after the last epoch only
        for _ in 0..cfg.student.epochs {
            run.train_epoch(&prep, &cfg);
        }
        assert_eq!(run.history, r.methods[0].1, "the run by hand is the run");
        let p = run.predict_rows(prep.data.x.view(), &prep.split.test);
        let mut classes = std::collections::BTreeSet::new();
        for row in p.rows() {
            let best = (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b });
            classes.insert(best);
        }
        let collapsed = classes.len() == 1;
        let warned = r.warnings.iter().any(|w| w.contains("collapsed"));
        assert_eq!(
            warned, collapsed,
            "hidden [{hidden}]: classes predicted on T {classes:?}; a collapse is said exactly when there is one: warnings {:?}",
            r.warnings
        );
        outcomes.push(collapsed);
    }
    assert_eq!(
        outcomes,
        [true, false],
        "one student collapses, the other does not"
    );
    // Clamped losses keep even these rates finite; to see the warning path, poison the weights.
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 600, "student": {"epochs": 2}, "methods": ["vanilla"]}),
    )
    .unwrap();
    let prep = prepare(&cfg, &DataSource::Builtin("moons".into()), 0).unwrap();
    let mut run = StudentRun::new(&prep, &cfg, m("vanilla"), &prep.initial_student(&cfg));
    run.train_epoch(&prep, &cfg);
    assert!(run.warning().is_none());
    run.net.weights[0][[0, 0]] = f32::NAN;
    run.train_epoch(&prep, &cfg);
    let w = run.warning().expect("a NaN loss must be reported");
    assert!(
        w.starts_with("vanilla") && w.contains("student.lr") && w.contains("epoch 2"),
        "{w}"
    );
}

#[test]
fn a_constant_feature_and_duplicate_points_train_cleanly() {
    // Constant column, every row duplicated: standardisation must not divide by zero.
    let mut text = String::from("a,const,label\n");
    for i in 0..200 {
        let v = (i % 20) as f32 / 10.0;
        let line = format!("{v},5,{}\n", if v > 1.0 { "hi" } else { "lo" });
        text.push_str(&line);
        text.push_str(&line);
    }
    let ds = slam_lab::data::csv::parse_csv(&text, "const").unwrap();
    let cfg = resolve(None, json!({"labeled": 10, "validation": 40, "student": {"epochs": 3}, "teacher": {"epochs": 30}})).unwrap();
    let r = run_seed(&cfg, &DataSource::Table(ds), 0).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    for (m, hist) in &r.methods {
        assert!(hist.iter().all(|e| e.train_loss.is_finite()), "{m:?}");
    }
    assert!(r
        .methods
        .iter()
        .any(|(_, h)| h.last().unwrap().test_accuracy > 0.9));
}

/// Label spellings a CSV merged reach the page (the session's overview) and a run's warnings.
#[test]
fn merged_label_spellings_are_a_data_warning() {
    let mut text = String::from("a,label\n");
    for i in 0..120 {
        let label = ["yes", "Yes", " YES ", "no"][i % 4];
        text += &format!(
            "{},{label}\n",
            (i % 4 == 3) as u8 as f32 + (i as f32 * 0.37).sin() * 0.2
        );
    }
    let ds = slam_lab::data::csv::parse_csv(&text, "yn").unwrap();
    assert_eq!(ds.class_names, ["no", "yes"]);
    let want = r#"labels that differ only in case are read as one class: "yes" (from "yes", "Yes", "YES")"#;
    let cfg = resolve(None, json!({"labeled": 10, "validation": 20, "teacher": {"kind": "synthetic"}, "student": {"epochs": 1}, "methods": ["vanilla"]})).unwrap();
    let src = DataSource::Table(ds);
    let session = slam_lab::session::Session::new(cfg.clone(), &src, &[]).unwrap();
    assert_eq!(session.overview().data_warnings, [want]);
    // Data warnings come first, before any method's.
    assert_eq!(run_seed(&cfg, &src, 0).unwrap().warnings[0], want);
}

#[test]
fn seed_results_survive_json_so_a_worker_pool_reports_the_same_numbers() {
    // The page spreads seeds over workers and combines their JSON results in Rust: the combined
    // report must equal the one computed in one process, whatever order the seeds arrive in.
    let cfg = small_flagship(json!({"methods": ["vanilla", "slam", "rad"]}));
    let src = DataSource::Builtin(cfg.dataset.clone());
    let direct = run_seeds(&cfg, &src, 3, &mut |_, _| {}).unwrap();
    let mut via_json: Vec<slam_lab::experiment::SeedResult> = direct
        .iter()
        .rev()
        .map(|r| serde_json::from_str(&serde_json::to_string(r).unwrap()).unwrap())
        .collect();
    via_json.sort_by_key(|r| r.seed);
    let a = slam_lab::report::to_json(
        &cfg,
        "moons",
        Some("flagship"),
        &direct,
        &Default::default(),
    );
    let b = slam_lab::report::to_json(
        &cfg,
        "moons",
        Some("flagship"),
        &via_json,
        &Default::default(),
    );
    assert_eq!(a, b);
}

#[test]
fn batch_runs_measure_u_after_the_last_epoch_only_with_the_sessions_numbers() {
    // A batch run skips U's accuracies before the last epoch (the report shows only the last); its
    // numbers must be exactly the interactive session's, which measures U every epoch.
    let cfg = small_flagship(json!({"methods": ["vanilla", "slam"], "student": {"epochs": 4}}));
    let source = DataSource::Builtin(cfg.dataset.clone());
    let batch = slam_lab::experiment::run_seed(&cfg, &source, 3).unwrap();
    let prep = prepare(&cfg, &source, 3).unwrap();
    let init = prep.initial_student(&cfg);
    for (mi, (method, history)) in batch.methods.iter().enumerate() {
        assert_eq!(history.len(), 4);
        for (e, m) in history.iter().enumerate() {
            let last = e + 1 == history.len();
            assert_eq!(
                m.teacher_wrong_accuracy.is_some(),
                last,
                "{method:?} epoch {e}"
            );
            assert_eq!(
                m.teacher_right_accuracy.is_some(),
                last,
                "{method:?} epoch {e}"
            );
        }
        let mut run = slam_lab::run::StudentRun::new(&prep, &cfg, Method::list(&cfg)[mi], &init);
        for _ in 0..4 {
            run.train_epoch(&prep, &cfg);
        }
        assert!(
            run.history
                .iter()
                .all(|m| m.teacher_wrong_accuracy.is_some()),
            "the session measures U every epoch"
        );
        let (a, b) = (run.history.last().unwrap(), history.last().unwrap());
        assert_eq!(a, b, "{method:?}: same final metrics");
        let curve = |h: &[slam_lab::run::EpochMetrics]| {
            h.iter()
                .map(|m| m.test_accuracy.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            curve(&run.history),
            curve(history),
            "{method:?}: same test curve"
        );
    }
}

/// The built-in method called `name`.
fn m(name: &str) -> Method {
    Method::named(name).unwrap()
}

/// A seed run a little at a time (as a worker runs it, answering messages in between) gives the
/// numbers of the seed run in one go, with its progress counting up to the total.
#[test]
fn a_seed_run_in_slices_equals_the_seed_run_at_once() {
    let cfg = resolve(Some("digits"), json!({"labeled": 40, "teacher": {"epochs": 7}, "student": {"epochs": 3}, "methods": ["vanilla", "slam", "ups"]})).unwrap();
    let src = DataSource::Builtin("digits".into());
    let whole = run_seed(&cfg, &src, 2).unwrap();
    let mut run =
        slam_lab::experiment::SeedRun::start(&cfg, &src, 2, &[], &Method::list(&cfg)).unwrap();
    let (mut last, total) = run.progress();
    assert_eq!(total, 7 + 1 + 3 * 3);
    let (mut calls, mut rises) = (0, 0);
    while !run.advance(2).unwrap() {
        let (done, t) = run.progress();
        assert!(
            done >= last && done <= total && t == total,
            "progress {last} -> {done} of {t}"
        );
        rises += (done > last) as usize;
        last = done;
        calls += 1;
    }
    assert!(
        calls > rises && rises >= 10,
        "{calls} slices, progress rose {rises} times"
    );
    let sliced = run.finish().unwrap();
    assert_eq!(
        serde_json::to_value(&sliced).unwrap(),
        serde_json::to_value(&whole).unwrap()
    );

    // A session built a minibatch and a block of rows at a time is the session built at once, and its
    // progress goes through the teacher's epochs, then its labels, then ready.
    use slam_lab::seed::BuildStage;
    let mut b = slam_lab::session::SessionBuilder::start(cfg.clone(), &src, &[]).unwrap();
    let p = b.progress();
    assert_eq!(
        (p.stage, p.done, p.total),
        (BuildStage::TeacherEpochs, 0, 7)
    );
    let mut stages = vec![p.stage];
    let mut last = (p.stage, 0);
    while !b.advance(1) {
        let p = b.progress();
        if p.stage == last.0 {
            assert!(p.done >= last.1 && p.done <= p.total, "{p:?}");
        } else {
            stages.push(p.stage);
        }
        last = (p.stage, p.done);
    }
    stages.push(b.progress().stage);
    stages.dedup();
    assert_eq!(
        stages,
        [
            BuildStage::TeacherEpochs,
            BuildStage::TeacherLabels,
            BuildStage::Ready
        ]
    );
    let mut a = b.finish().unwrap();
    let mut c = slam_lab::session::Session::new(cfg.clone(), &src, &[]).unwrap();
    assert_eq!(a.prep.teacher.probs, c.prep.teacher.probs);
    assert_eq!(a.prep.teacher.logits, c.prep.teacher.logits);

    // Training one method a unit at a time, in turns, is training them all an epoch at a time.
    let methods = a.overview().methods.len();
    for _ in 0..2 {
        c.step_epoch();
    }
    let mut turns = 0;
    while a.epoch() < 2 {
        // In turns, starting from a different method each time.
        for k in 0..methods {
            let i = (k + turns) % methods;
            a.step_method(i, 1, 2);
        }
        turns += 1;
    }
    assert!(turns > a.units_per_epoch(), "{turns} turns");
    for (x, y) in a.runs.iter().zip(&c.runs) {
        assert_eq!(x.history, y.history);
        assert_eq!(x.net.weights, y.net.weights);
    }
    assert_eq!(a.warnings(), c.warnings());
}

/// A grid and predictions asked for a few rows at a time are the ones asked for at once.
#[test]
fn grids_and_predictions_in_blocks_equal_the_whole() {
    let src = DataSource::Builtin("moons".into());
    let cfg = resolve(Some("flagship"), json!({"student": {"epochs": 2}})).unwrap();
    let mut s = slam_lab::session::Session::new(cfg, &src, &[]).unwrap();
    s.step(7);
    let (res, classes) = (13, s.overview().class_names.len());
    let whole = s.grid(1, res).unwrap();
    assert_eq!(whole.len(), res * res * classes);
    let mut parts = Vec::new();
    for first in (0..res).step_by(4) {
        parts.extend(s.grid_rows(1, res, first, 4).unwrap());
    }
    assert_eq!(parts, whole);
    let n = s.prep.data.len();
    let all = s.predictions(0);
    let mut blocks = Vec::new();
    for first in (0..n).step_by(100) {
        blocks.extend(s.predictions_of(0, first, 100));
    }
    assert_eq!(blocks, all);
    assert!(s.predictions_of(0, n + 5, 10).is_empty());
}

/// Messages say what to do: the separator a CSV seems to use, the split that would fit, and data too
/// thin to learn from (a warning in the seed's result, before any method's).
#[test]
fn messages_name_the_fix() {
    let e = slam_lab::data::csv::parse_csv("a;b;label\n1;2;x\n3;4;y\n", "semi.csv")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("1 column") && e.contains("separator looks like `;`"),
        "{e}"
    );
    let e = slam_lab::data::csv::parse_csv("a\tb\tlabel\n1\t2\tx\n", "tabs.csv")
        .unwrap_err()
        .to_string();
    assert!(e.contains("separator looks like a tab"), "{e}");
    let e = slam_lab::data::csv::parse_csv("label\nx\ny\n", "one.csv")
        .unwrap_err()
        .to_string();
    assert!(e.contains("1 column") && !e.contains("separator"), "{e}");

    // Moons with 200 rows: 60 go to T, 140 remain; at most 138 fit in L, and with 100 in L at most 39 in V.
    let src = DataSource::Builtin("moons".into());
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 200, "test_fraction": 0.3, "labeled": 139}),
    )
    .unwrap();
    let e = run_seed(&cfg, &src, 0).unwrap_err().to_string();
    assert!(e.contains("at most 138 fit"), "{e}");
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 200, "test_fraction": 0.3, "labeled": 100, "validation": 40}),
    )
    .unwrap();
    let e = run_seed(&cfg, &src, 0).unwrap_err().to_string();
    assert!(e.contains("at most 39 validation rows fit"), "{e}");
    let ok = resolve(Some("flagship"), json!({"samples": 200, "test_fraction": 0.3, "labeled": 100, "validation": 39, "student": {"epochs": 1}})).unwrap();
    run_seed(&ok, &src, 0).unwrap();

    // 50 classes of 2 rows each, a trained teacher with 10 labels: both warnings, and none on moons.
    let mut text = String::from("a,b,label\n");
    for c in 0..50 {
        for r in 0..2 {
            text += &format!(
                "{},{},c{c}\n",
                c as f32 * 0.1 + r as f32 * 0.01,
                (c * 7 % 13) as f32 * 0.1
            );
        }
    }
    let csv = DataSource::Table(slam_lab::data::csv::parse_csv(&text, "c50.csv").unwrap());
    let cfg = resolve(None, json!({"dataset": "csv", "labeled": 10, "validation": 10, "teacher": {"kind": "trained", "epochs": 3}, "student": {"epochs": 1}, "methods": ["vanilla"]})).unwrap();
    let r = run_seed(&cfg, &csv, 0).unwrap();
    assert!(
        r.warnings[0].contains("2.0 rows per class") && r.warnings[0].contains("near chance (2%)"),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings[1].starts_with("40 of 50 classes have no row in L"),
        "{:?}",
        r.warnings
    );
    let fine = resolve(Some("flagship"), json!({"student": {"epochs": 1}})).unwrap();
    assert!(run_seed(&fine, &src, 0).unwrap().warnings.is_empty());
}

/// A method that reads its student's predictions on all of U at the start of an epoch (weighted)
/// gets them a block of 256 rows per unit of work, so no unit grows with U; and the epoch it then
/// trains is exactly the one trained in one go.
#[test]
fn predictions_read_at_the_start_of_an_epoch_come_a_block_per_unit() {
    let cfg =
        small_flagship(json!({"samples": 6000, "methods": ["weighted"], "student": {"epochs": 2}}));
    let source = DataSource::Builtin(cfg.dataset.clone());
    let prep = prepare(&cfg, &source, 1).unwrap();
    let init = prep.initial_student(&cfg);
    let rows = prep.split.validation.len() + prep.split.unlabeled.len();
    let mut by_units = StudentRun::new(&prep, &cfg, m("weighted"), &init);
    let mut units = 0;
    while by_units.minibatches() == 0 {
        by_units.work(&prep, &cfg);
        units += 1;
    }
    assert_eq!(
        units,
        rows.div_ceil(256) + 1,
        "one unit per block of {rows} rows, then the first minibatch"
    );
    while by_units.history.len() < 2 {
        by_units.work(&prep, &cfg);
    }
    let mut whole = StudentRun::new(&prep, &cfg, m("weighted"), &init);
    whole.train_epoch(&prep, &cfg);
    whole.train_epoch(&prep, &cfg);
    assert_eq!(by_units.history, whole.history);
    assert_eq!(by_units.net.weights, whole.net.weights);
}

/// A click anywhere on the plot adds a point the engine accepts: the plot's corners, rounded
/// outwards to three decimals as the page rounds a click, join L; the plot does not grow with the
/// points; and the schema's margin is the one the check applies.
#[test]
fn any_point_on_the_plot_is_accepted_and_far_points_are_refused() {
    use slam_lab::seed::ExtraPoint;
    use slam_lab::session::Session;
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 600, "student": {"epochs": 1}, "methods": ["vanilla"]}),
    )
    .unwrap();
    let src = DataSource::Builtin("moons".into());
    let plain = Session::new(cfg.clone(), &src, &[]).unwrap();
    let [x0, x1, y0, y1] = plain.bounds();
    let down = |v: f32| ((v as f64 * 1e3).floor() / 1e3) as f32;
    let up = |v: f32| ((v as f64 * 1e3).ceil() / 1e3) as f32;
    let corners: Vec<ExtraPoint> = [
        (down(x0), down(y0)),
        (up(x1), up(y1)),
        (down(x0), up(y1)),
        (up(x1), down(y0)),
    ]
    .iter()
    .enumerate()
    .map(|(i, &(x, y))| ExtraPoint {
        x: vec![x, y],
        label: i % 2,
    })
    .collect();
    let added = Session::new(cfg.clone(), &src, &corners).unwrap();
    assert_eq!(added.prep.hand_added, 4);
    assert_eq!(
        added.bounds(),
        plain.bounds(),
        "the plot is the data's, whatever was added"
    );
    assert_eq!(added.roles()[added.row_count() - 4..], [0, 0, 0, 0]);

    // Brute force against the schema's margin: on each axis, one margin of the data's span past
    // its range is the last accepted coordinate.
    let margin = slam_lab::schema::schema().limits.extra_point_margin;
    let raw = &plain.prep.raw_x;
    for axis in 0..2 {
        let col: Vec<f64> = raw.column(axis).iter().map(|&v| v as f64).collect();
        let lo = col.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let reach = margin * (hi - lo);
        for (v, ok) in [
            (lo - reach * 0.999, true),
            (hi + reach * 0.999, true),
            (lo - reach * 1.001, false),
            (hi + reach * 1.001, false),
        ] {
            let mut x = vec![0.5f32, 0.25];
            x[axis] = v as f32;
            let got = Session::new(cfg.clone(), &src, &[ExtraPoint { x, label: 0 }]);
            match got {
                Ok(_) => assert!(ok, "axis {axis}: {v} accepted"),
                Err(e) => {
                    assert!(!ok, "axis {axis}: {v} refused: {e}");
                    assert!(
                        e.to_string()
                            .starts_with("config: `points[0].x` must lie near the data"),
                        "{e}"
                    );
                }
            }
        }
    }
    let far = [ExtraPoint {
        x: vec![1e30, 1e30],
        label: 0,
    }];
    let e = Session::new(cfg, &src, &far).err().unwrap().to_string();
    assert!(
        e.contains("`points[0].x`") && e.contains("\"x1\" in [") && e.contains("got (1e30, 1e30)"),
        "{e}"
    );
}
