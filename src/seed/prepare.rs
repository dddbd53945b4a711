//! Pieces of a seed's preparation: the settings refused before any work, the rows scaling is fitted
//! on, a synthetic teacher's outputs.

use super::points;
use crate::config::{AlphaEstimator, Checked, TeacherKind};
use crate::data::{Dataset, Split};
use crate::teacher::{self, TeacherOutput};
use crate::{Error, Result};

/// Settings that cannot serve this data or this teacher, refused before any work: the oracle alpha
/// without a synthetic teacher, pixel shifts off image data, a given teacher without one in the
/// data, a synthetic teacher on rows whose class is unknown.
pub(super) fn fits(cfg: &Checked, data: &Dataset) -> Result<()> {
    if cfg.teacher.kind == TeacherKind::Given && data.teacher.is_none() {
        return Err(Error::config(
            "teacher.kind",
            format!("`given` reads the teacher's predictions from the data, and {} carries none (columns teacher:<class>, logit:<class> or teacher)", data.name),
        ));
    }
    let unknown = data.unknown_rows();
    if cfg.teacher.kind == TeacherKind::Synthetic && unknown > 0 {
        return Err(Error::config(
            "teacher.kind",
            format!("a synthetic teacher corrupts the true classes, and {unknown} rows of {} have none: use `given` or `trained`", data.name),
        ));
    }
    if cfg.alpha_estimator == AlphaEstimator::Oracle && cfg.teacher.kind != TeacherKind::Synthetic {
        return Err(Error::config(
            "alpha_estimator",
            "`oracle` needs a synthetic teacher (teacher.kind = \"synthetic\")",
        ));
    }
    if data.image.is_none() {
        let not_image = |field: &str| {
            Error::config(field, format!("shifts need image data (mnist, digits); {} is not an image dataset: set it to 0", data.name))
        };
        if cfg.student.shift > 0 {
            return Err(not_image("student.shift"));
        }
        if cfg.teacher.shift > 0 && cfg.teacher.kind == TeacherKind::Trained {
            return Err(not_image("teacher.shift"));
        }
    }
    Ok(())
}

/// The rows whose features are observed (L, V and U, never T), in row order: what scaling is fitted on.
pub(super) fn observed_rows(split: &Split) -> Vec<usize> {
    let mut v: Vec<usize> = split
        .labeled
        .iter()
        .chain(&split.validation)
        .chain(&split.unlabeled)
        .copied()
        .collect();
    crate::order::sort_indices(&mut v);
    v
}

/// A synthetic teacher's outputs. It draws its noise on the base rows only: an added point changes
/// nothing but its own label.
pub(super) fn synthetic_teacher(
    cfg: &Checked,
    data: &Dataset,
    n_base: usize,
    seed: u64,
) -> TeacherOutput {
    let classes = data.n_classes;
    let mut t = teacher::synthetic_output(
        &cfg.teacher,
        data.x.slice(ndarray::s![..n_base, ..]),
        &data.y[..n_base],
        classes,
        cfg.temperature,
        seed,
    );
    if data.len() > n_base {
        points::extend_with_true_labels(&mut t, &data.y[n_base..], classes);
    }
    t
}

/// The teacher the data gives, at the run's temperature; hand-added rows get their true label as a
/// synthetic teacher's do.
pub(super) fn given_teacher(cfg: &Checked, data: &Dataset, n_base: usize) -> Result<TeacherOutput> {
    let Some(given) = data.teacher.as_ref() else {
        return Err(Error::config(
            "teacher.kind",
            "`given` needs the teacher's predictions in the data",
        ));
    };
    let mut t = teacher::given_output(given, cfg.temperature);
    if data.len() > n_base {
        points::extend_with_true_labels(&mut t, &data.y[n_base..], data.n_classes);
    }
    Ok(t)
}
