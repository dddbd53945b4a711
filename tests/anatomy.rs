//! The slow-motion view's numbers: a step taken apart is the run's real step (explaining it changes
//! nothing that follows), and what it reports is what the loss computed, checked against the loss
//! recomputed by hand and its gradient against finite differences.

use serde_json::json;
use slam_lab::losses;
use slam_lab::scenarios::resolve;
use slam_lab::seed::DataSource;
use slam_lab::session::Session;

fn flagship(extra: serde_json::Value) -> slam_lab::config::Checked {
    resolve(Some("flagship"), extra).unwrap()
}

fn session(cfg: &slam_lab::config::Checked) -> Session {
    Session::new(cfg.clone(), &DataSource::Builtin(cfg.dataset.clone()), &[]).unwrap()
}

/// Explaining steps at the start of an epoch, in its middle and at its last minibatch leaves every
/// method's run bit for bit where it would be without them.
#[test]
fn an_explained_step_is_the_step_the_run_takes() {
    let cfg = flagship(
        json!({"student": {"epochs": 3}, "methods": ["vanilla", "slam", "slam_hard", "weighted", "taylor_ce", "alm", "rad"]}),
    );
    let mut plain = session(&cfg);
    let mut explained = session(&cfg);
    for m in 0..explained.runs.len() {
        // The first step, two more, and then every step through the end of the second epoch.
        for _ in 0..3 {
            let s = explained.explain_step(m, 8).expect("a step is left");
            assert_eq!(s.step.epoch, 0);
        }
        let mut last = None;
        while explained.runs[m].history.len() < 2 {
            // The evaluation that closes an epoch runs when the next step is asked for.
            match explained.explain_step(m, 8) {
                Some(s) => last = Some(s),
                None => break,
            }
        }
        assert!(last.is_some());
    }
    while plain.step(1) {}
    while explained.step(1) {}
    for (a, b) in plain.runs.iter().zip(&explained.runs) {
        assert_eq!(a.history, b.history, "{}: same curve", a.method.name());
        assert_eq!(
            a.net.weights,
            b.net.weights,
            "{}: same weights",
            a.method.name()
        );
    }
    assert!(
        explained.explain_step(0, 8).is_none(),
        "no step past the configured epochs"
    );
}

/// SLaM's step: the rows are the epoch's first minibatch, mix(f) is the formula, each row's loss is
/// the SLaM loss of those numbers, its push is the length of the loss's gradient in the logits
/// (finite differences), and the accuracy after is the student's after the step.
#[test]
fn slams_step_reports_what_its_loss_computed() {
    let cfg = flagship(json!({"student": {"epochs": 2}, "methods": ["vanilla", "slam"]}));
    let mut s = session(&cfg);
    let step = s.explain_step(1, 16).unwrap();
    let a = &step.step;
    assert_eq!((a.method, a.epoch, a.batch), ("slam", 0, 0));
    assert_eq!(a.rows.len(), cfg.student.batch_size);
    let c = a.classes;
    let (loss, push) = (a.loss.as_ref().unwrap(), a.push.as_ref().unwrap());
    let p = &s.prep;
    let mut unlabeled = 0;
    for (r, &row) in a.rows.iter().enumerate() {
        let f = &a.student[r * c..(r + 1) * c];
        assert_eq!(a.teacher_class[r], p.teacher.labels[row]);
        assert_eq!(a.alpha[r], p.alpha[row]);
        assert_eq!(a.labeled[r], p.is_labeled[row]);
        let top = p.top.row(row).to_vec();
        let row_loss = |f: &[f32]| -> f32 {
            let mut g = vec![0.0; c];
            let mut scratch = vec![0.0; c];
            if p.is_labeled[row] {
                losses::cross_entropy_label(f, p.data.y[row], &mut g, 1.0)
            } else {
                let y = p.teacher.probs.row(row).to_vec();
                losses::slam(
                    f,
                    &y,
                    p.alpha[row],
                    &top,
                    p.k,
                    false,
                    &mut scratch,
                    &mut g,
                    1.0,
                )
            }
        };
        assert_eq!(
            loss[r],
            row_loss(f),
            "row {row}: the loss of the numbers shown"
        );
        if !p.is_labeled[row] {
            unlabeled += 1;
            let (al, cc) = (p.alpha[row], 1.0 - p.alpha[row]);
            for i in 0..c {
                let m = al * f[i] + cc * (1.0 - f[i]) * top[i];
                assert!(
                    (a.compared[r * c + i] - m).abs() < 1e-6,
                    "mix(f) by the formula"
                );
            }
            assert_eq!(
                &a.target[r * c..(r + 1) * c],
                p.teacher.probs.row(row).as_slice().unwrap()
            );
        } else {
            assert_eq!(
                &a.compared[r * c..(r + 1) * c],
                f,
                "L rows compare f itself"
            );
        }
        // Finite differences in the logits (z = ln f up to a constant, which softmax ignores), in f64.
        let z: Vec<f64> = f.iter().map(|&v| (v as f64).max(1e-30).ln()).collect();
        let at = |z: &[f64]| -> f64 {
            let mx = z.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = z.iter().map(|v| (v - mx).exp()).collect();
            let sum: f64 = e.iter().sum();
            let probs: Vec<f32> = e.iter().map(|v| (v / sum) as f32).collect();
            row_loss(&probs) as f64
        };
        let h = 1e-2;
        let mut norm = 0.0;
        for j in 0..c {
            let (mut up, mut down) = (z.clone(), z.clone());
            up[j] += h;
            down[j] -= h;
            norm += ((at(&up) - at(&down)) / (2.0 * h)).powi(2);
        }
        let fd = norm.sqrt() as f32;
        assert!(
            (push[r] - fd).abs() < 2e-2 * (1.0 + fd),
            "row {row}: push {} vs finite differences {fd}",
            push[r]
        );
    }
    assert!(unlabeled > 0, "the minibatch mixes U rows in");
    // The accuracy after is the student's now.
    let test = &s.prep.split.test;
    let probs = s.runs[1].predict_rows(s.prep.data.x.view(), test);
    let hits = test
        .iter()
        .zip(probs.rows())
        .filter(|(&i, r)| {
            let best = (0..c).max_by(|&x, &y| r[x].total_cmp(&r[y])).unwrap();
            best == s.prep.data.y[i]
        })
        .count();
    assert_eq!(a.test_accuracy_after, hits as f32 / test.len() as f32);
    assert_ne!(step.grid_before, step.grid_after, "the map moved");
}

/// A followed point's card: the teacher's, SLaM's and every student's numbers for that row, the
/// same as the engine's arrays and predictions give.
#[test]
fn a_points_facts_are_the_engines_own() {
    let cfg = flagship(json!({"student": {"epochs": 2}}));
    let mut s = session(&cfg);
    s.step_epoch();
    let n = s.prep.data.len();
    for row in [0, n / 3, n / 2, n - 1] {
        let f = s.point(row).unwrap();
        let t = &s.prep.teacher;
        assert_eq!(
            (f.true_class, f.teacher_class),
            (s.prep.data.y[row], t.labels[row])
        );
        assert_eq!(f.teacher_margin, t.margins[row]);
        assert_eq!(
            (f.alpha, f.alpha_raw),
            (s.prep.alpha[row], s.prep.alpha_raw[row])
        );
        assert_eq!(f.alpha_true, t.oracle_alpha.as_ref().map(|o| o[row]));
        for m in 0..s.runs.len() {
            assert_eq!(
                f.predicted[m] as u32,
                s.predictions_of(m, row, 1)[0],
                "method {m}, row {row}"
            );
            assert_eq!(s.point_class(m, row), Some(f.predicted[m] as u32));
            assert!((f.probs[m].iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }
    assert!(s.point(n).is_none());
    assert_eq!(s.point_class(0, n), None);
    assert_eq!(s.point_class(s.runs.len(), 0), None);
}
