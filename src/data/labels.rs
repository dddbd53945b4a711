//! How the text of a CSV label column becomes classes, read as people mean them.
//!
//! - Surrounding whitespace (any Unicode white space) is never part of a label.
//! - When every label is a decimal number (`7`, `-2`, `1.0`, `.5`, `1e3`; not `inf` or `nan`), classes
//!   are ordered by value, and texts of the same value (`1`, `1.0`, `01`, `1e0`) are one class, named
//!   by its shortest spelling (ties: the first in byte order). Values are compared exactly, as
//!   decimals, so integers beyond 2^53 stay apart.
//! - Otherwise labels that differ only in case (compared lower-cased) are one class, named by its
//!   most frequent spelling (ties: the first seen), and classes are ordered naturally: case-blind,
//!   digit runs compared as numbers (`c2` < `c10`), ties broken by the lower-cased text.
//!
//! Class order never depends on the order of the rows. Merged spellings are said in one warning per
//! kind of merge, which reaches the page (`Overview.data_warnings`) and the CLI (stderr).

use indexmap::IndexMap;
use std::cmp::Ordering;

/// Spellings named in a warning, per class, before "and N more".
const WARN_SPELLINGS: usize = 4;
/// Merged classes named in a warning before "and N more".
const WARN_CLASSES: usize = 5;
/// Echoes of label text in warnings are cut to this many characters.
const ECHO_CHARS: usize = 40;

/// Why a label was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing but white space.
    Missing,
    /// With this label the column holds more than the allowed number of classes.
    TooMany,
}

/// The classes of a label column.
#[derive(Debug, PartialEq)]
pub struct Classes {
    /// Display name of each class, in class order.
    pub names: Vec<String>,
    /// Class of each distinct spelling, by the id [`Labels::push`] returned.
    pub of_spelling: Vec<usize>,
    /// One sentence per kind of merge (case, same number) naming the spellings read as one class.
    pub warnings: Vec<String>,
}

/// The labels of a column, read row by row.
#[derive(Debug)]
pub struct Labels {
    max_classes: usize,
    /// Trimmed text -> spelling id (first-seen order). serde_json's maps are indexmap's too, so
    /// their hashing code is in the `.wasm` already.
    ids: IndexMap<String, usize>,
    texts: Vec<String>,
    counts: Vec<usize>,
    /// Distinct lower-cased texts: the classes when the column is not all numbers (at most
    /// `max_classes`, so a list).
    folded: Vec<String>,
    /// Distinct values while every label so far is a number; None once one is not (never more than
    /// the distinct lower-cased texts).
    values: Option<Vec<Decimal>>,
}

impl Labels {
    /// An empty column that refuses more than `max_classes` classes.
    pub fn new(max_classes: usize) -> Labels {
        Labels {
            max_classes,
            ids: IndexMap::new(),
            texts: Vec::new(),
            counts: Vec::new(),
            folded: Vec::new(),
            values: Some(Vec::new()),
        }
    }

    /// Read one row's label; returns its spelling id. Refused when it is blank, or when the column
    /// would hold more classes than allowed whatever the labels still to come (the count of numeric
    /// values never exceeds the count of case-blind texts, so the check is exact at every row).
    pub fn push(&mut self, field: &str) -> Result<usize, Refusal> {
        let text = field.trim();
        if text.is_empty() {
            return Err(Refusal::Missing);
        }
        if let Some(&id) = self.ids.get(text) {
            self.counts[id] += 1;
            return Ok(id);
        }
        let key = super::fold::lowercase(text);
        let new_key = !self.folded.contains(&key);
        let value = self.values.as_ref().and_then(|_| Decimal::parse(text));
        let classes = match (&self.values, &value) {
            (Some(values), Some(v)) => values.len() + !values.contains(v) as usize,
            _ => self.folded.len() + new_key as usize,
        };
        if classes > self.max_classes {
            return Err(Refusal::TooMany);
        }
        match value {
            Some(v) => {
                if let Some(values) = self.values.as_mut() {
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
            }
            None => self.values = None,
        }
        if new_key {
            self.folded.push(key);
        }
        let id = self.texts.len();
        self.ids.insert(text.to_string(), id);
        self.texts.push(text.to_string());
        self.counts.push(1);
        Ok(id)
    }

    /// Number of distinct spellings read.
    pub fn spellings(&self) -> usize {
        self.texts.len()
    }

    /// The classes, their order and names, and what was merged.
    pub fn finish(self) -> Classes {
        if self.values.is_some() {
            self.numeric()
        } else {
            self.textual()
        }
    }

    /// Every label a number: one class per value, ordered by value.
    fn numeric(self) -> Classes {
        let values: Vec<Decimal> = self
            .texts
            .iter()
            .map(|t| Decimal::parse(t).expect("every label parsed as a number"))
            .collect();
        let mut order: Vec<usize> = (0..self.texts.len()).collect();
        crate::order::sort_by(&mut order, &|&a, &b| values[a].cmp(&values[b]));
        let groups = group_sorted(&order, |a, b| values[a] == values[b]);
        let names = groups
            .iter()
            .map(|g| {
                let mut best = g[0];
                for &s in &g[1..] {
                    let (t, b) = (&self.texts[s], &self.texts[best]);
                    if (t.chars().count(), t.as_str()) < (b.chars().count(), b.as_str()) {
                        best = s;
                    }
                }
                self.texts[best].clone()
            })
            .collect();
        self.classes(
            groups,
            names,
            "labels that are the same number are read as one class",
        )
    }

    /// Not every label a number: one class per case-blind text, in natural order.
    fn textual(self) -> Classes {
        let folded: Vec<String> = self
            .texts
            .iter()
            .map(|t| super::fold::lowercase(t))
            .collect();
        let mut order: Vec<usize> = (0..self.texts.len()).collect();
        crate::order::sort_by(&mut order, &|&a, &b| {
            natural_cmp(&folded[a], &folded[b]).then_with(|| folded[a].cmp(&folded[b]))
        });
        let groups = group_sorted(&order, |a, b| folded[a] == folded[b]);
        let names = groups
            .iter()
            .map(|g| {
                // Most rows; on a tie the first seen (ids are in first-seen order).
                let best = g
                    .iter()
                    .copied()
                    .max_by(|&a, &b| self.counts[a].cmp(&self.counts[b]).then(b.cmp(&a)))
                    .expect("a group has a spelling");
                self.texts[best].clone()
            })
            .collect();
        self.classes(
            groups,
            names,
            "labels that differ only in case are read as one class",
        )
    }

    /// Classes from spelling groups in class order; the warning lists the groups of several spellings.
    fn classes(&self, groups: Vec<Vec<usize>>, names: Vec<String>, what: &str) -> Classes {
        let mut of_spelling = vec![0; self.texts.len()];
        let mut merged = Vec::new();
        for (class, g) in groups.iter().enumerate() {
            for &s in g {
                of_spelling[s] = class;
            }
            if g.len() > 1 {
                // Spellings in first-seen order, so the sentence reads like the file.
                let mut seen = g.clone();
                crate::order::sort_indices(&mut seen);
                let mut list: Vec<String> = seen
                    .iter()
                    .take(WARN_SPELLINGS)
                    .map(|&s| echo(&self.texts[s]))
                    .collect();
                if seen.len() > WARN_SPELLINGS {
                    list.push(format!("{} more", seen.len() - WARN_SPELLINGS));
                }
                merged.push(format!(
                    "{} (from {})",
                    echo(&names[class]),
                    list.join(", ")
                ));
            }
        }
        let mut warnings = Vec::new();
        if !merged.is_empty() {
            let more = merged.len().saturating_sub(WARN_CLASSES);
            merged.truncate(WARN_CLASSES);
            let tail = if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            };
            warnings.push(format!("{what}: {}{tail}", merged.join("; ")));
        }
        Classes {
            names,
            of_spelling,
            warnings,
        }
    }
}

/// Runs of equal neighbours in `order`.
fn group_sorted(order: &[usize], same: impl Fn(usize, usize) -> bool) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &s in order {
        match groups.last_mut() {
            Some(g) if same(g[0], s) => g.push(s),
            _ => groups.push(vec![s]),
        }
    }
    groups
}

/// Natural order: runs of ASCII digits compare by their value (`2` < `10`, `02` = `2`), everything
/// else character by character.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        let (p, q) = match (x.chars().next(), y.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => (p, q),
        };
        if p.is_ascii_digit() && q.is_ascii_digit() {
            let (da, ra) = digit_run(x);
            let (db, rb) = digit_run(y);
            let (va, vb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
            let o = va.len().cmp(&vb.len()).then_with(|| va.cmp(vb));
            if o != Ordering::Equal {
                return o;
            }
            (x, y) = (ra, rb);
        } else {
            if p != q {
                return p.cmp(&q);
            }
            (x, y) = (&x[p.len_utf8()..], &y[q.len_utf8()..]);
        }
    }
}

fn digit_run(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// A decimal number, exactly: `sign * 0.d1 d2 d3 ... * 10^exponent` with no leading or trailing
/// zero digit (zero: no digits, sign 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    sign: i8,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// `[+-]digits[.digits][(e|E)[+-]digits]` (at least one digit before the exponent); None otherwise.
    pub fn parse(text: &str) -> Option<Decimal> {
        let b = text.as_bytes();
        let mut i = 0;
        let negative = match b.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int = &b[int_start..i];
        let mut frac: &[u8] = &[];
        if i < b.len() && b[i] == b'.' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac = &b[start..i];
        }
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut exp: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            exp = std::str::from_utf8(&b[i + 1..]).ok()?.parse::<i64>().ok()?;
            // `parse` accepts a leading `+`, and nothing after the digits.
            i = b.len();
        }
        if i != b.len() {
            return None;
        }
        // 0.(int frac) * 10^(len(int) + exp), then leading and trailing zeros dropped.
        let all: Vec<u8> = int.iter().chain(frac).map(|d| d - b'0').collect();
        let lead = all.iter().take_while(|&&d| d == 0).count();
        let trail = all.iter().rev().take_while(|&&d| d == 0).count();
        if lead == all.len() {
            return Some(Decimal {
                sign: 0,
                digits: Vec::new(),
                exponent: 0,
            });
        }
        let exponent = exp
            .checked_add(i64::try_from(int.len()).ok()?)?
            .checked_sub(i64::try_from(lead).ok()?)?;
        Some(Decimal {
            sign: if negative { -1 } else { 1 },
            digits: all[lead..all.len() - trail].to_vec(),
            exponent,
        })
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let magnitude = || {
            self.exponent
                .cmp(&other.exponent)
                .then_with(|| self.digits.cmp(&other.digits))
        };
        self.sign.cmp(&other.sign).then_with(|| match self.sign {
            0 => Ordering::Equal,
            1 => magnitude(),
            _ => magnitude().reverse(),
        })
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Label text for a message: quoted, cut to [`ECHO_CHARS`] characters, control characters escaped.
fn echo(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        Some((end, _)) => format!("{:?}", format!("{}...", &text[..end])),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
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
            "", "-", "+", ".", "e3", "1e", "1e+", "1.2.3", "inf", "NaN", "1_0", "0x10", "1 2",
            "--1", "1e3.5", "٣",
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
            [
                r#"labels that are the same number are read as one class: "1" (from "01", "1", "1.0")"#
            ]
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
}
