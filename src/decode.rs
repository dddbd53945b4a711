//! Reading the config, the wasm requests and the per-seed results from JSON values by hand.
//!
//! serde's derived decoders (through `serde_path_to_error`) were a fifth of the `.wasm`'s code; these
//! few functions walk a [`serde_json::Value`] instead and say what went wrong in serde's own words,
//! at the same path (`student.hidden[1]`, `teacher.kind`, an unknown key itself), so a message reads
//! as before. `tests` in `config.rs` hold every decoder against the derived one on the same values.

use serde_json::Value;

/// Where in the value decoding failed (`student.epochs`, `points[0].x`; `.` for the value itself)
/// and serde's message for it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// The key path, as `serde_path_to_error` writes it.
    pub path: String,
    /// serde's message (`invalid type: string "x", expected usize`).
    pub message: String,
}

/// Result of a decoder.
pub type Decoded<T> = std::result::Result<T, DecodeError>;

/// `path.key`, or `key` at the top.
pub fn key_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
pub fn index_path(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A failure at `path`.
pub fn fail<T>(path: &str, message: impl Into<String>) -> Decoded<T> {
    Err(DecodeError {
        path: if path.is_empty() {
            ".".to_string()
        } else {
            path.to_string()
        },
        message: message.into(),
    })
}

/// How serde_json names a value it did not expect (`Unexpected`, as `JsonUnexpected` prints it).
pub fn unexpected(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{}`", number_text(n)),
        Value::Number(n) => format!("integer `{}`", number_text(n)),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_string(),
        Value::Object(_) => "map".to_string(),
    }
}

/// A finite or infinite `f64` as serde_json writes it (its `zmij` formatter): the shortest digits
/// that read back to the same number, in plain notation for decimal exponents -5 to 15 (`0.001`,
/// `12.5`, `3.0`) and else as `1.5e+30`, `1e-7`; written here from the standard library's shortest
/// digits so that the `.wasm` carries one float formatter, not two.
pub fn f64_text(x: f64) -> String {
    if !x.is_finite() {
        return "null".to_string();
    }
    // The shortest digit count, then the closest decimal of that many digits (ties to even, as
    // serde_json's formatter picks; the standard library's shortest form rounds ties up).
    let shortest = format!("{x:e}");
    let n = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    let e = format!("{x:.prec$e}", prec = n.saturating_sub(1));
    let (mantissa, exp) = e.split_once('e').expect("LowerExp writes an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let n = digits.len() as i32;
    let body = if (-5..=15).contains(&exp) {
        if n - 1 <= exp {
            format!("{digits}{}.0", "0".repeat((exp - (n - 1)) as usize))
        } else if exp >= 0 {
            let (a, b) = digits.split_at(exp as usize + 1);
            format!("{a}.{b}")
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let (a, b) = digits.split_at(1);
        let dot = if b.is_empty() {
            String::new()
        } else {
            format!(".{b}")
        };
        format!("{a}{dot}e{}{}", if exp >= 0 { "+" } else { "-" }, exp.abs())
    };
    format!("{sign}{body}")
}

/// A JSON number as serde_json's `Display` writes it.
pub fn number_text(n: &serde_json::Number) -> String {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => u.to_string(),
        (None, Some(i)) => i.to_string(),
        _ => f64_text(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// `s` as a JSON string literal, escaped as serde_json escapes it.
pub fn string_text(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Compact JSON text of `v`, as serde_json's `Display` writes it (`v.to_string()`).
pub fn value_text(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => string_text(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string_text(k, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// serde's `invalid type: ..., expected ...`.
pub fn invalid_type<T>(path: &str, v: &Value, expected: &str) -> Decoded<T> {
    fail(
        path,
        format!("invalid type: {}, expected {expected}", unexpected(v)),
    )
}

/// serde's `invalid value: ..., expected ...`.
pub fn invalid_value<T>(path: &str, v: &Value, expected: &str) -> Decoded<T> {
    fail(
        path,
        format!("invalid value: {}, expected {expected}", unexpected(v)),
    )
}

/// serde's list of names: `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``.
fn one_of(names: &[&str]) -> String {
    match names {
        [a] => format!("`{a}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// A whole number that fits in `usize`.
pub fn usize_(v: &Value, path: &str) -> Decoded<usize> {
    match v {
        Value::Number(n) if !n.is_f64() => match n.as_u64().and_then(|u| usize::try_from(u).ok()) {
            Some(u) => Ok(u),
            None => invalid_value(path, v, "usize"),
        },
        _ => invalid_type(path, v, "usize"),
    }
}

/// A whole number that fits in `u64`.
pub fn u64_(v: &Value, path: &str) -> Decoded<u64> {
    match v {
        Value::Number(n) if !n.is_f64() => match n.as_u64() {
            Some(u) => Ok(u),
            None => invalid_value(path, v, "u64"),
        },
        _ => invalid_type(path, v, "u64"),
    }
}

/// Any number, as serde's `f32` visitor converts it (each kind cast directly).
pub fn f32_(v: &Value, path: &str) -> Decoded<f32> {
    match v {
        Value::Number(n) => Ok(if let Some(u) = n.as_u64() {
            u as f32
        } else if let Some(i) = n.as_i64() {
            i as f32
        } else {
            n.as_f64().unwrap_or(f64::NAN) as f32
        }),
        _ => invalid_type(path, v, "f32"),
    }
}

/// Any number, as serde's `f64` visitor converts it.
pub fn f64_(v: &Value, path: &str) -> Decoded<f64> {
    match v {
        Value::Number(n) => Ok(if let Some(u) = n.as_u64() {
            u as f64
        } else if let Some(i) = n.as_i64() {
            i as f64
        } else {
            n.as_f64().unwrap_or(f64::NAN)
        }),
        _ => invalid_type(path, v, "f64"),
    }
}

/// `true` or `false`.
pub fn bool_(v: &Value, path: &str) -> Decoded<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => invalid_type(path, v, "a boolean"),
    }
}

/// A string.
pub fn string(v: &Value, path: &str) -> Decoded<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        _ => invalid_type(path, v, "a string"),
    }
}

/// `null` is `None`, anything else is decoded by `inner`.
pub fn option<T>(
    v: &Value,
    path: &str,
    inner: impl Fn(&Value, &str) -> Decoded<T>,
) -> Decoded<Option<T>> {
    match v {
        Value::Null => Ok(None),
        _ => inner(v, path).map(Some),
    }
}

/// An array, each element decoded by `inner` at `path[i]`.
pub fn vec<T>(
    v: &Value,
    path: &str,
    inner: impl Fn(&Value, &str) -> Decoded<T>,
) -> Decoded<Vec<T>> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| inner(item, &index_path(path, i)))
            .collect(),
        _ => invalid_type(path, v, "a sequence"),
    }
}

/// An array of exactly `n` elements (a tuple or a fixed-size array): its items.
pub fn tuple<'v>(v: &'v Value, path: &str, n: usize, expected: &str) -> Decoded<&'v [Value]> {
    match v {
        Value::Array(items) if items.len() == n => Ok(items),
        Value::Array(items) if items.len() < n => fail(
            path,
            format!("invalid length {}, expected {expected}", items.len()),
        ),
        Value::Array(items) => fail(
            path,
            format!(
                "invalid length {}, expected fewer elements in array",
                items.len()
            ),
        ),
        _ => invalid_type(path, v, expected),
    }
}

/// A unit variant of an enum, by name: its index in `variants`. Accepts the two forms serde_json
/// reads a unit variant from, `"name"` and `{"name": null}`.
pub fn variant(v: &Value, path: &str, variants: &[&str]) -> Decoded<usize> {
    let (name, value) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(map) if map.len() == 1 => {
            let (k, value) = map.iter().next().expect("one entry");
            (k.as_str(), Some(value))
        }
        Value::Object(_) => return invalid_value(path, v, "map with a single key"),
        _ => return invalid_type(path, v, "string or map"),
    };
    let Some(index) = variants.iter().position(|&n| n == name) else {
        return fail(
            path,
            format!("unknown variant `{name}`, expected {}", one_of(variants)),
        );
    };
    match value {
        None | Some(Value::Null) => Ok(index),
        Some(other) => invalid_type(&key_path(path, name), other, "unit"),
    }
}

/// How a struct is read: its name in messages, its fields, and serde's attributes on it.
pub struct Shape {
    /// The struct's name in messages (`struct Config`).
    pub expected: &'static str,
    /// Every field's name, in declaration order.
    pub names: &'static [&'static str],
    /// Keys outside `names` are refused (`deny_unknown_fields`), else skipped.
    pub deny_unknown: bool,
    /// A missing field keeps its default (`#[serde(default)]`), else it is an error...
    pub defaults: bool,
    /// ...unless it is one of these (an `Option`, `None` when missing).
    pub optional: &'static [usize],
}

/// Reads a struct of `shape` from an object (entries in the object's order) or an array (fields in
/// declaration order), as serde's derived code does: `set(field index, value, its path)` for each
/// field present; errors (an unknown key, a missing field, a value that is neither) as serde's.
pub fn fields(
    v: &Value,
    path: &str,
    shape: &Shape,
    set: &mut dyn FnMut(usize, &Value, &str) -> Decoded<()>,
) -> Decoded<()> {
    let names = shape.names;
    let mut seen = vec![false; names.len()];
    match v {
        Value::Object(map) => {
            for (k, value) in map {
                match names.iter().position(|n| n == k) {
                    Some(i) => {
                        set(i, value, &key_path(path, k))?;
                        seen[i] = true;
                    }
                    None if shape.deny_unknown => {
                        return fail(
                            &key_path(path, k),
                            format!("unknown field `{k}`, expected {}", one_of(names)),
                        )
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate().take(names.len()) {
                set(i, item, &index_path(path, i))?;
            }
            if items.len() < names.len() && !shape.defaults {
                return fail(
                    path,
                    format!(
                        "invalid length {}, expected {} with {} elements",
                        items.len(),
                        shape.expected,
                        names.len()
                    ),
                );
            }
            if items.len() > names.len() {
                return fail(
                    path,
                    format!(
                        "invalid length {}, expected fewer elements in array",
                        items.len()
                    ),
                );
            }
            return Ok(());
        }
        _ => return invalid_type(path, v, shape.expected),
    }
    if !shape.defaults {
        if let Some(i) = (0..names.len()).find(|&i| !seen[i] && !shape.optional.contains(&i)) {
            return fail(path, format!("missing field `{}`", names[i]));
        }
    }
    Ok(())
}

/// Values for the tests that hold these decoders against serde's (`config.rs`, `wasm.rs`).
#[cfg(test)]
pub(crate) mod samples {
    use serde_json::{json, Value};

    /// Values of every JSON kind, the edges of each number type and the enums' names.
    pub(crate) fn odd_values() -> Vec<Value> {
        vec![
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(7),
            json!(-1),
            json!(2.5),
            json!(2.0),
            json!(-0.0),
            json!(1e30),
            json!(-1e30),
            json!(1e-40),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(4_294_967_296u64),
            json!(16_777_217u64),
            json!(""),
            json!("x"),
            json!("auto"),
            json!(" auto "),
            json!("Auto"),
            json!("trained"),
            json!("synthetic"),
            json!("adam"),
            json!("sgd"),
            json!("region"),
            json!("class_pair"),
            json!("isotonic"),
            json!("always"),
            json!("all"),
            json!("vanilla"),
            json!("\"q\"\n\u{e9}"),
            json!([]),
            json!([1]),
            json!([64, 64]),
            json!([1, "a"]),
            json!([-1]),
            json!(["slam", "vanilla"]),
            json!([1.5]),
            json!({}),
            json!({"trained": null}),
            json!({"trained": 5}),
            json!({"sgd": null}),
            json!({"nope": null}),
            json!({"a": 1, "b": 2}),
            json!(["synthetic"]),
            json!(["trained", [8], 5, 0.1, "uniform", 0.3, 0.1, 0]),
            json!(["trained", [8], 5, 0.1, "uniform", 0.3, 0.1, 0, 9]),
            json!([[4], 3]),
            json!({"epochs": 3, "nope": 1}),
            json!({"nope": 1, "epochs": "x"}),
            json!({"epochs": "x", "nope": 1}),
            json!({"kind": "synthetic", "rate": 0.3}),
            json!({"threshold_positive": 0.9, "ensemble": 2}),
        ]
    }

    /// Sets a dotted key in an object, making the objects on the way.
    pub(crate) fn set_dotted(o: &mut Value, key: &str, v: Value) {
        let mut at = o;
        let parts: Vec<&str> = key.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            if !at.get(*p).is_some_and(Value::is_object) {
                at[*p] = json!({});
            }
            at = &mut at[*p];
        }
        at[parts[parts.len() - 1]] = v;
    }

    #[test]
    fn numbers_and_values_are_written_as_serde_json_writes_them() {
        // Every exponent range, both signs, round numbers, and pseudo-random bit patterns.
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            2.5,
            1e15,
            1e16,
            1.5e16,
            123456789.0,
            1e-5,
            1e-6,
        ];
        xs.extend([
            1.25e-6,
            9.99e-6,
            1e21,
            1e22,
            1e-7,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ]);
        xs.extend([
            0.1f32 as f64,
            1.0 / 3.0,
            2f64.powi(53),
            2f64.powi(53) + 2.0,
            1e300,
            -7.5e-300,
        ]);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            for y in [x, x as f32 as f64] {
                if y.is_finite() {
                    xs.push(y);
                }
            }
        }
        for (i, &x) in xs.iter().enumerate() {
            let serde = serde_json::Number::from_f64(x).unwrap().to_string();
            assert_eq!(super::f64_text(x), serde, "{x:e}");
            if i < 30 {
                let v = json!({"a": [x, -3, 7u64, null, true, "q\"\\\n\t\u{1}\u{7f}\u{e9}"], "b\n": {}});
                assert_eq!(super::value_text(&v), v.to_string());
            }
        }
        for v in odd_values() {
            assert_eq!(super::value_text(&v), v.to_string());
        }
    }
}
