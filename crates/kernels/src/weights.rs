//! Weighted distillation's importance weights: w(x) = 1 - p_wrong(x), with p_wrong estimated from the
//! validation points nearest to x in the (teacher confidence, student confidence) plane.

/// For each query point, the share of teacher-correct labels among its `k` nearest validation
/// points (squared Euclidean distance; ties by validation index). `scratch` needs |V| entries.
pub fn knn_correct_weights(
    val_points: &[[f32; 2]],
    val_correct: &[bool],
    queries: &[[f32; 2]],
    k: usize,
    scratch: &mut Vec<(f32, usize)>,
    out: &mut [f32],
) {
    let k = k.clamp(1, val_points.len().max(1));
    for (q, o) in queries.iter().zip(out.iter_mut()) {
        crate::beat::tick(val_points.len() * 8);
        scratch.clear();
        scratch.extend(val_points.iter().enumerate().map(|(i, p)| {
            let (dx, dy) = (p[0] - q[0], p[1] - q[1]);
            (dx * dx + dy * dy, i)
        }));
        scratch.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let right = scratch[..k]
            .iter()
            .filter(|&&(_, i)| val_correct[i])
            .count();
        *o = right as f32 / k as f32;
    }
}

/// The neighbour count the weighted-distillation paper uses: ceil(sqrt(|V|) / 2).
pub fn neighbour_count(validation: usize) -> usize {
    ((validation as f64).sqrt() / 2.0).ceil().max(1.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};

    #[test]
    fn matches_brute_force_neighbours() {
        let mut r = Rng::new(6, Stream::Method);
        let v: Vec<[f32; 2]> = (0..60).map(|_| [r.uniform(), r.uniform()]).collect();
        let c: Vec<bool> = (0..60).map(|_| r.below(3) > 0).collect();
        let q: Vec<[f32; 2]> = (0..40).map(|_| [r.uniform(), r.uniform()]).collect();
        let k = neighbour_count(60);
        let mut out = vec![0.0; 40];
        knn_correct_weights(&v, &c, &q, k, &mut Vec::new(), &mut out);
        for (qi, &got) in q.iter().zip(&out) {
            let mut all: Vec<(f32, usize)> = v
                .iter()
                .enumerate()
                .map(|(i, p)| ((p[0] - qi[0]).powi(2) + (p[1] - qi[1]).powi(2), i))
                .collect();
            crate::order::sort_by(&mut all, &|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let want = all[..k].iter().filter(|(_, i)| c[*i]).count() as f32 / k as f32;
            assert_eq!(got, want);
        }
    }

    #[test]
    fn weights_fall_where_the_teacher_is_wrong() {
        // Teacher wrong exactly where its confidence is below 0.5.
        let v: Vec<[f32; 2]> = (0..100).map(|i| [i as f32 / 100.0, 0.5]).collect();
        let c: Vec<bool> = (0..100).map(|i| i >= 50).collect();
        let mut out = vec![0.0; 2];
        knn_correct_weights(
            &v,
            &c,
            &[[0.1, 0.5], [0.9, 0.5]],
            5,
            &mut Vec::new(),
            &mut out,
        );
        assert_eq!(out, vec![0.0, 1.0]);
    }
}
