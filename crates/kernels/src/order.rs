//! One stable sort for the whole crate.
//!
//! Every `slice::sort_by(closure)` is a fresh copy of the standard library's sort (about 7 KB of
//! wasm each; a dozen of them were a tenth of the `.wasm`). Sorting through a `&dyn Fn` comparator
//! compiles it once per element type instead. The sort is the standard stable one, so results are
//! exactly what each call site's `sort_by` gave. None of these sorts is in a training step.

use std::cmp::Ordering;

/// Stable sort of `v` by `cmp` (same result as `v.sort_by(cmp)`).
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    v.sort_by(|a, b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_the_standard_stable_sort() {
        // Pairs sorted by their first field only: stability shows in the order of equal keys.
        let mut state = 12345u32;
        let mut v: Vec<(u8, u32)> = (0..500)
            .map(|i| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                ((state >> 24) as u8 % 7, i)
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_by_key(|a| a.0);
        sort_by(&mut v, &|a, b| a.0.cmp(&b.0));
        assert_eq!(v, expected);
        assert!(v
            .windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)));
    }
}
