//! libm's `expf` and `logf` four lanes at a time, bit for bit.
//!
//! The engine uses `libm::expf` (FreeBSD's `e_expf.c`) so that every target rounds the same way. It
//! is scalar and branchy, and a softmax calls it for every class of every row. [`expf4`] runs the
//! same operations in the same order on four lanes, written branch-free so the compiler can keep them
//! in vector registers; the only branches it drops are ones whose two sides give the same bits here
//! (`k = 0`: `x - 0 * LN2_HI` is `x`, and `y * 2^0` is `y`). Lanes outside the main range (below
//! -87.3, above 88.7, NaN) go to `libm::expf`. [`logf4`] does the same for `e_logf.c` (zero,
//! negative, subnormal, infinite and NaN lanes go to `libm::logf`). The tests compare both with libm
//! on every branch boundary and tens of millions of points.

const LN2_HI: f32 = f32::from_bits(0x3f31_7200);
const LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
const P1: f32 = f32::from_bits(0x3e2a_aa8f); // 0xaaaa8f.0p-26
const P2: f32 = f32::from_bits(0xbb35_5215); // -0xb55215.0p-32

/// `[libm::expf(x[0]), .., libm::expf(x[3])]`, the same bits.
#[inline]
pub fn expf4(x: [f32; 4]) -> [f32; 4] {
    let mut out = [0.0f32; 4];
    let mut special = false;
    for i in 0..4 {
        let xi = x[i];
        let bits = xi.to_bits();
        let hx = bits & 0x7fff_ffff;
        let negative = bits >> 31 != 0;
        special |= hx >= 0x42ae_ac50;
        // Argument reduction, as e_expf.c: k = round(x / ln2) for |x| > 1.5 ln2, +-1 above 0.5 ln2, else 0.
        let half = if negative { -0.5 } else { 0.5 };
        let k_far = (INV_LN2 * xi + half) as i32;
        let k_near = if negative { -1 } else { 1 };
        let k = if hx > 0x3f85_1592 {
            k_far
        } else if hx > 0x3eb1_7218 {
            k_near
        } else {
            0
        };
        let kf = k as f32;
        let hi = xi - kf * LN2_HI;
        let lo = kf * LN2_LO;
        let r = hi - lo;
        let rr = r * r;
        let c = r - rr * (P1 + rr * P2);
        let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
        // scalbnf(y, k) for -126 <= k <= 127 is one multiplication by 2^k.
        let scaled = y * f32::from_bits((0x7f_i32.wrapping_add(k) as u32) << 23); // (special lanes: any bits, replaced below)
                                                                                  // |x| <= 2^-14: e_expf.c returns 1 + x.
        out[i] = if hx > 0x3900_0000 { scaled } else { 1.0 + xi };
    }
    if special {
        for i in 0..4 {
            if x[i].to_bits() & 0x7fff_ffff >= 0x42ae_ac50 {
                out[i] = libm::expf(x[i]);
            }
        }
    }
    out
}

/// `v[i] = libm::expf(v[i])` for every element (the same bits), four at a time.
pub fn expf_in_place(v: &mut [f32]) {
    map4(v, expf4)
}

const LG_LN2_HI: f32 = f32::from_bits(0x3f31_7180);
const LG_LN2_LO: f32 = f32::from_bits(0x3717_f7d1);
const LG1: f32 = f32::from_bits(0x3f2a_aaaa); // 0xaaaaaa.0p-24
const LG2: f32 = f32::from_bits(0x3ecc_ce13); // 0xccce13.0p-25
const LG3: f32 = f32::from_bits(0x3e91_e9ee); // 0x91e9ee.0p-25
const LG4: f32 = f32::from_bits(0x3e78_9e26); // 0xf89e26.0p-26

/// `[libm::logf(x[0]), .., libm::logf(x[3])]`, the same bits.
#[inline]
pub fn logf4(x: [f32; 4]) -> [f32; 4] {
    let mut out = [0.0f32; 4];
    let mut special = false;
    for i in 0..4 {
        let ix0 = x[i].to_bits();
        special |= !(0x0080_0000..0x7f80_0000).contains(&ix0);
        // Reduce x into [sqrt(2)/2, sqrt(2)], as e_logf.c.
        let ix = ix0.wrapping_add(0x3f80_0000 - 0x3f35_04f3);
        let k = ((ix >> 23) as i32) - 0x7f;
        let xr = f32::from_bits((ix & 0x007f_ffff) + 0x3f35_04f3);
        let f = xr - 1.;
        let s = f / (2. + f);
        let z = s * s;
        let w = z * z;
        let t1 = w * (LG2 + w * LG4);
        let t2 = z * (LG1 + w * LG3);
        let r = t2 + t1;
        let hfsq = 0.5 * f * f;
        let dk = k as f32;
        let v = s * (hfsq + r) + dk * LG_LN2_LO - hfsq + f + dk * LG_LN2_HI;
        out[i] = if ix0 == 0x3f80_0000 { 0. } else { v };
    }
    if special {
        for i in 0..4 {
            if !(0x0080_0000..0x7f80_0000).contains(&x[i].to_bits()) {
                out[i] = libm::logf(x[i]);
            }
        }
    }
    out
}

/// `v[i] = libm::logf(v[i])` for every element (the same bits), four at a time.
pub fn logf_in_place(v: &mut [f32]) {
    map4(v, logf4)
}

/// Applies a four-lane function to a slice (the tail padded with ones, results dropped).
fn map4(v: &mut [f32], f: fn([f32; 4]) -> [f32; 4]) {
    let mut chunks = v.chunks_exact_mut(4);
    for c in &mut chunks {
        let e = f([c[0], c[1], c[2], c[3]]);
        c.copy_from_slice(&e);
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut x = [1.0f32; 4];
        x[..rest.len()].copy_from_slice(rest);
        let e = f(x);
        let n = rest.len();
        rest.copy_from_slice(&e[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(x: f32) {
        let got = expf4([x, -x, x * 0.5, x * 1.75]);
        for (g, v) in got.iter().zip([x, -x, x * 0.5, x * 1.75]) {
            let want = libm::expf(v);
            assert!(
                g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                "expf({v:e}) = {g:e}, libm {want:e}"
            );
        }
    }

    #[test]
    fn equals_libm_bit_for_bit_on_every_range() {
        // Every branch boundary of e_expf.c and its neighbours.
        for b in [
            0x3900_0000u32,
            0x3eb1_7218,
            0x3f85_1592,
            0x42ae_ac50,
            0x42b1_7218,
            0x42cf_f1b5,
            0x7f80_0000,
        ] {
            for d in -3i64..=3 {
                check(f32::from_bits((b as i64 + d) as u32));
            }
        }
        for x in [
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            1e-45,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            88.0,
            -87.0,
            -104.0,
        ] {
            check(x);
        }
        // Every 97th float of [-110, 110] (about 21 million points).
        let (lo, hi) = ((-110.0f32).to_bits(), 110.0f32.to_bits());
        let mut b = 0u32;
        while b <= hi {
            check(f32::from_bits(b));
            b += 97;
        }
        let mut b = 0x8000_0000u32;
        while b <= lo {
            check(f32::from_bits(b));
            b += 97;
        }
    }

    fn check_log(x: f32) {
        let got = logf4([x, x * 0.75, x * 1.5, x * 3.0]);
        for (g, v) in got.iter().zip([x, x * 0.75, x * 1.5, x * 3.0]) {
            let want = libm::logf(v);
            assert!(
                g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                "logf({v:e}) = {g:e}, libm {want:e}"
            );
        }
    }

    #[test]
    fn logf_equals_libm_bit_for_bit_on_every_range() {
        for x in [
            0.0,
            -0.0,
            -1.0,
            1.0,
            f32::MIN_POSITIVE,
            1e-45,
            1e-40,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            1e-7,
        ] {
            check_log(x);
        }
        for b in [0x0080_0000u32, 0x3f35_04f3, 0x3f80_0000, 0x7f7f_ffff] {
            for d in -3i64..=3 {
                check_log(f32::from_bits((b as i64 + d) as u32));
            }
        }
        // Every 61st positive float (about 35 million points, every exponent).
        let mut b = 0u32;
        while b < 0x7f80_0000 {
            check_log(f32::from_bits(b));
            b += 61;
        }
    }

    #[test]
    fn in_place_covers_every_length() {
        for n in 0..11 {
            let v: Vec<f32> = (0..n).map(|i| -0.37 * i as f32 + 0.2).collect();
            let mut w = v.clone();
            expf_in_place(&mut w);
            let want: Vec<u32> = v.iter().map(|&x| libm::expf(x).to_bits()).collect();
            assert_eq!(
                w.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want,
                "length {n}"
            );
            let v: Vec<f32> = (0..n).map(|i| 0.05 + 0.37 * i as f32).collect();
            let mut w = v.clone();
            logf_in_place(&mut w);
            let want: Vec<u32> = v.iter().map(|&x| libm::logf(x).to_bits()).collect();
            assert_eq!(
                w.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want,
                "logf, length {n}"
            );
        }
    }
}
