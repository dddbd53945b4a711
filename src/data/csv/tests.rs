//! Tests of `csv`.

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
        "a", "1", ",", ",", "\"", "\"", "\n", "\r", "\r\n", " ", "\t", "\u{3000}", "é", "\u{feff}",
        "\u{b}", "x y", "#",
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
        known: None,
        teacher: None,
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
