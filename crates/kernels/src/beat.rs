//! A sign of life from inside long engine calls. A browser worker busy in one call cannot answer
//! its page's pings, so without this the page could not tell a long call from a dead worker. The
//! engine's long loops (matrix products, reading a CSV or the image set, scaling, projecting) tick
//! with the work they did; every [`EVERY`] operations the hook a front end set is called (the
//! page's worker posts a beat from it, at most every quarter second). Natively no hook is set and a
//! tick costs an add and a compare. Ticks never change a number.

use std::cell::Cell;

/// Operations between calls of the hook: a few milliseconds of work on a slow machine.
pub const EVERY: u64 = 1 << 22;

thread_local! {
    static HOOK: Cell<Option<fn()>> = const { Cell::new(None) };
    static DONE: Cell<u64> = const { Cell::new(0) };
}

/// Sets (or, with None, removes) the function called every [`EVERY`] operations.
pub fn set_hook(hook: Option<fn()>) {
    HOOK.with(|h| h.set(hook));
}

/// Counts `ops` operations of work done; calls the hook when [`EVERY`] have accumulated.
#[inline]
pub fn tick(ops: usize) {
    let due = DONE.with(|d| {
        let n = d.get().saturating_add(ops as u64);
        let due = n >= EVERY;
        d.set(if due { 0 } else { n });
        due
    });
    if due {
        if let Some(hook) = HOOK.with(Cell::get) {
            hook();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        CALLS.fetch_add(1, Ordering::Relaxed);
    }

    #[test]
    fn the_hook_runs_once_per_every_operations() {
        set_hook(Some(count));
        DONE.with(|d| d.set(0));
        let before = CALLS.load(Ordering::Relaxed);
        for _ in 0..10 {
            tick((EVERY / 4) as usize);
        }
        // 10 quarters: due at the 4th and the 8th.
        assert_eq!(CALLS.load(Ordering::Relaxed) - before, 2);
        tick(EVERY as usize * 3);
        assert_eq!(CALLS.load(Ordering::Relaxed) - before, 3);
        set_hook(None);
        tick(EVERY as usize);
        assert_eq!(CALLS.load(Ordering::Relaxed) - before, 3);
    }
}
