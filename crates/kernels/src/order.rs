//! One stable sort for the whole crate.
//!
//! Every `slice::sort_by(closure)` is a fresh copy of the standard library's sort (about 7 KB of
//! wasm each; a dozen of them were a tenth of the `.wasm`), and even through one `&dyn Fn`
//! comparator each element type (and `sort_unstable`) kept a copy: 27 KB in all. Here one merge sort
//! of `usize` items, compiled once, sorts either the items themselves ([`sort_indices`]) or the
//! positions of a slice's elements, which are then moved into place ([`sort_by`]). A stable sort's
//! result is fixed by its comparator, so every call gives what `sort_by` (and, on integers,
//! `sort_unstable`) gave. None of these sorts is in a training step.

use std::cmp::Ordering;

/// Stable sort of `v` by `cmp` (same result as `v.sort_by(cmp)`).
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    merge_sort(&mut order, &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sort integers in increasing order (same result as `v.sort_unstable()`).
pub fn sort_indices(v: &mut [usize]) {
    merge_sort(v, &|a, b| a.cmp(&b));
}

/// Stable sort of `items` by `cmp`: runs of 8 by insertion, then merged bottom-up.
fn merge_sort(items: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    const RUN: usize = 8;
    let n = items.len();
    for run in items.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && cmp(run[j - 1], run[j]) == Ordering::Greater {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    if n <= RUN {
        return;
    }
    let mut a = items.to_vec();
    let mut b = vec![0; n];
    let mut width = RUN;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let (mid, hi) = ((lo + width).min(n), (lo + 2 * width).min(n));
            let (mut i, mut j) = (lo, mid);
            for slot in &mut b[lo..hi] {
                // The left run's item unless the right one is strictly smaller: stable.
                if j == hi || (i < mid && cmp(a[j], a[i]) != Ordering::Less) {
                    *slot = a[i];
                    i += 1;
                } else {
                    *slot = a[j];
                    j += 1;
                }
            }
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    items.copy_from_slice(&a);
}

/// Rearrange `v` so that its element `k` is the one that was at `order[k]`, by swaps along the
/// permutation's cycles.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..v.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = order[at];
            order[at] = DONE;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A xorshift stream for the test inputs.
    fn stream(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    #[test]
    fn is_the_standard_stable_sort() {
        // Pairs sorted by their first field only: stability shows in the order of equal keys.
        let mut next = stream(12345);
        for len in (0..70).chain([100, 257, 1000, 4097]) {
            for keys in [1, 2, 7, 1000] {
                let v: Vec<(u64, usize)> = (0..len).map(|i| (next() % keys, i)).collect();
                let mut want = v.clone();
                want.sort_by(|a, b| a.0.cmp(&b.0));
                let mut got = v.clone();
                sort_by(&mut got, &|a, b| a.0.cmp(&b.0));
                assert_eq!(got, want, "len {len}, {keys} keys");
                let mut want = v.clone();
                want.sort_by(|a, b| b.0.cmp(&a.0));
                let mut got = v;
                sort_by(&mut got, &|a, b| b.0.cmp(&a.0));
                assert_eq!(got, want, "len {len}, {keys} keys, descending");
            }
        }
    }

    #[test]
    fn floats_by_total_order_as_the_standard_sort() {
        let mut next = stream(99);
        let odd = [
            0.0,
            -0.0,
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1e-45,
        ];
        for len in [0, 1, 2, 9, 33, 500] {
            let v: Vec<f32> = (0..len)
                .map(|_| match next() % 4 {
                    0 => odd[(next() % odd.len() as u64) as usize],
                    1 => (next() % 5) as f32,
                    _ => f32::from_bits(next() as u32),
                })
                .collect();
            let mut want = v.clone();
            want.sort_by(f32::total_cmp);
            let mut got = v;
            sort_by(&mut got, &f32::total_cmp);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want));
        }
    }

    #[test]
    fn elements_that_are_not_copied_move_into_place() {
        let mut next = stream(7);
        let v: Vec<String> = (0..300).map(|_| format!("{}", next() % 50)).collect();
        let mut want = v.clone();
        want.sort();
        let mut got = v;
        sort_by(&mut got, &|a, b| a.cmp(b));
        assert_eq!(got, want);
    }

    #[test]
    fn integers_as_sort_unstable() {
        let mut next = stream(3);
        for len in [0, 1, 5, 8, 9, 64, 1000, 10_007] {
            for range in [3, 1 << 40] {
                let v: Vec<usize> = (0..len).map(|_| (next() % range) as usize).collect();
                let mut want = v.clone();
                want.sort_unstable();
                let mut got = v;
                sort_indices(&mut got);
                assert_eq!(got, want);
            }
        }
    }
}
