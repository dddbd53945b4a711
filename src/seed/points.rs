//! Labeled points a learner adds by hand (clicking on the 2-D plot): what the engine accepts, and how
//! they join the data.
//!
//! A point must lie near the data: every coordinate finite and within the data's range on that axis
//! widened by [`MARGIN_SPANS`] times the axis's span on each side. One far point would otherwise
//! stretch the scaling and squeeze every decision map into a corner. The plot shows the data's
//! bounds plus 5 % of the span (with the same floor on the span, [`MIN_SPAN`]), so a click anywhere
//! on it lands well inside: the margin left (0.95 of a span) also covers the page rounding a click
//! to three decimals.

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::data::{Dataset, Split};
use crate::teacher::{self, TeacherOutput};
use crate::{Error, Result};

/// A labeled point added by the user: raw features and class index.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, Serialize)]
pub struct ExtraPoint {
    /// Raw feature values (as many as the dataset has columns).
    pub x: Vec<f32>,
    /// Class index.
    pub label: usize,
}

impl ExtraPoint {
    /// Read from a JSON value (see [`crate::decode`]).
    pub fn decode(v: &serde_json::Value, path: &str) -> crate::decode::Decoded<ExtraPoint> {
        use crate::decode::{self as d, Shape};
        const SHAPE: Shape = Shape {
            expected: "struct ExtraPoint",
            names: &["x", "label"],
            deny_unknown: false,
            defaults: false,
            optional: &[],
        };
        let mut p = ExtraPoint {
            x: Vec::new(),
            label: 0,
        };
        d::fields(v, path, &SHAPE, &mut |i, v, path| {
            match i {
                0 => p.x = d::vec(v, path, d::f32_)?,
                _ => p.label = d::usize_(v, path)?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

/// Most points a user may add by hand.
pub const MAX_EXTRA_POINTS: usize = 1_000;

/// How far past the data an added point may lie, in spans of the data on that axis, on each side.
pub const MARGIN_SPANS: f64 = 1.0;

/// Spans below this count as this (a constant column still leaves room to click), as the plot's
/// bounds do.
pub const MIN_SPAN: f64 = 1e-3;

/// Per column of `x`, the closed interval an added point's coordinate must lie in. The ends are
/// `f32`s rounded outwards, so the check and the message agree to the last digit.
pub fn allowed_intervals(x: ArrayView2<f32>) -> Vec<(f32, f32)> {
    x.columns()
        .into_iter()
        .map(|col| {
            let (lo, hi) = col
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v as f64), hi.max(v as f64))
                });
            if lo > hi {
                return (f32::NEG_INFINITY, f32::INFINITY); // no rows: nothing to be near
            }
            let margin = MARGIN_SPANS * (hi - lo).max(MIN_SPAN);
            (outward(lo - margin, false), outward(hi + margin, true))
        })
        .collect()
}

/// `v` as an `f32` rounded away from the interval's inside (`up` for an upper end).
fn outward(v: f64, up: bool) -> f32 {
    let r = v as f32;
    match (up, (r as f64).partial_cmp(&v)) {
        (true, Some(std::cmp::Ordering::Less)) => r.next_up(),
        (false, Some(std::cmp::Ordering::Greater)) => r.next_down(),
        _ => r,
    }
}

/// Check the points against the data (before they join it): their count, each one's length, its
/// coordinates near the data and its label a class of the data. Errors name `points[i].x` or
/// `points[i].label`.
pub fn check(data: &Dataset, extra: &[ExtraPoint]) -> Result<()> {
    if extra.len() > MAX_EXTRA_POINTS {
        return Err(Error::config(
            "points",
            format!(
                "at most {MAX_EXTRA_POINTS} added points, got {}",
                extra.len()
            ),
        ));
    }
    let d = data.dim();
    let mut intervals = None;
    for (i, p) in extra.iter().enumerate() {
        if p.x.len() != d {
            return Err(Error::config(
                format!("points[{i}].x"),
                format!("needs {d} values, got {}", p.x.len()),
            ));
        }
        if p.x.iter().any(|v| !v.is_finite()) {
            return Err(Error::config(
                format!("points[{i}].x"),
                format!("must be finite numbers, got {}", tuple(&p.x)),
            ));
        }
        let allowed = intervals.get_or_insert_with(|| allowed_intervals(data.x.view()));
        let outside: Vec<usize> = (0..d)
            .filter(|&j| !(allowed[j].0..=allowed[j].1).contains(&p.x[j]))
            .collect();
        if !outside.is_empty() {
            // Every axis when there are few (the plot's case), else the ones that are out.
            let axes: Vec<usize> = if d <= 4 { (0..d).collect() } else { outside };
            let list: Vec<String> = axes
                .iter()
                .map(|&j| {
                    format!(
                        "{} in [{:?}, {:?}]",
                        axis_name(data, j),
                        allowed[j].0,
                        allowed[j].1
                    )
                })
                .collect();
            let spans = if MARGIN_SPANS == 1.0 {
                "one span".to_string()
            } else {
                format!("{MARGIN_SPANS} spans")
            };
            return Err(Error::config(
                format!("points[{i}].x"),
                format!(
                    "must lie near the data, at most {spans} past its range on each side: {}; got {}",
                    list.join(", "),
                    tuple(&p.x)
                ),
            ));
        }
        if p.label >= data.n_classes {
            return Err(Error::config(
                format!("points[{i}].label"),
                format!(
                    "must be a class of the data, 0 to {}, got {}",
                    data.n_classes - 1,
                    p.label
                ),
            ));
        }
    }
    Ok(())
}

/// A column's name for a message, cut short (CSV headers are user text).
fn axis_name(data: &Dataset, j: usize) -> String {
    let name = data.feature_names.get(j).map_or("", String::as_str);
    match name.char_indices().nth(24) {
        Some((end, _)) => format!("{:?}", format!("{}...", &name[..end])),
        None if name.is_empty() => format!("column {}", j + 1),
        None => format!("{name:?}"),
    }
}

/// A point's coordinates for a message (the first few of a long one).
fn tuple(x: &[f32]) -> String {
    let shown: Vec<String> = x.iter().take(4).map(|v| format!("{v:?}")).collect();
    let more = if x.len() > 4 { ", ..." } else { "" };
    format!("({}{more})", shown.join(", "))
}

/// Check the points, then add them to the data as rows of L (after its own rows).
pub(super) fn append(data: &mut Dataset, split: &mut Split, extra: &[ExtraPoint]) -> Result<()> {
    if extra.is_empty() {
        return Ok(());
    }
    check(data, extra)?;
    let (n, d) = (data.len(), data.dim());
    let mut x = Array2::zeros((n + extra.len(), d));
    x.slice_mut(ndarray::s![..n, ..]).assign(&data.x);
    for (i, p) in extra.iter().enumerate() {
        for (j, &v) in p.x.iter().enumerate() {
            x[[n + i, j]] = v;
        }
        data.y.push(p.label);
        split.labeled.push(n + i);
    }
    data.x = x;
    Ok(())
}

/// Give hand-added rows a confident, correct teacher label (they are labeled points in L, so the
/// student trains on their true label anyway; this keeps the teacher's arrays one row per data row).
pub(super) fn extend_with_true_labels(t: &mut TeacherOutput, labels: &[usize], classes: usize) {
    let n = t.probs.nrows();
    let mut probs = Array2::zeros((n + labels.len(), classes));
    probs.slice_mut(ndarray::s![..n, ..]).assign(&t.probs);
    let mut logits = Array2::zeros((n + labels.len(), classes));
    logits.slice_mut(ndarray::s![..n, ..]).assign(&t.logits);
    let rest = if classes > 1 {
        0.005 / (classes - 1) as f32
    } else {
        0.0
    };
    for (i, &c) in labels.iter().enumerate() {
        probs.row_mut(n + i).fill(rest);
        probs[[n + i, c]] = 0.995;
        let z = probs.row(n + i).mapv(|p| libm::logf(p.max(1e-30)));
        t.margins.push(teacher::margin_from_logits(
            z.as_slice().expect("contiguous"),
        ));
        logits.row_mut(n + i).assign(&z);
    }
    t.probs = probs;
    t.logits = logits;
    t.labels.extend_from_slice(labels);
    if let Some(o) = t.oracle_alpha.as_mut() {
        o.extend(std::iter::repeat_n(1.0, labels.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Two columns: `a` over [0, 1], `b` over [-2, 2].
    fn data() -> Dataset {
        Dataset {
            name: "t".into(),
            x: Array2::from_shape_vec((3, 2), vec![0.0, -2.0, 1.0, 2.0, 0.5, 0.0]).unwrap(),
            y: vec![0, 1, 0],
            n_classes: 2,
            class_names: vec!["a".into(), "b".into()],
            feature_names: vec!["a".into(), "b".into()],
            image: None,
            warnings: Vec::new(),
            known: None,
            teacher: None,
        }
    }

    fn point(x: f32, y: f32) -> ExtraPoint {
        ExtraPoint {
            x: vec![x, y],
            label: 1,
        }
    }

    fn err(points: &[ExtraPoint]) -> String {
        check(&data(), points).unwrap_err().to_string()
    }

    #[test]
    fn the_edges_of_the_widened_range_are_in_and_the_next_numbers_out() {
        assert_eq!(
            allowed_intervals(data().x.view()),
            [(-1.0, 2.0), (-6.0, 6.0)]
        );
        for (x, y) in [
            (-1.0, -6.0),
            (2.0, 6.0),
            (-1.0, 6.0),
            (2.0, -6.0),
            (0.5, 0.0),
        ] {
            check(&data(), &[point(x, y)]).unwrap_or_else(|e| panic!("({x}, {y}): {e}"));
        }
        let just_out = [
            ((-1.0f32).next_down(), 0.0),
            (2.0f32.next_up(), 0.0),
            (0.0, (-6.0f32).next_down()),
            (0.0, 6.0f32.next_up()),
        ];
        for (x, y) in just_out {
            let e = err(&[point(0.0, 0.0), point(x, y)]);
            assert!(
                e.starts_with("config: `points[1].x` must lie near the data"),
                "{e}"
            );
        }
        assert_eq!(
            err(&[point(1e30, 1e30)]),
            "config: `points[0].x` must lie near the data, at most one span past its range on each side: \"a\" in [-1.0, 2.0], \"b\" in [-6.0, 6.0]; got (1e30, 1e30)"
        );
    }

    #[test]
    fn nan_infinity_wrong_length_and_unknown_classes_are_refused() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(
                err(&[point(0.5, bad)]),
                format!("config: `points[0].x` must be finite numbers, got (0.5, {bad:?})")
            );
        }
        let short = ExtraPoint {
            x: vec![0.5],
            label: 0,
        };
        assert_eq!(err(&[short]), "config: `points[0].x` needs 2 values, got 1");
        let wrong = ExtraPoint {
            x: vec![0.5, 0.0],
            label: 2,
        };
        assert_eq!(
            err(&[point(0.0, 0.0), wrong]),
            "config: `points[1].label` must be a class of the data, 0 to 1, got 2"
        );
        let many = vec![point(0.0, 0.0); MAX_EXTRA_POINTS + 1];
        assert!(err(&many).starts_with("config: `points` at most 1000"));
        assert_eq!(
            check(&data(), &vec![point(0.0, 0.0); MAX_EXTRA_POINTS]),
            Ok(())
        );
    }

    #[test]
    fn a_constant_column_leaves_room_and_huge_ranges_do_not_overflow() {
        let mut d = data();
        d.x.column_mut(0).fill(5.0);
        let (lo, hi) = allowed_intervals(d.x.view())[0];
        assert!(
            (4.998..=4.999).contains(&lo) && (5.001..5.002).contains(&hi),
            "{lo} {hi}"
        );
        assert!(check(&d, &[point(5.0009, 0.0)]).is_ok());
        assert!(check(&d, &[point(5.01, 0.0)]).is_err());
        d.x.column_mut(1)
            .assign(&ndarray::arr1(&[-3e38f32, 3e38, 0.0]));
        assert_eq!(
            allowed_intervals(d.x.view())[1],
            (f32::NEG_INFINITY, f32::INFINITY)
        );
        assert!(check(&d, &[point(5.0, f32::MAX)]).is_ok());
    }

    #[test]
    fn many_columns_name_only_the_axes_that_are_out() {
        let mut d = data();
        d.x = Array2::from_shape_fn((3, 6), |(i, j)| (i + j) as f32);
        d.feature_names = (0..6).map(|j| format!("f{j}")).collect();
        let mut p = ExtraPoint {
            x: (0..6).map(|j| j as f32 + 1.0).collect(),
            label: 0,
        };
        p.x[4] = 100.0;
        let e = check(&d, &[p]).unwrap_err().to_string();
        assert!(
            e.ends_with(": \"f4\" in [2.0, 8.0]; got (1.0, 2.0, 3.0, 4.0, ...)"),
            "{e}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Against the rule computed plainly in f64: inside is accepted; out by more than the last
        /// digit of an `f32` end is refused.
        #[test]
        fn accepted_exactly_within_one_span_of_the_data(
            rows in prop::collection::vec(-1e4f32..1e4, 1..20),
            x in -3e4f32..3e4,
        ) {
            let n = rows.len();
            let mut d = data();
            d.x = Array2::from_shape_fn((n, 2), |(i, j)| if j == 0 { rows[i] } else { 0.0 });
            d.y = vec![0; n];
            let lo = rows.iter().fold(f64::INFINITY, |m, &v| m.min(v as f64));
            let hi = rows.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
            let m = (hi - lo).max(MIN_SPAN);
            let (a, b) = (lo - m, hi + m);
            let ok = check(&d, &[point(x, 0.0)]).is_ok();
            let v = x as f64;
            if v >= a && v <= b {
                prop_assert!(ok, "{x} in [{a}, {b}]");
            }
            let ulp = |e: f64| ((e as f32).next_up() as f64 - e as f32 as f64).abs();
            if v < a - ulp(a) || v > b + ulp(b) {
                prop_assert!(!ok, "{x} outside [{a}, {b}]");
            }
        }
    }
}
