//! The L / V / U / T split (labeled, validation, unlabeled, test) and feature standardisation.

use ndarray::{Array2, ArrayView2, Axis};

use crate::rng::Rng;
use crate::{Error, Result};

/// Row indices of the four disjoint sets; together they cover every row once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// L: rows with true labels the student (and a trained teacher) may fit.
    pub labeled: Vec<usize>,
    /// V: rows with true labels used to estimate the teacher's accuracy (alpha, k).
    pub validation: Vec<usize>,
    /// U: rows the student only sees through the teacher's labels.
    pub unlabeled: Vec<usize>,
    /// T: held-out rows for the reported accuracy.
    pub test: Vec<usize>,
}

/// Split rows with classes `y` into L, V, U and T.
///
/// T is `round(test_fraction * n)` uniformly drawn rows. L (`labeled` rows), then V (`validation` rows),
/// are drawn from the rest class by class, round-robin over the classes in a shuffled order, so every
/// class gets an equal share while it has rows left and `labeled >= n_classes` puts every class with a
/// row outside T into L. U is the remainder. Each list is sorted ascending; the same `rng` state gives
/// the same split.
pub fn split(
    y: &[usize],
    n_classes: usize,
    labeled: usize,
    validation: usize,
    test_fraction: f32,
    rng: &mut Rng,
) -> Result<Split> {
    let n = y.len();
    let n_test = check_sizes(y, n_classes, labeled, validation, test_fraction)?;

    let order = rng.permutation(n);
    let (test, rest) = order.split_at(n_test);
    // Per-class queues in the shuffled order, so taking from the front is a random draw.
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for &i in rest.iter().rev() {
        queues[y[i]].push(i);
    }
    let mut labeled_rows = draw_round_robin(&mut queues, labeled, rng);
    let mut validation_rows = draw_round_robin(&mut queues, validation, rng);
    let mut unlabeled_rows: Vec<usize> = queues.into_iter().flatten().collect();
    let mut test_rows = test.to_vec();
    for rows in [
        &mut labeled_rows,
        &mut validation_rows,
        &mut unlabeled_rows,
        &mut test_rows,
    ] {
        crate::order::sort_indices(rows);
    }
    Ok(Split {
        labeled: labeled_rows,
        validation: validation_rows,
        unlabeled: unlabeled_rows,
        test: test_rows,
    })
}

/// As [`split`], over the rows whose class is `known` (`None`: every row): L, V and T are drawn
/// from them exactly as [`split`] draws from a table of those rows alone, and every row of unknown
/// class goes to U. With every class known this is [`split`].
pub fn split_known(
    y: &[usize],
    known: Option<&[bool]>,
    n_classes: usize,
    labeled: usize,
    validation: usize,
    test_fraction: f32,
    rng: &mut Rng,
) -> Result<Split> {
    let Some(known) = known else {
        return split(y, n_classes, labeled, validation, test_fraction, rng);
    };
    let rows: Vec<usize> = (0..y.len()).filter(|&i| known[i]).collect();
    let y_known: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
    let s = split(&y_known, n_classes, labeled, validation, test_fraction, rng)?;
    let back = |part: Vec<usize>| part.into_iter().map(|i| rows[i]).collect::<Vec<_>>();
    let mut unlabeled = back(s.unlabeled);
    unlabeled.extend((0..y.len()).filter(|&i| !known[i]));
    crate::order::sort_indices(&mut unlabeled);
    Ok(Split {
        labeled: back(s.labeled),
        validation: back(s.validation),
        unlabeled,
        test: back(s.test),
    })
}

/// Whether the sizes asked for fit `y`'s rows (each error names the key to change); the test set's size.
fn check_sizes(
    y: &[usize],
    n_classes: usize,
    labeled: usize,
    validation: usize,
    test_fraction: f32,
) -> Result<usize> {
    let n = y.len();
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::config(
            "test_fraction",
            format!("must be strictly between 0 and 1 (got {test_fraction})"),
        ));
    }
    if labeled == 0 {
        return Err(Error::config("labeled", "must be at least 1 (got 0)"));
    }
    if validation == 0 {
        return Err(Error::config("validation", "must be at least 1 (got 0)"));
    }
    if let Some(&bad) = y.iter().find(|&&c| c >= n_classes) {
        return Err(Error::Data(format!(
            "class index {bad} is out of range for {n_classes} classes"
        )));
    }
    let n_test = (f64::from(test_fraction) * n as f64).round() as usize;
    if n_test == 0 {
        return Err(Error::config(
            "test_fraction",
            format!("{test_fraction} of {n} rows leaves the test set empty; raise it"),
        ));
    }
    if n_test >= n {
        return Err(Error::config(
            "test_fraction",
            format!("{test_fraction} of {n} rows leaves no rows outside the test set; lower it"),
        ));
    }
    let n_rest = n - n_test;
    // L, V and U each need at least one row.
    if labeled + 2 > n_rest {
        return Err(Error::config(
            "labeled",
            format!(
                "{labeled} labeled rows do not fit: {n_rest} rows remain after the test set and at \
                 least one each must go to validation and unlabeled, so at most {} fit",
                n_rest.saturating_sub(2)
            ),
        ));
    }
    if labeled + validation >= n_rest {
        return Err(Error::config(
            "validation",
            format!(
                "{labeled} labeled + {validation} validation rows leave no unlabeled rows: only \
                 {n_rest} rows remain after the test set, so at most {} validation rows fit with {labeled} labeled",
                n_rest.saturating_sub(labeled + 1)
            ),
        ));
    }
    Ok(n_test)
}

/// Take `count` rows, one per class in turn (classes in a fresh shuffled order), skipping empty
/// classes. Each queue is popped from its end.
fn draw_round_robin(queues: &mut [Vec<usize>], count: usize, rng: &mut Rng) -> Vec<usize> {
    let class_order = rng.permutation(queues.len());
    let mut taken = Vec::with_capacity(count);
    while taken.len() < count {
        let before = taken.len();
        for &c in &class_order {
            if taken.len() == count {
                break;
            }
            if let Some(i) = queues[c].pop() {
                taken.push(i);
            }
        }
        if taken.len() == before {
            break; // every queue is empty; the caller checked this cannot happen
        }
    }
    taken
}

/// The rows `rows` of `x`, in that order.
pub fn select_rows(x: &Array2<f32>, rows: &[usize]) -> Array2<f32> {
    x.select(Axis(0), rows)
}

/// Per-column affine map to mean 0 and standard deviation 1, fitted on chosen rows (L only, so no
/// information leaks from V, U or T).
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// Column means over the fitted rows.
    pub mean: Vec<f32>,
    /// Column (population) standard deviations over the fitted rows; 1 for a constant column.
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fit on rows `rows` of `x` (accumulated in f64). With no rows the map is the identity.
    pub fn fit(x: ArrayView2<f32>, rows: &[usize]) -> Self {
        let d = x.ncols();
        let mut mean = vec![0.0f32; d];
        let mut std = vec![1.0f32; d];
        if rows.is_empty() {
            return Standardizer { mean, std };
        }
        let count = rows.len() as f64;
        for j in 0..d {
            crate::beat::tick(rows.len() * 4);
            let column = x.column(j);
            let m = rows.iter().map(|&i| f64::from(column[i])).sum::<f64>() / count;
            let var = rows
                .iter()
                .map(|&i| (f64::from(column[i]) - m).powi(2))
                .sum::<f64>()
                / count;
            let s = var.sqrt();
            mean[j] = m as f32;
            // A (numerically) constant column carries no signal; scale 1 keeps it finite at 0.
            std[j] = if s > 1e-6 * m.abs().max(1e-30) && s.is_finite() {
                s as f32
            } else {
                1.0
            };
        }
        Standardizer { mean, std }
    }

    /// The scaling `mode` asks for. `observed` are the rows whose features the setting observes (L, V
    /// and U: never T), `labeled` the rows of L; `image` marks data in a fixed pixel range.
    pub fn for_mode(
        mode: crate::config::Standardize,
        x: ArrayView2<f32>,
        image: Option<super::ImageShape>,
        observed: &[usize],
        labeled: &[usize],
    ) -> Self {
        use crate::config::Standardize;
        let d = x.ncols();
        match (mode, image) {
            (Standardize::Auto, Some(img)) => Standardizer {
                mean: vec![0.0; d],
                std: vec![if img.max > 0.0 { img.max } else { 1.0 }; d],
            },
            (Standardize::Auto, None) | (Standardize::Always, _) => Standardizer::fit(x, observed),
            (Standardize::Never, _) => Standardizer {
                mean: vec![0.0; d],
                std: vec![1.0; d],
            },
            (Standardize::Labeled, _) => Standardizer::fit(x, labeled),
        }
    }

    /// Standardise `x` in place. Panics if `x` has a different number of columns than the fit.
    pub fn apply(&self, x: &mut Array2<f32>) {
        assert_eq!(
            x.ncols(),
            self.mean.len(),
            "standardizer fitted on {} columns, applied to {}",
            self.mean.len(),
            x.ncols()
        );
        for mut row in x.rows_mut() {
            crate::beat::tick(row.len() * 4);
            for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }

    /// A standardised copy of `x`.
    pub fn transform(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut out = x.to_owned();
        self.apply(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};
    use proptest::prelude::*;

    fn labels(n: usize, k: usize, seed: u64) -> Vec<usize> {
        let mut rng = Rng::new(seed, Stream::Data);
        (0..n).map(|_| rng.below(k)).collect()
    }

    fn counts(rows: &[usize], y: &[usize], k: usize) -> Vec<usize> {
        let mut c = vec![0; k];
        for &i in rows {
            c[y[i]] += 1;
        }
        c
    }

    fn check_partition(s: &Split, n: usize) {
        let mut all: Vec<usize> = [&s.labeled, &s.validation, &s.unlabeled, &s.test]
            .iter()
            .flat_map(|v| v.iter().copied())
            .collect();
        for v in [&s.labeled, &s.validation, &s.unlabeled, &s.test] {
            assert!(v.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
        }
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>(), "disjoint and covering");
    }

    #[test]
    fn sizes_partition_and_stratification() {
        let y = labels(1000, 4, 1);
        let s = split(&y, 4, 10, 20, 0.2, &mut Rng::new(3, Stream::Split)).unwrap();
        assert_eq!(s.test.len(), 200);
        assert_eq!(s.labeled.len(), 10);
        assert_eq!(s.validation.len(), 20);
        assert_eq!(s.unlabeled.len(), 770);
        check_partition(&s, 1000);
        let in_l = counts(&s.labeled, &y, 4);
        assert!(in_l.iter().all(|&c| c == 2 || c == 3), "{in_l:?}");
        assert_eq!(counts(&s.validation, &y, 4), vec![5; 4]);
    }

    #[test]
    fn a_rare_class_still_reaches_labeled() {
        // 3 rows of class 2 among 500: a plain random draw of 6 would usually miss it.
        let mut y = vec![0; 250];
        y.extend(vec![1; 247]);
        y.extend(vec![2; 3]);
        for seed in 0..20 {
            let s = split(&y, 3, 6, 6, 0.1, &mut Rng::new(seed, Stream::Split)).unwrap();
            let outside_test = 3 - counts(&s.test, &y, 3)[2];
            if outside_test > 0 {
                assert!(counts(&s.labeled, &y, 3)[2] > 0, "seed {seed}");
            }
        }
    }

    #[test]
    fn same_seed_same_split_other_seed_differs() {
        let y = labels(300, 3, 2);
        let a = split(&y, 3, 9, 9, 0.25, &mut Rng::new(5, Stream::Split)).unwrap();
        let b = split(&y, 3, 9, 9, 0.25, &mut Rng::new(5, Stream::Split)).unwrap();
        let c = split(&y, 3, 9, 9, 0.25, &mut Rng::new(6, Stream::Split)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn bad_sizes_name_the_field() {
        let y = labels(100, 2, 4);
        let field = |l, v, t| match split(&y, 2, l, v, t, &mut Rng::new(1, Stream::Split)) {
            Err(Error::Config { field, .. }) => field,
            other => panic!("{l} {v} {t}: {other:?}"),
        };
        assert_eq!(field(0, 5, 0.2), "labeled");
        assert_eq!(field(5, 0, 0.2), "validation");
        assert_eq!(field(5, 5, 0.0), "test_fraction");
        assert_eq!(field(5, 5, 1.0), "test_fraction");
        assert_eq!(field(5, 5, f32::NAN), "test_fraction");
        assert_eq!(field(5, 5, 0.004), "test_fraction"); // rounds to 0 test rows
        assert_eq!(field(5, 5, 0.996), "test_fraction"); // rounds to all rows
        assert_eq!(field(79, 1, 0.2), "labeled");
        assert_eq!(field(40, 40, 0.2), "validation");
        // The largest sizes that fit leave exactly one unlabeled row.
        let s = split(&y, 2, 40, 39, 0.2, &mut Rng::new(1, Stream::Split)).unwrap();
        assert_eq!(s.unlabeled.len(), 1);
    }

    #[test]
    fn out_of_range_class_is_a_data_error() {
        let y = vec![0, 1, 2, 0, 1, 0, 1, 0, 1, 0];
        let r = split(&y, 2, 2, 2, 0.2, &mut Rng::new(1, Stream::Split));
        assert!(matches!(r, Err(Error::Data(_))), "{r:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn split_is_a_stratified_partition(
            n in 2usize..300,
            k in 1usize..6,
            labeled in 1usize..40,
            validation in 1usize..40,
            test_fraction in 0.01f32..0.99,
            seed in any::<u64>(),
        ) {
            let y = labels(n, k, seed);
            let result = split(&y, k, labeled, validation, test_fraction, &mut Rng::new(seed, Stream::Split));
            let n_test = (f64::from(test_fraction) * n as f64).round() as usize;
            let fits = n_test >= 1 && n_test < n && labeled + validation < n - n_test;
            prop_assert_eq!(result.is_ok(), fits, "{:?}", result);
            let Ok(s) = result else { return Ok(()) };
            check_partition(&s, n);
            prop_assert_eq!(s.test.len(), n_test);
            prop_assert_eq!(s.labeled.len(), labeled);
            prop_assert_eq!(s.validation.len(), validation);
            prop_assert!(!s.unlabeled.is_empty());
            // Round-robin: a class may trail another by more than one only once it has run out.
            let (l, v, u) = (counts(&s.labeled, &y, k), counts(&s.validation, &y, k), counts(&s.unlabeled, &y, k));
            for a in 0..k {
                for b in 0..k {
                    if l[a] + 1 < l[b] {
                        prop_assert_eq!(v[a] + u[a], 0, "L counts {:?}", l);
                    }
                    if v[a] + 1 < v[b] {
                        prop_assert_eq!(u[a], 0, "V counts {:?}", v);
                    }
                }
            }
            if labeled >= k {
                let outside_test: Vec<usize> = (0..k).map(|c| l[c] + v[c] + u[c]).collect();
                for c in 0..k {
                    prop_assert!(outside_test[c] == 0 || l[c] > 0, "class {} missing from L", c);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Rows of unknown class only ever join U; L, V and T are the split of the known rows alone
        /// (so with every class known it is `split`).
        #[test]
        fn rows_of_unknown_class_only_join_u(
            n in 20usize..200,
            k in 2usize..5,
            seed in any::<u64>(),
            unknown_every in 2usize..9,
            all_known in any::<bool>(),
        ) {
            let y = labels(n, k, seed);
            let known: Vec<bool> = (0..n).map(|i| all_known || i % unknown_every != 0).collect();
            let rng = || Rng::new(seed, Stream::Split);
            let got = split_known(&y, Some(&known), k, 4, 3, 0.2, &mut rng());
            let rows: Vec<usize> = (0..n).filter(|&i| known[i]).collect();
            let y_known: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
            let alone = split(&y_known, k, 4, 3, 0.2, &mut rng());
            prop_assert_eq!(got.is_ok(), alone.is_ok());
            let (Ok(s), Ok(a)) = (got, alone) else { return Ok(()) };
            check_partition(&s, n);
            let back = |v: &[usize]| v.iter().map(|&i| rows[i]).collect::<Vec<_>>();
            prop_assert_eq!(&s.labeled, &back(&a.labeled));
            prop_assert_eq!(&s.validation, &back(&a.validation));
            prop_assert_eq!(&s.test, &back(&a.test));
            for i in (0..n).filter(|&i| !known[i]) {
                prop_assert!(s.unlabeled.contains(&i));
            }
            if all_known {
                prop_assert_eq!(s, split(&y, k, 4, 3, 0.2, &mut rng()).unwrap());
            }
        }
    }

    #[test]
    fn standardizer_fits_on_chosen_rows_only() {
        let mut rng = Rng::new(7, Stream::Data);
        let mut x = Array2::from_shape_fn((200, 3), |(_, j)| {
            5.0 + (j as f32 + 1.0) * 3.0 * rng.normal()
        });
        x.column_mut(2).fill(4.25); // constant column
        let rows: Vec<usize> = (0..200).step_by(3).collect();
        let st = Standardizer::fit(x.view(), &rows);
        assert_eq!(st.std[2], 1.0);
        let z = st.transform(x.view());
        let zl = select_rows(&z, &rows);
        for j in 0..2 {
            let col: Vec<f64> = zl.column(j).iter().map(|&v| f64::from(v)).collect();
            let m = col.iter().sum::<f64>() / col.len() as f64;
            let s = (col.iter().map(|v| (v - m).powi(2)).sum::<f64>() / col.len() as f64).sqrt();
            assert!(m.abs() < 1e-5, "column {j} mean {m}");
            assert!((s - 1.0).abs() < 1e-5, "column {j} std {s}");
        }
        assert!(z.iter().all(|v| v.is_finite()));
        assert!(z.column(2).iter().all(|&v| v == 0.0));
        // Rows outside the fit are not at mean 0 / std 1 in general: the fit really used `rows`.
        let other: Vec<usize> = (0..200).filter(|i| i % 3 != 0).collect();
        let st_other = Standardizer::fit(x.view(), &other);
        assert_ne!(st, st_other);
    }

    #[test]
    fn apply_and_transform_agree_and_select_rows_keeps_order() {
        let x = Array2::from_shape_fn((5, 2), |(i, j)| (i * 2 + j) as f32);
        let st = Standardizer::fit(x.view(), &[0, 1, 2, 3, 4]);
        let mut y = x.clone();
        st.apply(&mut y);
        assert_eq!(y, st.transform(x.view()));
        let picked = select_rows(&x, &[4, 0, 2]);
        assert_eq!(picked.column(0).to_vec(), vec![8.0, 0.0, 4.0]);
        let identity = Standardizer::fit(x.view(), &[]);
        assert_eq!(identity.transform(x.view()), x);
    }
}
