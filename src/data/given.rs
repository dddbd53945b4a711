//! A teacher read from data: the predictions of a model trained elsewhere, one row per data row, as
//! the file gave them (probabilities, logits, or a hard label with a confidence). Every reader (CSV
//! here and in the page, NumPy arrays from the command line) checks its values through
//! [`GivenTeacher::from_probs`] and [`GivenTeacher::from_logits`], so a bad cell is refused the same
//! way whatever the format, naming its row and column.

use ndarray::Array2;

use crate::{Error, Result};

/// How far a row of probabilities may sum from 1 and still be read (rows within
/// [`EXACT_SUM`] are kept as given; the others are divided by their sum).
pub const SUM_TOLERANCE: f32 = 0.01;
/// Rows of probabilities summing to 1 within this are used exactly as given.
pub const EXACT_SUM: f32 = 1e-5;

/// The teacher's output per data row, at temperature 1.
#[derive(Clone, Debug, PartialEq)]
pub struct GivenTeacher {
    /// What the file gave.
    pub form: GivenForm,
    /// One row per data row, one column per class (in the data's class order).
    pub values: Array2<f32>,
}

/// What a file gave for its teacher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GivenForm {
    /// Per-class probabilities (a hard label with its confidence is read as these too).
    Probs,
    /// Per-class logits: the probabilities are their softmax.
    Logits,
}

impl GivenForm {
    /// Its name in reports and messages.
    pub fn name(self) -> &'static str {
        match self {
            GivenForm::Probs => "probabilities",
            GivenForm::Logits => "logits",
        }
    }
}

/// How a reader names a cell in its messages: a row (`row 12`, a CSV file's line; `p.npy row 11`,
/// an array's 0-based index) and a column (a header name; a column index).
pub trait Cells {
    /// The row, as its file's reader numbers it.
    fn row(&self, i: usize) -> String;
    /// The teacher's column of class `c`.
    fn column(&self, c: usize) -> String;
    /// The error of a refused cell, as the reader words its refusals.
    fn fail(&self, message: String) -> Error {
        Error::Data(message)
    }
}

impl GivenTeacher {
    /// Probabilities per row: each finite, in [0, 1], the row summing to 1 within [`SUM_TOLERANCE`].
    pub fn from_probs(mut values: Array2<f32>, cells: &dyn Cells) -> Result<GivenTeacher> {
        for (i, mut row) in values.rows_mut().into_iter().enumerate() {
            for (c, &p) in row.iter().enumerate() {
                if !p.is_finite() || !(0.0..=1.0).contains(&p) {
                    return Err(at(
                        cells,
                        i,
                        &cells.column(c),
                        format!("{p} is not a probability (between 0 and 1)"),
                    ));
                }
            }
            let sum: f32 = row.iter().sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                let span = format!(
                    "{} to {}",
                    cells.column(0),
                    cells.column(row.len().saturating_sub(1))
                );
                return Err(at(
                    cells,
                    i,
                    &span,
                    format!(
                        "the probabilities sum to {sum}, not 1 (within {SUM_TOLERANCE}); give every class's probability, or logits"
                    ),
                ));
            }
            if (sum - 1.0).abs() > EXACT_SUM {
                row.mapv_inplace(|p| p / sum);
            }
        }
        Ok(GivenTeacher {
            form: GivenForm::Probs,
            values,
        })
    }

    /// Logits per row: each a finite number (a value past f32's range overflows and is refused).
    pub fn from_logits(values: Array2<f32>, cells: &dyn Cells) -> Result<GivenTeacher> {
        for (i, row) in values.rows().into_iter().enumerate() {
            if let Some(c) = row.iter().position(|z| !z.is_finite()) {
                return Err(at(
                    cells,
                    i,
                    &cells.column(c),
                    format!(
                        "the logit {} is not a finite number (it overflows 32-bit floats)",
                        row[c]
                    ),
                ));
            }
        }
        Ok(GivenTeacher {
            form: GivenForm::Logits,
            values,
        })
    }

    /// A hard label per row with the confidence the teacher has in it (1 when not given): the label
    /// gets the confidence, the other classes share the rest. A confidence below `1 / classes` would
    /// make another class the teacher's top one and is refused.
    pub fn from_hard(
        labels: &[usize],
        confidence: Option<&[f32]>,
        classes: usize,
        cells: &dyn Cells,
        confidence_column: &str,
    ) -> Result<GivenTeacher> {
        let mut values = Array2::zeros((labels.len(), classes));
        for (i, &label) in labels.iter().enumerate() {
            let conf = confidence.map_or(1.0, |c| c[i]);
            let floor = 1.0 / classes as f32;
            if !conf.is_finite() || conf < floor || conf > 1.0 {
                return Err(at(
                    cells,
                    i,
                    confidence_column,
                    format!("{conf} is not a confidence between 1/{classes} and 1"),
                ));
            }
            let rest = (1.0 - conf) / (classes - 1).max(1) as f32;
            values.row_mut(i).fill(rest);
            values[[i, label]] = conf;
        }
        Ok(GivenTeacher {
            form: GivenForm::Probs,
            values,
        })
    }

    /// The rows `rows`, in that order (a subset of the data).
    pub fn select(&self, rows: &[usize]) -> GivenTeacher {
        GivenTeacher {
            form: self.form,
            values: super::split::select_rows(&self.values, rows),
        }
    }
}

fn at(cells: &dyn Cells, i: usize, column: &str, what: String) -> Error {
    cells.fail(format!("{}, column {column}: {what}", cells.row(i)))
}
