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
    let label_col = label_column(&columns, header_line)?;
    let n_cols = columns.len();

    let mut values: Vec<f32> = Vec::new();
    let mut row_label: Vec<usize> = Vec::new();
    let mut labels = Labels::new(MAX_CLASSES);
    while let Some(line) = records.next() {
        let line = line?;
        let n = records.len();
        crate::beat::tick(records.bytes() * 16);
        // A line holding only spaces is as blank as an empty one (which the reader already skips).
        if n == 1 && records.fields().all(str::is_empty) {
            continue;
        }
        if row_label.len() == MAX_ROWS {
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
            if j != label_col {
                values.push(parse_value(field, line, &columns[j])?);
                continue;
            }
            match labels.push(field) {
                Ok(id) => row_label.push(id),
                Err(Refusal::Missing) => return Err(at(line, &columns[j], "missing label")),
                Err(Refusal::TooMany) => {
                    return Err(at(
                        line,
                        &columns[j],
                        format!("more than {MAX_CLASSES} distinct labels; the limit is {MAX_CLASSES} classes"),
                    ))
                }
            }
        }
    }

    let n = row_label.len();
    if n == 0 {
        return Err(fail("the file has a header but no data rows"));
    }
    let classes = labels.finish();
    if classes.names.len() < 2 {
        let why = match classes.warnings.first() {
            Some(w) => format!(" ({w})"),
            None => String::new(),
        };
        return Err(fail(format!(
            "column {} has only one class ({}); need at least 2{why}",
            echo(&columns[label_col]),
            echo(&classes.names[0])
        )));
    }
    let y: Vec<usize> = row_label
        .iter()
        .map(|&id| classes.of_spelling[id])
        .collect();
    let class_names = classes.names;
    let feature_names: Vec<String> = columns
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != label_col)
        .map(|(_, c)| c.clone())
        .collect();
    let x = Array2::from_shape_vec((n, n_cols - 1), values)
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
    })
}

/// Read and parse a CSV file; the dataset is named after the file stem. The size is checked first.
pub fn load_csv_file(path: &Path) -> Result<Dataset> {
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

/// Write a dataset as CSV text in the accepted format: feature columns, then `label` with class names.
///
/// Numbers are printed in the shortest form that parses back to the same `f32`, so
/// `parse_csv(&write_csv(ds), ..)` gives the same dataset when the class names are in the order
/// `parse_csv` sorts them and no feature is itself called `label`.
pub fn write_csv(ds: &Dataset) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<&str> = ds.feature_names.iter().map(String::as_str).collect();
    header.push("label");
    writer
        .write_record(&header)
        .expect("writing to memory cannot fail");
    let mut fields: Vec<String> = Vec::with_capacity(ds.dim() + 1);
    for (row, &class) in ds.x.rows().into_iter().zip(&ds.y) {
        fields.clear();
        fields.extend(row.iter().map(|v| v.to_string()));
        fields.push(ds.class_names[class].clone());
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

/// Index of the column named `label` (any case), else the last column.
fn label_column(columns: &[String], line: u64) -> Result<usize> {
    let named: Vec<usize> = (0..columns.len())
        .filter(|&j| columns[j].eq_ignore_ascii_case("label"))
        .collect();
    match named.as_slice() {
        [] => Ok(columns.len() - 1),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse_csv(text, "t") {
            Err(Error::Csv(m)) => m,
            other => panic!("expected a csv error for {text:?}, got {other:?}"),
        }
    }

    /// A text's records as the `csv` crate's reader (as `parse_csv` used it) reads them: each
    /// record's line and fields.
    fn by_csv_crate(text: &str) -> Vec<(u64, Vec<String>)> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        reader
            .into_records()
            .map(|r| {
                let r = r.unwrap();
                let line = r.position().unwrap().line();
                (line, r.iter().map(str::to_string).collect())
            })
            .collect()
    }

    fn by_records(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(text);
        let mut out = Vec::new();
        while let Some(line) = records.next() {
            let fields: Vec<String> = records.fields().map(str::to_string).collect();
            assert_eq!(fields.len(), records.len());
            out.push((line.unwrap(), fields));
        }
        out
    }

    #[test]
    fn records_are_read_as_the_csv_crate_reads_them() {
        let pool = [
            "a", "1", ",", ",", "\"", "\"", "\n", "\r", "\r\n", " ", "\t", "\u{3000}", "é",
            "\u{feff}", "\u{b}", "x y", "#",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        for case in 0..100_000 {
            let len = next(if case % 10 == 0 { 200 } else { 25 });
            let text: String = (0..len).map(|_| pool[next(pool.len())]).collect();
            assert_eq!(by_records(&text), by_csv_crate(&text), "{text:?}");
        }
        // Long fields and many fields (the buffers grow), quoted line breaks (lines counted inside).
        let long = format!(
            "{},\"{}\"\n\n{}\n",
            "x".repeat(300),
            "a\"\"\n".repeat(40),
            "1,".repeat(100)
        );
        assert_eq!(by_records(&long), by_csv_crate(&long));
        assert_eq!(by_records(&long)[1].1.len(), 101);
    }

    #[test]
    fn parses_features_labels_and_names() {
        let ds = parse_csv("a,b,label\n1,2.5,cat\n-3,4e1,dog\n5,.5,cat\n", "pets").unwrap();
        assert_eq!(ds.name, "pets");
        assert_eq!(ds.x.shape(), &[3, 2]);
        assert_eq!(ds.x[[1, 1]], 40.0);
        assert_eq!(ds.x[[2, 1]], 0.5);
        assert_eq!(ds.y, vec![0, 1, 0]);
        assert_eq!(ds.class_names, vec!["cat", "dog"]);
        assert_eq!(ds.feature_names, vec!["a", "b"]);
        assert_eq!(ds.n_classes, 2);
    }

    #[test]
    fn label_column_is_found_by_name_in_any_case_else_last() {
        let ds = parse_csv("LaBeL,f1,f2\nx,1,2\ny,3,4\n", "t").unwrap();
        assert_eq!(ds.feature_names, vec!["f1", "f2"]);
        assert_eq!(ds.x.row(1).to_vec(), vec![3.0, 4.0]);
        assert_eq!(ds.class_names, vec!["x", "y"]);
        let ds = parse_csv("f1,f2,kind\n1,2,b\n3,4,a\n", "t").unwrap();
        assert_eq!(ds.feature_names, vec!["f1", "f2"]);
        assert_eq!(ds.y, vec![1, 0]);
    }

    #[test]
    fn header_names_are_kept_verbatim() {
        let text = "\"<b>size</b>, cm\",\"é & <script>\",label\n1,2,a\n3,4,b\n";
        let ds = parse_csv(text, "t").unwrap();
        assert_eq!(ds.feature_names, vec!["<b>size</b>, cm", "é & <script>"]);
    }

    #[test]
    fn byte_order_mark_and_blank_lines_are_ignored() {
        let ds = parse_csv("\u{feff}f,label\r\n1,a\r\n\r\n   \n2,b\n\n", "t").unwrap();
        assert_eq!(ds.feature_names, vec!["f"]);
        assert_eq!(ds.len(), 2);
    }

    #[test]
    fn empty_file_is_refused() {
        assert!(err("").contains("empty"));
        assert!(err(" \n\n ").contains("empty"));
    }

    #[test]
    fn header_without_rows_is_refused() {
        assert_eq!(err("a,b,label\n"), "the file has a header but no data rows");
    }

    #[test]
    fn ragged_row_names_the_row_and_both_counts() {
        let text = "a,b,c,label\n1,2,3,x\n1,2,3,y\n4,5,6,x\n7,8,y\n";
        assert_eq!(err(text), "row 5 has 3 fields, the header has 4");
        assert_eq!(
            err("a,label\n1,x\n2,y,3\n"),
            "row 3 has 3 fields, the header has 2"
        );
    }

    #[test]
    fn missing_value_names_row_and_column() {
        let text = "sepal,petal_width,label\n1,2,a\n3,,b\n";
        assert_eq!(err(text), "row 3, column \"petal_width\": missing value");
        let text = "sepal,petal_width,label\n1,2,a\n3,4,\n";
        assert_eq!(err(text), "row 3, column \"label\": missing label");
    }

    #[test]
    fn non_number_names_row_column_and_value() {
        let mut text = String::from("sepal,petal_width,label\n");
        for i in 0..5 {
            text.push_str(&format!("{i},1,{}\n", i % 2));
        }
        text.push_str("5,abc,1\n");
        assert_eq!(
            err(&text),
            "row 7, column \"petal_width\": \"abc\" is not a number"
        );
    }

    #[test]
    fn nan_and_infinity_are_refused() {
        for bad in ["NaN", "nan", "inf", "-Infinity"] {
            let m = err(&format!("x,label\n1,a\n{bad},b\n"));
            assert_eq!(
                m,
                format!("row 3, column \"x\": {bad:?} is not a finite number")
            );
        }
        let m = err("x,label\n1,a\n1e39,b\n");
        assert!(
            m.starts_with("row 3, column \"x\": \"1e39\" is too large"),
            "{m}"
        );
    }

    #[test]
    fn a_single_class_is_refused() {
        assert_eq!(
            err("x,label\n1,a\n2,a\n"),
            "column \"label\" has only one class (\"a\"); need at least 2"
        );
    }

    #[test]
    fn fewer_than_two_columns_is_refused() {
        let m = err("label\n1\n2\n");
        assert!(m.contains("row 1 (header) has 1 column"), "{m}");
    }

    #[test]
    fn duplicate_and_empty_header_names_are_refused() {
        let m = err("a,b,a,label\n1,2,3,x\n");
        assert_eq!(
            m,
            "row 1 (header): column name \"a\" is used twice (columns 1 and 3)"
        );
        let m = err("a,,label\n1,2,x\n");
        assert_eq!(m, "row 1 (header), column 2: the column has no name");
        let m = err("Label,b,label\n1,2,3\n");
        assert!(
            m.contains("columns 1 and 3 are both named \"label\""),
            "{m}"
        );
    }

    #[test]
    fn echoed_user_text_is_cut_and_kept_on_one_line() {
        let long = "z".repeat(500);
        let m = err(&format!("x,label\n1,a\n{long},b\n"));
        assert!(m.len() < 120, "{m}");
        assert!(
            m.contains(&format!("\"{}...\"", "z".repeat(ECHO_CHARS))),
            "{m}"
        );
        let m = err("\"multi\nline\",label\n1,a\nq,b\n");
        assert!(!m.contains('\n'), "{m}");
        assert!(m.starts_with("row 4, column \"multi\\nline\""), "{m}");
    }

    #[test]
    fn byte_cap_is_checked_before_parsing() {
        let huge = "1,".repeat(25_000_000);
        let started = std::time::Instant::now();
        let m = err(&huge);
        assert_eq!(m, "the file is 50.0 MB; the limit is 20 MB");
        assert!(
            started.elapsed().as_millis() < 50,
            "the refusal should not parse"
        );
    }

    #[test]
    fn row_cap_is_enforced_at_the_cap() {
        let mut text = String::from("x,label\n");
        for i in 0..MAX_ROWS {
            text.push_str(if i % 2 == 0 { "1,a\n" } else { "2,b\n" });
        }
        assert_eq!(parse_csv(&text, "t").unwrap().len(), MAX_ROWS);
        text.push_str("3,a\n");
        let m = err(&text);
        assert_eq!(
            m,
            format!(
                "row {}: the file has more than {MAX_ROWS} data rows; the limit is {MAX_ROWS}",
                MAX_ROWS + 2
            )
        );
    }

    #[test]
    fn column_cap_is_enforced_at_the_cap() {
        let table = |cols: usize| {
            let header: Vec<String> = (0..cols).map(|j| format!("c{j}")).collect();
            let row0: Vec<String> = (0..cols)
                .map(|j| {
                    if j + 1 == cols {
                        "a".into()
                    } else {
                        "0".into()
                    }
                })
                .collect();
            let row1: Vec<String> = (0..cols)
                .map(|j| {
                    if j + 1 == cols {
                        "b".into()
                    } else {
                        "1".into()
                    }
                })
                .collect();
            format!(
                "{}\n{}\n{}\n",
                header.join(","),
                row0.join(","),
                row1.join(",")
            )
        };
        assert_eq!(
            parse_csv(&table(MAX_COLUMNS), "t").unwrap().dim(),
            MAX_COLUMNS - 1
        );
        let m = err(&table(MAX_COLUMNS + 1));
        assert_eq!(
            m,
            format!(
                "row 1 (header) has {} columns; the limit is {MAX_COLUMNS}",
                MAX_COLUMNS + 1
            )
        );
    }

    #[test]
    fn class_cap_is_enforced_at_the_cap() {
        let table = |classes: usize| {
            let mut t = String::from("x,label\n");
            for c in 0..classes {
                t.push_str(&format!("{c},k{c}\n"));
            }
            t
        };
        assert_eq!(
            parse_csv(&table(MAX_CLASSES), "t").unwrap().n_classes,
            MAX_CLASSES
        );
        let m = err(&table(MAX_CLASSES + 1));
        assert_eq!(
            m,
            format!(
                "row {}, column \"label\": more than {MAX_CLASSES} distinct labels; the limit is {MAX_CLASSES} classes",
                MAX_CLASSES + 2
            )
        );
    }

    #[test]
    fn round_trip_through_text_is_exact() {
        let mut rng = crate::rng::Rng::new(11, crate::rng::Stream::Data);
        let n = 57;
        let x = Array2::from_shape_fn((n, 3), |(i, j)| {
            if j == 2 {
                i as f32
            } else {
                rng.normal() * 1e3_f32.powi(j as i32 - 1)
            }
        });
        let ds = Dataset {
            name: "round".into(),
            x,
            y: (0..n).map(|i| (i * 7) % 3).collect(),
            n_classes: 3,
            class_names: vec![
                "apple, red".into(),
                "banana".into(),
                "cherry \"sweet\"".into(),
            ],
            feature_names: vec!["w,1".into(), "x 2".into(), "ÿ".into()],
            image: None,
            warnings: Vec::new(),
        };
        let text = write_csv(&ds);
        assert_eq!(parse_csv(&text, "round").unwrap(), ds);
    }

    #[test]
    fn file_loader_names_the_dataset_after_the_stem_and_maps_io_errors() {
        let dir = std::env::temp_dir().join(format!("slam_lab_csv_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("my data.csv");
        std::fs::write(&path, "a,label\n1,x\n2,y\n").unwrap();
        let ds = load_csv_file(&path).unwrap();
        assert_eq!(ds.name, "my data");
        assert_eq!(ds.len(), 2);

        let bad = dir.join("latin1.csv");
        std::fs::write(&bad, b"a,label\n1,x\n2,caf\xe9\n").unwrap();
        match load_csv_file(&bad) {
            Err(Error::Csv(m)) => assert!(m.starts_with("row 3: "), "{m}"),
            other => panic!("{other:?}"),
        }

        let missing = dir.join("nope.csv");
        match load_csv_file(&missing) {
            Err(Error::Io { path, .. }) => assert!(path.ends_with("nope.csv")),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_loader_checks_size_before_reading() {
        let dir = std::env::temp_dir().join(format!("slam_lab_csv_big_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.csv");
        let file = std::fs::File::create(&path).unwrap();
        // A sparse 50 MB file: refusing it must not need its content.
        file.set_len(50_000_000).unwrap();
        match load_csv_file(&path) {
            Err(Error::Csv(m)) => assert_eq!(m, "the file is 50.0 MB; the limit is 20 MB"),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
