//! The session against the batch experiment, and its views.

use super::*;
use crate::scenarios::resolve;
use serde_json::json;

fn session(extra: serde_json::Value) -> Session {
    let mut over =
        json!({"samples": 600, "student": {"epochs": 3}, "methods": ["vanilla", "slam"]});
    crate::config::merge(&mut over, extra);
    let cfg = resolve(Some("flagship"), over).unwrap();
    let src = DataSource::Builtin(cfg.dataset.clone());
    Session::new(cfg, &src, &[]).unwrap()
}

#[test]
fn stepping_by_batches_equals_the_batch_experiment() {
    let mut s = session(json!({}));
    while s.step(7) {}
    let r = crate::experiment::run_seed(&s.cfg, &DataSource::Builtin("moons".into()), s.cfg.seed)
        .unwrap();
    for ((_, hist), (_, want)) in s.histories().iter().zip(&r.methods) {
        assert_eq!(hist.len(), want.len());
        // The batch run measures U after its last epoch only; everything else is the same.
        for (e, (a, b)) in hist.iter().zip(want.iter()).enumerate() {
            assert_eq!(
                (a.epoch, a.test_accuracy, a.train_loss),
                (b.epoch, b.test_accuracy, b.train_loss),
                "epoch {e}"
            );
            assert!(
                a.teacher_wrong_accuracy.is_some(),
                "the session measures U every epoch"
            );
        }
        assert_eq!(hist.last(), want.last());
    }
}

#[test]
fn reset_replays_and_new_init_changes_the_run() {
    let mut s = session(json!({}));
    s.step_epoch();
    let first = s.histories()[0].1.to_vec();
    s.reset();
    assert_eq!(s.epoch(), 0);
    s.step_epoch();
    assert_eq!(s.histories()[0].1, first.as_slice());
    s.new_init();
    s.step_epoch();
    assert_ne!(s.histories()[0].1, first.as_slice());
}

#[test]
fn grid_probabilities_are_distributions_and_match_predictions() {
    // The map's cells are drawn row-major from the top-left of `bounds`, y decreasing: cell (gx, gy)
    // is centred at (x0 + (gx + 1/2) w, y1 - (gy + 1/2) h) with w, h the plane's size over `res`.
    // Points added by hand at some of those centres are predicted by the students' own prediction
    // path (`point`, `predictions_of`); the map must say the same class and probabilities there.
    let res = 16usize;
    let [x0, x1, y0, y1] = session(json!({})).bounds();
    let cells: Vec<(usize, usize)> = (0..res)
        .step_by(3)
        .flat_map(|gy| (1..res).step_by(4).map(move |gx| (gx, gy)))
        .collect();
    let centre = |gx: usize, gy: usize| {
        vec![
            x0 + (x1 - x0) * (gx as f32 + 0.5) / res as f32,
            y1 - (y1 - y0) * (gy as f32 + 0.5) / res as f32,
        ]
    };
    let extra: Vec<ExtraPoint> = cells
        .iter()
        .enumerate()
        .map(|(k, &(gx, gy))| ExtraPoint {
            x: centre(gx, gy),
            label: k % 2,
        })
        .collect();
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 600, "student": {"epochs": 3}, "methods": ["vanilla", "slam"]}),
    )
    .unwrap();
    let mut s = Session::new(cfg, &DataSource::Builtin("moons".into()), &extra).unwrap();
    assert_eq!(
        s.bounds(),
        [x0, x1, y0, y1],
        "added points do not move the map"
    );
    s.step_epoch();
    s.step_epoch();
    let first = s.prep.base_rows();
    let mut classes_seen = [0usize; 2];
    for m in 0..2 {
        let g = s.grid(m, res).unwrap();
        assert_eq!(g.len(), res * res * 2);
        for cell in g.chunks(2) {
            assert!((cell[0] + cell[1] - 1.0).abs() < 1e-5);
        }
        let predicted = s.predictions_of(m, first, extra.len());
        for (k, &(gx, gy)) in cells.iter().enumerate() {
            let at = &g[(gy * res + gx) * 2..(gy * res + gx) * 2 + 2];
            let facts = s.point(first + k).unwrap();
            for c in 0..2 {
                assert!(
                    (at[c] - facts.probs[m][c]).abs() < 1e-4,
                    "method {m}, cell ({gx}, {gy}): map {at:?}, student at its centre {:?}",
                    facts.probs[m]
                );
            }
            if (at[0] - at[1]).abs() > 1e-3 {
                let map_class = if at[1] > at[0] { 1 } else { 0 };
                assert_eq!(
                    map_class, predicted[k] as usize,
                    "method {m}, cell ({gx}, {gy})"
                );
                classes_seen[map_class] += 1;
            }
        }
    }
    assert!(
        classes_seen.iter().all(|&n| n > 0),
        "both classes on the map: {classes_seen:?}"
    );
    let s = session(json!({}));
    // Overview numbers agree with the split.
    let o = s.overview();
    let total: u32 = o.confusion.iter().flatten().sum();
    assert_eq!(total as usize, o.sizes[2]);
    assert_eq!(o.rug.len(), o.sizes[1]);
    assert_eq!(
        o.reliability.iter().map(|b| b.2).sum::<u32>() as usize,
        o.sizes[1]
    );
    assert!(
        o.alpha_curve.windows(2).all(|w| w[0][1] <= w[1][1] + 1e-6),
        "isotonic curve must not fall"
    );
}

#[test]
fn added_points_join_the_labeled_set() {
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 600, "student": {"epochs": 1}}),
    )
    .unwrap();
    let src = DataSource::Builtin("moons".into());
    let extra = [ExtraPoint {
        x: vec![0.5, 0.25],
        label: 1,
    }];
    let s = Session::new(cfg.clone(), &src, &extra).unwrap();
    let last = s.prep.data.len() - 1;
    assert_eq!(s.roles()[last], 0);
    assert_eq!(s.prep.raw_x.row(last).to_vec(), vec![0.5, 0.25]);
    let bad = [ExtraPoint {
        x: vec![0.5],
        label: 1,
    }];
    let err = Session::new(cfg, &src, &bad).err().unwrap().to_string();
    assert!(err.contains("points[0].x"), "{err}");
}

#[test]
fn an_added_point_changes_no_base_teacher_label() {
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 800, "student": {"epochs": 1}}),
    )
    .unwrap();
    let src = DataSource::Builtin("moons".into());
    let plain = Session::new(cfg.clone(), &src, &[]).unwrap();
    let extra = [
        ExtraPoint {
            x: vec![0.0, 0.9],
            label: 0,
        },
        ExtraPoint {
            x: vec![1.5, -0.4],
            label: 1,
        },
    ];
    let added = Session::new(cfg, &src, &extra).unwrap();
    let n = plain.prep.data.len();
    assert_eq!(added.prep.data.len(), n + 2);
    assert_eq!(
        added.prep.teacher.labels[..n],
        plain.prep.teacher.labels[..]
    );
    assert_eq!(
        added.prep.teacher.probs.slice(ndarray::s![..n, ..]),
        plain.prep.teacher.probs
    );
    assert_eq!(&added.prep.teacher.labels[n..], &[0, 1]);
    assert_eq!(
        added.prep.data.x.slice(ndarray::s![..n, ..]),
        plain.prep.data.x
    );
}

#[test]
fn projection_is_not_dominated_by_outliers() {
    let cfg = resolve(
        Some("digits"),
        json!({"student": {"epochs": 1}, "teacher": {"epochs": 5}}),
    )
    .unwrap();
    let s = Session::new(cfg, &DataSource::Builtin("digits".into()), &[]).unwrap();
    let mut xs: Vec<f32> = s.points().column(0).to_vec();
    crate::order::sort_by(&mut xs, &f32::total_cmp);
    let n = xs.len();
    let (p1, p99, max) = (xs[n / 100], xs[n * 99 / 100], xs[n - 1].max(-xs[0]));
    // The bulk of the data spans most of the range: no single outlier stretches the axis tenfold.
    assert!(max < 3.0 * (p99 - p1), "p1 {p1} p99 {p99} max {max}");
}

#[test]
fn high_dimensional_data_is_projected() {
    let cfg = resolve(
        Some("digits"),
        json!({"student": {"epochs": 1}, "teacher": {"epochs": 5}}),
    )
    .unwrap();
    let s = Session::new(cfg, &DataSource::Builtin("digits".into()), &[]).unwrap();
    assert!(s.overview().projected);
    assert_eq!(s.points().ncols(), 2);
    assert_eq!(s.points().nrows(), s.prep.data.len());
}

/// A session of methods whose units cost unequally (weighted predicts at each epoch's start, RAD
/// queries), so free-running methods would drift apart.
fn mixed_session() -> Session {
    session(json!({"student": {"epochs": 4}, "methods": ["vanilla", "slam", "weighted", "rad"]}))
}

/// A small deterministic generator for call sizes (the tests must not depend on a global RNG).
fn lcg(state: &mut u64) -> usize {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 33) as usize
}

#[test]
fn the_clock_keeps_every_method_within_its_next_epoch_and_numbers_at_one_epoch() {
    for seed in 0..6u64 {
        let mut s = mixed_session();
        let mut rng = seed + 1;
        let mut calls = 0;
        loop {
            let units = 1 + lcg(&mut rng) % 9;
            let until = 1 + lcg(&mut rng) % 5;
            let clock = s.epoch();
            let Some(m) = s.advance(units, until) else {
                assert!(s.epoch() >= until.min(4), "nothing to do only at `until`");
                if s.finished() {
                    break;
                }
                continue;
            };
            calls += 1;
            assert!(m < s.runs.len());
            let max = s.runs.iter().map(|r| r.epoch()).max().unwrap();
            assert!(
                max <= clock + 1,
                "seed {seed}: a method ran ahead ({max} > {clock} + 1)"
            );
            assert!(s.epoch() <= until.min(4).max(clock), "past `until`");
            // What a front end reads is at the clock for every method.
            for (name, part) in s.metrics_from(0) {
                assert_eq!(part.len(), s.epoch(), "{name} after call {calls}");
            }
        }
        // Any interleaving trains each student exactly as the batch run does.
        let r =
            crate::experiment::run_seed(&s.cfg, &DataSource::Builtin("moons".into()), s.cfg.seed)
                .unwrap();
        for ((name, hist), (_, want)) in s.metrics_from(0).iter().zip(&r.methods) {
            assert_eq!(hist.len(), want.len(), "{name}");
            for (a, b) in hist.iter().zip(want.iter()) {
                assert_eq!(
                    (a.epoch, a.test_accuracy, a.train_loss),
                    (b.epoch, b.test_accuracy, b.train_loss),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn metrics_stop_at_the_epoch_every_method_completed() {
    let mut s = mixed_session();
    // One method alone two epochs on (as slow motion or a test can drive it).
    while s.step_method(1, 1000, 2) {}
    assert_eq!(s.method_epoch(1), 2);
    assert_eq!(s.epoch(), 0);
    assert!(s.metrics_from(0).iter().all(|(_, h)| h.is_empty()));
    assert!(s.between_epochs());
    s.step_epoch();
    assert_eq!(s.epoch(), 1);
    let m = s.metrics_from(0);
    assert!(m.iter().all(|(_, h)| h.len() == 1));
    assert_eq!(m[1].1[0].epoch, 1);
    assert_eq!(
        s.histories()[1].1.len(),
        2,
        "the method ahead keeps its own history"
    );
    // The method ahead waits: the next turns go to the others until they catch up.
    assert_ne!(s.next_in_turn(2), Some(1));
    s.step_epoch();
    assert_eq!(s.epoch(), 2);
    assert!(
        !s.between_epochs(),
        "every method ended epoch 2 and none began the next"
    );
    assert_eq!(
        s.metrics_from(1).iter().map(|(_, h)| h.len()).max(),
        Some(1)
    );
}

#[test]
fn a_followed_point_has_every_students_class_at_every_epoch() {
    let row = 17;
    let mut s = mixed_session();
    s.follow(Some(row));
    let mut rng = 7;
    while s.advance(1 + lcg(&mut rng) % 13, 4).is_some() {}
    let got = s.followed().unwrap();
    assert_eq!(got.row, row);
    // Brute force: a fresh session trained epoch by epoch, asked at each epoch.
    let mut fresh = mixed_session();
    for e in 0..=4 {
        for m in 0..fresh.runs.len() {
            assert_eq!(
                got.history[m][e],
                fresh.point_class(m, row),
                "method {m} epoch {e}"
            );
        }
        fresh.step_epoch();
    }
    // Reset starts the history again from the same initial weights.
    s.reset();
    let again = s.followed().unwrap();
    assert!(again.history.iter().all(|h| h.len() == 1));
    assert_eq!(again.history[0][0], got.history[0][0]);
    s.follow(None);
    assert!(s.followed().is_none());
    s.follow(Some(s.row_count()));
    assert!(s.followed().is_none(), "a row past the data follows none");
}

#[test]
fn data_ids_tell_same_rows_and_same_teacher_labels_apart() {
    let a = session(json!({}));
    let b = session(json!({}));
    let (oa, ob) = (a.overview(), b.overview());
    assert_eq!((&oa.data_id, &oa.labels_id), (&ob.data_id, &ob.labels_id));
    let rate = session(json!({"teacher": {"rate": 0.5}}));
    let o = rate.overview();
    assert_eq!(o.data_id, oa.data_id, "the same rows");
    assert_ne!(o.labels_id, oa.labels_id, "another teacher's labels");
    let seed = session(json!({"seed": 3}));
    assert_ne!(seed.overview().data_id, oa.data_id);
    let methods = session(json!({"methods": ["vanilla"]}));
    assert_eq!(
        methods.overview().labels_id,
        oa.labels_id,
        "methods change neither"
    );
}
