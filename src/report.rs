//! Summaries over seeds: the JSON object of `slam-lab run --json` and the text table.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::experiment::SeedResult;

/// Mean and sample standard deviation (n - 1; 0 for a single value).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// One method's summary.
#[derive(Clone, Debug, Serialize)]
pub struct MethodSummary {
    /// Mean final test accuracy over seeds.
    pub mean: f64,
    /// Sample standard deviation over seeds.
    pub std: f64,
    /// Final test accuracy per seed.
    pub per_seed: Vec<f64>,
    /// Mean final accuracy on U points the teacher labels correctly.
    pub teacher_right_accuracy: f64,
    /// Mean final accuracy on U points the teacher labels wrongly.
    pub teacher_wrong_accuracy: f64,
    /// Mean test accuracy after each epoch.
    pub curve: Vec<f64>,
}

/// Summarise the seeds of one run.
pub fn summarise(results: &[SeedResult]) -> Vec<(String, MethodSummary)> {
    let Some(first) = results.first() else { return Vec::new() };
    first
        .methods
        .iter()
        .enumerate()
        .map(|(mi, (method, history))| {
            let finals: Vec<&crate::experiment::EpochMetrics> =
                results.iter().map(|r| r.methods[mi].1.last().expect("at least one epoch")).collect();
            let per_seed: Vec<f64> = finals.iter().map(|m| m.test_accuracy as f64).collect();
            let (mean, std) = mean_std(&per_seed);
            let avg = |f: &dyn Fn(&crate::experiment::EpochMetrics) -> f32| {
                finals.iter().map(|m| f(m) as f64).sum::<f64>() / finals.len() as f64
            };
            let curve = (0..history.len())
                .map(|e| results.iter().map(|r| r.methods[mi].1[e].test_accuracy as f64).sum::<f64>() / results.len() as f64)
                .collect();
            (
                method.name().to_string(),
                MethodSummary {
                    mean,
                    std,
                    per_seed,
                    teacher_right_accuracy: avg(&|m| m.teacher_right_accuracy.unwrap_or(f32::NAN)),
                    teacher_wrong_accuracy: avg(&|m| m.teacher_wrong_accuracy.unwrap_or(f32::NAN)),
                    curve,
                },
            )
        })
        .collect()
}

/// Method `mi`'s own numbers (see [`SeedResult::method_stats`]): per key, the mean over seeds and
/// the per-seed values.
pub fn method_stats(results: &[SeedResult], mi: usize) -> Vec<(String, f64, Vec<f64>)> {
    let Some(first) = results.first() else { return Vec::new() };
    let Some(keys) = first.method_stats.get(mi) else { return Vec::new() };
    keys.iter()
        .enumerate()
        .map(|(ki, (key, _))| {
            let per_seed: Vec<f64> =
                results.iter().map(|r| r.method_stats.get(mi).and_then(|s| s.get(ki)).map_or(0.0, |v| v.1)).collect();
            (key.clone(), mean_std(&per_seed).0, per_seed)
        })
        .collect()
}

/// The JSON report: `teacher_accuracy`, `k`, `methods.<name>.{mean, std, per_seed}` and more.
pub fn to_json(cfg: &Config, dataset: &str, scenario: Option<&str>, results: &[SeedResult]) -> Value {
    let f = |v: f32| v as f64;
    let teacher: Vec<f64> = results.iter().map(|r| f(r.teacher_accuracy)).collect();
    let (t_mean, t_std) = mean_std(&teacher);
    let teacher_u: Vec<f64> = results.iter().map(|r| f(r.teacher_unlabeled_accuracy)).collect();
    let ks: Vec<f64> = results.iter().map(|r| r.k as f64).collect();
    let alpha_mean: Vec<f64> = results.iter().map(|r| f(r.alpha_stats.0)).collect();
    let oracle: Vec<f64> = results.iter().filter_map(|r| r.alpha_oracle_error.map(f)).collect();
    let mut methods = Map::new();
    for (mi, (name, s)) in summarise(results).into_iter().enumerate() {
        let mut entry = serde_json::to_value(s).expect("plain data serialises");
        if let Value::Object(obj) = &mut entry {
            for (key, mean, per_seed) in method_stats(results, mi) {
                obj.insert(key.to_string(), json!(mean));
                obj.insert(format!("{key}_per_seed"), json!(per_seed));
            }
        }
        methods.insert(name, entry);
    }
    let sizes = results.first().map(|r| r.sizes).unwrap_or_default();
    json!({
        "dataset": dataset,
        "scenario": scenario,
        "seeds": results.len(),
        "seed_list": results.iter().map(|r| r.seed).collect::<Vec<_>>(),
        "sizes": {"labeled": sizes[0], "validation": sizes[1], "unlabeled": sizes[2], "test": sizes[3]},
        "teacher_accuracy": t_mean,
        "teacher_accuracy_std": t_std,
        "teacher_accuracy_per_seed": teacher,
        "teacher_unlabeled_accuracy": mean_std(&teacher_u).0,
        "k": mean_std(&ks).0,
        "k_per_seed": results.iter().map(|r| r.k).collect::<Vec<_>>(),
        "alpha": {
            "mean": mean_std(&alpha_mean).0,
            "min": results.iter().map(|r| f(r.alpha_stats.1)).fold(f64::MAX, f64::min),
            "max": results.iter().map(|r| f(r.alpha_stats.2)).fold(f64::MIN, f64::max),
            "oracle_mean_abs_error": if oracle.is_empty() { Value::Null } else { json!(mean_std(&oracle).0) },
        },
        "methods": methods,
        "warnings": unique_warnings(results),
        "config": cfg,
    })
}

/// Every distinct warning over the seeds, in first-seen order.
pub fn unique_warnings(results: &[SeedResult]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in results.iter().flat_map(|r| &r.warnings) {
        if !out.contains(w) {
            out.push(w.clone());
        }
    }
    out
}

/// A plain-text table for the terminal.
pub fn to_table(dataset: &str, scenario: Option<&str>, results: &[SeedResult]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let teacher: Vec<f64> = results.iter().map(|r| r.teacher_accuracy as f64).collect();
    let (tm, ts) = mean_std(&teacher);
    let sizes = results.first().map(|r| r.sizes).unwrap_or_default();
    let ks: Vec<String> = {
        let mut v: Vec<usize> = results.iter().map(|r| r.k).collect();
        v.sort_unstable();
        v.dedup();
        v.iter().map(|k| k.to_string()).collect()
    };
    let alpha: Vec<f64> = results.iter().map(|r| r.alpha_stats.0 as f64).collect();
    let _ = writeln!(
        out,
        "{}{} | {} seed(s) | L {} V {} U {} T {}",
        dataset,
        scenario.map(|s| format!(" (scenario {s})")).unwrap_or_default(),
        results.len(),
        sizes[0],
        sizes[1],
        sizes[2],
        sizes[3]
    );
    let _ = writeln!(
        out,
        "teacher test accuracy {:.1}% +- {:.1} | k = {} | mean alpha on U {:.3}",
        100.0 * tm,
        100.0 * ts,
        ks.join("/"),
        mean_std(&alpha).0
    );
    let _ = writeln!(out, "{:<16}{:>16}  {}", "method", "test acc % (+-sd)", "on U: teacher right/wrong");
    let mut notes = Vec::new();
    for (mi, (name, s)) in summarise(results).into_iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<16}{:>9.1} +- {:<4.1}{:>14.1} / {:<5.1}",
            name,
            100.0 * s.mean,
            100.0 * s.std,
            100.0 * s.teacher_right_accuracy,
            100.0 * s.teacher_wrong_accuracy
        );
        let stats = method_stats(results, mi);
        if !stats.is_empty() {
            let parts: Vec<String> = stats.iter().map(|(k, m, _)| format!("{k} {m:.3}")).collect();
            notes.push(format!("  {name}: {}", parts.join(", ")));
        }
    }
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    for w in unique_warnings(results) {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_matches_the_textbook_formula() {
        let (m, s) = mean_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert!((m - 5.0).abs() < 1e-12);
        assert!((s - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(mean_std(&[3.0]), (3.0, 0.0));
    }
}
