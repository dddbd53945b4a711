//! `slam-bench`: the standard workloads (see `slam_lab::bench`) trained natively, one epoch at a time,
//! repetitions interleaved across workloads and losses, medians reported in milliseconds per epoch.
//!
//!   slam-bench [--json] [--reps N] [--sample-ms MS] [--workloads W1,W2,W3] [--mnist PATH] [--rounds-from-stdin]
//!   slam-bench --fingerprints | --peak | --kernels [--json]
//!
//! `npm run bench` runs it beside the browser page and merges the numbers: with `--rounds-from-stdin`
//! it sets up, prints one JSON line, then runs one interleaved round per input line (printing that
//! round's samples as a JSON line) until end of input, and prints the summary, so the browser's and
//! the native rounds can alternate. Each workload also gets a
//! fingerprint of the student's parameters after exactly one epoch from the initial weights, which the
//! browser's wasm build must reproduce bit for bit.
//!
//! `slam-bench --fingerprints` prints W1's and W2's parameter fingerprints and mean losses after one
//! epoch, the reference `tests/web.rs` compares the wasm build with.
//!
//! `slam-bench --kernels [--json]` times the matrix products alone at the workloads' layer shapes, with
//! every kernel set this CPU has (interleaved, medians), in GFLOP/s.

use std::time::Instant;

use serde_json::{json, Map, Value};
use slam_lab::bench::{fingerprint, kernel_shapes, KernelCase, Loss, Trainer, Workload, WORKLOADS};
use slam_lab::linalg::{self, Kernels};

struct Args {
    json: bool,
    reps: usize,
    sample_ms: f64,
    workloads: Vec<String>,
    mnist: String,
    stdin_rounds: bool,
    kernels: bool,
    fingerprints: bool,
    peak: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        json: false,
        reps: 9,
        sample_ms: 40.0,
        workloads: WORKLOADS.iter().map(|s| s.to_string()).collect(),
        mnist: std::env::var("SLAM_LAB_MNIST").unwrap_or_else(|_| "www/data/mnist.bin".into()),
        stdin_rounds: false,
        kernels: false,
        fingerprints: false,
        peak: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => a.json = true,
            "--reps" => {
                a.reps = value("--reps")?
                    .parse()
                    .map_err(|e| format!("--reps: {e}"))?
            }
            "--sample-ms" => {
                a.sample_ms = value("--sample-ms")?
                    .parse()
                    .map_err(|e| format!("--sample-ms: {e}"))?
            }
            "--workloads" => {
                a.workloads = value("--workloads")?
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--mnist" => a.mnist = value("--mnist")?,
            "--rounds-from-stdin" => a.stdin_rounds = true,
            "--kernels" => a.kernels = true,
            "--fingerprints" => a.fingerprints = true,
            "--peak" => a.peak = true,
            "-h" | "--help" => {
                println!("slam-bench [--json] [--reps N] [--sample-ms MS] [--workloads W1,W2,W3] [--mnist PATH] [--rounds-from-stdin]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.reps == 0 {
        return Err("--reps must be at least 1".into());
    }
    Ok(a)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

struct Case {
    workload: String,
    loss: Loss,
    trainer: Trainer,
    epochs_per_sample: usize,
    samples: Vec<f64>,
    flops: f64,
    fingerprint: String,
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("slam-bench: {e}");
        std::process::exit(2);
    });
    if args.kernels {
        kernel_table(args.json);
        return;
    }
    if args.peak {
        println!("{}", peaks());
        return;
    }
    if args.fingerprints {
        println!("{}", fingerprints());
        return;
    }
    let mut cases = build_cases(&args);
    if cases.is_empty() {
        eprintln!("slam-bench: no workload could be built");
        std::process::exit(1);
    }
    // Interleaved repetitions: every case once per round, so drifts in machine load hit them all.
    let round = |cases: &mut Vec<Case>| -> Vec<Value> {
        cases
            .iter_mut()
            .map(|c| {
                let t0 = Instant::now();
                for _ in 0..c.epochs_per_sample {
                    std::hint::black_box(c.trainer.epoch());
                }
                let ms = t0.elapsed().as_secs_f64() * 1e3 / c.epochs_per_sample as f64;
                c.samples.push(ms);
                json!({"workload": c.workload, "loss": c.loss.name(), "ms": ms})
            })
            .collect()
    };
    if args.stdin_rounds {
        use std::io::{BufRead, Write};
        println!(
            "{}",
            json!({"ready": true, "kernels": slam_lab::linalg::kernel_name()})
        );
        std::io::stdout().flush().ok();
        for line in std::io::stdin().lock().lines() {
            if line.map_or(true, |l| l.trim() == "quit") {
                break;
            }
            println!("{}", Value::Array(round(&mut cases)));
            std::io::stdout().flush().ok();
        }
    } else {
        for _ in 0..args.reps {
            round(&mut cases);
        }
    }
    report(&args, &mut cases);
}

/// The reference tests/web.rs checks the wasm build against (scripts/test.sh writes it): W1's and
/// W2's students after one epoch of each loss.
fn fingerprints() -> Value {
    let mut out = Map::new();
    for name in ["W1", "W2"] {
        let w = Workload::new(name, None).expect("W1 and W2 need no files");
        let mut entry = Map::new();
        for loss in Loss::ALL {
            let mut t = Trainer::new(w.clone(), loss);
            let mean_loss = t.epoch();
            entry.insert(loss.name().into(), json!({"fingerprint": format!("{:016x}", fingerprint(&t.parameters())), "loss": mean_loss, "loss_bits": mean_loss.to_bits()}));
        }
        out.insert(name.into(), Value::Object(entry));
    }
    Value::Object(out)
}

/// Every workload and loss asked for, each after its fingerprint epoch and calibrated to samples of
/// about `sample_ms`.
fn build_cases(args: &Args) -> Vec<Case> {
    let mnist = std::fs::read(&args.mnist).ok();
    let mut cases = Vec::new();
    for name in &args.workloads {
        let w = match Workload::new(name, mnist.as_deref()) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("slam-bench: skipping {name}: {e}");
                continue;
            }
        };
        for loss in Loss::ALL {
            // The fingerprint: one epoch from the initial weights.
            let mut first = Trainer::new(w.clone(), loss);
            first.epoch();
            let fp = format!("{:016x}", fingerprint(&first.parameters()));
            // Calibrate: how many epochs make one timed sample of about `sample_ms`.
            let t0 = Instant::now();
            first.epoch();
            let est = t0.elapsed().as_secs_f64() * 1e3;
            let epochs_per_sample =
                ((args.sample_ms / est.max(1e-3)).ceil() as usize).clamp(1, 1000);
            cases.push(Case {
                workload: name.clone(),
                loss,
                flops: w.flops_per_epoch(),
                trainer: first,
                epochs_per_sample,
                samples: Vec::with_capacity(args.reps),
                fingerprint: fp,
            });
        }
    }
    cases
}

/// The medians as JSON (with `--json` or `--stdin-rounds`) or a table.
fn report(args: &Args, cases: &mut [Case]) {
    let mut workloads = Map::new();
    for c in cases.iter_mut() {
        let ms = median(&mut c.samples);
        let entry = workloads
            .entry(c.workload.clone())
            .or_insert_with(|| json!({}));
        let key = c.loss.name();
        entry[key] = json!({
            "ms": ms,
            "gflops": c.flops / (ms * 1e6),
            "epochs_per_sample": c.epochs_per_sample,
            "fingerprint": c.fingerprint,
        });
        entry["flops_per_epoch"] = json!(c.flops);
        entry["rows"] = json!(c.trainer.workload.rows());
        entry["sizes"] = json!(c.trainer.workload.sizes);
    }
    let out = json!({
        "engine": "native",
        "kernels": slam_lab::linalg::kernel_name(),
        "reps": args.reps,
        "workloads": Value::Object(workloads),
    });
    if args.json || args.stdin_rounds {
        println!("{out}");
    } else {
        println!(
            "{:<4} {:>8} {:>10} {:>10} {:>9}",
            "", "loss", "ms/epoch", "GFLOP/s", "rows"
        );
        for c in cases.iter() {
            let w = &out["workloads"][&c.workload][c.loss.name()];
            println!(
                "{:<4} {:>8} {:>10.3} {:>10.2} {:>9}",
                c.workload,
                c.loss.name(),
                w["ms"].as_f64().unwrap_or(f64::NAN),
                w["gflops"].as_f64().unwrap_or(f64::NAN),
                c.trainer.workload.rows()
            );
        }
        println!("kernels: {}", out["kernels"]);
    }
}

/// GFLOP/s of every product shape with every kernel set, interleaved, medians of 9.
fn kernel_table(json_out: bool) {
    let mut kinds = vec![Kernels::Reference, Kernels::Simd128];
    if linalg::best_kernels() == Kernels::Avx {
        kinds.push(Kernels::Avx);
    }
    let mut cases: Vec<(KernelCase, usize, Vec<Vec<f64>>)> = kernel_shapes()
        .into_iter()
        .map(|(op, m, k, n)| {
            let mut c = KernelCase::new(op, m, k, n).expect("known op");
            // About 5 ms of work per sample at 20 GFLOP/s.
            let reps = ((1e8 / c.flops()).ceil() as usize).max(1);
            c.run(reps);
            (c, reps, vec![Vec::new(); kinds.len()])
        })
        .collect();
    for _ in 0..9 {
        for (case, reps, samples) in cases.iter_mut() {
            for (ki, &kind) in kinds.iter().enumerate() {
                linalg::set_kernels(kind);
                let t0 = Instant::now();
                std::hint::black_box(case.run(*reps));
                samples[ki].push(t0.elapsed().as_secs_f64() / *reps as f64);
            }
        }
    }
    linalg::set_kernels(linalg::best_kernels());
    let mut rows = Vec::new();
    for (case, _, samples) in cases.iter_mut() {
        let mut entry = json!({"op": case.op, "m": case.m, "k": case.k, "n": case.n});
        for (ki, kind) in kinds.iter().enumerate() {
            let s = median(&mut samples[ki]);
            entry[kind.name()] = json!(case.flops() / s / 1e9);
        }
        rows.push(entry);
    }
    let peaks = peaks();
    if json_out {
        println!("{}", json!({"products": rows, "peak_gflops": peaks}));
        return;
    }
    let keys: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    print!("{:<7} {:>14}", "op", "m x k x n");
    for k in &keys {
        print!(" {:>10}", k);
    }
    println!("   (GFLOP/s, medians of 9)");
    for r in &rows {
        print!(
            "{:<7} {:>14}",
            r["op"].as_str().unwrap_or(""),
            format!("{}x{}x{}", r["m"], r["k"], r["n"])
        );
        for k in &keys {
            print!(" {:>10.2}", r[*k].as_f64().unwrap_or(f64::NAN));
        }
        println!();
    }
    println!(
        "single-core peak for the kernels' mix (multiply then add, independent chains): {peaks}"
    );
}

/// GFLOP/s of the throughput probe (the practical single-core peak of multiply-then-add) for each
/// kernel set of this CPU: median of 9 runs of about 50 ms.
pub fn peaks() -> Value {
    let mut kinds = vec![Kernels::Simd128];
    if linalg::best_kernels() == Kernels::Avx {
        kinds.push(Kernels::Avx);
    }
    let mut out = Map::new();
    for kind in kinds {
        let iters = 2_000_000;
        let flops = 2.0 * 12.0 * linalg::lanes(kind) as f64 * iters as f64;
        let mut samples: Vec<f64> = (0..9)
            .map(|_| {
                let t0 = Instant::now();
                std::hint::black_box(linalg::throughput_probe(kind, iters));
                flops / t0.elapsed().as_secs_f64() / 1e9
            })
            .collect();
        out.insert(kind.name().into(), json!(median(&mut samples)));
    }
    Value::Object(out)
}
