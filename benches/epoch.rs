//! Criterion benchmarks: one training epoch per workload and loss (see `slam_lab::bench`), with the
//! plain reference kernels and with the fast ones, plus one engine epoch (training and the per-epoch
//! evaluation) of every core method on the flagship scenario.
//!
//!   cargo bench --features bench --bench epoch               # everything (W3 needs www/data/mnist.bin)
//!   cargo bench --features bench --bench epoch -- W2/slam    # a filter
//!
//! `npm run bench` is the side-by-side comparison with the browser and TensorFlow.js; this is the
//! native view with criterion's statistics.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use slam_lab::bench::{Loss, Trainer, Workload, WORKLOADS};
use slam_lab::experiment::prepare;
use slam_lab::linalg::{best_kernels, set_kernels, Kernels};
use slam_lab::run::StudentRun;
use slam_lab::seed::DataSource;

fn workloads(c: &mut Criterion) {
    let mnist = std::fs::read(
        std::env::var("SLAM_LAB_MNIST").unwrap_or_else(|_| "www/data/mnist.bin".into()),
    )
    .ok();
    for name in WORKLOADS {
        let w = match Workload::new(name, mnist.as_deref()) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("skipping {name}: {e}");
                continue;
            }
        };
        let mut group = c.benchmark_group(format!("epoch/{name}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        group.throughput(Throughput::Elements(w.rows() as u64));
        for loss in Loss::ALL {
            for kernels in [Kernels::Reference, best_kernels()] {
                let mut t = Trainer::new(w.clone(), loss);
                group.bench_function(BenchmarkId::new(loss.name(), kernels.name()), |b| {
                    set_kernels(kernels);
                    b.iter(|| t.epoch())
                });
            }
        }
        group.finish();
    }
    set_kernels(best_kernels());
}

fn engine(c: &mut Criterion) {
    let cfg = slam_lab::scenarios::resolve(Some("flagship"), serde_json::Value::Null)
        .expect("flagship resolves");
    let source = DataSource::Builtin(cfg.dataset.clone());
    let prep = prepare(&cfg, &source, cfg.seed).expect("flagship prepares");
    let init = prep.initial_student(&cfg);
    let mut group = c.benchmark_group("engine-epoch/flagship");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for method in slam_lab::methods::Method::list(&cfg) {
        let mut run = StudentRun::new(&prep, &cfg, method, &init);
        group.bench_function(format!("{method:?}").to_lowercase(), |b| {
            b.iter(|| run.train_epoch(&prep, &cfg))
        });
    }
    group.finish();
}

criterion_group!(benches, workloads, engine);
criterion_main!(benches);
