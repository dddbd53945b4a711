//! Property tests over random inputs: losses stay finite and non-negative with gradients that sum to
//! zero over the logits, estimators keep their invariants, splits partition the rows.

use ndarray::Array2;
use proptest::prelude::*;
use slam_lab::data::split;
use slam_lab::estimators::{estimate_k, IsotonicFit};
use slam_lab::losses;
use slam_lab::model::softmax_in_place;
use slam_lab::rng::{Rng, Stream};

/// A probability vector from arbitrary logits (including extreme ones).
fn probs(logits: &[f32]) -> Vec<f32> {
    let mut v = logits.to_vec();
    softmax_in_place(&mut v);
    v
}

fn logits_and_target() -> impl Strategy<Value = (Vec<f32>, Vec<f32>)> {
    (2usize..12).prop_flat_map(|c| {
        (
            prop::collection::vec(-60.0f32..60.0, c),
            prop::collection::vec(0.0f32..1.0, c),
        )
            .prop_map(|(z, t)| {
                let s: f32 = t.iter().sum::<f32>() + 1e-3;
                (
                    z,
                    t.iter().map(|v| (v + 1e-3 / t.len() as f32) / s).collect(),
                )
            })
    })
}

fn check_grad(grad: &[f32]) -> Result<(), TestCaseError> {
    prop_assert!(
        grad.iter().all(|g| g.is_finite()),
        "non-finite gradient {grad:?}"
    );
    // Softmax gradients live in the plane orthogonal to (1, ..., 1).
    let sum: f32 = grad.iter().sum();
    prop_assert!(sum.abs() < 1e-4, "gradient sums to {sum}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn cross_entropy_is_finite_non_negative((z, y) in logits_and_target()) {
        let f = probs(&z);
        let mut g = vec![0.0; f.len()];
        let loss = losses::cross_entropy(&f, &y, &mut g, 1.0);
        prop_assert!(loss.is_finite() && loss >= 0.0, "loss {loss}");
        check_grad(&g)?;
    }

    #[test]
    fn slam_is_finite_non_negative(
        (z, y) in logits_and_target(),
        alpha in 0.0f32..=1.0,
        k_raw in 0usize..12,
        normalize in any::<bool>(),
    ) {
        let c = z.len();
        let k = 2 + k_raw % (c - 1);
        let f = probs(&z);
        let mut top = vec![0.0; c];
        losses::top_k_mask(&y, k, &mut top);
        prop_assert_eq!(top.iter().sum::<f32>() as usize, k.min(c));
        let (mut s, mut g) = (vec![0.0; c], vec![0.0; c]);
        let loss = losses::slam(&f, &y, alpha, &top, k, normalize, &mut s, &mut g, 1.0);
        prop_assert!(loss.is_finite() && loss >= 0.0, "loss {loss}");
        check_grad(&g)?;
    }

    #[test]
    fn taylor_ce_is_finite_bounded_and_below_ce((z, _y) in logits_and_target(), order in 1usize..8, pick in 0usize..12) {
        let f = probs(&z);
        let label = pick % f.len();
        let (mut s, mut g, mut g2) = (vec![0.0; f.len()], vec![0.0; f.len()], vec![0.0; f.len()]);
        let loss = losses::taylor_ce(&f, label, order, &mut s, &mut g, 1.0);
        prop_assert!(loss.is_finite() && loss >= 0.0);
        // sum_j (1-p)^j / j <= sum_j 1/j (harmonic bound) and <= -ln p (the full series).
        let harmonic: f32 = (1..=order).map(|j| 1.0 / j as f32).sum();
        prop_assert!(loss <= harmonic + 1e-5);
        let ce = losses::cross_entropy_label(&f, label, &mut g2, 1.0);
        prop_assert!(loss <= ce + 1e-4, "taylor {loss} > ce {ce}");
        check_grad(&g)?;
    }

    #[test]
    fn isotonic_fit_is_monotone_and_within_the_data_range(
        pairs in prop::collection::vec((0.0f64..1.0, prop::bool::ANY), 1..200)
    ) {
        let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let y: Vec<f64> = pairs.iter().map(|p| p.1 as u8 as f64).collect();
        let fit = IsotonicFit::fit(&x, &y);
        let mut last = -1.0;
        for i in 0..=100 {
            let v = fit.predict(i as f64 / 100.0);
            prop_assert!((0.0..=1.0).contains(&v));
            prop_assert!(v >= last - 1e-12);
            last = v;
        }
    }

    #[test]
    fn k_is_between_two_and_the_class_count(n in 1usize..40, c in 2usize..10, q in 0.01f32..=1.0, seed in any::<u64>()) {
        let mut r = Rng::new(seed, Stream::Method);
        let p = Array2::from_shape_fn((n, c), |_| r.uniform());
        let y: Vec<usize> = (0..n).map(|_| r.below(c)).collect();
        let k = estimate_k(p.view(), &y, q);
        prop_assert!(k >= 2 && k <= c.max(2));
        // Monotone in the coverage asked for.
        prop_assert!(estimate_k(p.view(), &y, (q * 0.5).max(0.001)) <= k);
    }

    #[test]
    fn splits_partition_the_rows(
        n in 20usize..400, c in 2usize..6, labeled in 1usize..30, validation in 1usize..30,
        test_fraction in 0.05f32..0.5, seed in any::<u64>(),
    ) {
        let y: Vec<usize> = (0..n).map(|i| i % c).collect();
        let Ok(s) = split(&y, c, labeled, validation, test_fraction, &mut Rng::new(seed, Stream::Split)) else {
            // Refusals are fine when the sizes cannot fit; they must be errors, not panics.
            return Ok(());
        };
        prop_assert_eq!(s.labeled.len(), labeled);
        prop_assert_eq!(s.validation.len(), validation);
        let mut all: Vec<usize> = s.labeled.iter().chain(&s.validation).chain(&s.unlabeled).chain(&s.test).copied().collect();
        all.sort_unstable();
        prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
    }
}

/// Label spellings a CSV column may hold: numbers with equal values spelled differently, and text
/// with case variants, white space and digit runs.
const NUMERIC_LABELS: [&str; 10] = [
    "1", "1.0", "01", "2", "10", "-3", "2.50", "2.5", "1e1", " 7 ",
];
const TEXT_LABELS: [&str; 11] = [
    "cat", "Cat", " CAT", "dog", "DOG ", "c1", "c10", "c2", "C2", "b", "1",
];

fn label_rows() -> impl Strategy<Value = Vec<&'static str>> {
    (any::<bool>(), 1usize..40).prop_flat_map(|(numeric, n)| {
        let pool: &'static [&'static str] = if numeric {
            &NUMERIC_LABELS
        } else {
            &TEXT_LABELS
        };
        prop::collection::vec(prop::sample::select(pool), n)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any order of the rows gives the same classes in the same order: every row keeps its class.
    #[test]
    fn csv_class_order_does_not_depend_on_row_order(rows in label_rows(), seed in any::<u64>()) {
        use slam_lab::data::csv::parse_csv;
        // The feature column carries the row's original index, so each row can be found again.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        Rng::new(seed, Stream::Method).shuffle(&mut order);
        let text = |order: &[usize]| {
            let mut t = String::from("row,label\n");
            for &i in order {
                t.push_str(&format!("{i},\"{}\"\n", rows[i]));
            }
            t
        };
        let identity: Vec<usize> = (0..rows.len()).collect();
        let (a, b) = (parse_csv(&text(&identity), "a"), parse_csv(&text(&order), "b"));
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(_), Err(_)) => return Ok(()), // one class: refused whatever the order
            (a, b) => return Err(TestCaseError::fail(format!("{a:?} vs {b:?}"))),
        };
        let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>();
        prop_assert_eq!(lower(&a.class_names), lower(&b.class_names));
        for (r, &orig) in order.iter().enumerate() {
            prop_assert_eq!(b.x[[r, 0]] as usize, orig);
            prop_assert_eq!(b.y[r], a.y[orig], "row {} ({:?})", orig, rows[orig]);
        }
        // Number classes are named by their shortest spelling, whatever came first.
        let numbers = a.class_names.iter().all(|n| slam_lab::data::labels::Decimal::parse(n).is_some());
        if numbers {
            prop_assert_eq!(&a.class_names, &b.class_names);
        }
        // Classes are in natural (or numeric) order, and every spelling of a class is equal to its
        // name up to case and white space (or, for numbers, in value).
        for (row, &label) in rows.iter().enumerate() {
            let name = &a.class_names[a.y[row]];
            if numbers {
                prop_assert_eq!(
                    slam_lab::data::labels::Decimal::parse(label.trim()),
                    slam_lab::data::labels::Decimal::parse(name)
                );
            } else {
                prop_assert_eq!(label.trim().to_lowercase(), name.to_lowercase());
            }
        }
    }
}
