//! k: how many of the teacher's top classes must be kept so that the true label is among them.

use ndarray::ArrayView2;

/// Rank of `label` in `p` (0 = top), with ties broken towards the lower index as `top_k_mask` does.
pub fn rank_of(p: &[f32], label: usize) -> usize {
    p.iter()
        .enumerate()
        .filter(|&(i, &v)| v > p[label] || (v == p[label] && i < label))
        .count()
}

/// Smallest `k >= 2` whose top-k accuracy of the teacher on V is at least `coverage`
/// (the number of classes if none reaches it; 2 for binary problems).
pub fn estimate_k(teacher_probs: ArrayView2<f32>, labels: &[usize], coverage: f32) -> usize {
    let classes = teacher_probs.ncols();
    if classes <= 2 || labels.is_empty() {
        return 2;
    }
    let mut counts = vec![0usize; classes];
    for (row, &y) in teacher_probs.rows().into_iter().zip(labels) {
        counts[rank_of(row.as_slice().expect("contiguous"), y)] += 1;
    }
    let mut covered = counts[0];
    for (k, &c) in counts.iter().enumerate().skip(1) {
        covered += c;
        if covered as f32 >= coverage * labels.len() as f32 {
            return k + 1;
        }
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn k_is_the_smallest_covering_size() {
        // Four validation points over 4 classes; true label ranks 0, 1, 1, 2.
        let p = Array2::from_shape_vec(
            (4, 4),
            vec![
                0.7, 0.1, 0.1, 0.1, // label 0, rank 0
                0.2, 0.6, 0.15, 0.05, // label 0, rank 1
                0.1, 0.5, 0.3, 0.1, // label 2, rank 1
                0.1, 0.5, 0.3, 0.1, // label 0, rank 2
            ],
        )
        .unwrap();
        let y = [0, 0, 2, 0];
        assert_eq!(estimate_k(p.view(), &y, 0.5), 2); // top-2 covers 3/4
        assert_eq!(estimate_k(p.view(), &y, 0.75), 2);
        assert_eq!(estimate_k(p.view(), &y, 0.9), 3); // needs all four
        assert_eq!(estimate_k(p.view(), &y, 1.0), 3);
    }

    #[test]
    fn binary_is_always_two() {
        let p = Array2::from_shape_vec((2, 2), vec![0.9, 0.1, 0.2, 0.8]).unwrap();
        assert_eq!(estimate_k(p.view(), &[1, 1], 1.0), 2);
    }

    #[test]
    fn k_matches_a_brute_force_count() {
        use crate::rng::{Rng, Stream};
        let mut r = Rng::new(4, Stream::Method);
        for _ in 0..50 {
            let (n, c) = (1 + r.below(30), 3 + r.below(6));
            let p = Array2::from_shape_fn((n, c), |_| r.uniform());
            let y: Vec<usize> = (0..n).map(|_| r.below(c)).collect();
            let q = r.uniform().max(0.01);
            // Brute force: try k = 2.. and count by sorting each row.
            let want = (2..=c)
                .find(|&k| {
                    let hits = (0..n)
                        .filter(|&i| {
                            let mut idx: Vec<usize> = (0..c).collect();
                            crate::order::sort_by(&mut idx, &|&a, &b| {
                                p[[i, b]].total_cmp(&p[[i, a]]).then(a.cmp(&b))
                            });
                            idx[..k].contains(&y[i])
                        })
                        .count();
                    hits as f32 >= q * n as f32
                })
                .unwrap_or(c);
            assert_eq!(estimate_k(p.view(), &y, q), want);
        }
    }
}
