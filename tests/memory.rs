//! The memory estimate against the bytes a run really holds: a global allocator tallies the live
//! bytes of the current thread and their peak while a session is built and used as the page uses it
//! (every method's epochs, decision maps, a step taken apart, new initial weights), and while a
//! batch run trains. The estimate must be at least the peak, and not far above it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use serde_json::json;
use slam_lab::config::Checked;
use slam_lab::experiment::{needs, run_seed};
use slam_lab::memory::{estimate, BUDGET};
use slam_lab::methods::Method;
use slam_lab::scenarios::resolve;
use slam_lab::seed::DataSource;
use slam_lab::session::Session;

struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn tally(delta: i64) {
    // `try_with`: the thread-locals may already be gone while a thread shuts down.
    let _ = LIVE.try_with(|l| {
        l.set(l.get() + delta);
        let _ = PEAK.try_with(|p| p.set(p.get().max(l.get())));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        tally(layout.size() as i64);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        tally(layout.size() as i64);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        tally(new_size as i64 - layout.size() as i64);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        tally(-(layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The most bytes `f` held at once beyond what was live when it started.
fn peak_of(f: impl FnOnce()) -> u64 {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    f();
    (PEAK.with(Cell::get) - start) as u64
}

/// What the page does with a session: build it, train every method an epoch, draw a map, take a
/// step apart, draw new initial weights, start again.
fn session_peak(cfg: &Checked, src: &DataSource, res: usize) -> u64 {
    peak_of(|| {
        let mut s = Session::new(cfg.clone(), src, &[]).expect("the session builds");
        s.step_epoch();
        for m in 0..s.methods.len() {
            let _ = s.predictions(m);
        }
        let _ = s.grid(s.methods.len() - 1, res);
        let _ = s.overview();
        let _ = s.explain_step(0, res);
        s.new_init();
        s.reset();
    })
}

fn estimated(cfg: &Checked, src: &DataSource) -> u64 {
    let data = src.load(cfg, cfg.seed).unwrap();
    estimate(cfg, &src.shape(&data, 0), &needs(&Method::list(cfg))).bytes
}

/// The estimate bounds the counted peak of a session and of a batch run, within a factor of two.
/// Decision maps at `res` cells a side (the largest, 256, costs a wide network seconds).
fn holds(name: &str, cfg: Checked, src: DataSource, res: usize) {
    let est = estimated(&cfg, &src);
    // The source's table (an upload, the MNIST pool) was allocated before counting began.
    let held = match &src {
        DataSource::Table(d) | DataSource::Pool(d) => (d.x.len() * 4 + d.y.len() * 8) as u64,
        DataSource::Builtin(_) => 0,
    };
    let session = held + session_peak(&cfg, &src, res);
    let batch = held
        + peak_of(|| {
            run_seed(&cfg, &src, cfg.seed).expect("the run trains");
        });
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    println!(
        "{name}: estimate {:.1} MiB, session peak {:.1} MiB, batch peak {:.1} MiB",
        mib(est),
        mib(session),
        mib(batch)
    );
    assert!(
        est >= session,
        "{name}: estimate {est} < session peak {session}"
    );
    assert!(est >= batch, "{name}: estimate {est} < batch peak {batch}");
    assert!(
        est <= 2 * session,
        "{name}: estimate {est} is more than twice the session peak {session}"
    );
    assert!(est <= BUDGET, "{name}: the test configs fit the budget");
}

#[test]
fn per_batch_buffers_dominate() {
    let cfg = resolve(
        Some("flagship"),
        json!({"student": {"hidden": [256, 256], "batch_size": 4096, "epochs": 1}}),
    )
    .unwrap();
    holds("wide batch", cfg, DataSource::Builtin("moons".into()), 128);
}

#[test]
fn weights_dominate() {
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 600, "student": {"hidden": [600, 600, 600], "batch_size": 16, "epochs": 1, "optimizer": "sgd"}}),
    )
    .unwrap();
    holds("wide layers", cfg, DataSource::Builtin("moons".into()), 32);
}

#[test]
fn every_method_with_a_trained_teacher() {
    let cfg = resolve(
        Some("trained-spirals"),
        json!({"samples": 2000, "methods": "all", "teacher": {"hidden": [256, 256], "epochs": 2},
               "student": {"hidden": [256, 128], "batch_size": 300, "epochs": 1}, "lelp_subclasses": 8}),
    )
    .unwrap();
    let src = DataSource::Builtin(cfg.dataset.clone());
    holds("all methods", cfg, src, 256);
}

#[test]
fn every_method_on_images_with_a_synthetic_teacher() {
    let cfg = resolve(
        Some("digits"),
        json!({"methods": "all", "teacher": {"kind": "synthetic"}, "ups": {"ensemble": 20},
               "student": {"hidden": [512], "batch_size": 64, "epochs": 2, "shift": 1}}),
    )
    .unwrap();
    holds("digits", cfg, DataSource::Builtin("digits".into()), 256);
}

#[test]
fn an_uploaded_table() {
    let mut text = String::from("label");
    for j in 0..60 {
        text += &format!(",f{j}");
    }
    text.push('\n');
    for i in 0..1500 {
        text += &format!("k{}", i % 30);
        for j in 0..60 {
            text += &format!(",{}", ((i * 31 + j * 17) % 101) as f32 / 7.0);
        }
        text.push('\n');
    }
    let table = slam_lab::data::csv::parse_csv(&text, "wide").unwrap();
    let cfg = resolve(
        None,
        json!({"labeled": 200, "validation": 200, "teacher": {"hidden": [512], "epochs": 2},
               "student": {"hidden": [96, 96], "batch_size": 1024, "epochs": 1}, "methods": "all"}),
    )
    .unwrap();
    holds("table", cfg, DataSource::Table(table), 256);
}

#[test]
fn a_pool_of_images_drawn_per_seed() {
    let cfg = resolve(
        Some("real-teacher"),
        json!({"samples": 800, "labeled": 50, "validation": 100, "teacher": {"epochs": 1}, "student": {"epochs": 1}}),
    )
    .unwrap();
    holds("mnist pool", cfg, scenario_source("mnist"), 256);
}

/// The data a scenario reads: the built-in by name, or the MNIST pool (the page's file when it was
/// built, else a pool of its shape: the check reads only the shape).
fn scenario_source(dataset: &str) -> DataSource {
    if dataset != "mnist" {
        return DataSource::Builtin(dataset.into());
    }
    match std::fs::read("www/data/mnist.bin") {
        Ok(bytes) => DataSource::Pool(slam_lab::data::mnist::parse(&bytes).unwrap()),
        Err(_) => {
            let mut ds = slam_lab::data::load_builtin(
                "digits",
                &slam_lab::data::GeneratorParams {
                    samples: 10,
                    noise: 0.0,
                    classes: 10,
                },
                &mut slam_lab::rng::Rng::new(0, slam_lab::rng::Stream::Data),
            )
            .unwrap();
            ds.x = ndarray::Array2::from_shape_fn((10_000, 784), |(i, j)| {
                ((i * 7 + j) % 256) as f32 / 255.0
            });
            ds.y = (0..10_000).map(|i| i % 10).collect();
            ds.feature_names = (0..784).map(|j| format!("px{j}")).collect();
            ds.image = Some(slam_lab::data::ImageShape {
                height: 28,
                width: 28,
                max: 1.0,
            });
            ds.name = "mnist".into();
            DataSource::Pool(ds)
        }
    }
}

#[test]
fn every_scenario_fits_with_its_methods_and_with_all() {
    for s in slam_lab::scenarios::all() {
        for methods in [None, Some("all")] {
            let over = methods.map_or(json!({}), |m| json!({ "methods": m }));
            let cfg = resolve(Some(s.name), over).unwrap();
            let src = scenario_source(&cfg.dataset);
            slam_lab::experiment::check_memory(&cfg, &src, &[])
                .unwrap_or_else(|e| panic!("{} ({methods:?}): {e}", s.name));
            let est = estimated(&cfg, &src);
            assert!(
                est < BUDGET / 2,
                "{} ({methods:?}): {est} bytes, close to the budget",
                s.name
            );
        }
    }
}

/// The largest settings the page's classroom tests train (tests/e2e/classroom.test.mjs) still fit.
#[test]
fn the_pages_largest_tested_settings_fit() {
    let wide = vec![1024; 8];
    for over in [
        json!({"student": {"hidden": wide, "epochs": 10000}, "samples": 200000}),
        json!({"teacher": {"kind": "trained", "hidden": wide, "epochs": 10000}, "samples": 200000}),
    ] {
        let cfg = resolve(Some("flagship"), over.clone()).unwrap();
        let src = DataSource::Builtin(cfg.dataset.clone());
        slam_lab::experiment::check_memory(&cfg, &src, &[])
            .unwrap_or_else(|e| panic!("{over}: {e}"));
    }
}

/// The settings that crashed the page's engine (`unreachable`) are refused when the session starts,
/// naming the batch size and the largest one that fits; the suggestion does fit, one more does not.
#[test]
fn the_crashing_settings_are_refused_naming_the_batch_size() {
    let over = json!({"student": {"hidden": [1024, 1024, 1024, 1024], "batch_size": 65536}});
    let cfg = resolve(Some("flagship"), over).unwrap();
    let src = DataSource::Builtin(cfg.dataset.clone());
    let e = Session::new(cfg.clone(), &src, &[])
        .err()
        .expect("refused")
        .to_string();
    let prefix = "config: `student.batch_size` needs too much memory: these settings need about ";
    assert!(e.starts_with(prefix), "{e}");
    assert!(
        e.contains(" GiB, of which the per-batch buffers of 8 networks take ")
            && e.contains(" GiB, and the engine's budget is 1,024 MiB (1 GiB); "),
        "{e}"
    );
    let tail = "; the largest value that fits with the other settings is ";
    let at = e.find(tail).unwrap_or_else(|| panic!("{e}"));
    let v: usize = e[at + tail.len()..]
        .parse()
        .unwrap_or_else(|_| panic!("{e}"));
    let with = |b: usize| {
        let mut c = cfg.clone().into_config();
        c.student.batch_size = b;
        c.check(&slam_lab::methods::catalogue()).unwrap()
    };
    assert!(estimated(&with(v), &src) <= BUDGET);
    assert!(estimated(&with(v + 1), &src) > BUDGET);
    if let Err(e) = slam_lab::experiment::check_memory(&with(v), &src, &[]) {
        panic!("the suggestion is refused: {e}");
    }
    // The CLI says the same on one line, before any training.
    let err = slam_lab::experiment::run_seeds(&cfg, &src, 1, &mut |_, _| {})
        .expect_err("refused")
        .to_string();
    assert_eq!(err, e);
}

/// Brute force over widths, depths and batch sizes: a session starts exactly when the estimate is
/// within the schema's `memory_bytes`, and a refusal names the key of the larger part (buffers:
/// the batch size; weights: the widths) with the largest value that fits, the others unchanged.
#[test]
fn the_check_agrees_with_the_estimate_over_a_grid() {
    let budget = slam_lab::schema::schema().limits.memory_bytes;
    let mut keys = std::collections::BTreeMap::new();
    for width in [16usize, 256, 512, 1024] {
        for layers in [1usize, 4, 8] {
            for batch in [1usize, 256, 4096, 65536] {
                let over = json!({"methods": "all", "teacher": {"kind": "trained"},
                    "student": {"hidden": vec![width; layers], "batch_size": batch}});
                let cfg = resolve(Some("flagship"), over).unwrap();
                let src = DataSource::Builtin(cfg.dataset.clone());
                let est = estimated(&cfg, &src);
                let got = slam_lab::experiment::check_memory(&cfg, &src, &[]);
                let label = format!("[{width}; {layers}] x {batch}");
                let Err(e) = got else {
                    assert!(est <= budget, "{label}: accepted at {est} bytes");
                    continue;
                };
                assert!(est > budget, "{label}: refused at {est} bytes: {e}");
                let slam_lab::Error::Config { field, reason } = &e else {
                    panic!("{label}: {e}")
                };
                *keys.entry(field.clone()).or_insert(0) += 1;
                let set = |v: usize| {
                    let mut c = cfg.clone().into_config();
                    match field.as_str() {
                        "student.batch_size" => c.student.batch_size = v,
                        "student.hidden" => {
                            c.student.hidden.iter_mut().for_each(|h| *h = (*h).min(v))
                        }
                        other => panic!("{label}: names {other}: {e}"),
                    }
                    c.check(&slam_lab::methods::catalogue()).unwrap()
                };
                let v: usize = if field == "student.hidden" {
                    let tail = "layers of at most ";
                    let at = reason.find(tail).unwrap_or_else(|| panic!("{label}: {e}"));
                    let rest = &reason[at + tail.len()..];
                    rest[..rest.find(' ').unwrap()].parse().unwrap()
                } else {
                    reason.rsplit(' ').next().unwrap().parse().unwrap()
                };
                assert!(
                    estimated(&set(v), &src) <= budget,
                    "{label}: {v} does not fit"
                );
                assert!(
                    estimated(&set(v + 1), &src) > budget,
                    "{label}: {} fits too",
                    v + 1
                );
            }
        }
    }
    assert!(
        keys.contains_key("student.batch_size") && keys.contains_key("student.hidden"),
        "the grid reaches both kinds of refusal: {keys:?}"
    );
}

/// Settings where the teacher, UPS's ensemble or the data dominate name those keys.
#[test]
fn the_key_named_is_the_one_that_dominates() {
    let cases = [
        (
            json!({"samples": 200000, "methods": ["vanilla", "lelp"], "teacher": {"kind": "trained", "hidden": [1024, 1024], "epochs": 1}}),
            "teacher.hidden",
        ),
        (
            json!({"dataset": "blobs", "classes": 50, "samples": 200000, "methods": ["ups"], "ups": {"ensemble": 20}}),
            "ups.ensemble",
        ),
    ];
    for (over, key) in cases {
        let cfg = resolve(Some("flagship"), over.clone()).unwrap();
        let src = DataSource::Builtin(cfg.dataset.clone());
        let e = slam_lab::experiment::check_memory(&cfg, &src, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("config: `{key}` needs too much memory")),
            "{over}: {e}"
        );
    }
}
