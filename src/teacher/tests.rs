use super::*;
use crate::config::{NoiseModel, TeacherConfig, TeacherKind};
use crate::data::Split;
use crate::rng::{Rng, Stream};

const IDENTITY_2: fn() -> Standardizer = || Standardizer {
    mean: vec![0.0; 2],
    std: vec![1.0; 2],
};

fn plain<'a>(x: &'a Array2<f32>, scaler: &'a Standardizer) -> TeacherInputs<'a> {
    TeacherInputs {
        x: x.view(),
        raw: x.view(),
        scaler,
        image: None,
    }
}

fn toy(n: usize, classes: usize) -> (Array2<f32>, Vec<usize>) {
    let mut r = Rng::new(1, Stream::Data);
    let y: Vec<usize> = (0..n).map(|i| i % classes).collect();
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        y[i] as f32 * if j == 0 { 2.0 } else { 0.0 } + r.normal()
    });
    (x, y)
}

fn synthetic(noise: NoiseModel, rate: f32, classes: usize) -> (TeacherOutput, Vec<usize>) {
    let (x, y) = toy(3000, classes);
    let cfg = TeacherConfig {
        kind: TeacherKind::Synthetic,
        noise,
        rate,
        ..TeacherConfig::default()
    };
    let split = Split {
        labeled: vec![0],
        validation: vec![1],
        unlabeled: (2..3000).collect(),
        test: vec![],
    };
    (
        build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, classes, &split, 1.0, 7),
        y,
    )
}

#[test]
fn synthetic_error_rate_matches_the_requested_rate() {
    for noise in [
        NoiseModel::Uniform,
        NoiseModel::ClassPair,
        NoiseModel::Margin,
        NoiseModel::Region,
    ] {
        for classes in [2, 4] {
            let (t, y) = synthetic(noise, 0.25, classes);
            let err =
                t.labels.iter().zip(&y).filter(|(a, b)| a != b).count() as f32 / y.len() as f32;
            assert!(
                (err - 0.25).abs() < 0.03,
                "{noise:?} C={classes}: error {err}"
            );
            // The oracle alpha is the expected correctness: its mean matches the observed accuracy.
            let a = t.oracle_alpha.as_ref().unwrap();
            let mean_alpha = a.iter().sum::<f32>() / a.len() as f32;
            assert!(
                (mean_alpha - (1.0 - err)).abs() < 0.03,
                "{noise:?}: {mean_alpha} vs {}",
                1.0 - err
            );
        }
    }
}

#[test]
fn wrong_labels_have_the_truth_as_runner_up() {
    let (t, y) = synthetic(NoiseModel::Uniform, 0.3, 5);
    for (i, row) in t.probs.rows().into_iter().enumerate() {
        assert!((row.sum() - 1.0).abs() < 1e-5);
        if t.labels[i] != y[i] {
            let r = row.as_slice().unwrap();
            assert_eq!(crate::estimators::k::rank_of(r, y[i]), 1, "row {i}: {r:?}");
        }
    }
}

#[test]
fn margin_noise_concentrates_near_the_boundary() {
    let (x, y) = toy(2000, 2);
    let cfg = TeacherConfig {
        kind: TeacherKind::Synthetic,
        noise: NoiseModel::Margin,
        rate: 0.2,
        ..TeacherConfig::default()
    };
    let split = Split {
        labeled: vec![0],
        validation: vec![1],
        unlabeled: vec![2],
        test: vec![],
    };
    let t = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, 2, &split, 1.0, 3);
    let a = t.oracle_alpha.unwrap();
    // Class centres are at x0 = 0 and 2: points near x0 = 1 are near the boundary.
    let (mut near, mut far) = (Vec::new(), Vec::new());
    for i in 0..2000 {
        if (x[[i, 0]] - 1.0).abs() < 0.3 {
            near.push(a[i])
        } else if (x[[i, 0]] - 1.0).abs() > 1.5 {
            far.push(a[i])
        }
    }
    let mean = |v: &Vec<f32>| v.iter().sum::<f32>() / v.len() as f32;
    assert!(
        mean(&near) + 0.15 < mean(&far),
        "near {} far {}",
        mean(&near),
        mean(&far)
    );
}

#[test]
fn trained_teacher_learns_from_labeled_rows_only() {
    let (x, y) = toy(600, 3);
    let cfg = TeacherConfig {
        hidden: vec![16],
        epochs: 100,
        ..TeacherConfig::default()
    };
    let split = Split {
        labeled: (0..60).collect(),
        validation: vec![60],
        unlabeled: (61..600).collect(),
        test: vec![],
    };
    let t = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, 3, &split, 1.0, 1);
    let acc = (61..600).filter(|&i| t.labels[i] == y[i]).count() as f32 / 539.0;
    assert!(acc > 0.7, "teacher accuracy on U {acc}");
    // Changing labels outside L does not change the teacher.
    let mut y2 = y.clone();
    for v in y2.iter_mut().skip(60) {
        *v = 0;
    }
    let t2 = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y2, 3, &split, 1.0, 1);
    assert_eq!(t.probs, t2.probs);
}

#[test]
fn temperature_flattens_and_keeps_the_argmax() {
    let z = Array2::from_shape_vec((1, 3), vec![0.7f32, 0.2, 0.1])
        .unwrap()
        .mapv(|v| v.ln());
    let p = probs_at_temperature(&z, 2.0);
    assert!(p[[0, 0]] < 0.7 && p[[0, 0]] > p[[0, 1]] && p[[0, 1]] > p[[0, 2]]);
    assert!((p.sum() - 1.0).abs() < 1e-6);
}

/// A very confident teacher (logit gap 100) at temperature 10 is softmax of a gap of 10. Taking
/// the log of its clamped f32 probabilities instead (log 1 = 0, log 1e-30 = -69) gave a gap of 6.9.
#[test]
fn temperature_divides_the_logits_not_clamped_probabilities() {
    let z = Array2::from_shape_vec((1, 2), vec![100.0f32, 0.0]).unwrap();
    let p = probs_at_temperature(&z, 10.0);
    let want = 1.0 / (1.0 + (-10.0f64).exp());
    assert!(
        (p[[0, 0]] as f64 - want).abs() < 1e-6,
        "{} vs {want}",
        p[[0, 0]]
    );
    assert!((margin_from_logits(&[10.0, 0.0]) - (2.0 * want - 1.0)).abs() < 1e-12);
}

/// Logit gaps of 20, 25 and 30 round to probability 1 in f32 (a margin of exactly 1 each, a
/// three-way tie for the isotonic fit); from the logits in f64 they stay ordered.
#[test]
fn margins_from_logits_keep_confident_rows_apart() {
    let rows = [[20.0f32, 0.0, -1.0], [25.0, 0.0, -1.0], [30.0, 0.0, -1.0]];
    let from_probs: Vec<f32> = rows
        .iter()
        .map(|z| {
            let mut p = z.to_vec();
            crate::model::softmax_in_place(&mut p);
            crate::estimators::margin(&p)
        })
        .collect();
    assert_eq!(from_probs, vec![1.0; 3], "f32 probabilities saturate");
    let m: Vec<f64> = rows.iter().map(|z| margin_from_logits(z)).collect();
    assert!(m[0] < m[1] && m[1] < m[2] && m[2] < 1.0, "{m:?}");
    // And it is the margin of the probabilities wherever those are exact.
    let z = [1.5f32, -0.5, 0.25];
    let mut p = z.to_vec();
    crate::model::softmax_in_place(&mut p);
    assert!((margin_from_logits(&z) - crate::estimators::margin(&p) as f64).abs() < 1e-6);
}

/// A trained teacher's margins come from its logits: on a toy problem fitted hard enough to
/// saturate, rows whose f32 probabilities tie at 1 still get distinct margins.
#[test]
fn a_trained_teachers_confident_rows_are_not_tied() {
    let (x, y) = toy(400, 2);
    let cfg = TeacherConfig {
        hidden: vec![32],
        epochs: 400,
        lr: 0.05,
        ..TeacherConfig::default()
    };
    let split = Split {
        labeled: (0..100).collect(),
        validation: vec![100],
        unlabeled: (101..400).collect(),
        test: vec![],
    };
    let t = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, 2, &split, 1.0, 1);
    // Rows whose f32 probabilities read exactly 1 and 0, with a logit gap below 36 (beyond that
    // even f64 rounds the margin to 1, at an error rate of e^-36).
    let gap = |i: usize| (t.logits[[i, 0]] - t.logits[[i, 1]]).abs();
    let saturated: Vec<usize> = (0..400)
        .filter(|&i| {
            crate::estimators::margin(t.probs.row(i).as_slice().unwrap()) == 1.0 && gap(i) < 35.0
        })
        .collect();
    assert!(
        saturated.len() >= 10,
        "the toy teacher should saturate some rows, got {}",
        saturated.len()
    );
    let mut by_gap = saturated.clone();
    by_gap.sort_by(|&a, &b| gap(a).total_cmp(&gap(b)));
    for w in by_gap.windows(2) {
        if gap(w[0]) < gap(w[1]) {
            assert!(
                t.margins[w[0]] < t.margins[w[1]],
                "gaps {} < {} but margins {} vs {}",
                gap(w[0]),
                gap(w[1]),
                t.margins[w[0]],
                t.margins[w[1]]
            );
        }
    }
    assert!(saturated.iter().all(|&i| t.margins[i] < 1.0));
}

/// Build the teacher for one seed. `x` is standardised, `y` the true labels (a synthetic teacher reads
/// them to corrupt them; a trained teacher sees only the rows of L). The tests' way to build one;
/// a teacher given by the data is built from it ([`given_output`]).
pub(super) fn build_teacher(
    cfg: &TeacherConfig,
    inputs: TeacherInputs,
    y: &[usize],
    classes: usize,
    split: &Split,
    temperature: f32,
    seed: u64,
) -> TeacherOutput {
    match cfg.kind {
        TeacherKind::Trained => {
            let mut training = TeacherTraining::new(cfg, inputs, classes, &split.labeled, seed);
            training.train(inputs, y, usize::MAX);
            trained_output(training.finish(), inputs.x, temperature)
        }
        TeacherKind::Synthetic => synthetic_output(cfg, inputs.x, y, classes, temperature, seed),
        TeacherKind::Given => panic!("a given teacher comes from the data: given_output"),
    }
}
