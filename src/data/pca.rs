//! Two-component PCA for drawing high-dimensional data on the page.
//!
//! Power iteration with deflation in f64, from a fixed start vector: no randomness, so a dataset
//! always gets the same picture. With few columns (at most [`GRAM_MAX_DIM`]) the d x d matrix X^T X
//! is formed once, in one pass over the data, and each step multiplies by it: O(d^2) a step, so data
//! whose top eigenvalues are close (uniform noise: the iteration cap is reached) costs no more than
//! one pass. With more columns it is never formed; each step multiplies by the centred data twice,
//! O(n d) a step.

use ndarray::{Array2, ArrayView2};

/// Iteration cap per component; convergence usually takes far fewer steps.
const MAX_ITERATIONS: usize = 1_000;
/// Stop when the unit direction moves less than this between steps.
const TOLERANCE: f64 = 1e-12;
/// Up to this many columns the steps multiply by X^T X, formed once (n d^2 / 2 products, about what
/// d / 4 steps on the data cost), instead of by the data twice.
pub const GRAM_MAX_DIM: usize = 64;

/// A fitted 2-D projection: `transform` maps rows onto the top two principal axes.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca2d {
    /// Column means of the fitted data.
    pub mean: Vec<f64>,
    /// The two unit principal axes (zero vectors when the data has fewer directions of variance);
    /// each with its largest-magnitude entry positive.
    pub components: [Vec<f64>; 2],
    /// Variance of the fitted data along each axis (population, divided by n).
    pub variances: [f64; 2],
}

impl Pca2d {
    /// Fit on the rows of `x`. For `d <= 2` the axes are the coordinate axes (the data is only centred).
    pub fn fit(x: ArrayView2<f32>) -> Self {
        let (n, d) = x.dim();
        let mut mean = vec![0.0f64; d];
        for row in x.rows() {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        for m in &mut mean {
            *m /= n.max(1) as f64;
        }
        let centred = Array2::from_shape_fn((n, d), |(i, j)| f64::from(x[[i, j]]) - mean[j]);
        let variance_along = |v: &[f64]| -> f64 {
            if n == 0 {
                return 0.0;
            }
            let mut s = 0.0;
            crate::beat::tick(n * d * 2);
            for row in centred.rows() {
                let p: f64 = row.iter().zip(v).map(|(a, b)| a * b).sum();
                s += p * p;
            }
            s / n as f64
        };

        if d <= 2 {
            let axis =
                |k: usize| -> Vec<f64> { (0..d).map(|j| if j == k { 1.0 } else { 0.0 }).collect() };
            let components = [axis(0), axis(1)];
            let variances = [
                variance_along(&components[0]),
                variance_along(&components[1]),
            ];
            return Pca2d {
                mean,
                components,
                variances,
            };
        }

        let step = Step::new(&centred);
        let first = top_direction(&centred, &step, &[]);
        let second = top_direction(&centred, &step, std::slice::from_ref(&first));
        let variances = [variance_along(&first), variance_along(&second)];
        Pca2d {
            mean,
            components: [first, second],
            variances,
        }
    }

    /// Project the rows of `x` (same columns as the fit) to n x 2.
    pub fn transform(&self, x: ArrayView2<f32>) -> Array2<f32> {
        assert_eq!(
            x.ncols(),
            self.mean.len(),
            "PCA fitted on a different number of columns"
        );
        let mut out = Array2::zeros((x.nrows(), 2));
        for (i, row) in x.rows().into_iter().enumerate() {
            crate::beat::tick(x.ncols() * 4);
            for (k, component) in self.components.iter().enumerate() {
                let p: f64 = row
                    .iter()
                    .zip(&self.mean)
                    .zip(component)
                    .map(|((&v, &m), &c)| (f64::from(v) - m) * c)
                    .sum();
                out[[i, k]] = p as f32;
            }
        }
        out
    }
}

/// Rows of `x` projected onto its top two principal components (n x 2).
///
/// For `d <= 2` this is the centred data (a single column is padded with a zero column).
pub fn pca_2d(x: ArrayView2<f32>) -> Array2<f32> {
    Pca2d::fit(x).transform(x)
}

/// How a power-iteration step multiplies by X^T X: through the centred data, or by the matrix itself.
enum Step<'a> {
    /// Twice through the n x d data: X^T (X v).
    Data(&'a Array2<f64>),
    /// By X^T X, d x d.
    Gram(Array2<f64>),
}

impl<'a> Step<'a> {
    /// The Gram matrix when `centred` has few columns, else the data.
    fn new(centred: &'a Array2<f64>) -> Step<'a> {
        let (n, d) = centred.dim();
        if d > GRAM_MAX_DIM {
            return Step::Data(centred);
        }
        crate::beat::tick(n * d * d / 2);
        let mut g = Array2::<f64>::zeros((d, d));
        for row in centred.rows() {
            for j in 0..d {
                let a = row[j];
                for k in j..d {
                    g[[j, k]] += a * row[k];
                }
            }
        }
        for j in 0..d {
            for k in 0..j {
                g[[j, k]] = g[[k, j]];
            }
        }
        Step::Gram(g)
    }

    /// `next = X^T X v`, using `scores` (n long) as scratch.
    fn apply(&self, v: &[f64], next: &mut [f64], scores: &mut [f64]) {
        match self {
            Step::Data(centred) => {
                crate::beat::tick(centred.len() * 4);
                for (s, row) in scores.iter_mut().zip(centred.rows()) {
                    *s = row.iter().zip(v).map(|(a, b)| a * b).sum();
                }
                next.fill(0.0);
                for (&s, row) in scores.iter().zip(centred.rows()) {
                    for (t, &a) in next.iter_mut().zip(row) {
                        *t += s * a;
                    }
                }
            }
            Step::Gram(g) => {
                for (t, row) in next.iter_mut().zip(g.rows()) {
                    *t = row.iter().zip(v).map(|(a, b)| a * b).sum();
                }
            }
        }
    }
}

/// Unit top eigenvector of the covariance of `centred` restricted to the complement of `found`
/// (deflation), with its largest-magnitude entry positive; zero if no variance is left there.
fn top_direction(centred: &Array2<f64>, step: &Step, found: &[Vec<f64>]) -> Vec<f64> {
    let (n, d) = centred.dim();
    // |X^T X v| is at most the total sum of squares; far below it, what is left is rounding noise.
    let floor = 1e-12 * centred.iter().map(|a| a * a).sum::<f64>();
    // A fixed irregular start (golden-ratio steps) is unlikely to be orthogonal to any eigenvector.
    let mut v: Vec<f64> = (0..d)
        .map(|j| 0.5 + ((j as f64 + 1.0) * 0.618_033_988_749_895).fract())
        .collect();
    project_out(&mut v, found);
    if normalise(&mut v) == 0.0 {
        return vec![0.0; d];
    }
    let mut scores = vec![0.0f64; if matches!(step, Step::Data(_)) { n } else { 0 }];
    let mut next = vec![0.0f64; d];
    for _ in 0..MAX_ITERATIONS {
        // next = X^T (X v): the covariance times v, up to the factor 1/n.
        step.apply(&v, &mut next, &mut scores);
        // Deflation: with v kept orthogonal to the found axes, removing their span from C v is the
        // same as iterating on C minus its found eigenpairs; it also stops rounding from drifting back.
        project_out(&mut next, found);
        if normalise(&mut next) <= floor {
            return vec![0.0; d];
        }
        let change: f64 = next.iter().zip(&v).map(|(a, b)| (a - b) * (a - b)).sum();
        std::mem::swap(&mut v, &mut next);
        if change.sqrt() < TOLERANCE {
            break;
        }
    }
    fix_sign(&mut v);
    v
}

fn project_out(v: &mut [f64], axes: &[Vec<f64>]) {
    for axis in axes {
        let dot: f64 = v.iter().zip(axis).map(|(a, b)| a * b).sum();
        for (x, &a) in v.iter_mut().zip(axis) {
            *x -= dot * a;
        }
    }
}

/// Scale to unit length and return the former length; a zero or non-finite vector is left as is and
/// reported as length 0.
fn normalise(v: &mut [f64]) -> f64 {
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    if !(norm > 0.0 && norm.is_finite()) {
        return 0.0;
    }
    for a in v.iter_mut() {
        *a /= norm;
    }
    norm
}

/// Flip `v` so its largest-magnitude entry (first one on ties) is positive.
fn fix_sign(v: &mut [f64]) {
    let mut best = 0;
    for (j, a) in v.iter().enumerate() {
        if a.abs() > v[best].abs() {
            best = j;
        }
    }
    if v.get(best).is_some_and(|&a| a < 0.0) {
        for a in v.iter_mut() {
            *a = -*a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};

    /// Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, largest first: an independent
    /// route to the answer that power iteration must reproduce.
    #[allow(clippy::needless_range_loop)] // the textbook index form reads best here
    fn jacobi_eigenvalues(mut a: Vec<Vec<f64>>) -> Vec<f64> {
        let d = a.len();
        for _ in 0..100 {
            let off: f64 = (0..d)
                .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
                .map(|(i, j)| a[i][j] * a[i][j])
                .sum();
            if off < 1e-22 {
                break;
            }
            for p in 0..d {
                for q in p + 1..d {
                    if a[p][q].abs() < 1e-300 {
                        continue;
                    }
                    let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                    let t = if theta == 0.0 { 1.0 } else { t };
                    let c = 1.0 / (t * t + 1.0).sqrt();
                    let s = t * c;
                    for k in 0..d {
                        let (akp, akq) = (a[k][p], a[k][q]);
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for k in 0..d {
                        let (apk, aqk) = (a[p][k], a[q][k]);
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        let mut eig: Vec<f64> = (0..d).map(|i| a[i][i]).collect();
        crate::order::sort_by(&mut eig, &|a, b| b.partial_cmp(a).unwrap());
        eig
    }

    fn covariance(x: &Array2<f32>) -> Vec<Vec<f64>> {
        let (n, d) = x.dim();
        let mean: Vec<f64> = (0..d)
            .map(|j| x.column(j).iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64)
            .collect();
        let mut c = vec![vec![0.0; d]; d];
        for i in 0..n {
            for a in 0..d {
                for b in 0..d {
                    c[a][b] += (f64::from(x[[i, a]]) - mean[a]) * (f64::from(x[[i, b]]) - mean[b]);
                }
            }
        }
        c.iter_mut().flatten().for_each(|v| *v /= n as f64);
        c
    }

    /// Correlated Gaussian data: latent normals mixed by a fixed matrix with decaying scales.
    fn correlated(n: usize, d: usize, seed: u64) -> Array2<f32> {
        let mut rng = Rng::new(seed, Stream::Data);
        let mix =
            Array2::from_shape_fn((d, d), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 11.0 - 0.4);
        let z = Array2::from_shape_fn((n, d), |(_, j)| rng.normal() * 3.0 / (j as f32 + 1.0));
        z.dot(&mix) + 2.5
    }

    fn column_variance(p: &Array2<f32>, k: usize) -> f64 {
        let col: Vec<f64> = p.column(k).iter().map(|&v| f64::from(v)).collect();
        let m = col.iter().sum::<f64>() / col.len() as f64;
        col.iter().map(|v| (v - m).powi(2)).sum::<f64>() / col.len() as f64
    }

    #[test]
    fn components_match_the_covariance_eigenvalues() {
        for (d, seed) in [(3, 1), (6, 2), (12, 3)] {
            let x = correlated(400, d, seed);
            let eig = jacobi_eigenvalues(covariance(&x));
            let pca = Pca2d::fit(x.view());
            let p = pca.transform(x.view());
            assert_eq!(p.shape(), &[400, 2]);
            for k in 0..2 {
                let var = column_variance(&p, k);
                assert!(
                    (var - eig[k]).abs() < 1e-4 * eig[0],
                    "d={d} k={k}: {var} vs {}",
                    eig[k]
                );
                assert!((pca.variances[k] - eig[k]).abs() < 1e-6 * eig[0]);
                let mean = p.column(k).iter().map(|&v| f64::from(v)).sum::<f64>() / 400.0;
                assert!(mean.abs() < 1e-4, "projections are centred");
            }
            let [a, b] = &pca.components;
            let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            assert!(dot.abs() < 1e-9, "orthogonal: {dot}");
            for c in [a, b] {
                let norm: f64 = c.iter().map(|v| v * v).sum();
                assert!((norm - 1.0).abs() < 1e-9);
                let largest = c
                    .iter()
                    .copied()
                    .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
                assert!(largest > 0.0, "sign rule");
            }
        }
    }

    #[test]
    fn the_gram_route_draws_the_data_routes_picture_with_few_columns() {
        // Every built-in real dataset with few columns, standardised as the page draws it: both
        // routes find the same axes, to the iteration's tolerance.
        for name in ["iris", "wine", "breast_cancer", "digits"] {
            let d = crate::data::builtin::load(name).unwrap().unwrap();
            let all: Vec<usize> = (0..d.len()).collect();
            let x = crate::data::Standardizer::fit(d.x.view(), &all).transform(d.x.view());
            let pca = Pca2d::fit(x.view());
            assert!(x.ncols() <= GRAM_MAX_DIM, "{name}: the Gram route");
            let centred =
                Array2::from_shape_fn(x.dim(), |(i, j)| f64::from(x[[i, j]]) - pca.mean[j]);
            let by_data = Step::Data(&centred);
            let first = top_direction(&centred, &by_data, &[]);
            let second = top_direction(&centred, &by_data, std::slice::from_ref(&first));
            for (got, want) in pca.components.iter().zip([&first, &second]) {
                let gap = got
                    .iter()
                    .zip(want.iter())
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(gap < 1e-6, "{name}: axes differ by {gap}");
            }
        }
        // Uniform noise in 19 columns: close eigenvalues, so the iteration runs to its cap; its steps
        // multiply by the 19 x 19 Gram matrix, not by the data (the page's 20 MB upload took 70 s
        // to draw in the browser), and the axes still come out orthogonal, largest variance first.
        let mut rng = Rng::new(3, Stream::Data);
        let (n, dim) = (20_000, 19);
        let x = Array2::from_shape_fn((n, dim), |_| rng.uniform() as f32);
        let centred = x.mapv(f64::from);
        assert!(matches!(Step::new(&centred), Step::Gram(g) if g.dim() == (dim, dim)));
        let wide = Array2::<f64>::zeros((3, GRAM_MAX_DIM + 1));
        assert!(
            matches!(Step::new(&wide), Step::Data(_)),
            "more columns: through the data"
        );
        let pca = Pca2d::fit(x.view());
        let dot: f64 = pca.components[0]
            .iter()
            .zip(&pca.components[1])
            .map(|(a, b)| a * b)
            .sum();
        assert!(dot.abs() < 1e-9, "{dot}");
        assert!(pca.variances[0] >= pca.variances[1] && pca.variances[1] > 0.0);
    }

    #[test]
    fn iris_first_component_explains_the_known_share() {
        // scikit-learn's PCA on iris: explained_variance_ratio_ = [0.9246, 0.0531].
        let iris = crate::data::builtin::load("iris").unwrap().unwrap();
        let pca = Pca2d::fit(iris.x.view());
        let total = jacobi_eigenvalues(covariance(&iris.x)).iter().sum::<f64>();
        assert!((pca.variances[0] / total - 0.9246).abs() < 1e-3);
        assert!((pca.variances[1] / total - 0.0531).abs() < 1e-3);
    }

    #[test]
    fn deterministic_and_sign_stable() {
        let x = correlated(200, 8, 4);
        assert_eq!(pca_2d(x.view()), pca_2d(x.view()));
        let flipped = x.mapv(|v| -v);
        let (a, b) = (Pca2d::fit(x.view()), Pca2d::fit(flipped.view()));
        for k in 0..2 {
            for (u, v) in a.components[k].iter().zip(&b.components[k]) {
                assert!(
                    (u - v).abs() < 1e-9,
                    "axes do not depend on the data's sign"
                );
            }
        }
    }

    #[test]
    fn low_dimensional_data_is_only_centred() {
        let x = correlated(50, 2, 5);
        let p = pca_2d(x.view());
        for i in 0..50 {
            for j in 0..2 {
                let mean = x.column(j).iter().map(|&v| f64::from(v)).sum::<f64>() / 50.0;
                assert!((f64::from(p[[i, j]]) - (f64::from(x[[i, j]]) - mean)).abs() < 1e-5);
            }
        }
        let one = Array2::from_shape_fn((4, 1), |(i, _)| i as f32);
        let p = pca_2d(one.view());
        assert_eq!(p.column(0).to_vec(), vec![-1.5, -0.5, 0.5, 1.5]);
        assert_eq!(p.column(1).to_vec(), vec![0.0; 4]);
        assert_eq!(pca_2d(Array2::<f32>::zeros((0, 5)).view()).shape(), &[0, 2]);
    }

    #[test]
    fn rank_one_data_gets_a_zero_second_axis() {
        let x = Array2::from_shape_fn((30, 5), |(i, j)| (i as f32 - 10.0) * (j as f32 + 1.0));
        let pca = Pca2d::fit(x.view());
        assert_eq!(pca.variances[1], 0.0);
        assert!(pca.components[1].iter().all(|&v| v == 0.0));
        let p = pca.transform(x.view());
        assert!(p.iter().all(|v| v.is_finite()));
        let constant = Array2::from_elem((10, 4), 3.0f32);
        assert!(pca_2d(constant.view()).iter().all(|&v| v == 0.0));
    }
}
