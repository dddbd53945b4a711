//! Tests of `labels`.

use super::*;

fn read(labels: &[&str]) -> (Vec<String>, Vec<usize>, Vec<String>) {
    let mut l = Labels::new(50);
    let ids: Vec<usize> = labels.iter().map(|t| l.push(t).unwrap()).collect();
    let c = l.finish();
    let classes = ids.iter().map(|&i| c.of_spelling[i]).collect();
    (c.names, classes, c.warnings)
}

#[test]
fn decimals_compare_by_value_exactly() {
    let d = |t: &str| Decimal::parse(t).unwrap_or_else(|| panic!("{t} is a number"));
    for same in [
        &[
            "1", "1.0", "01", "+1", "1e0", "0.1e1", "10e-1", "1.", "1.000",
        ][..],
        &["0", "-0", "0.0", ".0", "0e99", "-0.000"],
        &["-2.5", "-25e-1", "-0002.50"],
    ] {
        for t in same {
            assert_eq!(d(t), d(same[0]), "{t} = {}", same[0]);
        }
    }
    // Ascending, each strictly above the one before; f64 would tie the last two pairs.
    let ascending = [
        "-1e400",
        "-10",
        "-9.5",
        "-1",
        "-0.001",
        "0",
        "1e-400",
        ".5",
        "1",
        "2",
        "10",
        "9007199254740992",
        "9007199254740993",
        "1e400",
        "1.0000000000000000000000001e400",
    ];
    for w in ascending.windows(2) {
        assert_eq!(d(w[0]).cmp(&d(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
    }
    for not in [
        "", "-", "+", ".", "e3", "1e", "1e+", "1.2.3", "inf", "NaN", "1_0", "0x10", "1 2", "--1",
        "1e3.5", "٣",
    ] {
        assert_eq!(Decimal::parse(not), None, "{not:?} is not a number");
    }
}

#[test]
fn numbers_order_by_value_and_equal_values_are_one_class() {
    let (names, y, w) = read(&["1.0", "10.0", "2.0", "1.0"]);
    assert_eq!(names, ["1.0", "2.0", "10.0"]);
    assert_eq!(y, [0, 2, 1, 0]);
    assert!(w.is_empty(), "{w:?}");
    let (names, y, w) = read(&["01", "1", "1.0", "-3", "1", "2e1"]);
    assert_eq!(
        names,
        ["-3", "1", "2e1"],
        "the shortest spelling names a class"
    );
    assert_eq!(y, [1, 1, 1, 0, 1, 2]);
    assert_eq!(
        w,
        [r#"labels that are the same number are read as one class: "1" (from "01", "1", "1.0")"#]
    );
    // Shortest ties go to byte order, so the name does not depend on which row came first.
    assert_eq!(read(&["+1", "01"]).0, ["+1"]);
    assert_eq!(read(&["01", "+1"]).0, ["+1"]);
}

#[test]
fn text_orders_naturally_and_case_blind() {
    let (names, y, _) = read(&["c10", "c2", "c1", "c0", "b", "C3"]);
    assert_eq!(names, ["b", "c0", "c1", "c2", "C3", "c10"]);
    assert_eq!(y, [5, 3, 2, 1, 0, 4]);
    // One label that is not a number makes the whole column text: naturally ordered.
    let (names, _, _) = read(&["10", "9", "x", "1.5", "1.10"]);
    assert_eq!(names, ["1.5", "1.10", "9", "10", "x"]);
    // Equal digit runs with different zeros stay two labels, in a fixed order.
    let (names, _, w) = read(&["c1", "c01", "Zebra", "apple"]);
    assert_eq!(names, ["apple", "c01", "c1", "Zebra"]);
    assert!(w.is_empty());
    assert_eq!(natural_cmp("a2b10", "a2b9"), Ordering::Greater);
    assert_eq!(natural_cmp("x007", "x7"), Ordering::Equal);
    assert_eq!(natural_cmp("7", "x"), Ordering::Less);
}

#[test]
fn whitespace_is_never_part_of_a_label() {
    let (names, y, w) = read(&["cat", " cat", "cat\t", "\u{a0}cat\u{2003}", "dog "]);
    assert_eq!(names, ["cat", "dog"]);
    assert_eq!(y, [0, 0, 0, 0, 1]);
    assert!(w.is_empty(), "trimming is not a merge: {w:?}");
    let mut l = Labels::new(50);
    assert_eq!(l.push(" \t\u{a0}"), Err(Refusal::Missing));
}

#[test]
fn case_variants_are_one_class_named_by_the_most_frequent_spelling() {
    let (names, y, w) = read(&["cat", "Cat ", " CAT", "dog", "Cat", "DOG", "bird"]);
    assert_eq!(names, ["bird", "Cat", "dog"]);
    assert_eq!(y, [1, 1, 1, 2, 1, 2, 0]);
    assert_eq!(
        w,
        [
            r#"labels that differ only in case are read as one class: "Cat" (from "cat", "Cat", "CAT"); "dog" (from "dog", "DOG")"#
        ]
    );
    // A tie goes to the spelling seen first.
    assert_eq!(read(&["DOG", "dog", "x"]).0, ["DOG", "x"]);
    assert_eq!(read(&["dog", "DOG", "x"]).0, ["dog", "x"]);
}

#[test]
fn long_merges_are_summarised_on_one_line() {
    let spellings = ["ab", "aB", "Ab", "AB", "ab"];
    let mut labels: Vec<String> = spellings.iter().map(|s| s.to_string()).collect();
    for c in 0..7 {
        labels.push(format!("k{c}"));
        labels.push(format!("K{c}"));
    }
    labels.push("a".repeat(100));
    labels.push("A".repeat(100));
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let (_, _, w) = read(&refs);
    assert_eq!(w.len(), 1);
    let w = &w[0];
    let long = format!("\"{}...\"", "a".repeat(ECHO_CHARS));
    let upper = format!("\"{}...\"", "A".repeat(ECHO_CHARS));
    assert!(
        w.starts_with(&format!("labels that differ only in case are read as one class: {long} (from {long}, {upper}); \"ab\" (from \"ab\", \"aB\", \"Ab\", \"AB\"); \"k0\"")),
        "{w}"
    );
    // Nine merged classes: five named, "and 4 more".
    assert!(w.ends_with(r#""k2" (from "k2", "K2"); and 4 more"#), "{w}");
    assert!(!w.contains('\n') && w.len() < 400, "{w}");
    let (_, _, w) = read(&["qq", "Qq", "qQ", "QQ", "qq", "QQ", "z"]);
    assert_eq!(
        w,
        [
            r#"labels that differ only in case are read as one class: "qq" (from "qq", "Qq", "qQ", "QQ")"#
        ]
    );
    let mut many = Labels::new(50);
    for t in ["aaa", "aaA", "aAa", "aAA", "Aaa", "AaA", "z"] {
        many.push(t).unwrap();
    }
    assert_eq!(
        many.finish().warnings,
        [
            r#"labels that differ only in case are read as one class: "aaa" (from "aaa", "aaA", "aAa", "aAA", 2 more)"#
        ]
    );
}

#[test]
fn the_class_limit_counts_classes_after_merging() {
    // 60 spellings of 40 numbers: 40 classes, accepted.
    let mut l = Labels::new(50);
    for v in 0..40 {
        l.push(&v.to_string()).unwrap();
    }
    for v in 0..20 {
        l.push(&format!("{v}.0")).unwrap();
    }
    assert_eq!(l.finish().names.len(), 40);
    // The same 60 spellings are 60 classes once a label is not a number: refused at that label.
    let mut l = Labels::new(50);
    for v in 0..40 {
        l.push(&v.to_string()).unwrap();
    }
    for v in 0..20 {
        l.push(&format!("{v}.0")).unwrap();
    }
    assert_eq!(l.push("x"), Err(Refusal::TooMany));
    // Case variants do not count twice.
    let mut l = Labels::new(2);
    for t in ["a", "A", "b", "B", " b "] {
        l.push(t).unwrap();
    }
    assert_eq!(l.push("c"), Err(Refusal::TooMany));
}

#[test]
fn the_csv_parser_reads_labels_by_these_rules() {
    let ds = crate::data::csv::parse_csv("f,label\n1,10\n2,9\n3,-1\n4,9\n", "t").unwrap();
    assert_eq!(ds.class_names, vec!["-1", "9", "10"]);
    assert_eq!(ds.y, vec![2, 1, 0, 1]);
    let ds = crate::data::csv::parse_csv("f,label\n1,10\n2,9\n3,x\n", "t").unwrap();
    assert_eq!(ds.class_names, vec!["9", "10", "x"]);
    assert_eq!(ds.y, vec![1, 0, 2]);
    let ds = crate::data::csv::parse_csv("f,label\n1,1.0\n2,10.0\n3,2.0\n", "t").unwrap();
    assert_eq!(ds.class_names, vec!["1.0", "2.0", "10.0"]);
    assert_eq!(ds.y, vec![0, 2, 1]);
    let ds = crate::data::csv::parse_csv("f,label\n1,c10\n2,c1\n3,c0\n4,c2\n", "t").unwrap();
    assert_eq!(ds.class_names, vec!["c0", "c1", "c2", "c10"]);
    assert_eq!(ds.y, vec![3, 1, 0, 2]);
    assert!(ds.warnings.is_empty());
}

#[test]
fn the_csv_parser_merges_spellings_with_a_warning() {
    let ds = crate::data::csv::parse_csv(
        "f,label\n1,cat\n2,\"Cat \"\n3,\" CAT\"\n4,dog\n5,\u{a0}dog\t\n6,cat\n",
        "t",
    )
    .unwrap();
    assert_eq!(ds.class_names, vec!["cat", "dog"]);
    assert_eq!(ds.y, vec![0, 0, 0, 1, 1, 0]);
    assert_eq!(
        ds.warnings,
        vec![
            r#"labels that differ only in case are read as one class: "cat" (from "cat", "Cat", "CAT")"#
        ]
    );
    let ds = crate::data::csv::parse_csv("f,label\n1,1\n2,01\n3,1.0\n4,2\n", "t").unwrap();
    assert_eq!(ds.class_names, vec!["1", "2"]);
    assert_eq!(ds.y, vec![0, 0, 0, 1]);
    assert_eq!(
        ds.warnings,
        vec![
            r#"labels that are the same number are read as one class: "1" (from "1", "01", "1.0")"#
        ]
    );
    assert_eq!(
        crate::data::csv::parse_csv("x,label\n1,a\n2,A\n", "t")
            .unwrap_err()
            .to_string(),
        r#"csv: column "label" has only one class ("a"); need at least 2 (labels that differ only in case are read as one class: "a" (from "a", "A"))"#
    );
}
