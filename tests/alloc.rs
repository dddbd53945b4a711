//! A training step allocates nothing once warm: the MLP's buffers, the optimiser state and the kernels'
//! packing scratch are all sized on first use. Counted with a global allocator that tallies the
//! allocations of the current thread only (other tests run on other threads).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn benchmark_training_steps_allocate_nothing() {
    use slam_lab::bench::{Loss, Trainer, Workload, BATCH};
    for name in ["W1", "W2"] {
        let w = Workload::new(name, None).expect("W1 and W2 need no files");
        for loss in Loss::ALL {
            let mut t = Trainer::new(w.clone(), loss);
            t.batch(0, BATCH); // warm: nothing new is sized after this
            let before = allocations();
            for b in 1..20 {
                t.batch(b * BATCH, (b + 1) * BATCH);
            }
            assert_eq!(
                allocations() - before,
                0,
                "{name} {}: a training step allocated",
                loss.name()
            );
        }
    }
}

#[test]
fn engine_steps_within_an_epoch_allocate_nothing() {
    use slam_lab::experiment::prepare;
    use slam_lab::run::StudentRun;
    use slam_lab::seed::DataSource;
    let cfg = slam_lab::scenarios::resolve(
        Some("flagship"),
        serde_json::json!({"student": {"hidden": [32, 32], "batch_size": 64}}),
    )
    .expect("flagship resolves");
    let prep =
        prepare(&cfg, &DataSource::Builtin(cfg.dataset.clone()), 1).expect("flagship prepares");
    let init = prep.initial_student(&cfg);
    for method in [m("vanilla"), m("slam"), m("slam_hard"), m("vanilla_hard")] {
        let mut run = StudentRun::new(&prep, &cfg, method, &init);
        run.train_epoch(&prep, &cfg); // warm, and the epoch's evaluation (which allocates) is behind us
        run.step(&prep, &cfg); // the next epoch's start (shuffle in place)
        let before = allocations();
        for _ in 0..10 {
            assert!(
                !run.step(&prep, &cfg),
                "the flagship epoch has more than 11 batches"
            );
        }
        assert_eq!(
            allocations() - before,
            0,
            "{method:?}: a training step allocated"
        );
    }
}

#[test]
fn shifted_image_steps_and_the_baselines_allocate_nothing() {
    use slam_lab::experiment::prepare;
    use slam_lab::run::StudentRun;
    use slam_lab::seed::DataSource;
    // Digits 8x8 with 1-pixel shifts: every batch is shifted into the network's input buffer.
    let cfg = slam_lab::scenarios::resolve(
        Some("digits"),
        serde_json::json!({"labeled": 40, "teacher": {"epochs": 5}, "student": {"shift": 1, "batch_size": 32}}),
    )
    .expect("digits resolves");
    let prep =
        prepare(&cfg, &DataSource::Builtin(cfg.dataset.clone()), 2).expect("digits prepares");
    let init = prep.initial_student(&cfg);
    for method in [m("vanilla"), m("slam"), m("vanilla_lv"), m("labels_only")] {
        let mut run = StudentRun::new(&prep, &cfg, method, &init);
        run.train_epoch(&prep, &cfg);
        run.step(&prep, &cfg);
        let before = allocations();
        for _ in 0..10 {
            assert!(
                !run.step(&prep, &cfg),
                "an epoch of digits has more than 11 batches"
            );
        }
        assert_eq!(
            allocations() - before,
            0,
            "{method:?}: a shifted training step allocated"
        );
    }
}

/// The built-in method called `name`.
fn m(name: &str) -> slam_lab::methods::Method {
    slam_lab::methods::Method::named(name).unwrap()
}
