//! Experiments: prepare one seed, train every configured method's student from the same initial
//! weights with the same batch order, and collect what the reports need; many seeds natively on every
//! core.

use serde::Serialize;

use crate::config::Checked;
use crate::methods::Method;
use crate::model::Mlp;
use crate::run::{EpochMetrics, StudentRun};
use crate::seed::{BuildStage, DataSource, ExtraPoint, Needs, PreparedSeed, SeedBuilder};
use crate::{Error, Result};

/// The teacher views `methods` read, and what they hold (for the memory estimate).
pub fn needs(methods: &[Method]) -> Needs {
    let mut n = Needs {
        embedding: methods.iter().any(|m| m.needs_teacher_embedding()),
        ensemble: methods.iter().any(|m| m.needs_ensemble()),
        ..Needs::default()
    };
    for m in methods {
        n.add(&m.facts().memory);
    }
    n
}

/// Refuse, before anything large is built, settings whose run (or session) would not fit the memory
/// budget: what every run's start checks, for a front end to check a list of settings up front.
pub fn check_memory(cfg: &Checked, source: &DataSource, extra: &[ExtraPoint]) -> Result<()> {
    source.check_memory(cfg, cfg.seed, extra, &needs(&Method::list(cfg)))
}

/// Prepare `seed` with the teacher views the configured methods need.
pub fn prepare(cfg: &Checked, source: &DataSource, seed: u64) -> Result<PreparedSeed> {
    prepare_with(cfg, source, seed, &[], &Method::list(cfg))
}

/// As [`prepare`], with hand-added labeled points joining L, for `methods`.
pub fn prepare_with(
    cfg: &Checked,
    source: &DataSource,
    seed: u64,
    extra: &[ExtraPoint],
    methods: &[Method],
) -> Result<PreparedSeed> {
    PreparedSeed::with_extra(cfg, source, seed, extra, needs(methods))
}

/// One seed's results: the teacher and every method's history.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// Teacher accuracy on T.
    pub teacher_accuracy: f32,
    /// Teacher accuracy on U.
    pub teacher_unlabeled_accuracy: f32,
    /// k chosen on V.
    pub k: usize,
    /// Mean, min and max of the clamped alpha over U.
    pub alpha_stats: (f32, f32, f32),
    /// The lower clamp on alpha used (`alpha_min`, or its `auto` value for this seed's k).
    pub alpha_floor: f32,
    /// Mean |estimated - true| alpha on U (synthetic teachers).
    pub alpha_oracle_error: Option<f32>,
    /// Split sizes (L, V, U, T).
    pub sizes: [usize; 4],
    /// Per method, the metrics after every epoch.
    pub methods: Vec<(Method, Vec<EpochMetrics>)>,
    /// Per method (same order), its own numbers after training, e.g. RAD's
    /// `queried_teacher_accuracy` or ALM's mean learned weights; empty for the core six.
    pub method_stats: Vec<Vec<(String, f64)>>,
    /// Per method (same order), the dataset rows the teacher was queried on (RAD and its baselines).
    pub queried: Vec<Vec<usize>>,
    /// Problems worth telling the user (e.g. a method whose training diverged).
    pub warnings: Vec<String>,
}

/// An `f32` in its shortest form (`null` when not finite), as [`SeedResult::to_json`] spells them.
fn f(out: &mut String, x: f32) {
    use std::fmt::Write;
    if x.is_finite() {
        let _ = write!(out, "{x}");
    } else {
        out.push_str("null");
    }
}

fn opt(out: &mut String, x: Option<f32>) {
    match x {
        Some(x) => f(out, x),
        None => out.push_str("null"),
    }
}

fn list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

/// One epoch's metrics as JSON.
fn epoch_json(o: &mut String, e: &crate::run::EpochMetrics) {
    use std::fmt::Write;
    let _ = write!(o, "{{\"epoch\":{},\"test_accuracy\":", e.epoch);
    f(o, e.test_accuracy);
    o.push_str(",\"teacher_right_accuracy\":");
    opt(o, e.teacher_right_accuracy);
    o.push_str(",\"teacher_wrong_accuracy\":");
    opt(o, e.teacher_wrong_accuracy);
    o.push_str(",\"train_loss\":");
    f(o, e.train_loss);
    o.push('}');
}

/// A seed's `methods`: `[[name, [epoch metrics]]]`, each name one of the engine's methods.
fn decode_methods(
    v: &serde_json::Value,
    p: &str,
) -> crate::decode::Decoded<Vec<(Method, Vec<crate::run::EpochMetrics>)>> {
    use crate::decode as d;
    d::vec(v, p, |v, p| {
        let t = d::tuple(v, p, 2, "a tuple of size 2")?;
        let name = d::string(&t[0], &d::index_path(p, 0))?;
        let method = Method::named(&name).map_err(|e| d::DecodeError {
            path: d::index_path(p, 0),
            message: e.to_string(),
        })?;
        let p1 = d::index_path(p, 1);
        Ok((
            method,
            d::vec(&t[1], &p1, crate::run::EpochMetrics::decode)?,
        ))
    })
}

impl SeedResult {
    /// JSON text of the result, as `serde_json::to_string` writes it but for the numbers' spelling
    /// (each `f32` in its shortest form, which reads back to the same `f32`), for a pool worker to
    /// hand back; [`SeedResult::from_json`] reads it.
    pub fn to_json(&self) -> String {
        use crate::decode::string_text;
        use std::fmt::Write;
        let mut o = String::new();
        let _ = write!(o, "{{\"seed\":{},\"teacher_accuracy\":", self.seed);
        f(&mut o, self.teacher_accuracy);
        o.push_str(",\"teacher_unlabeled_accuracy\":");
        f(&mut o, self.teacher_unlabeled_accuracy);
        let _ = write!(o, ",\"k\":{},\"alpha_stats\":[", self.k);
        f(&mut o, self.alpha_stats.0);
        o.push(',');
        f(&mut o, self.alpha_stats.1);
        o.push(',');
        f(&mut o, self.alpha_stats.2);
        o.push_str("],\"alpha_floor\":");
        f(&mut o, self.alpha_floor);
        o.push_str(",\"alpha_oracle_error\":");
        opt(&mut o, self.alpha_oracle_error);
        o.push_str(",\"sizes\":");
        list(&mut o, &self.sizes, |o, s| {
            let _ = write!(o, "{s}");
        });
        o.push_str(",\"methods\":");
        list(&mut o, &self.methods, |o, (m, curve)| {
            o.push('[');
            string_text(m.name(), o);
            o.push(',');
            list(o, curve, epoch_json);
            o.push(']');
        });
        o.push_str(",\"method_stats\":");
        list(&mut o, &self.method_stats, |o, stats| {
            list(o, stats, |o, (k, v)| {
                o.push('[');
                string_text(k, o);
                o.push(',');
                o.push_str(&crate::decode::f64_text(*v));
                o.push(']');
            })
        });
        o.push_str(",\"queried\":");
        list(&mut o, &self.queried, |o, rows| {
            list(o, rows, |o, r| {
                let _ = write!(o, "{r}");
            })
        });
        o.push_str(",\"warnings\":");
        list(&mut o, &self.warnings, |o, w| string_text(w, o));
        o.push('}');
        o
    }

    /// Read back from JSON text as [`SeedResult::to_json`] (or `serde_json::to_string`) wrote it (a pool worker's result).
    pub fn from_json(text: &str) -> std::result::Result<SeedResult, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        SeedResult::decode(&v, "").map_err(|e| format!("{}: {}", e.path, e.message))
    }

    /// Read from a JSON value (see [`crate::decode`]).
    pub fn decode(v: &serde_json::Value, path: &str) -> crate::decode::Decoded<SeedResult> {
        use crate::decode::{self as d, Shape};
        const SHAPE: Shape = Shape {
            expected: "struct SeedResult",
            names: &[
                "seed",
                "teacher_accuracy",
                "teacher_unlabeled_accuracy",
                "k",
                "alpha_stats",
                "alpha_floor",
                "alpha_oracle_error",
                "sizes",
                "methods",
                "method_stats",
                "queried",
                "warnings",
            ],
            deny_unknown: false,
            defaults: false,
            optional: &[6],
        };
        let mut r = SeedResult {
            seed: 0,
            teacher_accuracy: 0.0,
            teacher_unlabeled_accuracy: 0.0,
            k: 0,
            alpha_stats: (0.0, 0.0, 0.0),
            alpha_floor: 0.0,
            alpha_oracle_error: None,
            sizes: [0; 4],
            methods: Vec::new(),
            method_stats: Vec::new(),
            queried: Vec::new(),
            warnings: Vec::new(),
        };
        d::fields(v, path, &SHAPE, &mut |i, v, p| {
            match i {
                0 => r.seed = d::u64_(v, p)?,
                1 => r.teacher_accuracy = d::f32_(v, p)?,
                2 => r.teacher_unlabeled_accuracy = d::f32_(v, p)?,
                3 => r.k = d::usize_(v, p)?,
                4 => {
                    let t = d::tuple(v, p, 3, "a tuple of size 3")?;
                    r.alpha_stats = (
                        d::f32_(&t[0], &d::index_path(p, 0))?,
                        d::f32_(&t[1], &d::index_path(p, 1))?,
                        d::f32_(&t[2], &d::index_path(p, 2))?,
                    );
                }
                5 => r.alpha_floor = d::f32_(v, p)?,
                6 => r.alpha_oracle_error = d::option(v, p, d::f32_)?,
                7 => {
                    let t = d::tuple(v, p, 4, "an array of length 4")?;
                    for (j, x) in t.iter().enumerate() {
                        r.sizes[j] = d::usize_(x, &d::index_path(p, j))?;
                    }
                }
                8 => r.methods = decode_methods(v, p)?,
                9 => {
                    r.method_stats = d::vec(v, p, |v, p| {
                        d::vec(v, p, |v, p| {
                            let t = d::tuple(v, p, 2, "a tuple of size 2")?;
                            Ok((
                                d::string(&t[0], &d::index_path(p, 0))?,
                                d::f64_(&t[1], &d::index_path(p, 1))?,
                            ))
                        })
                    })?
                }
                10 => r.queried = d::vec(v, p, |v, p| d::vec(v, p, d::usize_))?,
                _ => r.warnings = d::vec(v, p, d::string)?,
            }
            Ok(())
        })?;
        Ok(r)
    }
}

/// Prepare and train every configured method for one seed.
pub fn run_seed(cfg: &Checked, source: &DataSource, seed: u64) -> Result<SeedResult> {
    run_methods(cfg, source, seed, &[], &Method::list(cfg))
}

/// As [`run_seed`], with hand-added labeled points joining L.
pub fn run_seed_with(
    cfg: &Checked,
    source: &DataSource,
    seed: u64,
    extra: &[ExtraPoint],
) -> Result<SeedResult> {
    run_methods(cfg, source, seed, extra, &Method::list(cfg))
}

/// Prepare `seed` and train each of `methods` (built-in or not) from the same initial weights.
pub fn run_methods(
    cfg: &Checked,
    source: &DataSource,
    seed: u64,
    extra: &[ExtraPoint],
    list: &[Method],
) -> Result<SeedResult> {
    SeedRun::start(cfg, source, seed, extra, list)?.finish()
}

/// One seed's run, a little at a time so that a front end can answer in between: the teacher's
/// work, then each method's student a unit of work at a time, one method after the other. The result is the
/// same as in one go.
#[derive(Debug)]
pub struct SeedRun {
    cfg: Checked,
    list: Vec<Method>,
    seed: u64,
    building: Option<SeedBuilder>,
    prep: Option<PreparedSeed>,
    init: Option<Mlp>,
    current: Option<StudentRun>,
    next: usize,
    teacher_epochs: usize,
    methods: Vec<(Method, Vec<EpochMetrics>)>,
    method_stats: Vec<Vec<(String, f64)>>,
    queried: Vec<Vec<usize>>,
    warnings: Vec<String>,
}

impl SeedRun {
    /// Load, split and scale `seed`'s data and set up its teacher and `list`'s students-to-be.
    pub fn start(
        cfg: &Checked,
        source: &DataSource,
        seed: u64,
        extra: &[ExtraPoint],
        list: &[Method],
    ) -> Result<SeedRun> {
        let building = SeedBuilder::start(cfg, source, seed, extra, needs(list))?;
        let teacher_epochs = match building.progress() {
            p if p.stage == BuildStage::TeacherEpochs => p.total,
            _ => 0,
        };
        Ok(SeedRun {
            cfg: cfg.clone(),
            list: list.to_vec(),
            seed,
            building: Some(building),
            prep: None,
            init: None,
            current: None,
            next: 0,
            teacher_epochs,
            methods: Vec::with_capacity(list.len()),
            method_stats: Vec::with_capacity(list.len()),
            queried: Vec::with_capacity(list.len()),
            warnings: Vec::new(),
        })
    }

    /// Work done and to do, in epochs: the teacher's (plus one for reading it), then every student's.
    pub fn progress(&self) -> (usize, usize) {
        let teacher = self.building.as_ref().map_or(self.teacher_epochs + 1, |b| {
            let p = b.progress();
            if p.stage == BuildStage::TeacherEpochs {
                p.done
            } else {
                self.teacher_epochs
            }
        });
        let students = self.methods.len() * self.cfg.student.epochs
            + self.current.as_ref().map_or(0, StudentRun::epoch);
        (
            teacher + students,
            self.teacher_epochs + 1 + self.list.len() * self.cfg.student.epochs,
        )
    }

    /// Do up to `units` units of work (the teacher's minibatches and blocks of rows to label, then
    /// each student's minibatches and evaluation blocks); true once all is done.
    pub fn advance(&mut self, units: usize) -> Result<bool> {
        let mut left = units.max(1);
        if let Some(b) = self.building.as_mut() {
            if !b.advance(left) {
                return Ok(false);
            }
            let prep = self.building.take().expect("still building").finish()?;
            self.init = Some(prep.initial_student(&self.cfg));
            self.prep = Some(prep);
            return Ok(false);
        }
        let (prep, init) = (
            self.prep.as_ref().expect("prepared"),
            self.init.as_ref().expect("prepared"),
        );
        while left > 0 {
            if self.current.is_none() {
                let Some(&m) = self.list.get(self.next) else {
                    break;
                };
                self.next += 1;
                let mut run = StudentRun::new(prep, &self.cfg, m, init);
                // The report shows U's accuracies after the last epoch only (its curves are test accuracy).
                run.unlabeled_every_epoch = false;
                self.current = Some(run);
            }
            let run = self.current.as_mut().expect("just set");
            if run.epoch() < self.cfg.student.epochs {
                run.work(prep, &self.cfg);
                left -= 1;
            }
            if run.epoch() >= self.cfg.student.epochs {
                let mut run = self.current.take().expect("just trained");
                self.warnings
                    .extend(run.warning().or_else(|| run.collapse_warning()));
                self.method_stats.push(
                    run.stats(prep)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                );
                self.queried.push(run.queried().to_vec());
                self.methods.push((run.method, run.history));
            }
        }
        Ok(self.current.is_none() && self.next >= self.list.len())
    }

    /// The seed's result (finishing whatever is left first).
    pub fn finish(mut self) -> Result<SeedResult> {
        while !self.advance(usize::MAX)? {}
        let prep = self.prep.expect("prepared");
        let u = &prep.split.unlabeled;
        let (mut lo, mut hi, mut sum) = (f32::MAX, f32::MIN, 0.0f64);
        for &i in u {
            lo = lo.min(prep.alpha[i]);
            hi = hi.max(prep.alpha[i]);
            sum += prep.alpha[i] as f64;
        }
        Ok(SeedResult {
            seed: self.seed,
            teacher_accuracy: prep.teacher_test_accuracy,
            teacher_unlabeled_accuracy: prep.teacher_unlabeled_accuracy,
            k: prep.k,
            alpha_stats: ((sum / u.len().max(1) as f64) as f32, lo, hi),
            alpha_floor: prep.alpha_floor,
            alpha_oracle_error: prep.alpha_oracle_error(),
            sizes: [
                prep.split.labeled.len(),
                prep.split.validation.len(),
                u.len(),
                prep.split.test.len(),
            ],
            methods: self.methods,
            method_stats: self.method_stats,
            queried: self.queried,
            // What the data itself rules out comes first: it explains the methods' numbers.
            warnings: prep
                .data_warnings()
                .into_iter()
                .chain(self.warnings)
                .collect(),
        })
    }
}

/// Run `seeds` seeds (config.seed, config.seed + 1, ...). Natively the seeds run on all cores; the
/// results do not depend on how many. `progress(done, total)` is called after each seed.
pub fn run_seeds(
    cfg: &Checked,
    source: &DataSource,
    seeds: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<SeedResult>> {
    if seeds == 0 || seeds > crate::config::caps::SEEDS {
        return Err(Error::config(
            "seeds",
            format!(
                "must be between 1 and {}, got {seeds}",
                crate::config::caps::SEEDS
            ),
        ));
    }
    let list: Vec<u64> = (0..seeds as u64)
        .map(|i| cfg.seed.wrapping_add(i))
        .collect();
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(seeds);
        if threads > 1 {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let results: Vec<std::sync::Mutex<Option<Result<SeedResult>>>> =
                list.iter().map(|_| std::sync::Mutex::new(None)).collect();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    let tx = tx.clone();
                    let (next, results, list) = (&next, &results, &list);
                    s.spawn(move || loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if i >= list.len() {
                            break;
                        }
                        let r = run_seed(cfg, source, list[i]);
                        *results[i].lock().expect("no panics while holding the lock") = Some(r);
                        let _ = tx.send(());
                    });
                }
                drop(tx);
                for done in 1..=list.len() {
                    if rx.recv().is_err() {
                        break;
                    }
                    progress(done, list.len());
                }
            });
            return results
                .into_iter()
                .map(|m| m.into_inner().expect("lock").expect("every seed ran"))
                .collect();
        }
    }
    let mut out = Vec::with_capacity(list.len());
    for (done, &seed) in list.iter().enumerate() {
        out.push(run_seed(cfg, source, seed)?);
        progress(done + 1, list.len());
    }
    Ok(out)
}
