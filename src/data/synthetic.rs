//! Seeded 2-D generators, all with the signature `(n, noise, classes, rng) -> Dataset`.
//!
//! Every generator lays out clean points at unit scale (coordinates roughly in [-1.5, 1.5]), then adds
//! `noise` x N(0, 1) to each coordinate, so one noise value means the same jitter everywhere. Row `i`
//! belongs to class `i % K`, which keeps classes balanced (counts differ by at most one). Randomness
//! comes only from [`Rng`] and angles go through `libm`, so a seed gives the same bits natively and in
//! wasm. Generators with a fixed class count ignore `classes`.

use std::f64::consts::{PI, TAU};

use ndarray::Array2;

use super::{Dataset, GeneratorParams};
use crate::rng::Rng;
use crate::{Error, Result};

/// Most points a generator may draw.
pub const MAX_SAMPLES: usize = 200_000;
/// Most classes for generators that take a class count.
pub const MAX_CLASSES: usize = 50;
/// Largest noise accepted; at unit data scale anything beyond this is pure noise.
pub const MAX_NOISE: f32 = 10.0;

/// A generator's signature.
pub type Generator = fn(usize, f32, usize, &mut Rng) -> Dataset;

struct Entry {
    name: &'static str,
    description: &'static str,
    /// Whether `classes` is used (else the generator always makes 2 classes).
    takes_classes: bool,
    generate: Generator,
}

const GENERATORS: [Entry; 6] = [
    Entry {
        name: "moons",
        description: "two interleaving half circles (2 classes)",
        takes_classes: false,
        generate: moons,
    },
    Entry {
        name: "circles",
        description: "a small ring inside a large ring (2 classes)",
        takes_classes: false,
        generate: circles,
    },
    Entry {
        name: "spirals",
        description: "K interleaved spiral arms, one per class",
        takes_classes: true,
        generate: spirals,
    },
    Entry {
        name: "blobs",
        description: "K Gaussian clusters on a grid, one per class",
        takes_classes: true,
        generate: blobs,
    },
    Entry {
        name: "xor",
        description: "opposite quadrants share a class (2 classes)",
        takes_classes: false,
        generate: xor,
    },
    Entry {
        name: "checkerboard",
        description: "a 4x4 board of alternating squares (2 classes)",
        takes_classes: false,
        generate: checkerboard,
    },
];

/// Name and one-line description of every generator.
pub fn catalogue() -> Vec<(&'static str, &'static str)> {
    GENERATORS.iter().map(|g| (g.name, g.description)).collect()
}

/// Draw the generator called `name`; `Ok(None)` when no generator has that name.
pub fn generate(name: &str, params: &GeneratorParams, rng: &mut Rng) -> Result<Option<Dataset>> {
    let Some(entry) = GENERATORS.iter().find(|g| g.name == name) else {
        return Ok(None);
    };
    let classes = if entry.takes_classes {
        check_classes(params.classes)?;
        params.classes
    } else {
        2
    };
    if params.samples < classes || params.samples > MAX_SAMPLES {
        return Err(Error::config(
            "samples",
            format!(
                "must be between {classes} and {MAX_SAMPLES} for {name} (got {})",
                params.samples
            ),
        ));
    }
    if !(params.noise.is_finite() && (0.0..=MAX_NOISE).contains(&params.noise)) {
        return Err(Error::config(
            "noise",
            format!("must be between 0 and {MAX_NOISE} (got {})", params.noise),
        ));
    }
    Ok(Some((entry.generate)(
        params.samples,
        params.noise,
        classes,
        rng,
    )))
}

fn check_classes(classes: usize) -> Result<()> {
    if (2..=MAX_CLASSES).contains(&classes) {
        Ok(())
    } else {
        Err(Error::config(
            "classes",
            format!("must be between 2 and {MAX_CLASSES} (got {classes})"),
        ))
    }
}

/// Two interleaving half circles, centred on the origin.
pub fn moons(n: usize, noise: f32, _classes: usize, rng: &mut Rng) -> Dataset {
    draw("moons", n, 2, noise, rng, |class, rng| {
        let t = PI * rng.uniform_f64();
        let (s, c) = (libm::sin(t), libm::cos(t));
        if class == 0 {
            (c - 0.5, s - 0.25)
        } else {
            (0.5 - c, 0.25 - s)
        }
    })
}

/// Class 0 on the unit circle, class 1 on the circle of radius 0.5.
pub fn circles(n: usize, noise: f32, _classes: usize, rng: &mut Rng) -> Dataset {
    draw("circles", n, 2, noise, rng, |class, rng| {
        let r = if class == 0 { 1.0 } else { 0.5 };
        let t = TAU * rng.uniform_f64();
        (r * libm::cos(t), r * libm::sin(t))
    })
}

/// `classes` spiral arms (at least 2) of 1.5 turns out to radius 1, rotated evenly about the origin.
pub fn spirals(n: usize, noise: f32, classes: usize, rng: &mut Rng) -> Dataset {
    let k = classes.max(2);
    draw("spirals", n, k, noise, rng, |class, rng| {
        // sqrt spreads points evenly along the arm, whose length grows with the radius.
        let r = libm::sqrt(rng.uniform_f64());
        let t = TAU * (1.5 * r + class as f64 / k as f64);
        (r * libm::cos(t), r * libm::sin(t))
    })
}

/// `classes` round Gaussian clusters (at least 2) centred on a square grid spanning [-1, 1].
pub fn blobs(n: usize, noise: f32, classes: usize, rng: &mut Rng) -> Dataset {
    let k = classes.max(2);
    let cols = (1..=k).find(|c| c * c >= k).unwrap_or(k);
    let rows = k.div_ceil(cols);
    let spacing = 2.0 / (cols.max(rows) - 1) as f64;
    // Neighbouring centres sit six cluster deviations apart: clean blobs barely overlap.
    let spread = spacing / 6.0;
    draw("blobs", n, k, noise, rng, |class, rng| {
        let cx = (class % cols) as f64 - (cols - 1) as f64 / 2.0;
        let cy = (class / cols) as f64 - (rows - 1) as f64 / 2.0;
        let dx = spread * rng.normal() as f64;
        let dy = spread * rng.normal() as f64;
        (cx * spacing + dx, cy * spacing + dy)
    })
}

/// Class 0 in the quadrants where x1 and x2 share a sign, class 1 in the other two.
pub fn xor(n: usize, noise: f32, _classes: usize, rng: &mut Rng) -> Dataset {
    // The margin keeps clean points off the axes, where the class is undefined.
    const MARGIN: f64 = 0.05;
    draw("xor", n, 2, noise, rng, |class, rng| {
        let sx = if rng.below(2) == 0 { 1.0 } else { -1.0 };
        let sy = if class == 0 { sx } else { -sx };
        let ax = MARGIN + (1.0 - MARGIN) * rng.uniform_f64();
        let ay = MARGIN + (1.0 - MARGIN) * rng.uniform_f64();
        (sx * ax, sy * ay)
    })
}

/// A 4x4 board on [-1, 1]^2; the square in row i, column j has class (i + j) % 2.
pub fn checkerboard(n: usize, noise: f32, _classes: usize, rng: &mut Rng) -> Dataset {
    const CELLS: usize = 4;
    const SIZE: f64 = 2.0 / CELLS as f64;
    draw("checkerboard", n, 2, noise, rng, |class, rng| {
        // Each row holds CELLS / 2 squares of each colour: pick one of this class's squares uniformly.
        let m = rng.below(CELLS * CELLS / 2);
        let row = m / (CELLS / 2);
        let col = 2 * (m % (CELLS / 2)) + (row + class) % 2;
        let x = -1.0 + SIZE * (col as f64 + rng.uniform_f64());
        let y = -1.0 + SIZE * (row as f64 + rng.uniform_f64());
        (x, y)
    })
}

/// Row i gets class i % k and the clean point `point(class)`, then Gaussian jitter of scale `noise`.
fn draw(
    name: &str,
    n: usize,
    k: usize,
    noise: f32,
    rng: &mut Rng,
    mut point: impl FnMut(usize, &mut Rng) -> (f64, f64),
) -> Dataset {
    let mut values = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % k;
        let (a, b) = point(class, rng);
        // The jitter is drawn even at noise 0, so one seed gives the same clean layout at every noise.
        let (ja, jb) = (rng.normal(), rng.normal());
        values.push(a as f32 + noise * ja);
        values.push(b as f32 + noise * jb);
        y.push(class);
    }
    Dataset {
        name: name.to_string(),
        x: Array2::from_shape_vec((n, 2), values).expect("two values were pushed per row"),
        y,
        n_classes: k,
        class_names: (0..k).map(|c| c.to_string()).collect(),
        feature_names: vec!["x1".to_string(), "x2".to_string()],
        image: None,
        warnings: Vec::new(),
        known: None,
        teacher: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    fn params(samples: usize, noise: f32, classes: usize) -> GeneratorParams {
        GeneratorParams {
            samples,
            noise,
            classes,
        }
    }

    fn make(name: &str, samples: usize, noise: f32, classes: usize, seed: u64) -> Dataset {
        let mut rng = Rng::new(seed, Stream::Data);
        generate(name, &params(samples, noise, classes), &mut rng)
            .unwrap()
            .unwrap()
    }

    fn names() -> Vec<&'static str> {
        catalogue().into_iter().map(|(n, _)| n).collect()
    }

    fn class_counts(ds: &Dataset) -> Vec<usize> {
        let mut counts = vec![0; ds.n_classes];
        for &c in &ds.y {
            counts[c] += 1;
        }
        counts
    }

    fn centroid(ds: &Dataset, class: usize) -> (f64, f64) {
        let rows: Vec<usize> = (0..ds.len()).filter(|&i| ds.y[i] == class).collect();
        let sx: f64 = rows.iter().map(|&i| ds.x[[i, 0]] as f64).sum();
        let sy: f64 = rows.iter().map(|&i| ds.x[[i, 1]] as f64).sum();
        (sx / rows.len() as f64, sy / rows.len() as f64)
    }

    /// Leave-one-out 1-nearest-neighbour accuracy: high when the classes form learnable regions.
    fn nn_accuracy(ds: &Dataset) -> f64 {
        let n = ds.len();
        let mut correct = 0;
        for i in 0..n {
            let mut best = (f32::INFINITY, usize::MAX);
            for j in (0..n).filter(|&j| j != i) {
                let dx = ds.x[[i, 0]] - ds.x[[j, 0]];
                let dy = ds.x[[i, 1]] - ds.x[[j, 1]];
                let d = dx * dx + dy * dy;
                if d < best.0 {
                    best = (d, ds.y[j]);
                }
            }
            correct += usize::from(best.1 == ds.y[i]);
        }
        correct as f64 / n as f64
    }

    #[test]
    fn every_generator_has_the_promised_shape_names_and_balance() {
        for name in names() {
            for (n, k) in [(301, 2), (500, 5)] {
                let ds = make(name, n, 0.1, k, 1);
                let k = if matches!(name, "spirals" | "blobs") {
                    k
                } else {
                    2
                };
                assert_eq!(ds.name, name);
                assert_eq!(ds.x.shape(), &[n, 2], "{name}");
                assert_eq!(ds.len(), n);
                assert_eq!(ds.n_classes, k, "{name}");
                assert_eq!(ds.feature_names, vec!["x1", "x2"]);
                let expected: Vec<String> = (0..k).map(|c| c.to_string()).collect();
                assert_eq!(ds.class_names, expected);
                let counts = class_counts(&ds);
                let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
                assert!(hi - lo <= 1, "{name}: {counts:?}");
                assert!(
                    ds.x.iter().all(|v| v.is_finite() && v.abs() < 5.0),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn same_seed_repeats_and_another_seed_differs() {
        for name in names() {
            let a = make(name, 200, 0.1, 3, 42);
            let b = make(name, 200, 0.1, 3, 42);
            let c = make(name, 200, 0.1, 3, 43);
            assert_eq!(a, b, "{name}");
            assert_ne!(a.x, c.x, "{name}");
        }
    }

    #[test]
    fn noise_is_exactly_jitter_on_the_same_clean_layout() {
        for name in names() {
            let clean = make(name, 200, 0.0, 3, 5);
            let noisy = make(name, 200, 0.2, 3, 5);
            assert_ne!(clean.x, noisy.x, "{name}");
            assert_eq!(clean.y, noisy.y);
            let diff = &noisy.x - &clean.x;
            let rms =
                (diff.iter().map(|d| (*d as f64).powi(2)).sum::<f64>() / diff.len() as f64).sqrt();
            assert!((rms - 0.2).abs() < 0.03, "{name}: jitter rms {rms}");
        }
    }

    #[test]
    fn each_generator_is_learnable_at_low_noise() {
        for name in names() {
            let ds = make(name, 600, 0.03, 3, 9);
            let acc = nn_accuracy(&ds);
            assert!(acc > 0.9, "{name}: 1-NN accuracy {acc}");
        }
        // Pure noise destroys the structure: the same check must be able to fail.
        let ds = make("circles", 600, MAX_NOISE, 2, 9);
        assert!(nn_accuracy(&ds) < 0.7);
    }

    #[test]
    fn moons_classes_have_different_centroids() {
        let ds = make("moons", 1000, 0.1, 2, 3);
        let (a, b) = (centroid(&ds, 0), centroid(&ds, 1));
        assert!(
            (a.0 - b.0).abs() > 0.5 || (a.1 - b.1).abs() > 0.5,
            "{a:?} {b:?}"
        );
        // Clean moons lie on their arcs: distance 1 from (-0.5, -0.25) or from (0.5, 0.25).
        let ds = make("moons", 300, 0.0, 2, 3);
        for (row, &c) in ds.x.rows().into_iter().zip(&ds.y) {
            let (ox, oy) = if c == 0 { (-0.5, -0.25) } else { (0.5, 0.25) };
            let r = ((row[0] - ox).powi(2) + (row[1] - oy).powi(2)).sqrt();
            assert!((r - 1.0).abs() < 1e-5, "radius {r}");
        }
    }

    #[test]
    fn clean_circles_sit_on_their_rings() {
        let ds = make("circles", 300, 0.0, 2, 4);
        for (row, &c) in ds.x.rows().into_iter().zip(&ds.y) {
            let r = (row[0] * row[0] + row[1] * row[1]).sqrt();
            let want = if c == 0 { 1.0 } else { 0.5 };
            assert!((r - want).abs() < 1e-5, "class {c} radius {r}");
        }
    }

    #[test]
    fn clean_spiral_arms_follow_their_angle() {
        let k = 4;
        let ds = make("spirals", 400, 0.0, k, 6);
        for (row, &c) in ds.x.rows().into_iter().zip(&ds.y) {
            let (x, y) = (row[0] as f64, row[1] as f64);
            let r = (x * x + y * y).sqrt();
            if r < 1e-3 {
                continue;
            }
            let want = TAU * (1.5 * r + c as f64 / k as f64);
            let turns = (y.atan2(x) - want) / TAU;
            assert!(
                (turns - turns.round()).abs() < 1e-4,
                "class {c} off its arm by {turns}"
            );
        }
    }

    #[test]
    fn blobs_cluster_around_distinct_centres() {
        for k in [2, 3, 7, 50] {
            let ds = make("blobs", 40 * k, 0.0, k, 8);
            let centres: Vec<(f64, f64)> = (0..k).map(|c| centroid(&ds, c)).collect();
            for a in 0..k {
                for b in a + 1..k {
                    let d = ((centres[a].0 - centres[b].0).powi(2)
                        + (centres[a].1 - centres[b].1).powi(2))
                    .sqrt();
                    assert!(d > 0.1, "k={k}: classes {a} and {b} share a centre");
                }
            }
            assert!(nn_accuracy(&ds) > 0.95, "k={k}");
        }
    }

    #[test]
    fn clean_xor_and_checkerboard_points_have_their_region_class() {
        let ds = make("xor", 400, 0.0, 2, 10);
        for (row, &c) in ds.x.rows().into_iter().zip(&ds.y) {
            assert_eq!(usize::from(row[0] * row[1] < 0.0), c);
        }
        let ds = make("checkerboard", 400, 0.0, 2, 10);
        let mut squares = std::collections::HashSet::new();
        for (row, &c) in ds.x.rows().into_iter().zip(&ds.y) {
            let col = ((row[0] + 1.0) / 0.5).floor() as usize;
            let r = ((row[1] + 1.0) / 0.5).floor() as usize;
            assert!(col < 4 && r < 4);
            assert_eq!((r + col) % 2, c);
            squares.insert((r, col));
        }
        assert_eq!(squares.len(), 16, "every square is used");
    }

    #[test]
    fn unknown_names_are_none_and_bad_params_are_config_errors() {
        let mut rng = Rng::new(1, Stream::Data);
        assert_eq!(generate("iris", &params(100, 0.1, 2), &mut rng), Ok(None));
        let field = |p: GeneratorParams, name: &str| match generate(
            name,
            &p,
            &mut Rng::new(1, Stream::Data),
        ) {
            Err(Error::Config { field, .. }) => field,
            other => panic!("{name} {p:?}: {other:?}"),
        };
        assert_eq!(field(params(1, 0.1, 2), "moons"), "samples");
        assert_eq!(field(params(200_001, 0.1, 2), "moons"), "samples");
        assert_eq!(field(params(4, 0.1, 5), "blobs"), "samples");
        assert_eq!(field(params(100, -0.1, 2), "xor"), "noise");
        assert_eq!(field(params(100, f32::NAN, 2), "xor"), "noise");
        assert_eq!(field(params(100, f32::INFINITY, 2), "xor"), "noise");
        assert_eq!(field(params(100, 0.1, 1), "spirals"), "classes");
        assert_eq!(field(params(100, 0.1, 51), "blobs"), "classes");
        // Fixed two-class generators ignore `classes`.
        assert!(generate("moons", &params(100, 0.1, 1), &mut rng)
            .unwrap()
            .is_some());
        assert!(generate("blobs", &params(5, 0.1, 5), &mut rng)
            .unwrap()
            .is_some());
    }

    #[test]
    fn catalogue_lists_every_generator_once() {
        let names = names();
        assert_eq!(
            names,
            vec![
                "moons",
                "circles",
                "spirals",
                "blobs",
                "xor",
                "checkerboard"
            ]
        );
        assert!(catalogue().iter().all(|(_, d)| !d.is_empty()));
    }
}
