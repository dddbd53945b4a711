//! CSV upload: a header row, a `label` column (else the last column), every other column numeric.
//! How label text becomes classes (trimmed, numbers by value, case-blind natural order) is
//! [`super::labels`].
//!
//! Every refusal is one `Error::Csv` line naming the row (the file's 1-based line number, header = 1)
//! and the column (by its header name), so a user can find the cell to fix. User text echoed in a
//! message is cut to a few dozen characters; header names are kept as given (the page inserts them as
//! text only, never as markup).

use std::io::Read;
use std::path::Path;

use ndarray::Array2;

use super::given::GivenForm;
use super::labels::{Labels, Refusal};
use super::Dataset;
use crate::{Error, Result};

/// Largest accepted input, in bytes (20 MB), checked before any parsing.
pub const MAX_BYTES: usize = 20_000_000;
/// Most data rows accepted (the header is not counted).
pub const MAX_ROWS: usize = 100_000;
/// Most columns accepted, the label column included.
pub const MAX_COLUMNS: usize = 1_024;
/// Most classes accepted (after spellings of one class are merged).
pub const MAX_CLASSES: usize = 50;
/// Echoes of user text in error messages are cut to this many characters.
const ECHO_CHARS: usize = 40;

/// Parse CSV text into a dataset called `name` (see the module docs for the accepted format).
pub fn parse_csv(text: &str, name: &str) -> Result<Dataset> {
    if text.len() > MAX_BYTES {
        return Err(too_big(text.len() as u64));
    }
    // Spreadsheet exports often start with a byte-order mark; it is not part of the first name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(fail(
            "the file is empty; expected a header row and data rows",
        ));
    }
    let mut records = Records::new(text);
    let header_line = match records.next() {
        Some(line) => line?,
        None => {
            return Err(fail(
                "the file is empty; expected a header row and data rows",
            ))
        }
    };
    let columns: Vec<String> = records.fields().map(str::to_string).collect();
    check_header(&columns, header_line)?;
    let layout = Layout::of(&columns, header_line)?;

    let (rows, labels) = read_rows(&mut records, &columns, &layout)?;
    let n = rows.label.len();
    if n == 0 {
        return Err(fail("the file has a header but no data rows"));
    }
    if rows.unknown == n {
        return Err(fail(format!(
            "no row of column {} names a class; L, V and T need rows whose class is known",
            echo(&columns[layout.label])
        )));
    }
    let classes = labels.finish();
    if classes.names.len() < 2 {
        let why = match classes.warnings.first() {
            Some(w) => format!(" ({w})"),
            None => String::new(),
        };
        return Err(fail(format!(
            "column {} has only one class ({}); need at least 2{why}",
            echo(&columns[layout.label]),
            echo(&classes.names[0])
        )));
    }
    let y: Vec<usize> = rows
        .label
        .iter()
        .map(|&id| id.map_or(0, |id| classes.of_spelling[id]))
        .collect();
    let known = (rows.unknown > 0).then(|| rows.label.iter().map(Option::is_some).collect());
    let teacher = match &layout.teacher {
        None => None,
        Some(t) => Some(read_teacher(t, &rows, &columns, &classes, header_line)?),
    };
    let class_names = classes.names;
    let feature_names: Vec<String> = layout
        .features
        .iter()
        .map(|&j| columns[j].clone())
        .collect();
    let x = Array2::from_shape_vec((n, layout.features.len()), rows.values)
        .map_err(|e| Error::Data(format!("csv: internal shape error: {e}")))?;
    Ok(Dataset {
        name: name.to_string(),
        x,
        y,
        n_classes: class_names.len(),
        class_names,
        feature_names,
        image: None,
        warnings: classes.warnings,
        known,
        teacher,
    })
}

/// What each column of a file is: features, the label, and the teacher's columns when it has some.
struct Layout {
    label: usize,
    features: Vec<usize>,
    teacher: Option<TeacherColumns>,
}

impl Layout {
    fn of(columns: &[String], line: u64) -> Result<Layout> {
        let prefixed = |prefix: &str| -> Vec<(usize, String)> {
            columns
                .iter()
                .enumerate()
                .filter_map(|(j, c)| {
                    let head = c.get(..prefix.len())?;
                    head.eq_ignore_ascii_case(prefix)
                        .then(|| (j, c[prefix.len()..].trim().to_string()))
                })
                .collect()
        };
        let named = |name: &str| columns.iter().position(|c| c.eq_ignore_ascii_case(name));
        let (probs, logits) = (prefixed("teacher:"), prefixed("logit:"));
        let (hard, confidence) = (named("teacher"), named("teacher_confidence"));
        let header = |what: String| fail(format!("row {line} (header): {what}"));
        let teacher = match (probs.is_empty(), logits.is_empty(), hard) {
            (true, true, None) => {
                if let Some(j) = confidence {
                    return Err(header(format!(
                        "column {} gives a confidence but there is no column \"teacher\" with the teacher's label",
                        echo(&columns[j])
                    )));
                }
                None
            }
            (false, true, None) => Some(TeacherColumns::PerClass {
                form: GivenForm::Probs,
                columns: probs,
            }),
            (true, false, None) => Some(TeacherColumns::PerClass {
                form: GivenForm::Logits,
                columns: logits,
            }),
            (true, true, Some(label)) => Some(TeacherColumns::Hard { label, confidence }),
            _ => {
                return Err(header(
                    "the teacher is given more than one way (teacher:<class>, logit:<class>, teacher); keep one".into(),
                ))
            }
        };
        if let Some(TeacherColumns::PerClass { columns: tc, .. }) = &teacher {
            if let Some((j, _)) = tc.iter().find(|(_, class)| class.is_empty()) {
                return Err(header(format!(
                    "column {} names no class after the colon",
                    echo(&columns[*j])
                )));
            }
        }
        let is_teacher = |j: usize| teacher.as_ref().is_some_and(|t| t.holds(j));
        let label = label_column(columns, line, &is_teacher)?;
        let features: Vec<usize> = (0..columns.len())
            .filter(|&j| j != label && !is_teacher(j))
            .collect();
        if features.is_empty() {
            return Err(header(
                "no feature column: besides the label and the teacher's columns, at least one column of numbers".into(),
            ));
        }
        Ok(Layout {
            label,
            features,
            teacher,
        })
    }
}

/// The data rows after the header, as read.
pub(super) struct Rows {
    /// Every feature value, row by row.
    pub(super) values: Vec<f32>,
    /// Each row's label spelling id; None where the class is unknown.
    pub(super) label: Vec<Option<usize>>,
    /// Rows of unknown class.
    pub(super) unknown: usize,
    /// The teacher's numbers, row by row (its per-class columns, or its confidence).
    pub(super) teacher_values: Vec<f32>,
    /// The teacher's hard label text per row.
    pub(super) teacher_labels: Vec<String>,
    /// Each row's line in the file (kept when the file has a teacher, for its messages).
    pub(super) lines: Vec<u64>,
}

/// The data rows after the header. Errors name the row and the column.
fn read_rows(records: &mut Records, columns: &[String], layout: &Layout) -> Result<(Rows, Labels)> {
    let n_cols = columns.len();
    let label_col = layout.label;
    let teacher = layout.teacher.as_ref();
    let mut rows = Rows {
        values: Vec::new(),
        label: Vec::new(),
        unknown: 0,
        teacher_values: Vec::new(),
        teacher_labels: Vec::new(),
        lines: Vec::new(),
    };
    let mut is_feature = vec![false; n_cols];
    layout.features.iter().for_each(|&j| is_feature[j] = true);
    let mut labels = Labels::new(MAX_CLASSES);
    while let Some(line) = records.next() {
        let line = line?;
        let n = records.len();
        crate::beat::tick(records.bytes() * 16);
        // A line holding only spaces is as blank as an empty one (which the reader already skips).
        if n == 1 && records.fields().all(str::is_empty) {
            continue;
        }
        if rows.label.len() == MAX_ROWS {
            return Err(fail(format!(
                "row {line}: the file has more than {MAX_ROWS} data rows; the limit is {MAX_ROWS}"
            )));
        }
        if n != n_cols {
            let s = if n == 1 { "" } else { "s" };
            return Err(fail(format!(
                "row {line} has {n} field{s}, the header has {n_cols}"
            )));
        }
        for (j, field) in records.fields().enumerate() {
            if is_feature[j] {
                rows.values.push(parse_value(field, line, &columns[j])?);
                continue;
            }
            if j == label_col {
                // With a teacher, a row of unknown class is one more row of U.
                if teacher.is_some() && (field.is_empty() || field == "?") {
                    rows.label.push(None);
                    rows.unknown += 1;
                    continue;
                }
                match labels.push(field) {
                    Ok(id) => rows.label.push(Some(id)),
                    Err(Refusal::Missing) => return Err(at(line, &columns[j], "missing label")),
                    Err(Refusal::TooMany) => {
                        return Err(at(
                            line,
                            &columns[j],
                            format!("more than {MAX_CLASSES} distinct labels; the limit is {MAX_CLASSES} classes"),
                        ))
                    }
                }
                continue;
            }
            match teacher {
                Some(t) if t.holds_number(j) => {
                    rows.teacher_values
                        .push(parse_value(field, line, &columns[j])?)
                }
                Some(_) => {
                    if field.is_empty() {
                        return Err(at(line, &columns[j], "missing value"));
                    }
                    rows.teacher_labels.push(field.to_string());
                }
                None => {}
            }
        }
        if teacher.is_some() {
            rows.lines.push(line);
        }
    }
    Ok((rows, labels))
}

/// Read and parse a CSV file; the dataset is named after the file stem. The size is checked first.
pub fn load_csv_file(path: &Path) -> Result<Dataset> {
    from_file_bytes(path, read_file(path)?)
}

/// A CSV file's bytes, refused past the size cap (errors name the file).
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_BYTES as u64 {
        return Err(too_big(size));
    }
    // Read at most one byte past the cap: a pipe or a growing file can be larger than its metadata.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > MAX_BYTES {
        return Err(fail(format!(
            "the file is larger than {} MB, the limit",
            MAX_BYTES / 1_000_000
        )));
    }
    Ok(bytes)
}

/// Parse the bytes [`read_file`] read from `path`; the dataset is named after the file stem.
pub fn from_file_bytes(path: &Path, bytes: Vec<u8>) -> Result<Dataset> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        fail(format!(
            "row {line}: the file is not UTF-8 text (save it as UTF-8 CSV)"
        ))
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".to_string());
    parse_csv(&text, &name)
}

/// Write a dataset as CSV text in the accepted format: feature columns, then `label` with class
/// names (`?` where the class is unknown), then the teacher's columns when the data carries one
/// (`teacher:<class>` probabilities or `logit:<class>` logits).
///
/// Numbers are printed in the shortest form that parses back to the same `f32`, so
/// `parse_csv(&write_csv(ds), ..)` gives the same dataset when the class names are in the order
/// `parse_csv` sorts them and no feature is itself called `label` or named like a teacher's column.
pub fn write_csv(ds: &Dataset) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<String> = ds.feature_names.clone();
    header.push("label".into());
    if let Some(t) = &ds.teacher {
        let prefix = match t.form {
            GivenForm::Probs => "teacher:",
            GivenForm::Logits => "logit:",
        };
        header.extend(ds.class_names.iter().map(|c| format!("{prefix}{c}")));
    }
    writer
        .write_record(&header)
        .expect("writing to memory cannot fail");
    let mut fields: Vec<String> = Vec::with_capacity(header.len());
    for (i, (row, &class)) in ds.x.rows().into_iter().zip(&ds.y).enumerate() {
        fields.clear();
        fields.extend(row.iter().map(|v| v.to_string()));
        fields.push(if ds.is_known(i) {
            ds.class_names[class].clone()
        } else {
            "?".into()
        });
        if let Some(t) = &ds.teacher {
            fields.extend(t.values.row(i).iter().map(|v| v.to_string()));
        }
        writer
            .write_record(&fields)
            .expect("writing to memory cannot fail");
    }
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("every field written is UTF-8")
}

/// Header checks: column count within [2, MAX_COLUMNS], every name present and distinct.
fn check_header(columns: &[String], line: u64) -> Result<()> {
    if columns.len() > MAX_COLUMNS {
        return Err(fail(format!(
            "row {line} (header) has {} columns; the limit is {MAX_COLUMNS}",
            columns.len()
        )));
    }
    if columns.len() < 2 {
        // A spreadsheet set to another locale saves with `;` (or a tab) between the cells.
        let hint = [(';', "`;`"), ('\t', "a tab"), ('|', "`|`")]
            .iter()
            .find(|(c, _)| columns[0].contains(*c))
            .map(|(_, name)| format!(": the separator looks like {name}; save the file with commas between the cells"))
            .unwrap_or_default();
        return Err(fail(format!(
            "row {line} (header) has 1 column; need at least 2 (features and a label){hint}"
        )));
    }
    for (j, name) in columns.iter().enumerate() {
        if name.is_empty() {
            return Err(fail(format!(
                "row {line} (header), column {}: the column has no name",
                j + 1
            )));
        }
        // At most MAX_COLUMNS names: looked up in a list.
        if let Some(first) = columns[..j].iter().position(|c| c == name) {
            return Err(fail(format!(
                "row {line} (header): column name {} is used twice (columns {} and {})",
                echo(name),
                first + 1,
                j + 1
            )));
        }
    }
    Ok(())
}

/// Index of the column named `label` (any case), else the last column that is not the teacher's.
fn label_column(
    columns: &[String],
    line: u64,
    is_teacher: &dyn Fn(usize) -> bool,
) -> Result<usize> {
    let named: Vec<usize> = (0..columns.len())
        .filter(|&j| columns[j].eq_ignore_ascii_case("label"))
        .collect();
    match named.as_slice() {
        [] => (0..columns.len())
            .rev()
            .find(|&j| !is_teacher(j))
            .ok_or_else(|| {
                fail(format!(
                    "row {line} (header): every column is the teacher's; add a label column"
                ))
            }),
        [j] => Ok(*j),
        [a, b, ..] => Err(fail(format!(
            "row {line} (header): columns {} and {} are both named \"label\"; keep one",
            a + 1,
            b + 1
        ))),
    }
}

/// One feature cell as a finite f32.
fn parse_value(field: &str, line: u64, column: &str) -> Result<f32> {
    if field.is_empty() {
        return Err(at(line, column, "missing value"));
    }
    match super::number::parse_f32(field) {
        Some(v) if v.is_finite() => Ok(v),
        Some(_) => {
            let lower = field.to_ascii_lowercase();
            if lower.contains("nan") || lower.contains("inf") {
                Err(at(
                    line,
                    column,
                    format!("{} is not a finite number", echo(field)),
                ))
            } else {
                Err(at(
                    line,
                    column,
                    format!("{} is too large (the limit is about 3.4e38)", echo(field)),
                ))
            }
        }
        None => Err(at(line, column, format!("{} is not a number", echo(field)))),
    }
}

/// The records of a CSV text as the `csv` crate's reader gives them with `has_headers(false)`,
/// `flexible(true)` and `Trim::All` (the tests hold one against the other): every field trimmed of
/// white space, and each record numbered by the line the reader stood on when it began it (the line
/// after the previous record: a record after blank lines is numbered as the first of them). csv-core
/// does the reading.
struct Records<'a> {
    core: csv_core::Reader,
    input: &'a [u8],
    /// The fields of the record read, one after the other, and where each ends.
    text: String,
    ends: Vec<usize>,
    len: usize,
    line: u64,
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Records<'a> {
        Records {
            core: csv_core::Reader::new(),
            input: text.as_bytes(),
            text: String::new(),
            ends: vec![0; 16],
            len: 0,
            line: 1,
        }
    }

    /// Read the next record; its line, or None at the end.
    fn next(&mut self) -> Option<Result<u64>> {
        use csv_core::ReadRecordResult::*;
        let line = self.line;
        let mut out = std::mem::take(&mut self.text).into_bytes();
        out.resize(out.capacity().max(64), 0);
        let (mut n_out, mut n_ends) = (0, 0);
        let result = loop {
            let (result, n_in, o, e) =
                self.core
                    .read_record(self.input, &mut out[n_out..], &mut self.ends[n_ends..]);
            self.input = &self.input[n_in..];
            self.line = self.core.line();
            (n_out, n_ends) = (n_out + o, n_ends + e);
            match result {
                InputEmpty => {}
                OutputFull => out.resize(out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => break Some(Ok(line)),
                End => break None,
            }
        };
        out.truncate(n_out);
        self.len = n_ends;
        // Fields are the text cut at ASCII bytes (delimiters, quotes, line ends): still UTF-8.
        match String::from_utf8(out) {
            Ok(text) => self.text = text,
            Err(_) => return Some(Err(fail(format!("row {line}: the text is not UTF-8")))),
        }
        result
    }

    /// Fields in the record read.
    fn len(&self) -> usize {
        self.len
    }

    /// Bytes in the record read.
    fn bytes(&self) -> usize {
        self.text.len()
    }

    /// The record's fields, trimmed.
    fn fields(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len).map(|i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            self.text[start..self.ends[i]].trim()
        })
    }
}

fn too_big(bytes: u64) -> Error {
    fail(format!(
        "the file is {:.1} MB; the limit is {} MB",
        bytes as f64 / 1e6,
        MAX_BYTES / 1_000_000
    ))
}

/// Error at a cell.
fn at(line: u64, column: &str, what: impl std::fmt::Display) -> Error {
    fail(format!("row {line}, column {}: {what}", echo(column)))
}

fn fail(message: impl Into<String>) -> Error {
    Error::Csv(message.into())
}

/// User text for a message: quoted, cut to ECHO_CHARS characters, control characters escaped so the
/// message stays on one line.
fn echo(text: &str) -> String {
    format!("{:?}", clip(text, ECHO_CHARS))
}

fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

mod teacher;
use teacher::{read_teacher, TeacherColumns};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod teacher_tests;
