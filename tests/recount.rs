//! The numbers a user reads, recounted the other way round from the engine: from the rows (true
//! class, teacher label, set) and each student's predicted class, with plain loops, never through the
//! engine's own summaries. The engine's figures are those the CLI prints and the page shows (the CLI
//! report, `slam_lab::report::to_json`; tests/e2e holds the page to the CLI).
//!   - test accuracy and the U accuracies split by teacher right / wrong, per seed and as the report's
//!     mean over seeds (the README's headline columns);
//!   - each family method's own statistics: RAD's queries and the teacher's accuracy on them, UPS's
//!     selection (recounted from its rule), ALM's and L2T's mean weights on L and on U split by
//!     whether the teacher is right.
//! The page's confusion matrix and decision map are recounted in tests/unit/recount.test.mjs.

use serde_json::{json, Value};
use slam_lab::config::Checked;
use slam_lab::experiment::{prepare, run_seeds};
use slam_lab::methods::Method;
use slam_lab::run::StudentRun;
use slam_lab::scenarios::resolve;
use slam_lab::seed::{DataSource, PreparedSeed};

/// The class with the largest probability (first on ties), written here, not the engine's argmax.
fn best(p: &[f32]) -> usize {
    let mut b = 0;
    for c in 1..p.len() {
        if p[c] > p[b] {
            b = c;
        }
    }
    b
}

/// A student trained as a seed run trains it (same initial weights, U measured at the end).
fn trained(prep: &PreparedSeed, cfg: &Checked, method: Method) -> StudentRun {
    let init = prep.initial_student(cfg);
    let mut run = StudentRun::new(prep, cfg, method, &init);
    run.unlabeled_every_epoch = false;
    for _ in 0..cfg.student.epochs {
        run.train_epoch(prep, cfg);
    }
    run
}

/// (test accuracy, U accuracy where the teacher is right, U accuracy where it is wrong) from the
/// student's class for every row: counted row by row over the sets.
fn recount_accuracies(prep: &PreparedSeed, run: &mut StudentRun) -> (f64, f64, f64) {
    let n = prep.data.len();
    let all: Vec<usize> = (0..n).collect();
    let p = run.predict_rows(prep.data.x.view(), &all);
    let mut role = vec![' '; n];
    for &i in &prep.split.unlabeled {
        role[i] = 'U';
    }
    for &i in &prep.split.test {
        role[i] = 'T';
    }
    let (mut t, mut tn, mut r, mut rn, mut w, mut wn) = (0, 0, 0, 0, 0, 0);
    for i in 0..n {
        let hit = best(p.row(i).as_slice().unwrap()) == prep.data.y[i];
        match role[i] {
            'T' => {
                tn += 1;
                t += hit as usize;
            }
            'U' if prep.teacher.labels[i] == prep.data.y[i] => {
                rn += 1;
                r += hit as usize;
            }
            'U' => {
                wn += 1;
                w += hit as usize;
            }
            _ => {}
        }
    }
    assert!(
        tn > 0 && rn > 0 && wn > 0,
        "T {tn}, teacher-right U {rn}, teacher-wrong U {wn}"
    );
    (
        t as f64 / tn as f64,
        r as f64 / rn as f64,
        w as f64 / wn as f64,
    )
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 2e-6, "{what}: engine {a}, recounted {b}");
}

#[test]
fn test_and_teacher_right_wrong_accuracies_recounted_from_the_rows() {
    // The flagship as the README runs it (every core method), seeds 0 and 1.
    let cfg = resolve(Some("flagship"), json!({})).unwrap();
    let src = DataSource::Builtin(cfg.dataset.clone());
    let seeds = 2;
    let results = run_seeds(&cfg, &src, seeds, &mut |_, _| {}).unwrap();
    let report = slam_lab::report::to_json(
        &cfg,
        &cfg.dataset,
        Some("flagship"),
        &results,
        &Default::default(),
    );
    let methods = Method::list(&cfg);
    assert_eq!(methods.len(), 6);
    let mut sums = vec![(0.0f64, 0.0f64, 0.0f64); methods.len()];
    for (s, result) in results.iter().enumerate() {
        let prep = prepare(&cfg, &src, s as u64).unwrap();
        for (mi, &m) in methods.iter().enumerate() {
            let mut run = trained(&prep, &cfg, m);
            let (t, r, w) = recount_accuracies(&prep, &mut run);
            let last = result.methods[mi].1.last().unwrap();
            let name = m.name();
            close(
                last.test_accuracy as f64,
                t,
                &format!("seed {s} {name} test accuracy"),
            );
            close(
                last.teacher_right_accuracy.unwrap() as f64,
                r,
                &format!("seed {s} {name} teacher-right U"),
            );
            close(
                last.teacher_wrong_accuracy.unwrap() as f64,
                w,
                &format!("seed {s} {name} teacher-wrong U"),
            );
            sums[mi].0 += t;
            sums[mi].1 += r;
            sums[mi].2 += w;
        }
    }
    // The report's columns are the means over seeds of those per-seed figures.
    for (mi, m) in methods.iter().enumerate() {
        let e = &report["methods"][m.name()];
        let n = seeds as f64;
        close(
            e["mean"].as_f64().unwrap(),
            sums[mi].0 / n,
            &format!("{} mean", m.name()),
        );
        close(
            e["teacher_right_accuracy"].as_f64().unwrap(),
            sums[mi].1 / n,
            &format!("{} teacher-right", m.name()),
        );
        close(
            e["teacher_wrong_accuracy"].as_f64().unwrap(),
            sums[mi].2 / n,
            &format!("{} teacher-wrong", m.name()),
        );
    }
    // The headline: SLaM is right on more of the points the teacher labels wrongly than vanilla.
    let wrong = |m: &str| {
        report["methods"][m]["teacher_wrong_accuracy"]
            .as_f64()
            .unwrap()
    };
    assert!(
        wrong("slam") > wrong("vanilla"),
        "{} vs {}",
        wrong("slam"),
        wrong("vanilla")
    );
}

/// The engine's report entry for one method and one stat: the per-seed values.
fn per_seed(report: &Value, method: &str, key: &str) -> Vec<f64> {
    report["methods"][method][format!("{key}_per_seed")]
        .as_array()
        .unwrap_or_else(|| panic!("{method}: no {key}_per_seed"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Mean of `weight` over rows of L, of teacher-right U and of teacher-wrong U: plain loops.
fn mean_weights(prep: &PreparedSeed, weight: &dyn Fn(usize) -> f64) -> (f64, f64, f64) {
    let (mut l, mut ln, mut r, mut rn, mut w, mut wn) = (0.0, 0, 0.0, 0, 0.0, 0);
    for &i in &prep.split.labeled {
        l += weight(i);
        ln += 1;
    }
    for &i in &prep.split.unlabeled {
        if prep.teacher.labels[i] == prep.data.y[i] {
            r += weight(i);
            rn += 1;
        } else {
            w += weight(i);
            wn += 1;
        }
    }
    (l / ln as f64, r / rn as f64, w / wn as f64)
}

#[test]
fn family_statistics_recounted_from_the_rows() {
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 1500, "student": {"epochs": 8},
               "methods": ["vanilla", "ups", "alm", "rad", "rad_random", "rad_uncertainty", "l2t"]}),
    )
    .unwrap();
    let src = DataSource::Builtin(cfg.dataset.clone());
    let seeds = 2;
    let results = run_seeds(&cfg, &src, seeds, &mut |_, _| {}).unwrap();
    let report = slam_lab::report::to_json(&cfg, &cfg.dataset, None, &results, &Default::default());
    let methods = Method::list(&cfg);
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for s in 0..seeds {
        let prep = prepare(&cfg, &src, s as u64).unwrap();
        let in_u = {
            let mut v = vec![false; prep.data.len()];
            for &i in &prep.split.unlabeled {
                v[i] = true;
            }
            v
        };
        let teacher_right = |i: usize| prep.teacher.labels[i] == prep.data.y[i];
        for &m in &methods {
            let name = m.name();
            let mut run = trained(&prep, &cfg, m);
            let mut expect = |key: &str, value: f64| {
                let engine = per_seed(&report, name, key)[s];
                close(engine, value, &format!("seed {s} {name} {key}"));
                *checked.entry(name).or_default() += 1;
            };
            match name {
                "rad" | "rad_random" | "rad_uncertainty" => {
                    // The rows the teacher was asked about: rows of U, each once, as many as the
                    // report says; the teacher's accuracy on them counted row by row.
                    let queried = run.queried().to_vec();
                    assert_eq!(
                        queried,
                        results[s].queried[methods.iter().position(|&x| x == m).unwrap()]
                    );
                    let mut seen = vec![false; prep.data.len()];
                    let mut right = 0;
                    for &i in &queried {
                        assert!(
                            in_u[i] && !seen[i],
                            "{name}: row {i} queried twice or outside U"
                        );
                        seen[i] = true;
                        right += teacher_right(i) as usize;
                    }
                    assert!(!queried.is_empty() && queried.len() < prep.split.unlabeled.len());
                    expect("queried", queried.len() as f64);
                    expect(
                        "queried_teacher_accuracy",
                        right as f64 / queried.len() as f64,
                    );
                }
                "ups" => {
                    // UPS's rule (docs/all-methods.md), applied here to the teacher's probabilities
                    // and its ensemble's spread: a positive label where the teacher is sure and its
                    // siblings agree; negative labels on classes it all but rules out.
                    let ups = run.state::<slam_lab::methods::ups::Ups>().unwrap();
                    let spread = prep.extras.spread.as_ref();
                    let u = &cfg.settings;
                    let (positive_at, negative_at, max_spread) = (
                        u.f32("ups.threshold_positive"),
                        u.f32("ups.threshold_negative"),
                        u.f32("ups.max_spread"),
                    );
                    let (mut selected, mut right, mut neg, mut neg_right) = (0, 0, 0, 0);
                    for &i in &prep.split.unlabeled {
                        let p = prep.teacher.probs.row(i);
                        let sp = |c: usize| spread.map_or(0.0, |s| s[[i, c]]);
                        let label = best(p.as_slice().unwrap());
                        let positive = p[label] >= positive_at && sp(label) <= max_spread;
                        assert_eq!(
                            ups.positive(i),
                            positive.then_some(label),
                            "{name}: row {i}"
                        );
                        if positive {
                            selected += 1;
                            right += (label == prep.data.y[i]) as usize;
                        }
                        for c in 0..p.len() {
                            if c != label && p[c] <= negative_at && sp(c) <= max_spread {
                                neg += 1;
                                neg_right += (c != prep.data.y[i]) as usize;
                            }
                        }
                    }
                    assert!(
                        selected > 0 && neg > 0,
                        "{name}: {selected} positive, {neg} negative labels"
                    );
                    expect(
                        "selected_share",
                        selected as f64 / prep.split.unlabeled.len() as f64,
                    );
                    expect("selected_teacher_accuracy", right as f64 / selected as f64);
                    expect("negative_label_accuracy", neg_right as f64 / neg as f64);
                }
                "alm" => {
                    let alm = run.state::<slam_lab::methods::alm::Alm>().unwrap();
                    let (l, r, w) = mean_weights(&prep, &|i| alm.lambda(i) as f64);
                    expect("weight_labeled", l);
                    expect("weight_teacher_right", r);
                    expect("weight_teacher_wrong", w);
                }
                "l2t" => {
                    // The final teacher's weight of each U row, from the row's features under the
                    // final student, computed here: the teacher's confidence, the student's
                    // probability of the teacher's label, whether they agree, the teacher's margin.
                    let rows = prep.split.unlabeled.clone();
                    let f = run.predict_rows(prep.data.x.view(), &rows);
                    let l2t = run.state::<slam_lab::methods::l2t::L2t>().unwrap();
                    let mut w = vec![0.0f64; prep.data.len()];
                    for (k, &i) in rows.iter().enumerate() {
                        let t = prep.teacher.probs.row(i);
                        let label = prep.teacher.labels[i];
                        let second = (0..t.len())
                            .filter(|&c| c != label)
                            .map(|c| t[c])
                            .fold(0.0f32, f32::max);
                        let fk = f.row(k);
                        let agree = (best(fk.as_slice().unwrap()) == label) as u8 as f32;
                        w[i] = l2t.weight(&[1.0, t[label], fk[label], agree, t[label] - second])
                            as f64;
                    }
                    let (_, r, wr) = mean_weights(&prep, &|i| w[i]);
                    expect("weight_teacher_right", r);
                    expect("weight_teacher_wrong", wr);
                }
                _ => {}
            }
        }
    }
    for (name, n) in [
        ("rad", 4),
        ("rad_random", 4),
        ("rad_uncertainty", 4),
        ("ups", 6),
        ("alm", 6),
        ("l2t", 4),
    ] {
        assert_eq!(
            checked.get(name).copied(),
            Some(n),
            "{name}: statistics recounted"
        );
    }
    // Every statistic the report gives these methods was recounted above.
    for (name, keys) in [("rad", 2), ("ups", 3), ("alm", 3), ("l2t", 2)] {
        let n = report["methods"][name]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.ends_with("_per_seed") && *k != "per_seed")
            .count();
        assert_eq!(
            n, keys,
            "{name}: the report has statistics not recounted here"
        );
    }
}
