//! The crate's modules depend one way, down the pipeline, with no cycle: read from the `crate::`
//! paths of every source file (test modules left out), so `cargo test --test layers` shows it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The pipeline, bottom first: a module may use the modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["error", "rng", "order", "expf", "beat", "decode", "vid"],
    &["linalg", "weights"],
    &["model", "losses"],
    &["config", "step", "lookahead"],
    &["data"],
    &["teacher", "estimators"],
    &["memory"],
    &["seed"],
    &["methods"],
    &["run"],
    &["experiment", "anatomy"],
    &["report", "scenarios", "bench"],
    &["sweep", "session"],
    &["schema", "request"],
    &["wasm"],
];

/// Top-level module of each `crate::x` path in `text` (also `crate::{x, y::z}`), outside test modules.
fn uses(text: &str) -> BTreeSet<String> {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    // `crate::Error` / `crate::Result` are the error module's re-exports.
    if out.remove("Error") | out.remove("Result") {
        out.insert("error".into());
    }
    out
}

/// The engine's modules and those of its kernels crate (crates/kernels, re-exported by the engine
/// under the same names).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for src in [root.join("src"), root.join("crates/kernels/src")] {
        modules_of(&src, &mut g);
    }
    g
}

fn modules_of(src: &Path, g: &mut BTreeMap<String, BTreeSet<String>>) {
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            // A module's `tests.rs` is its `#[cfg(test)] mod tests` in a file of its own: tests may
            // check one layer against another. `cli/` is the command line's own (main.rs's modules),
            // above every layer as main.rs is.
            if path.extension().is_none_or(|e| e != "rs")
                || ["lib", "main", "bin", "cli"].contains(&first.as_str())
                || path.file_name().is_some_and(|f| f == "tests.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let used: Vec<String> = uses(&text).into_iter().filter(|m| *m != first).collect();
            g.entry(first).or_default().extend(used);
        }
    }
}

#[test]
fn every_module_is_in_a_layer() {
    let layered: BTreeSet<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    for module in graph().keys() {
        assert!(
            layered.contains(module.as_str()),
            "src/{module} is in no layer of tests/layers.rs"
        );
    }
}

#[test]
fn modules_only_use_lower_layers() {
    let rank = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let mut wrong = Vec::new();
    for (from, to) in graph() {
        for t in to {
            match (rank(&from), rank(&t)) {
                (Some(a), Some(b)) if b < a => {}
                _ => wrong.push(format!("{from} -> {t}")),
            }
        }
    }
    assert!(wrong.is_empty(), "uses against the pipeline: {wrong:?}");
}

#[test]
fn there_is_no_import_cycle() {
    let g = graph();
    // Depth-first search with colours: reaching a grey module again closes a cycle.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match colour.get(m) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| p == m).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        colour.insert(m.to_string(), 1);
        path.push(m.to_string());
        for next in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, g, colour, path) {
                return Some(c);
            }
        }
        path.pop();
        colour.insert(m.to_string(), 2);
        None
    }
    let mut colour = BTreeMap::new();
    for m in g.keys() {
        if let Some(cycle) = visit(m, &g, &mut colour, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_reader_sees_cycles_when_there_are_some() {
    // The reader itself: a file that names `crate::b` and `crate::{c, d::e}` uses b, c and d.
    let u = uses("use crate::b::X;\nuse crate::{c, d::e};\nfn f() -> crate::Result<()> {}\n#[cfg(test)]\nmod tests { use crate::z; }");
    assert_eq!(u.into_iter().collect::<Vec<_>>(), ["b", "c", "d", "error"]);
}
