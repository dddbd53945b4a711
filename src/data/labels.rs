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

impl Classes {
    /// The class a text names as the label column would read it: case-blind, and by value when
    /// every class is a number (a teacher's column `teacher:1.0` is class `1`).
    pub fn named(&self, text: &str) -> Option<usize> {
        let text = text.trim();
        let numeric = self.names.iter().all(|n| Decimal::parse(n).is_some());
        if numeric {
            let value = Decimal::parse(text)?;
            return self
                .names
                .iter()
                .position(|n| Decimal::parse(n).as_ref() == Some(&value));
        }
        let folded = super::fold::lowercase(text);
        self.names
            .iter()
            .position(|n| super::fold::lowercase(n) == folded)
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
mod tests;
