//! A teacher's columns in a CSV file (`teacher:<class>`, `logit:<class>`, or `teacher` with
//! `teacher_confidence`): which they are, and the teacher they give once the label column's classes
//! are known, every cell checked by [`GivenTeacher`] and refused naming its line and column.

use ndarray::Array2;

use super::{at, echo, fail, Rows};
use crate::data::given::{Cells, GivenForm, GivenTeacher};
use crate::data::labels::Classes;
use crate::{Error, Result};

/// The teacher's columns of a file: per-class probabilities (`teacher:<class>`) or logits
/// (`logit:<class>`), with the class text each names; or a hard label (`teacher`) with an optional
/// confidence (`teacher_confidence`).
pub(super) enum TeacherColumns {
    PerClass {
        form: GivenForm,
        columns: Vec<(usize, String)>,
    },
    Hard {
        label: usize,
        confidence: Option<usize>,
    },
}

impl TeacherColumns {
    /// Whether column `j` is one of them.
    pub(super) fn holds(&self, j: usize) -> bool {
        match self {
            TeacherColumns::PerClass { columns, .. } => columns.iter().any(|(c, _)| *c == j),
            TeacherColumns::Hard { label, confidence } => *label == j || *confidence == Some(j),
        }
    }

    /// Whether column `j` holds a number per row (the hard label is text).
    pub(super) fn holds_number(&self, j: usize) -> bool {
        match self {
            TeacherColumns::PerClass { .. } => self.holds(j),
            TeacherColumns::Hard { confidence, .. } => *confidence == Some(j),
        }
    }
}

/// The teacher a file's columns give, checked cell by cell (see [`GivenTeacher`]).
pub(super) fn read_teacher(
    t: &TeacherColumns,
    rows: &Rows,
    columns: &[String],
    classes: &Classes,
    header_line: u64,
) -> Result<GivenTeacher> {
    let n = rows.label.len();
    let c = classes.names.len();
    match t {
        TeacherColumns::PerClass { form, columns: tc } => {
            // Column of each class, in class order.
            let mut of_class: Vec<Option<usize>> = vec![None; c];
            for (k, (j, class)) in tc.iter().enumerate() {
                let Some(class) = classes.named(class) else {
                    return Err(fail(format!(
                        "row {header_line} (header), column {}: the label column never names the class {}",
                        echo(&columns[*j]),
                        echo(class)
                    )));
                };
                if let Some(other) = of_class[class] {
                    return Err(fail(format!(
                        "row {header_line} (header): columns {} and {} are the same class",
                        echo(&columns[tc[other].0]),
                        echo(&columns[*j])
                    )));
                }
                of_class[class] = Some(k);
            }
            let of_class: Vec<usize> = match of_class.iter().position(Option::is_none) {
                Some(missing) => {
                    return Err(fail(format!(
                        "row {header_line} (header): the teacher has no column for the class {} (every class needs one)",
                        echo(&classes.names[missing])
                    )))
                }
                None => of_class.into_iter().flatten().collect(),
            };
            let width = tc.len();
            let values = Array2::from_shape_fn((n, c), |(i, class)| {
                rows.teacher_values[i * width + of_class[class]]
            });
            let cells = CsvCells {
                lines: &rows.lines,
                names: of_class
                    .iter()
                    .map(|&k| columns[tc[k].0].as_str())
                    .collect(),
            };
            match form {
                GivenForm::Probs => GivenTeacher::from_probs(values, &cells),
                GivenForm::Logits => GivenTeacher::from_logits(values, &cells),
            }
        }
        TeacherColumns::Hard { label, confidence } => {
            let mut hard = Vec::with_capacity(n);
            for (i, text) in rows.teacher_labels.iter().enumerate() {
                match classes.named(text) {
                    Some(class) => hard.push(class),
                    None => {
                        return Err(at(
                            rows.lines[i],
                            &columns[*label],
                            format!("the label column never names the class {}", echo(text)),
                        ))
                    }
                }
            }
            let cells = CsvCells {
                lines: &rows.lines,
                names: vec![columns[*label].as_str()],
            };
            let conf_name = confidence.map_or(String::new(), |j| echo(&columns[j]));
            GivenTeacher::from_hard(
                &hard,
                confidence.map(|_| rows.teacher_values.as_slice()),
                c,
                &cells,
                &conf_name,
            )
        }
    }
}

/// A CSV file's cells as [`GivenTeacher`]'s checks name them: the file's line, the header's name.
struct CsvCells<'a> {
    lines: &'a [u64],
    names: Vec<&'a str>,
}

impl Cells for CsvCells<'_> {
    fn row(&self, i: usize) -> String {
        format!("row {}", self.lines[i])
    }
    fn column(&self, c: usize) -> String {
        echo(self.names[c.min(self.names.len() - 1)])
    }
    fn fail(&self, message: String) -> Error {
        fail(message)
    }
}
