//! `str::parse::<f32>`, exactly, for the CSV reader's cells.
//!
//! The standard library's reader carries a 10 KB table of 128-bit powers of five that gzip cannot
//! shrink (13 KB of the gzipped `.wasm` with its code). Here the same grammar is read and the
//! number rounded to the nearest `f32` (ties to even): through the `f64` product or quotient of its
//! first 19 digits and a power of ten up to 10^22 when that lands far enough from a halfway point
//! between two `f32`s to be on the exact number's side of it (nearly always: about as fast as the
//! standard library), else exactly, in 128-bit or small big integers. The tests hold it against
//! `str::parse` on millions of texts (random ones, every kind of `f32` as written by `{}`, `{:e}`
//! and `{:.N}`, exact and nearly exact halfway points, long and extreme numbers).

/// `s.parse::<f32>().ok()`: an optional sign, then `inf`, `infinity` or `nan` in any case, or
/// digits with at most one `.` (at least one digit) and an optional exponent (`e` or `E`, an
/// optional sign, at least one digit).
pub fn parse_f32(s: &str) -> Option<f32> {
    let b = s.as_bytes();
    let (negative, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let x = match decimal(b) {
        Some(d) => d.round(),
        None if b.eq_ignore_ascii_case(b"nan") => f32::NAN,
        None if b.eq_ignore_ascii_case(b"inf") || b.eq_ignore_ascii_case(b"infinity") => {
            f32::INFINITY
        }
        None => return None,
    };
    Some(if negative { -x } else { x })
}

/// A decimal number: its digits (`int` then `frac`, as written) times 10 to `exp`.
struct Decimal<'a> {
    int: &'a [u8],
    frac: &'a [u8],
    /// The written exponent, less the count of `frac` digits.
    exp: i64,
    /// The digits as one integer, when there are at most 19 (the usual case, read in one pass).
    short: Option<u64>,
}

/// `digits[.digits][(e|E)[+-]digits]` with a digit before or after the point, all of `b`.
fn decimal(b: &[u8]) -> Option<Decimal<'_>> {
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_end = digits(0);
    let (frac, mut at) = match b.get(int_end) {
        Some(b'.') => {
            let end = digits(int_end + 1);
            (&b[int_end + 1..end], end)
        }
        _ => (&b[..0], int_end),
    };
    if int_end == 0 && frac.is_empty() {
        return None;
    }
    let mut exp = 0i64;
    if let Some(b'e' | b'E') = b.get(at) {
        at += 1;
        let negative = b.get(at) == Some(&b'-');
        if matches!(b.get(at), Some(b'-' | b'+')) {
            at += 1;
        }
        let end = digits(at);
        if end == at {
            return None;
        }
        for &c in &b[at..end] {
            // The standard library stops adding digits once past 0xffff (so does this).
            if exp < 0x10000 {
                exp = 10 * exp + i64::from(c - b'0');
            }
        }
        if negative {
            exp = -exp;
        }
        at = end;
    }
    if at != b.len() {
        return None;
    }
    let int = &b[..int_end];
    let digit = |m: u64, c: &u8| 10 * m + u64::from(c - b'0');
    Some(Decimal {
        int,
        frac,
        exp: exp - frac.len() as i64,
        short: (int.len() + frac.len() <= 19)
            .then(|| frac.iter().fold(int.iter().fold(0, digit), digit)),
    })
}

/// Significant digits kept for the exact rounding; the rest only say "a little more". A halfway
/// point between two `f32`s has at most 113 significant digits, so none lies between the kept digits
/// and the kept digits plus one unit of the last.
const KEPT: usize = 200;

impl Decimal<'_> {
    /// The nearest `f32` (ties to even) to the number, which is not negative.
    fn round(&self) -> f32 {
        if let (Some(m), true) = (self.short, (-22..=22).contains(&self.exp)) {
            if m == 0 {
                return 0.0;
            }
            if let Some(x) = near(m as f64, self.exp).or_else(|| small(u128::from(m), self.exp)) {
                return x;
            }
        }
        let all = || self.int.iter().chain(self.frac).map(|c| c - b'0');
        let leading = all().take_while(|&d| d == 0).count();
        let total = self.int.len() + self.frac.len();
        if leading == total {
            return 0.0;
        }
        let trailing = all().rev().take_while(|&d| d == 0).count();
        // The number is digits[leading..total - trailing] times 10 to `exp`.
        let n = total - leading - trailing;
        let exp = self.exp + trailing as i64;
        let sig = || all().skip(leading).take(n);
        // Below 10^-46 it is under half the smallest subnormal (7.0e-46); from 10^39 above the
        // largest f32's rounding bound (3.4028236e38).
        let magnitude = n as i64 + exp;
        if magnitude <= -46 {
            return 0.0;
        }
        if magnitude > 39 {
            return f32::INFINITY;
        }
        // The first 19 digits: past them the rest moves the number by less than 1e-18 of itself,
        // which `near` allows for.
        let cut = exp + n.saturating_sub(19) as i64;
        if (-22..=22).contains(&cut) {
            let m = sig().take(19).fold(0u64, |m, d| 10 * m + u64::from(d));
            if let Some(x) = near(m as f64, cut) {
                return x;
            }
            if n <= 19 {
                if let Some(x) = small(u128::from(m), cut) {
                    return x;
                }
            }
        }
        // Exactly: num / den = digits * 10^exp; past KEPT digits, a last digit 1 stands for the rest.
        let mut num = Big::from_digits(sig().take(KEPT).chain((n > KEPT).then_some(1)));
        let exp = exp + n.saturating_sub(KEPT) as i64 - i64::from(n > KEPT);
        let mut den = Big(vec![1]);
        for _ in 0..exp.unsigned_abs() {
            (if exp > 0 { &mut num } else { &mut den }).mul_add(10, 0);
        }
        exact(num, den)
    }
}

/// 10^0 to 10^22, exact in `f64`.
const POW10: [f64; 23] = {
    let mut p = [1.0; 23];
    let mut i = 1;
    while i < 23 {
        p[i] = p[i - 1] * 10.0;
        i += 1;
    }
    p
};

/// The nearest `f32` to `m * 10^exp` (`|exp| <= 22`) through the `f64` product or quotient, unless
/// that lies so close to a halfway point between two `f32`s that the exact number could be on the
/// other side of it (None). `m` may be `m` rounded to `f64`, or the first 19 digits of a longer
/// number: the `f64` result is within 2^-51 of itself of the exact number.
fn near(m: f64, exp: i64) -> Option<f32> {
    let p = POW10[exp.unsigned_abs() as usize];
    let y = if exp < 0 { m / p } else { m * p };
    let x = y as f32;
    if !x.is_finite() {
        return None;
    }
    // The halfway point on y's side of x (x is positive and normal: y >= 1e-22).
    let back = f64::from(x);
    let other = f32::from_bits(if back < y {
        x.to_bits() + 1
    } else {
        x.to_bits() - 1
    });
    let half = (back + f64::from(other)) / 2.0;
    if (half - y).abs() <= y * 2.0 * f64::EPSILON {
        return None;
    }
    Some(x)
}

/// The nearest `f32` to `m * 10^exp` for `m < 2^126` and `|exp| <= 22`, in 128-bit integers:
/// exactly, unless `m * 10^exp` is 2^128 or more (None).
fn small(m: u128, exp: i64) -> Option<f32> {
    let k = exp.unsigned_abs() as u32;
    if exp >= 0 {
        let v = m.checked_mul(10u128.pow(k))?;
        return Some(nearest(v, 0, false));
    }
    // m / 10^k = m / 5^k / 2^k: m * 2^s over 5^k to 29 bits, and whether anything remains.
    let d = 5u128.pow(k);
    let s = 28 + bits128(d) - bits128(m);
    let (mut num, den) = if s >= 0 { (m << s, d) } else { (m, d << -s) };
    let mut q = 0u128;
    for bit in (0..30).rev() {
        if num >= den << bit {
            num -= den << bit;
            q |= 1 << bit;
        }
    }
    Some(nearest(q, -s - i64::from(k), num != 0))
}

fn bits128(x: u128) -> i64 {
    128 - i64::from(x.leading_zeros())
}

/// The nearest `f32` to `(q + f) * 2^e`, where `q` is positive, `0 <= f < 1` and `f > 0` only when
/// `more`, and the result is not below the normal range (the callers' numbers are at least 1e-22).
fn nearest(q: u128, e: i64, more: bool) -> f32 {
    let shift = (bits128(q) - 24).max(0);
    let mut m = (q >> shift) as u32;
    if shift > 0 {
        let rest = q & ((1 << shift) - 1);
        let half = 1 << (shift - 1);
        if rest > half || (rest == half && (more || m & 1 == 1)) {
            m += 1;
        }
    }
    let mut e = e + shift;
    if m == 1 << 24 {
        m >>= 1;
        e += 1;
    }
    while m < 1 << 23 {
        m <<= 1;
        e -= 1;
    }
    let biased = e + 150;
    if biased >= 255 {
        return f32::INFINITY;
    }
    f32::from_bits((biased as u32) << 23 | (m - (1 << 23)))
}

/// The nearest `f32` to `num / den` (both positive).
fn exact(mut num: Big, mut den: Big) -> f32 {
    // 2^k <= num / den < 2^(k + 1).
    let mut k = num.bits() as i64 - den.bits() as i64;
    let at_least = |k: i64| {
        if k >= 0 {
            num.cmp(&den.shl(k as usize)).is_ge()
        } else {
            num.shl((-k) as usize).cmp(&den).is_ge()
        }
    };
    if !at_least(k) {
        k -= 1;
    }
    // 24 significant bits, fewer below the normal range; m = floor(num / den / 2^q).
    let q = (k - 23).max(-149);
    if q >= 0 {
        den = den.shl(q as usize);
    } else {
        num = num.shl((-q) as usize);
    }
    let mut m = 0u32;
    let mut part = den.shl(24);
    for bit in (0..25).rev() {
        if num.cmp(&part).is_ge() {
            num.sub(&part);
            m |= 1 << bit;
        }
        part.shr1();
    }
    // Round to nearest, ties to even: the remainder against half the divisor.
    match num.shl(1).cmp(&den) {
        std::cmp::Ordering::Greater => m += 1,
        std::cmp::Ordering::Equal => m += m & 1,
        std::cmp::Ordering::Less => {}
    }
    let mut q = q;
    if m == 1 << 24 {
        m >>= 1;
        q += 1;
    }
    if m < 1 << 23 {
        return f32::from_bits(m); // subnormal (q is -149) or zero
    }
    let biased = q + 150;
    if biased >= 255 {
        return f32::INFINITY;
    }
    f32::from_bits((biased as u32) << 23 | (m - (1 << 23)))
}

/// A natural number, base 2^32, least significant limb first, no high zero limbs.
struct Big(Vec<u32>);

impl Big {
    fn from_digits(digits: impl Iterator<Item = u8>) -> Big {
        let mut b = Big(Vec::new());
        for d in digits {
            b.mul_add(10, u32::from(d));
        }
        b
    }

    /// self = self * m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let t = u64::from(*limb) * u64::from(m) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn bits(&self) -> usize {
        self.0
            .last()
            .map_or(0, |&top| 32 * self.0.len() - top.leading_zeros() as usize)
    }

    fn shl(&self, n: usize) -> Big {
        let (limbs, bits) = (n / 32, n % 32);
        let mut out = vec![0; limbs];
        let mut carry = 0u32;
        for &limb in &self.0 {
            out.push(if bits == 0 {
                limb
            } else {
                limb << bits | carry
            });
            carry = if bits == 0 { 0 } else { limb >> (32 - bits) };
        }
        if carry > 0 {
            out.push(carry);
        }
        Big(out)
    }

    /// self /= 2 (rounding down).
    fn shr1(&mut self) {
        for i in 0..self.0.len() {
            let high = self.0.get(i + 1).map_or(0, |&x| x << 31);
            self.0[i] = self.0[i] >> 1 | high;
        }
        if self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// self -= other (not larger than self).
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let t = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            *limb = t as u32;
            borrow = i64::from(t < 0);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let want = text.parse::<f32>().ok();
        let got = parse_f32(text);
        let bits = |x: Option<f32>| x.map(|x| if x.is_nan() { u32::MAX } else { x.to_bits() });
        assert_eq!(bits(got), bits(want), "{text:?}: {got:?}, std {want:?}");
    }

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
    fn random_texts_parse_as_std() {
        let pool = b"0123456789012345678900000.....eeE++--infatyINFNAx _";
        let mut next = stream(1);
        for _ in 0..1_000_000 {
            let len = (next() % 14) as usize;
            let t: Vec<u8> = (0..len)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            same(std::str::from_utf8(&t).unwrap());
        }
        for t in [
            "",
            "+",
            "-",
            ".",
            "e",
            "e5",
            "1e",
            "1e+",
            "1e-",
            ".e1",
            "1.",
            ".5",
            "+.5",
            "-.5e-3",
            "1.e5",
            "00",
            "-0",
            "-0.0e99",
            "nan",
            "NaN",
            "-nan",
            "+NAN",
            "inf",
            "-Inf",
            "infinity",
            "INFINITY",
            "-infinity",
            "infinit",
            "nana",
            "in",
            " 1",
            "1 ",
            "1_0",
            "0x1",
            "1e1e1",
            "1..2",
            "١",
        ] {
            same(t);
        }
    }

    #[test]
    fn every_kind_of_f32_as_written_parses_back_as_std() {
        let mut next = stream(2);
        for i in 0..400_000 {
            let x = match i % 4 {
                0 => f32::from_bits(next() as u32),
                1 => f32::from_bits(next() as u32 & 0x807f_ffff), // subnormal
                2 => (next() % 100_000) as f32 / 100.0,
                _ => f32::from_bits(0x7f7f_ffff - (next() % 64) as u32), // near the largest
            };
            if !x.is_finite() {
                continue;
            }
            let p = (next() % 12) as usize;
            for t in [
                format!("{x}"),
                format!("{x:e}"),
                format!("{x:?}"),
                format!("{x:.p$}"),
                format!("{x:.p$e}"),
                format!("{:e}", f64::from(x) * 1.000_000_1),
            ] {
                same(&t);
            }
        }
    }

    #[test]
    fn halfway_points_and_their_neighbours_parse_as_std() {
        let mut next = stream(3);
        for i in 0..200_000 {
            let bits = match i % 3 {
                0 => next() as u32 & 0x7f7f_fffe,
                1 => next() as u32 & 0x007f_ffff,
                _ => (next() as u32 & 0x00ff_ffff) | ((next() % 30) as u32 + 110) << 23,
            };
            let (a, b) = (f32::from_bits(bits), f32::from_bits(bits + 1));
            if !b.is_finite() {
                continue;
            }
            // Exact in f64; printed with every digit it has, and cut short (a little off the point).
            let mid = (f64::from(a) + f64::from(b)) / 2.0;
            let p = (next() % 40) as usize;
            let exact = format!("{mid:.130e}");
            for t in [
                exact.clone(),
                format!("{mid:e}"),
                format!("{mid:.p$e}"),
                exact.replace('e', "000000000000000000000000000001e"),
                format!("{mid:.1000}"),
            ] {
                same(&t);
            }
        }
    }

    #[test]
    fn a_halfway_point_in_f64_goes_the_exact_way() {
        // 2^24 + 1 lies halfway between two f32s: f64 holds it exactly, rounding decides the tie.
        assert_eq!(near(16_777_217.0, 0), None);
        assert_eq!(near(16_777_218.0, 0), Some(16_777_218.0));
        assert_eq!(near(16_777_217.0 + f64::powi(2.0, -28), 0), None);
        for t in [
            "16777217",
            "16777219",
            "-16777219",
            "1677721.7e1",
            "0.5000000298023223876953125",
        ] {
            same(t);
        }
        assert_eq!(parse_f32("16777217"), Some(16_777_216.0));
        assert_eq!(parse_f32("16777219"), Some(16_777_220.0));
    }

    #[test]
    fn up_to_nineteen_digits_parse_as_std() {
        let mut next = stream(5);
        for _ in 0..1_000_000 {
            let n = 1 + next() % 19;
            let m = next() % 10u64.pow(n as u32);
            let wide = (next() % 10u64.pow(18 - (n as u32 % 18))).max(1);
            let e = (next() % 61) as i64 - 30;
            same(&format!("{m}e{e}"));
            same(&format!("{m}.5e{e}"));
            same(&format!("{m}{wide}e{e}"));
        }
    }

    #[test]
    fn long_and_extreme_numbers_parse_as_std() {
        let mut next = stream(4);
        for _ in 0..20_000 {
            let digits: String = (0..1 + next() % 400)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let e = next() % 120;
            for t in [
                format!("{digits}e-{e}"),
                format!("0.{digits}e{}", e / 3),
                format!("{digits}.{digits}e-{}", e + 300),
                format!("{}1", "0".repeat((next() % 80) as usize)),
            ] {
                same(&t);
            }
        }
        let zeros = "0".repeat(100_000);
        for t in [
            "3.4028235e38".to_string(),
            "3.4028236e38".to_string(),
            "340282356779733661637539395458142568448".to_string(),
            "340282356779733661637539395458142568447.9999".to_string(),
            "1e39".to_string(),
            "1e38".to_string(),
            "7.006492321624085354618647916449580656401e-46".to_string(),
            "7.0064923216240853546186479164495806564013e-46".to_string(),
            "7.006492321624085354618647916449580656400e-46".to_string(),
            "1.4e-45".to_string(),
            "1e-46".to_string(),
            "1e-45".to_string(),
            "1.1754942e-38".to_string(),
            "1e70000".to_string(),
            "1e-70000".to_string(),
            "1e655360".to_string(),
            "1e99999999999999999999999".to_string(),
            "0e99999999999999999999999".to_string(),
            format!("0.{zeros}1e100001"),
            format!("0.{zeros}1e1000000"),
            format!("1{zeros}e-100000"),
            format!("1{zeros}e-100038"),
            format!("1.{zeros}1"),
            format!("{zeros}.{zeros}"),
            format!("16777217.{zeros}1"),
            format!("16777217.{zeros}"),
            format!("16777217{zeros}e-100000"),
        ] {
            same(&t);
        }
    }
}
