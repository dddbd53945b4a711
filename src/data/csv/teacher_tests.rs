//! Tests of a teacher read from CSV columns: random valid files load as written, and each kind of
//! bad teacher column is refused naming its row and column.

use super::*;
use crate::data::given::GivenTeacher;
use proptest::prelude::*;

fn err(text: &str) -> String {
    match parse_csv(text, "t") {
        Err(Error::Csv(m)) => m,
        other => panic!("expected a csv error for {text:?}, got {other:?}"),
    }
}

/// A file of `n` rows over classes a, b, c with the teacher's probabilities.
fn probs_file(rows: &[(&str, [&str; 3])]) -> String {
    let mut t = String::from("x,label,teacher:a,teacher:b,teacher:c\n");
    for (i, (label, p)) in rows.iter().enumerate() {
        t.push_str(&format!("{i},{label},{},{},{}\n", p[0], p[1], p[2]));
    }
    t
}

const GOOD: [&str; 3] = ["0.7", "0.2", "0.1"];

fn base() -> Vec<(&'static str, [&'static str; 3])> {
    vec![
        ("a", GOOD),
        ("b", GOOD),
        ("c", GOOD),
        ("a", GOOD),
        ("?", GOOD),
    ]
}

#[test]
fn probabilities_logits_and_hard_labels_are_read_in_class_order() {
    // Columns in another order than the classes, a class named in another case.
    let text = "f,teacher:B,label,teacher:a\n1,0.25,a,0.75\n2,0.5,b,0.5\n3,1,,0\n";
    let ds = parse_csv(text, "t").unwrap();
    assert_eq!(ds.class_names, ["a", "b"]);
    assert_eq!(ds.feature_names, ["f"]);
    assert_eq!(ds.known, Some(vec![true, true, false]));
    let t = ds.teacher.unwrap();
    assert_eq!(t.form, GivenForm::Probs);
    assert_eq!(t.values.row(0).to_vec(), [0.75, 0.25]);
    assert_eq!(t.values.row(2).to_vec(), [0.0, 1.0]);

    let logits = parse_csv("f,label,logit:0,logit:1\n1,0,2.5,-1\n2,1,0,3\n", "t").unwrap();
    let t = logits.teacher.unwrap();
    assert_eq!(t.form, GivenForm::Logits);
    assert_eq!(t.values.row(0).to_vec(), [2.5, -1.0]);

    let hard = parse_csv(
        "f,label,teacher,teacher_confidence\n1,a,b,0.8\n2,b,B,0.5\n3,c,a,1\n",
        "t",
    )
    .unwrap();
    let t = hard.teacher.unwrap();
    let row: Vec<f32> = t.values.row(0).to_vec();
    assert!(
        row[1] == 0.8 && (row[0] - 0.1).abs() < 1e-6 && row[0] == row[2],
        "{row:?}"
    );
    assert_eq!(t.values.row(2).to_vec(), [1.0, 0.0, 0.0]);
    // Without a teacher nothing changes: the last column is the label, a blank label is refused.
    assert_eq!(parse_csv("f,g\n1,a\n2,b\n", "t").unwrap().teacher, None);
    assert!(err("f,label\n1,a\n2,\n3,b\n").contains("row 3, column \"label\": missing label"));
}

#[test]
fn each_kind_of_bad_teacher_column_is_refused_at_its_row_and_column() {
    let mut rows = base();
    rows[2].1 = ["0.5", "0.2", "0.1"];
    let m = err(&probs_file(&rows));
    assert!(
        m.contains("row 4, column \"teacher:a\" to \"teacher:c\"") && m.contains("sum to 0.8"),
        "{m}"
    );

    let mut rows = base();
    rows[1].1 = ["1.2", "-0.1", "-0.1"];
    let m = err(&probs_file(&rows));
    assert!(
        m.contains("row 3, column \"teacher:a\": 1.2 is not a probability"),
        "{m}"
    );

    let mut rows = base();
    rows[3].1 = ["0.7", "", "0.3"];
    let m = err(&probs_file(&rows));
    assert!(
        m.contains("row 5, column \"teacher:b\": missing value"),
        "{m}"
    );

    let m = err("x,label,teacher:a,teacher:z\n1,a,0.5,0.5\n2,b,0.5,0.5\n");
    assert!(
        m.contains(
            "row 1 (header), column \"teacher:z\": the label column never names the class \"z\""
        ),
        "{m}"
    );
    let m = err("x,label,teacher:a\n1,a,1\n2,b,1\n");
    assert!(m.contains("no column for the class \"b\""), "{m}");
    let m = err("x,label,teacher:a,teacher:A,teacher:b\n1,a,0.5,0,0.5\n2,b,0.5,0,0.5\n");
    assert!(
        m.contains("columns \"teacher:a\" and \"teacher:A\" are the same class"),
        "{m}"
    );

    let m = err("x,label,logit:a,logit:b\n1,a,1,2\n2,b,1e39,0\n");
    assert!(
        m.contains("row 3, column \"logit:a\"") && m.contains("too large"),
        "{m}"
    );
    let m = err("x,label,logit:a,logit:b\n1,a,1,2\n2,b,nan,0\n");
    assert!(
        m.contains("row 3, column \"logit:a\"") && m.contains("not a finite number"),
        "{m}"
    );

    let m = err("x,label,teacher\n1,a,a\n2,b,dog\n");
    assert!(
        m.contains("row 3, column \"teacher\": the label column never names the class \"dog\""),
        "{m}"
    );
    let m = err("x,label,teacher,teacher_confidence\n1,a,a,0.9\n2,b,a,0.2\n");
    assert!(
        m.contains("row 3, column \"teacher_confidence\": 0.2 is not a confidence"),
        "{m}"
    );
    let m = err("x,label,teacher:a,teacher:b,logit:a,logit:b\n1,a,1,0,1,0\n");
    assert!(m.contains("more than one way"), "{m}");
    let m = err("label,teacher:a,teacher:b\na,1,0\nb,0,1\n");
    assert!(m.contains("no feature column"), "{m}");
    let m = err("x,label,teacher:a,teacher:b\n1,?,1,0\n2,,0,1\n");
    assert!(
        m.contains("no row of column \"label\" names a class"),
        "{m}"
    );
}

#[test]
fn a_sum_near_one_is_divided_out_and_an_exact_one_kept() {
    let ds = parse_csv(
        "x,label,teacher:a,teacher:b\n1,a,0.6,0.395\n2,b,0.25,0.75\n",
        "t",
    )
    .unwrap();
    let t = ds.teacher.unwrap();
    let row: Vec<f32> = t.values.row(0).to_vec();
    assert!((row[0] + row[1] - 1.0).abs() < 1e-6 && (row[0] / row[1] - 0.6 / 0.395).abs() < 1e-5);
    assert_eq!(t.values.row(1).to_vec(), [0.25, 0.75]);
}

/// A random dataset with a teacher, as `write_csv` writes it.
fn arb_dataset() -> impl Strategy<Value = Dataset> {
    (
        2usize..5,
        1usize..4,
        4usize..30,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(c, d, n, logits, seed)| {
            let mut rng = crate::rng::Rng::new(seed, crate::rng::Stream::Data);
            let x = Array2::from_shape_fn((n, d), |_| rng.normal() * 10.0);
            // Every class named by a known row; about a fifth of the other rows unknown.
            let y: Vec<usize> = (0..n)
                .map(|i| if i < c { i } else { rng.below(c) })
                .collect();
            let known: Vec<bool> = (0..n).map(|i| i < c || rng.below(5) > 0).collect();
            let values = Array2::from_shape_fn((n, c), |_| rng.range(-4.0, 4.0));
            let values = if logits {
                values
            } else {
                let mut p = values.mapv(libm::expf);
                for mut row in p.rows_mut() {
                    let s: f32 = row.sum();
                    row.mapv_inplace(|v| v / s);
                }
                p
            };
            let form = if logits {
                GivenForm::Logits
            } else {
                GivenForm::Probs
            };
            let any_unknown = known.iter().any(|k| !k);
            Dataset {
                name: "t".into(),
                x,
                y: y.iter()
                    .zip(&known)
                    .map(|(&c, &k)| if k { c } else { 0 })
                    .collect(),
                n_classes: c,
                class_names: (0..c).map(|k| format!("class {k}")).collect(),
                feature_names: (0..d).map(|j| format!("f{j}")).collect(),
                image: None,
                warnings: Vec::new(),
                known: any_unknown.then_some(known),
                teacher: Some(GivenTeacher { form, values }),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_written_file_with_a_teacher_reads_back_as_it_was(ds in arb_dataset()) {
        let back = parse_csv(&write_csv(&ds), "t").unwrap();
        let (a, b) = (ds.teacher.as_ref().unwrap(), back.teacher.as_ref().unwrap());
        prop_assert_eq!(a.form, b.form);
        // Probabilities that sum to 1 within EXACT_SUM come back to the bit; others are normalised.
        for (ra, rb) in a.values.rows().into_iter().zip(b.values.rows()) {
            let s: f32 = ra.sum();
            if a.form == GivenForm::Logits || (s - 1.0).abs() <= crate::data::given::EXACT_SUM {
                prop_assert_eq!(ra.to_vec(), rb.to_vec());
            }
        }
        prop_assert_eq!(&back.x, &ds.x);
        prop_assert_eq!(&back.y, &ds.y);
        prop_assert_eq!(&back.known, &ds.known);
        prop_assert_eq!(&back.class_names, &ds.class_names);
    }

    /// One teacher cell of a valid file replaced by a bad value: refused at that cell's row and column.
    #[test]
    fn a_bad_cell_is_refused_at_its_row_and_column(
        ds in arb_dataset(), pick in any::<u64>(), bad in 0usize..4,
    ) {
        let text = write_csv(&ds);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let n = ds.len();
        let row = (pick as usize) % n;
        let class = (pick as usize / n) % ds.n_classes;
        let column = ds.dim() + 1 + class;
        let mut cells: Vec<String> = lines[row + 1].split(',').map(str::to_string).collect();
        let logits = ds.teacher.as_ref().unwrap().form == GivenForm::Logits;
        let (value, what) = match (bad, logits) {
            (0, _) => ("", "missing value"),
            (1, _) => ("nan", "not a finite number"),
            (2, _) => ("1e39", "too large"),
            (_, false) => ("-0.5", "is not a probability"),
            (_, true) => ("inf", "not a finite number"),
        };
        cells[column] = value.to_string();
        lines[row + 1] = cells.join(",");
        let header: Vec<&str> = lines[0].split(',').collect();
        let m = err(&(lines.join("\n") + "\n"));
        let at = format!("row {}, column {:?}", row + 2, header[column]);
        prop_assert!(m.contains(&at) && m.contains(what), "{} (expected {} ... {})", m, at, what);
    }
}
