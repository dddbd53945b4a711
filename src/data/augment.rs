//! Image augmentation: every training visit of an image moves it by a random whole number of pixels
//! in x and y. A student that sees shifted digits learns that a digit moved by a pixel is the same
//! digit, which a network fitted on a hundred unshifted labels cannot know: the asymmetry that lets
//! a distilled student beat its teacher.

use ndarray::ArrayView2;

use super::{ImageShape, Standardizer};
use crate::rng::Rng;

/// Draws shifts from its own seeded stream, so a seed gives the same shifts everywhere.
#[derive(Clone, Debug)]
pub struct Shifter {
    shape: ImageShape,
    max_shift: usize,
    rng: Rng,
}

impl Shifter {
    /// Shifts of up to `max_shift` pixels (each axis, uniformly in `-max_shift..=max_shift`).
    pub fn new(shape: ImageShape, max_shift: usize, rng: Rng) -> Shifter {
        Shifter {
            shape,
            max_shift,
            rng,
        }
    }

    /// The next offset `(dx, dy)`.
    pub fn draw(&mut self) -> (isize, isize) {
        let span = 2 * self.max_shift + 1;
        let s = self.max_shift as isize;
        let dx = self.rng.below(span) as isize - s;
        let dy = self.rng.below(span) as isize - s;
        (dx, dy)
    }

    /// Write rows `rows` of the raw pixels `raw`, each moved by a fresh offset, then scaled as the
    /// network's inputs are (`scaler`), into `out` (`rows.len() x width*height`, row-major). Pixels
    /// moved off the grid are dropped; the ones uncovered are background (raw 0).
    pub fn fill(
        &mut self,
        raw: ArrayView2<f32>,
        scaler: &Standardizer,
        rows: &[usize],
        out: &mut [f32],
    ) {
        let (h, w) = (self.shape.height, self.shape.width);
        let d = h * w;
        for (r, &row) in rows.iter().enumerate() {
            let (dx, dy) = self.draw();
            let src = raw.row(row);
            let dst = &mut out[r * d..(r + 1) * d];
            shift_into(
                src.as_slice().expect("standard layout"),
                h,
                w,
                dx,
                dy,
                scaler,
                dst,
            );
        }
    }
}

/// `dst[y][x] = scale(src[y - dy][x - dx])`, background 0 where the source falls off the grid; the
/// same expression as [`Standardizer::apply`] so that a zero shift gives the same bits.
fn shift_into(
    src: &[f32],
    h: usize,
    w: usize,
    dx: isize,
    dy: isize,
    scaler: &Standardizer,
    dst: &mut [f32],
) {
    for y in 0..h {
        let sy = y as isize - dy;
        for x in 0..w {
            let sx = x as isize - dx;
            let j = y * w + x;
            let v = if sy >= 0 && sy < h as isize && sx >= 0 && sx < w as isize {
                src[sy as usize * w + sx as usize]
            } else {
                0.0
            };
            dst[j] = (v - scaler.mean[j]) / scaler.std[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;
    use ndarray::Array2;

    fn shape() -> ImageShape {
        ImageShape {
            height: 5,
            width: 4,
            max: 1.0,
        }
    }

    #[test]
    fn a_zero_shift_is_the_scaled_image_bit_for_bit() {
        let mut r = Rng::new(1, Stream::Data);
        let raw = Array2::from_shape_fn((3, 20), |_| r.uniform());
        let scaler = Standardizer::fit(raw.view(), &[0, 1, 2]);
        let mut s = Shifter::new(shape(), 0, Rng::new(2, Stream::Augment));
        let mut out = vec![0.0; 3 * 20];
        s.fill(raw.view(), &scaler, &[2, 0, 1], &mut out);
        let scaled = scaler.transform(raw.view());
        for (k, &row) in [2usize, 0, 1].iter().enumerate() {
            assert_eq!(
                &out[k * 20..(k + 1) * 20],
                scaled.row(row).as_slice().unwrap()
            );
        }
    }

    #[test]
    fn a_single_pixel_moves_by_the_drawn_offset() {
        let identity = Standardizer {
            mean: vec![0.0; 20],
            std: vec![1.0; 20],
        };
        // One bright pixel at (y 2, x 1).
        let mut raw = Array2::zeros((1, 20));
        raw[[0, 2 * 4 + 1]] = 1.0;
        let mut s = Shifter::new(shape(), 2, Rng::new(3, Stream::Augment));
        let mut seen = std::collections::HashSet::new();
        for _ in 0..400 {
            let mut probe = s.clone();
            let (dx, dy) = probe.draw();
            let mut out = vec![9.0; 20];
            s.fill(raw.view(), &identity, &[0], &mut out);
            assert!((-2..=2).contains(&dx) && (-2..=2).contains(&dy));
            seen.insert((dx, dy));
            let (ty, tx) = (2 + dy, 1 + dx);
            for y in 0..5isize {
                for x in 0..4isize {
                    let want = if (y, x) == (ty, tx) { 1.0 } else { 0.0 };
                    assert_eq!(
                        out[(y * 4 + x) as usize],
                        want,
                        "shift ({dx}, {dy}) at ({y}, {x})"
                    );
                }
            }
        }
        assert_eq!(seen.len(), 25, "every offset in [-2, 2]^2 is drawn");
    }

    #[test]
    fn the_same_seed_gives_the_same_shifts() {
        let draws = |seed| {
            let mut s = Shifter::new(shape(), 3, Rng::new(seed, Stream::Augment));
            (0..50).map(|_| s.draw()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
    }
}
