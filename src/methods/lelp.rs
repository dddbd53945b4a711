//! LELP: learning embedding linear projections (Loo, Iliopoulos, Hu, Vee, 2024, arXiv 2409.20449).
//!
//! With few classes the teacher's probabilities carry little of what it knows. LELP reads more out of
//! its embedding (last hidden layer): remove the span of the classifier's weight vectors (the
//! directions the output already uses), run PCA on the residual within each class, and split each
//! class into `S` pseudo-subclasses along its top `S/2` principal directions, one subclass per side
//! of each direction. The student gets `C * S` output units trained with cross-entropy on
//!
//! ```text
//! target(c, j | x) = w_c(x) * softmax_j( sign_j * z_{c, k(j)}(x) )
//! ```
//!
//! where `w` is the teacher's soft label on U (the one-hot true label on L), `z_{c,k}` the
//! standardised coordinate of the residual embedding along class c's k-th principal direction, and
//! `sign_j` alternates + and -. At prediction time the subclass probabilities are summed per class.
//!
//! Departures: the subclass targets are soft (a softmax of the projections, so `S = 2` splits by the
//! sign of the first principal coordinate with a smooth boundary) and come from a small MLP teacher's
//! 64-128-unit embedding rather than a language model's.

use ndarray::Array2;

use std::any::Any;

use crate::config::keys::{setting, Key, Kind};
use crate::config::{Checked, MethodSettings};
use crate::losses;
use crate::model::{Mlp, Optimizer};
use crate::rng::Rng;
use crate::seed::{Inputs, PreparedSeed};

/// Its setting: pseudo-subclasses per class (even: two sides of each principal direction). The
/// memory estimate reads it too.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[Key {
        choices: &[
            ("2", "2", ""),
            ("4", "4", ""),
            ("6", "6", ""),
            ("8", "8", ""),
        ],
        ..setting(
            "lelp_subclasses",
            "LELP: subclasses per class",
            "",
            Kind::OneOf(&[2, 4, 6, 8]),
            2.0,
        )
    }],
    rules: &[],
};

/// LELP's own, wider student and its subclass targets per row.
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    subclasses: true,
    ..super::MethodMemory::PLAIN
};

/// Power-iteration steps per principal direction.
const POWER_STEPS: usize = 100;

/// The subclass cross-entropy of one example: cross-entropy of the `C * S` softmax `f` against
/// `target`. Same derivative as any soft cross-entropy; named so the FD test covers LELP's use.
pub fn subclass_loss(f: &[f32], target: &[f32], grad: &mut [f32], scale: f32) -> f32 {
    losses::cross_entropy(f, target, grad, scale)
}

/// Orthonormal basis (Gram-Schmidt in f64) of the span of the columns of `w` (`D x C`).
fn span_basis(w: &Array2<f32>) -> Vec<Vec<f64>> {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for c in 0..w.ncols() {
        let mut v: Vec<f64> = w.column(c).iter().map(|&x| x as f64).collect();
        for b in &basis {
            let dot: f64 = v.iter().zip(b).map(|(a, c)| a * c).sum();
            v.iter_mut().zip(b).for_each(|(a, c)| *a -= dot * c);
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > 1e-9 {
            v.iter_mut().for_each(|a| *a /= norm);
            basis.push(v);
        }
    }
    basis
}

/// One class's split: the residual mean and its principal directions with their spreads.
#[derive(Clone, Debug)]
struct ClassSplit {
    mean: Vec<f64>,
    directions: Vec<(Vec<f64>, f64)>,
}

/// Top `k` principal directions of the centred `rows` by power iteration with deflation, each with
/// the standard deviation of the data along it. Directions with no spread are dropped.
fn principal_directions(rows: &[Vec<f64>], k: usize) -> Vec<(Vec<f64>, f64)> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let d = first.len();
    let mut found: Vec<(Vec<f64>, f64)> = Vec::new();
    let orthogonalise = |v: &mut Vec<f64>, found: &[(Vec<f64>, f64)]| {
        for (u, _) in found {
            let dot: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(u).for_each(|(a, b)| *a -= dot * b);
        }
    };
    for _ in 0..k {
        // Start from the longest row outside the directions found so far (deterministic).
        let mut v = vec![0.0; d];
        let mut best = -1.0;
        for r in rows {
            let mut c = r.clone();
            orthogonalise(&mut c, &found);
            let norm: f64 = c.iter().map(|a| a * a).sum();
            if norm > best {
                best = norm;
                v = c;
            }
        }
        let mut norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm < 1e-12 {
            break;
        }
        v.iter_mut().for_each(|a| *a /= norm);
        for _ in 0..POWER_STEPS {
            let mut next = vec![0.0; d];
            for r in rows {
                let dot: f64 = r.iter().zip(&v).map(|(a, b)| a * b).sum();
                next.iter_mut().zip(r).for_each(|(n, a)| *n += dot * a);
            }
            orthogonalise(&mut next, &found);
            norm = next.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm < 1e-12 {
                break;
            }
            next.iter_mut().for_each(|a| *a /= norm);
            v = next;
        }
        let var = rows
            .iter()
            .map(|r| {
                let z: f64 = r.iter().zip(&v).map(|(a, b)| a * b).sum();
                z * z
            })
            .sum::<f64>()
            / rows.len() as f64;
        if var <= 1e-12 {
            break;
        }
        found.push((v, var.sqrt()));
    }
    found
}

/// One class's split: the mean of its members' residuals and their `count` principal directions.
fn class_split(members: &[&Vec<f64>], d: usize, count: usize) -> ClassSplit {
    let mut mean = vec![0.0; d];
    for r in members {
        mean.iter_mut().zip(r.iter()).for_each(|(m, a)| *m += a);
    }
    mean.iter_mut()
        .for_each(|m| *m /= members.len().max(1) as f64);
    let centred: Vec<Vec<f64>> = members
        .iter()
        .map(|r| r.iter().zip(&mean).map(|(a, m)| a - m).collect())
        .collect();
    ClassSplit {
        mean,
        directions: principal_directions(&centred, count),
    }
}

/// Subclass soft targets for every dataset row, `n x (C * S)`.
pub fn subclass_targets(prep: &PreparedSeed, s: usize) -> Array2<f32> {
    let n = prep.data.len();
    let classes = prep.data.n_classes;
    let mut targets = Array2::zeros((n, classes * s));
    let (Some(emb), Some(net)) = (prep.extras.embedding.as_ref(), prep.teacher.net.as_ref()) else {
        // No embedding (cannot happen after the config check): fall back to the class targets.
        for i in 0..n {
            for c in 0..classes {
                let w = if prep.is_labeled[i] {
                    (prep.data.y[i] == c) as u8 as f32
                } else {
                    prep.teacher.probs[[i, c]]
                };
                targets[[i, c * s]] = w;
            }
        }
        return targets;
    };
    let basis = span_basis(net.weights.last().expect("a teacher has an output layer"));
    let residual = |i: usize| -> Vec<f64> {
        let mut v: Vec<f64> = emb.row(i).iter().map(|&x| x as f64).collect();
        for b in &basis {
            let dot: f64 = v.iter().zip(b).map(|(a, c)| a * c).sum();
            v.iter_mut().zip(b).for_each(|(a, c)| *a -= dot * c);
        }
        v
    };
    let group = |i: usize| {
        if prep.is_labeled[i] {
            prep.data.y[i]
        } else {
            prep.teacher.labels[i]
        }
    };
    let residuals: Vec<Vec<f64>> = (0..n).map(residual).collect();
    let splits: Vec<ClassSplit> = (0..classes)
        .map(|c| {
            let members: Vec<&Vec<f64>> = prep
                .train_rows
                .iter()
                .filter(|&&i| group(i) == c)
                .map(|&i| &residuals[i])
                .collect();
            class_split(&members, emb.ncols(), s / 2)
        })
        .collect();
    let mut logits = vec![0.0f32; s];
    for i in 0..n {
        let r = &residuals[i];
        for (c, split) in splits.iter().enumerate() {
            let w = if prep.is_labeled[i] {
                (prep.data.y[i] == c) as u8 as f32
            } else {
                prep.teacher.probs[[i, c]]
            };
            for (k, pair) in logits.chunks_mut(2).enumerate() {
                let z = split.directions.get(k).map_or(0.0, |(v, sd)| {
                    r.iter()
                        .zip(&split.mean)
                        .zip(v)
                        .map(|((a, m), b)| (a - m) * b)
                        .sum::<f64>()
                        / sd
                }) as f32;
                pair[0] = z;
                pair[1] = -z;
            }
            crate::model::softmax_in_place(&mut logits);
            for (j, &q) in logits.iter().enumerate() {
                targets[[i, c * s + j]] = w * q;
            }
        }
    }
    targets
}

/// LELP's targets and settings for one student.
#[derive(Clone, Debug)]
pub struct Lelp {
    /// Subclasses per class.
    pub subclasses: usize,
    /// Soft subclass targets per dataset row.
    pub targets: Array2<f32>,
}

impl Lelp {
    /// Compute the subclass targets for this seed.
    pub fn new(prep: &PreparedSeed, cfg: &Checked) -> Lelp {
        let s = cfg.settings.usize("lelp_subclasses");
        Lelp {
            subclasses: s,
            targets: subclass_targets(prep, s),
        }
    }

    /// The wider student: hidden layers and the first subclass of each class copied from the
    /// shared initial student, the other subclass units drawn from `rng` (the method's stream).
    pub fn initial_student(init: &Mlp, subclasses: usize, batch: usize, rng: &mut Rng) -> Mlp {
        let classes = init.classes();
        let mut sizes = init.sizes.clone();
        *sizes.last_mut().expect("at least two sizes") = classes * subclasses;
        let mut net = Mlp::new(&sizes, batch, rng);
        let last = net.weights.len() - 1;
        for l in 0..last {
            net.weights[l].assign(&init.weights[l]);
            net.biases[l].assign(&init.biases[l]);
        }
        for c in 0..classes {
            net.weights[last]
                .column_mut(c * subclasses)
                .assign(&init.weights[last].column(c));
            net.biases[last][c * subclasses] = init.biases[last][c];
        }
        net
    }

    /// One minibatch of subclass cross-entropy.
    pub fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        prep: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let targets = &self.targets;
        crate::model::train_step(
            net,
            optimizer,
            rows.len(),
            |net| {
                inputs.forward(net, prep, rows);
            },
            |r, f, g, scale| {
                subclass_loss(
                    f,
                    targets.row(rows[r]).as_slice().expect("contiguous"),
                    g,
                    scale,
                )
            },
        )
    }

    /// Share of each class's training rows whose likeliest subclass is each subclass: the smallest
    /// such share over every (class, subclass) pair (0 would mean an empty subclass).
    pub fn stats(&self, prep: &PreparedSeed) -> Vec<(&'static str, f64)> {
        vec![(
            "smallest_subclass_share",
            smallest_subclass_share(&self.targets, prep, self.subclasses),
        )]
    }
}

/// The smallest share of a class's training rows assigned (by largest target) to one of its subclasses.
pub fn smallest_subclass_share(targets: &Array2<f32>, prep: &PreparedSeed, s: usize) -> f64 {
    let classes = prep.data.n_classes;
    let mut counts = vec![0usize; classes * s];
    let mut totals = vec![0usize; classes];
    for &i in &prep.train_rows {
        let c = if prep.is_labeled[i] {
            prep.data.y[i]
        } else {
            prep.teacher.labels[i]
        };
        let part = targets.row(i);
        let part = &part.as_slice().expect("contiguous")[c * s..(c + 1) * s];
        counts[c * s + crate::model::mlp::argmax(part)] += 1;
        totals[c] += 1;
    }
    (0..classes * s)
        .filter(|&k| totals[k / s] > 0)
        .map(|k| counts[k] as f64 / totals[k / s] as f64)
        .fold(f64::INFINITY, f64::min)
        .min(1.0)
}

/// LELP's row of the method table: its distiller and its wider initial student.
pub fn build(b: &super::Build) -> super::Built {
    let lelp = Lelp::new(b.seed, b.cfg);
    let net = Lelp::initial_student(
        b.init,
        lelp.subclasses,
        b.cfg.student.batch_size,
        &mut b.rng(),
    );
    super::Built {
        distiller: Box::new(lelp),
        net: Some(net),
    }
}

impl super::Distiller for Lelp {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        Lelp::train_batch(self, net, optimizer, inputs, seed, rows)
    }

    fn stats(&self, seed: &PreparedSeed, _net: &mut Mlp) -> Vec<(&'static str, f64)> {
        Lelp::stats(self, seed)
    }

    fn subclasses(&self) -> usize {
        self.subclasses
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{fold, softmax_in_place};
    use crate::rng::Stream;

    #[test]
    fn subclass_cross_entropy_matches_finite_differences_and_folds() {
        let mut r = Rng::new(31, Stream::Method);
        for (classes, s) in [(2usize, 2usize), (3, 4)] {
            let m = classes * s;
            let z: Vec<f32> = (0..m).map(|_| r.range(-2.0, 2.0)).collect();
            let mut target: Vec<f32> = (0..m).map(|_| r.uniform()).collect();
            let total: f32 = target.iter().sum();
            target.iter_mut().for_each(|t| *t /= total);
            let loss = |z: &[f32], g: &mut [f32]| {
                let mut f = z.to_vec();
                softmax_in_place(&mut f);
                subclass_loss(&f, &target, g, 1.0)
            };
            let mut grad = vec![0.0; m];
            loss(&z, &mut grad);
            let h = 1e-2;
            let mut s2 = vec![0.0; m];
            for j in 0..m {
                let (mut zp, mut zm) = (z.clone(), z.clone());
                zp[j] += h;
                zm[j] -= h;
                let fd = (loss(&zp, &mut s2) - loss(&zm, &mut s2)) / (2.0 * h);
                assert!(
                    (fd - grad[j]).abs() < 2e-3 + 3e-2 * grad[j].abs(),
                    "dz[{j}]: {fd} vs {}",
                    grad[j]
                );
            }
            let mut f = z.clone();
            softmax_in_place(&mut f);
            let mut folded = vec![0.0; classes];
            fold(&f, s, &mut folded);
            assert!((folded.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert!((folded[1] - f[s..2 * s].iter().sum::<f32>()).abs() < 1e-7);
        }
    }

    #[test]
    fn principal_directions_find_the_spread_and_skip_the_span() {
        // Points spread along (1, 1, 0) a lot and along (0, 0, 1) a little.
        let mut r = Rng::new(2, Stream::Method);
        let rows: Vec<Vec<f64>> = (0..200)
            .map(|_| {
                let a = r.normal() as f64 * 3.0;
                let b = r.normal() as f64 * 0.5;
                vec![a, a, b]
            })
            .collect();
        let dirs = principal_directions(&rows, 2);
        assert_eq!(dirs.len(), 2);
        let v = &dirs[0].0;
        assert!(
            (v[0].abs() - 0.5f64.sqrt()).abs() < 1e-2 && v[2].abs() < 0.05,
            "{v:?}"
        );
        assert!(
            dirs[0].1 > 3.0 && dirs[1].1 < 0.8,
            "{:?}",
            dirs.iter().map(|d| d.1).collect::<Vec<_>>()
        );
        // A basis of the classifier span removes those directions exactly.
        let w = Array2::from_shape_vec((3, 2), vec![1.0f32, 0.0, 1.0, 0.0, 0.0, 2.0]).unwrap();
        let b = span_basis(&w);
        assert_eq!(b.len(), 2);
        let dot: f64 = b[0].iter().zip(&b[1]).map(|(x, y)| x * y).sum();
        assert!(dot.abs() < 1e-12);
    }
}
