//! Summaries over seeds: the JSON object of `slam-lab run --json` and the text table.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::Checked;
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

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom: tabulated for 1-30,
/// 40, 60 and 120, interpolated linearly in 1/df between, 1.96 beyond (accurate to 0.002).
pub fn t_quantile_975(df: usize) -> f64 {
    const SMALL: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    const LARGE: [(f64, f64); 5] = [
        (30.0, 2.042),
        (40.0, 2.021),
        (60.0, 2.000),
        (120.0, 1.980),
        (f64::INFINITY, 1.960),
    ];
    if df == 0 {
        return f64::INFINITY;
    }
    if df <= 30 {
        return SMALL[df - 1];
    }
    let x = 1.0 / df as f64;
    for w in LARGE.windows(2) {
        let ((d0, q0), (d1, q1)) = (w[0], w[1]);
        if (df as f64) <= d1 {
            let (x0, x1) = (1.0 / d0, if d1.is_finite() { 1.0 / d1 } else { 0.0 });
            return q1 + (q0 - q1) * (x - x1) / (x0 - x1);
        }
    }
    1.960
}

/// A paired comparison of a method with a baseline over the same seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Paired {
    /// Mean of (method - baseline) over seeds.
    pub mean: f64,
    /// Sample standard deviation of the differences.
    pub std: f64,
    /// Lower end of the 95% t interval of the mean difference.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Seeds where the method is strictly better.
    pub wins: usize,
    /// Seeds where it is strictly worse.
    pub losses: usize,
    /// Seeds with equal accuracy.
    pub ties: usize,
    /// Seeds compared.
    pub n: usize,
}

impl Paired {
    /// `+1.8 [+0.9, +2.7] 15/20` in points (no interval for a single seed).
    pub fn to_text(&self) -> String {
        if self.n < 2 {
            return format!("{} {}/{}", points(self.mean), self.wins, self.n);
        }
        format!(
            "{} [{}, {}] {}/{}",
            points(self.mean),
            points(self.ci_low),
            points(self.ci_high),
            self.wins,
            self.n
        )
    }
}

/// A difference in accuracy as signed points to one decimal: `+1.8`, `-0.3`, and `+0.0` for
/// anything that rounds to zero (never `-0.0`).
pub fn points(diff: f64) -> String {
    let text = format!("{:+.1}", 100.0 * diff);
    if text == "-0.0" {
        "+0.0".into()
    } else {
        text
    }
}

/// What every method is compared with, seed by seed: a method of the run (by default `vanilla`), or
/// the teacher (its accuracy on the same test points).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// A method of the run, by name.
    Method(String),
    /// The teacher.
    Teacher,
}

impl Default for Reference {
    fn default() -> Reference {
        Reference::Method("vanilla".into())
    }
}

impl Reference {
    /// `teacher`, or a method's name.
    pub fn parse(name: &str) -> Reference {
        match name.trim() {
            "teacher" => Reference::Teacher,
            m => Reference::Method(m.to_string()),
        }
    }

    /// Its name in reports.
    pub fn name(&self) -> &str {
        match self {
            Reference::Method(m) => m,
            Reference::Teacher => "teacher",
        }
    }

    /// Refused, naming `--reference`, unless it is the teacher or one of the `methods` that run.
    pub fn check(&self, methods: &[String]) -> crate::Result<()> {
        match self {
            Reference::Method(m) if !methods.contains(m) => Err(crate::Error::config(
                "--reference",
                format!(
                    "`{m}` does not run here: name one of {} or `teacher`",
                    methods.join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Its final test accuracy per seed, when it ran.
    fn per_seed(&self, results: &[SeedResult]) -> Option<Vec<f64>> {
        match self {
            Reference::Teacher => Some(results.iter().map(|r| r.teacher_accuracy as f64).collect()),
            Reference::Method(name) => {
                let mi = results
                    .first()?
                    .methods
                    .iter()
                    .position(|(m, _)| m.name() == name)?;
                Some(final_accuracies(results, mi))
            }
        }
    }
}

/// Method `mi`'s final test accuracy per seed.
fn final_accuracies(results: &[SeedResult], mi: usize) -> Vec<f64> {
    results
        .iter()
        .map(|r| {
            r.methods[mi]
                .1
                .last()
                .expect("at least one epoch")
                .test_accuracy as f64
        })
        .collect()
}

/// Compare `a` with `b` seed by seed (same length, same seed order).
pub fn paired(a: &[f64], b: &[f64]) -> Paired {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let (mean, std) = mean_std(&d);
    let n = d.len();
    let half = if n > 1 {
        t_quantile_975(n - 1) * std / (n as f64).sqrt()
    } else {
        f64::INFINITY
    };
    Paired {
        mean,
        std,
        ci_low: mean - half,
        ci_high: mean + half,
        wins: d.iter().filter(|&&v| v > 0.0).count(),
        losses: d.iter().filter(|&&v| v < 0.0).count(),
        ties: d.iter().filter(|&&v| v == 0.0).count(),
        n,
    }
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
    /// Whether the method takes gradient steps on V's true labels (the others only estimate from V).
    pub trains_on_validation_labels: bool,
    /// Paired difference to `vanilla` over the same seeds (absent when vanilla did not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_vanilla: Option<Paired>,
    /// Paired difference to the run's reference (`reference` in the report; absent for the
    /// reference itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_reference: Option<Paired>,
}

/// Summarise the seeds of one run, each method compared with vanilla and with `reference`.
pub fn summarise(results: &[SeedResult], reference: &Reference) -> Vec<(String, MethodSummary)> {
    let Some(first) = results.first() else {
        return Vec::new();
    };
    let vanilla = Reference::default().per_seed(results);
    let against = reference.per_seed(results);
    first
        .methods
        .iter()
        .enumerate()
        .map(|(mi, (method, history))| {
            let finals: Vec<&crate::run::EpochMetrics> = results
                .iter()
                .map(|r| r.methods[mi].1.last().expect("at least one epoch"))
                .collect();
            let per_seed: Vec<f64> = finals.iter().map(|m| m.test_accuracy as f64).collect();
            let (mean, std) = mean_std(&per_seed);
            let vs_vanilla = vanilla
                .as_ref()
                .filter(|_| method.name() != "vanilla")
                .map(|v| paired(&per_seed, v));
            let vs_reference = against
                .as_ref()
                .filter(|_| method.name() != reference.name())
                .map(|v| paired(&per_seed, v));
            let avg = |f: &dyn Fn(&crate::run::EpochMetrics) -> f32| {
                finals.iter().map(|m| f(m) as f64).sum::<f64>() / finals.len() as f64
            };
            let curve = (0..history.len())
                .map(|e| {
                    results
                        .iter()
                        .map(|r| r.methods[mi].1[e].test_accuracy as f64)
                        .sum::<f64>()
                        / results.len() as f64
                })
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
                    trains_on_validation_labels: method.trains_on_validation_labels(),
                    vs_vanilla,
                    vs_reference,
                },
            )
        })
        .collect()
}

/// Method `mi`'s own numbers (see [`SeedResult::method_stats`]): per key, the mean over seeds and
/// the per-seed values.
pub fn method_stats(results: &[SeedResult], mi: usize) -> Vec<(String, f64, Vec<f64>)> {
    let Some(first) = results.first() else {
        return Vec::new();
    };
    let Some(keys) = first.method_stats.get(mi) else {
        return Vec::new();
    };
    keys.iter()
        .enumerate()
        .map(|(ki, (key, _))| {
            let per_seed: Vec<f64> = results
                .iter()
                .map(|r| {
                    r.method_stats
                        .get(mi)
                        .and_then(|s| s.get(ki))
                        .map_or(0.0, |v| v.1)
                })
                .collect();
            (key.clone(), mean_std(&per_seed).0, per_seed)
        })
        .collect()
}

/// Every method's entry of a report: its summary (paired with vanilla and with `reference`) and
/// its own numbers (`<key>` the mean over seeds, `<key>_per_seed`).
pub fn methods_json(results: &[SeedResult], reference: &Reference) -> Map<String, Value> {
    let mut methods = Map::new();
    for (mi, (name, s)) in summarise(results, reference).into_iter().enumerate() {
        let mut entry = serde_json::to_value(s).expect("plain data serialises");
        if let Value::Object(obj) = &mut entry {
            for (key, mean, per_seed) in method_stats(results, mi) {
                obj.insert(key.to_string(), json!(mean));
                obj.insert(format!("{key}_per_seed"), json!(per_seed));
            }
        }
        methods.insert(name, entry);
    }
    methods
}

/// The JSON report: `teacher_accuracy`, `k`, `methods.<name>.{mean, std, per_seed}` and more, each
/// method paired with vanilla and with `reference`.
pub fn to_json(
    cfg: &Checked,
    dataset: &str,
    scenario: Option<&str>,
    results: &[SeedResult],
    reference: &Reference,
) -> Value {
    let f = |v: f32| v as f64;
    let teacher: Vec<f64> = results.iter().map(|r| f(r.teacher_accuracy)).collect();
    let (t_mean, t_std) = mean_std(&teacher);
    let teacher_u: Vec<f64> = results
        .iter()
        .map(|r| f(r.teacher_unlabeled_accuracy))
        .collect();
    let ks: Vec<f64> = results.iter().map(|r| r.k as f64).collect();
    let alpha_mean: Vec<f64> = results.iter().map(|r| f(r.alpha_stats.0)).collect();
    let oracle: Vec<f64> = results
        .iter()
        .filter_map(|r| r.alpha_oracle_error.map(f))
        .collect();
    let methods = methods_json(results, reference);
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
            "floor_per_seed": results.iter().map(|r| f(r.alpha_floor)).collect::<Vec<_>>(),
        },
        "reference": reference.name(),
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

/// A plain-text table for the terminal, each method paired with `reference`.
pub fn to_table(
    dataset: &str,
    scenario: Option<&str>,
    results: &[SeedResult],
    reference: &Reference,
) -> String {
    use std::fmt::Write;
    let mut out = table_header(dataset, scenario, results);
    let summaries = summarise(results, reference);
    let paired_column = summaries.iter().any(|(_, s)| s.vs_reference.is_some());
    let _ = writeln!(
        out,
        "{:<17}{:>16}  {:<26}{}",
        "method",
        "test acc % (+-sd)",
        "on U: teacher right/wrong",
        if paired_column {
            format!("vs {}: mean [95% CI] wins", reference.name())
        } else {
            String::new()
        }
    );
    let mut notes = Vec::new();
    let mut marked = false;
    for (mi, (name, s)) in summaries.into_iter().enumerate() {
        let label = if s.trains_on_validation_labels {
            marked = true;
            format!("{name} *")
        } else {
            name.clone()
        };
        let vs = s
            .vs_reference
            .as_ref()
            .map(Paired::to_text)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<17}{:>9.1} +- {:<4.1}{:>13.1} / {:<10.1}{}",
            label,
            100.0 * s.mean,
            100.0 * s.std,
            100.0 * s.teacher_right_accuracy,
            100.0 * s.teacher_wrong_accuracy,
            vs
        );
        let stats = method_stats(results, mi);
        if !stats.is_empty() {
            let parts: Vec<String> = stats
                .iter()
                .map(|(k, m, _)| format!("{k} {m:.3}"))
                .collect();
            notes.push(format!("  {name}: {}", parts.join(", ")));
        }
    }
    if marked {
        let _ = writeln!(
            out,
            "* trains on V's true labels (the other methods only estimate from V)"
        );
    }
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    for w in unique_warnings(results) {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// The table's first two lines: the data, the seeds and the split; the teacher, k and alpha.
fn table_header(dataset: &str, scenario: Option<&str>, results: &[SeedResult]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let teacher: Vec<f64> = results.iter().map(|r| r.teacher_accuracy as f64).collect();
    let (tm, ts) = mean_std(&teacher);
    let sizes = results.first().map(|r| r.sizes).unwrap_or_default();
    let k_mean = mean_std(&results.iter().map(|r| r.k as f64).collect::<Vec<_>>()).0;
    let mut ks: Vec<usize> = results.iter().map(|r| r.k).collect();
    ks.sort_unstable();
    ks.dedup();
    // One k, or their mean over seeds (as the JSON's `k`) with the values it took.
    let ks = match ks.as_slice() {
        [k] => k.to_string(),
        _ => {
            let each: Vec<String> = ks.iter().map(|k| k.to_string()).collect();
            format!("{k_mean:.1} on average ({})", each.join("/"))
        }
    };
    let alpha: Vec<f64> = results.iter().map(|r| r.alpha_stats.0 as f64).collect();
    let _ = writeln!(
        out,
        "{}{} | {} seed(s) | L {} V {} U {} T {}",
        dataset,
        scenario
            .map(|s| format!(" (scenario {s})"))
            .unwrap_or_default(),
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
        ks,
        mean_std(&alpha).0
    );
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

    /// P(|T| <= q) for Student's t with `df` degrees of freedom, by brute-force integration of its
    /// density (Simpson's rule on a fine grid).
    fn t_coverage(q: f64, df: f64) -> f64 {
        let lg = |x: f64| libm::lgamma(x);
        let c = (lg((df + 1.0) / 2.0) - lg(df / 2.0)).exp() / (df * std::f64::consts::PI).sqrt();
        let pdf = |t: f64| c * (1.0 + t * t / df).powf(-(df + 1.0) / 2.0);
        let n = 200_000;
        let h = q / n as f64;
        let mut s = pdf(0.0) + pdf(q);
        for i in 1..n {
            s += pdf(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        2.0 * s * h / 3.0
    }

    #[test]
    fn t_quantiles_cover_95_percent() {
        for df in [1usize, 2, 4, 9, 19, 30, 35, 50, 90, 200, 1000] {
            let q = t_quantile_975(df);
            let cover = t_coverage(q, df as f64);
            assert!((cover - 0.95).abs() < 2e-4, "df {df}: q {q} covers {cover}");
        }
    }

    #[test]
    fn paired_counts_and_interval_match_the_definitions() {
        let a = [0.80, 0.82, 0.79, 0.85, 0.81];
        let b = [0.78, 0.82, 0.80, 0.80, 0.77];
        let p = paired(&a, &b);
        let d = [0.02, 0.0, -0.01, 0.05, 0.04];
        let (m, s) = mean_std(&d);
        assert!((p.mean - m).abs() < 1e-12 && (p.std - s).abs() < 1e-12);
        assert_eq!((p.wins, p.losses, p.ties, p.n), (3, 1, 1, 5));
        let half = 2.776 * s / 5f64.sqrt();
        assert!((p.ci_low - (m - half)).abs() < 1e-12 && (p.ci_high - (m + half)).abs() < 1e-12);
    }
}
