//! Matrix products on row-major slices, written so every output element sums in a fixed order.
//!
//! Every output element is `((0 + a0*b0) + a1*b1) + a2*b2 + ...`, each product and each sum rounded
//! to f32, in the order of the reduction index, whatever the kernel: the kernels vectorise across
//! *output columns* (and block over output rows), never across the reduction. So the plain loops of
//! [`reference`], the 4-lane SIMD kernels (SSE natively, SIMD128 in wasm) and the 8-lane AVX kernels
//! give the same bits, which is what makes "same seed, same numbers" hold natively and in wasm. No FMA
//! is used anywhere (Rust never fuses on its own, and the kernels multiply and add separately).
//!
//! The fast kernels take `NR` output columns of the right-hand matrix at a time (read in place when
//! the matrix is small, else packed into a contiguous, zero-padded panel in a thread-local scratch
//! that only grows, so a training step allocates nothing once warm), and compute `MR x NR` tiles of
//! the output with the accumulators in registers; a forward layer's `+ bias` and ReLU happen in the
//! tile's store ([`matmul_bias`]).
//! Which kernels run is chosen once per process (the best the CPU has) and can be forced with
//! [`set_kernels`] or, natively, the environment variable `SLAM_LAB_KERNELS`
//! (`reference`, `simd128`, `avx`), for benchmarks and tests.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};

/// `c[m x n] = a[m x k] * b[k x n]`.
pub fn matmul(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "matmul: slices too short"
    );
    match kernels() {
        Kernels::Reference => reference::matmul(a, b, c, m, k, n),
        kind => {
            // Output rows i, reduction r = p: A element (i, r) at a[i * k + r]; panel rows are rows of b.
            let src = Panel::Rows { b, ld: n };
            // SAFETY: the bounds were checked above; `run` reads and writes only inside them.
            unsafe {
                run(
                    kind,
                    a.as_ptr(),
                    k,
                    1,
                    m,
                    k,
                    src,
                    c.as_mut_ptr(),
                    n,
                    n,
                    Epilogue::NONE,
                )
            }
        }
    }
}

/// `c[m x n] = a[m x k] * b[k x n] + bias[n]` per row, then ReLU when `relu` (a layer's forward pass
/// in one sweep: the same bits as [`matmul`], then `+ bias[j]`, then [`relu`]).
#[allow(clippy::too_many_arguments)]
pub fn matmul_bias(
    a: &[f32],
    b: &[f32],
    bias: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    relu: bool,
) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n && bias.len() >= n,
        "matmul_bias: slices too short"
    );
    match kernels() {
        Kernels::Reference => reference::matmul_bias(a, b, bias, c, m, k, n, relu),
        kind => {
            let src = Panel::Rows { b, ld: n };
            let epi = Epilogue {
                bias: bias.as_ptr(),
                relu,
            };
            // SAFETY: as in `matmul`; the bias holds `n` values.
            unsafe { run(kind, a.as_ptr(), k, 1, m, k, src, c.as_mut_ptr(), n, n, epi) }
        }
    }
}

/// `c[k x n] = a[m x k]^T * b[m x n]` (weight gradients: inputs transposed times deltas).
pub fn matmul_at_b(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(
        a.len() >= m * k && b.len() >= m * n && c.len() >= k * n,
        "matmul_at_b: slices too short"
    );
    match kernels() {
        Kernels::Reference => reference::matmul_at_b(a, b, c, m, k, n),
        kind => {
            // Output rows p, reduction r = i: A element (p, r) at a[r * k + p]; panel rows are rows of b.
            let src = Panel::Rows { b, ld: n };
            // SAFETY: as in `matmul`.
            unsafe {
                run(
                    kind,
                    a.as_ptr(),
                    1,
                    k,
                    k,
                    m,
                    src,
                    c.as_mut_ptr(),
                    n,
                    n,
                    Epilogue::NONE,
                )
            }
        }
    }
}

/// `c[m x k] = a[m x n] * b[k x n]^T` (back-propagated deltas: deltas times weights transposed).
pub fn matmul_a_bt(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    assert!(
        a.len() >= m * n && b.len() >= k * n && c.len() >= m * k,
        "matmul_a_bt: slices too short"
    );
    match kernels() {
        Kernels::Reference => reference::matmul_a_bt(a, b, c, m, n, k),
        kind => {
            // Output rows i, output columns p, reduction r = j: A element (i, r) at a[i * n + r];
            // panel row r holds b[p * n + r] for the panel's columns p (b transposed while packing).
            let src = Panel::Columns { b, ld: n };
            // SAFETY: as in `matmul`.
            unsafe {
                run(
                    kind,
                    a.as_ptr(),
                    n,
                    1,
                    m,
                    n,
                    src,
                    c.as_mut_ptr(),
                    k,
                    k,
                    Epilogue::NONE,
                )
            }
        }
    }
}

/// Which implementation the products use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernels {
    /// The plain loops of [`reference`].
    Reference,
    /// Register-blocked kernels on 4 lanes: SSE natively, SIMD128 in wasm (plain arrays elsewhere).
    Simd128,
    /// Register-blocked kernels on 8 lanes (x86-64 with AVX, detected at run time).
    Avx,
}

impl Kernels {
    /// `reference`, `simd128` or `avx`.
    pub fn name(self) -> &'static str {
        match self {
            Kernels::Reference => "reference",
            Kernels::Simd128 => "simd128",
            Kernels::Avx => "avx",
        }
    }

    fn code(self) -> u8 {
        match self {
            Kernels::Reference => 1,
            Kernels::Simd128 => 2,
            Kernels::Avx => 3,
        }
    }

    fn from_code(c: u8) -> Kernels {
        match c {
            1 => Kernels::Reference,
            3 => Kernels::Avx,
            _ => Kernels::Simd128,
        }
    }
}

static KERNELS: AtomicU8 = AtomicU8::new(0);

fn avx_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The best kernels this machine runs (AVX natively when the CPU has it, else 4 lanes).
pub fn best_kernels() -> Kernels {
    if avx_available() {
        Kernels::Avx
    } else {
        Kernels::Simd128
    }
}

/// The kernels in use (chosen on first use: `SLAM_LAB_KERNELS` natively if set, else the best).
pub fn kernels() -> Kernels {
    let c = KERNELS.load(Ordering::Relaxed);
    if c != 0 {
        return Kernels::from_code(c);
    }
    let chosen = from_env().unwrap_or_else(best_kernels);
    KERNELS.store(chosen.code(), Ordering::Relaxed);
    chosen
}

fn from_env() -> Option<Kernels> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        match std::env::var("SLAM_LAB_KERNELS").ok()?.as_str() {
            "reference" => Some(Kernels::Reference),
            "simd128" => Some(Kernels::Simd128),
            "avx" if avx_available() => Some(Kernels::Avx),
            _ => None,
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        None
    }
}

/// Use `k` from now on (process-wide; AVX falls back to 4 lanes where the CPU lacks it). Returns the
/// kernels now in use. The numbers do not change: every kernel gives the same bits.
pub fn set_kernels(k: Kernels) -> Kernels {
    let k = if k == Kernels::Avx && !avx_available() {
        Kernels::Simd128
    } else {
        k
    };
    KERNELS.store(k.code(), Ordering::Relaxed);
    k
}

/// Name of the kernels in use, with the lane type: `avx`, `simd128 (sse)`, `simd128 (wasm)`, ...
pub fn kernel_name() -> &'static str {
    match kernels() {
        Kernels::Reference => "reference",
        Kernels::Avx => "avx (8 lanes)",
        Kernels::Simd128 => {
            if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
                "simd128 (wasm, 4 lanes)"
            } else if cfg!(target_arch = "x86_64") {
                "simd128 (sse, 4 lanes)"
            } else {
                "4 lanes (portable)"
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lanes: the few vector operations the kernels need, per instruction set.

trait Lanes: Copy {
    const W: usize;
    unsafe fn zero() -> Self;
    unsafe fn splat(p: *const f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    /// `self + a * b`, rounded after the product and after the sum (never fused).
    unsafe fn mul_add(self, a: Self, b: Self) -> Self;
    unsafe fn add(self, b: Self) -> Self;
    /// `if x > 0 { x } else { +0 }` per lane (NaN gives +0), exactly as the scalar ReLU.
    unsafe fn relu(self) -> Self;
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes;
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct Sse(__m128);

    impl Lanes for Sse {
        const W: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Sse(_mm_setzero_ps())
        }
        #[inline(always)]
        unsafe fn splat(p: *const f32) -> Self {
            Sse(_mm_set1_ps(*p))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Sse(_mm_loadu_ps(p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            _mm_storeu_ps(p, self.0)
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Sse(_mm_add_ps(self.0, _mm_mul_ps(a.0, b.0)))
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            Sse(_mm_add_ps(self.0, b.0))
        }
        #[inline(always)]
        unsafe fn relu(self) -> Self {
            // maxps(x, 0) is `x > 0 ? x : 0` (the second operand on NaN and on equal zeros).
            Sse(_mm_max_ps(self.0, _mm_setzero_ps()))
        }
    }

    #[derive(Clone, Copy)]
    pub struct Avx(__m256);

    // Used only inside functions compiled with `#[target_feature(enable = "avx")]`, after detection.
    impl Lanes for Avx {
        const W: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Avx(_mm256_setzero_ps())
        }
        #[inline(always)]
        unsafe fn splat(p: *const f32) -> Self {
            Avx(_mm256_broadcast_ss(&*p))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Avx(_mm256_loadu_ps(p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            _mm256_storeu_ps(p, self.0)
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Avx(_mm256_add_ps(self.0, _mm256_mul_ps(a.0, b.0)))
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            Avx(_mm256_add_ps(self.0, b.0))
        }
        #[inline(always)]
        unsafe fn relu(self) -> Self {
            Avx(_mm256_max_ps(self.0, _mm256_setzero_ps()))
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::Lanes;
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct Simd(v128);

    impl Lanes for Simd {
        const W: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Simd(f32x4_splat(0.0))
        }
        #[inline(always)]
        unsafe fn splat(p: *const f32) -> Self {
            Simd(v128_load32_splat(p as *const u32))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Simd(v128_load(p as *const v128))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Simd(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            Simd(f32x4_add(self.0, b.0))
        }
        #[inline(always)]
        unsafe fn relu(self) -> Self {
            // pmax(0, x) is `0 < x ? x : 0`.
            Simd(f32x4_pmax(f32x4_splat(0.0), self.0))
        }
    }
}

/// Four plain lanes, for targets without a SIMD type here (the compiler may still vectorise them).
#[derive(Clone, Copy)]
#[allow(dead_code)]
struct Plain([f32; 4]);

impl Lanes for Plain {
    const W: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Plain([0.0; 4])
    }
    #[inline(always)]
    unsafe fn splat(p: *const f32) -> Self {
        Plain([*p; 4])
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        Plain(core::ptr::read_unaligned(p as *const [f32; 4]))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        core::ptr::write_unaligned(p as *mut [f32; 4], self.0)
    }
    #[inline(always)]
    unsafe fn mul_add(self, a: Self, b: Self) -> Self {
        let mut out = self.0;
        for ((o, x), y) in out.iter_mut().zip(a.0).zip(b.0) {
            *o += x * y;
        }
        Plain(out)
    }
    #[inline(always)]
    unsafe fn add(self, b: Self) -> Self {
        let mut out = self.0;
        for (o, y) in out.iter_mut().zip(b.0) {
            *o += y;
        }
        Plain(out)
    }
    #[inline(always)]
    unsafe fn relu(self) -> Self {
        Plain(self.0.map(relu))
    }
}

/// The scalar ReLU every kernel matches: `x > 0 ? x : +0` (NaN gives +0).
#[inline(always)]
pub fn relu(x: f32) -> f32 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// What happens to each output element after its sum: `+ bias[j]`, then optionally ReLU.
#[derive(Clone, Copy)]
struct Epilogue {
    /// Bias of the first output column (null: no bias).
    bias: *const f32,
    relu: bool,
}

impl Epilogue {
    const NONE: Epilogue = Epilogue {
        bias: core::ptr::null(),
        relu: false,
    };

    /// The same epilogue for output columns starting at `j0`.
    #[inline(always)]
    unsafe fn shifted(self, j0: usize) -> Epilogue {
        Epilogue {
            bias: if self.bias.is_null() {
                self.bias
            } else {
                self.bias.add(j0)
            },
            relu: self.relu,
        }
    }

    #[inline(always)]
    unsafe fn vector<V: Lanes>(self, x: V, j: usize) -> V {
        let x = if self.bias.is_null() {
            x
        } else {
            x.add(V::load(self.bias.add(j)))
        };
        if self.relu {
            x.relu()
        } else {
            x
        }
    }

    #[inline(always)]
    unsafe fn scalar(self, x: f32, j: usize) -> f32 {
        let x = if self.bias.is_null() {
            x
        } else {
            x + *self.bias.add(j)
        };
        if self.relu {
            relu(x)
        } else {
            x
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Lanes4 = wasm::Simd;
#[cfg(target_arch = "x86_64")]
type Lanes4 = x86::Sse;
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
type Lanes4 = Plain;

// ---------------------------------------------------------------------------------------------
// The blocked kernel shared by the three products.

/// Where the right-hand operand's panel comes from.
#[derive(Clone, Copy)]
enum Panel<'a> {
    /// Reduction index r selects row r of `b` (`ld` wide); output column j is its column j.
    Rows { b: &'a [f32], ld: usize },
    /// Reduction index r selects column r of `b` (`ld` wide); output column j is its row j.
    Columns { b: &'a [f32], ld: usize },
}

thread_local! {
    /// Packed panels; grows to the largest `reduction x NR` seen, never shrinks.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `c[rows x cols]` (row stride `ldc`) = A * B, where A's element (row i, reduction r) sits at
/// `a + i * a_row + r * a_red` and B comes from `src` (`red` x `cols`).
#[allow(clippy::too_many_arguments)]
unsafe fn run(
    kind: Kernels,
    a: *const f32,
    a_row: usize,
    a_red: usize,
    rows: usize,
    red: usize,
    src: Panel,
    c: *mut f32,
    ldc: usize,
    cols: usize,
    epi: Epilogue,
) {
    if rows == 0 || cols == 0 {
        return;
    }
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        let need = red.max(1) * 16;
        if scratch.len() < need {
            scratch.resize(need, 0.0);
        }
        let panel = scratch.as_mut_ptr();
        match kind {
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx => run_avx(a, a_row, a_red, rows, red, src, panel, c, ldc, cols, epi),
            _ => blocked::<Lanes4>(a, a_row, a_red, rows, red, src, panel, c, ldc, cols, epi),
        }
    });
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
#[allow(clippy::too_many_arguments)]
unsafe fn run_avx(
    a: *const f32,
    a_row: usize,
    a_red: usize,
    rows: usize,
    red: usize,
    src: Panel,
    panel: *mut f32,
    c: *mut f32,
    ldc: usize,
    cols: usize,
    epi: Epilogue,
) {
    blocked::<x86::Avx>(a, a_row, a_red, rows, red, src, panel, c, ldc, cols, epi)
}

/// Pack output columns `j0..j0 + nc` of B into `panel` (`red` rows of `width` floats, zero-padded).
/// Plain loops and vector copies only: a `memcpy` per row would be a call per row in wasm.
#[inline(always)]
unsafe fn pack<V: Lanes>(
    src: Panel,
    red: usize,
    j0: usize,
    nc: usize,
    width: usize,
    panel: *mut f32,
) {
    match src {
        Panel::Rows { b, ld } => {
            let b = b.as_ptr();
            for r in 0..red {
                let from = b.add(r * ld + j0);
                let to = panel.add(r * width);
                if nc == width {
                    let mut v = 0;
                    while v < width {
                        V::load(from.add(v)).store(to.add(v));
                        v += V::W;
                    }
                } else {
                    for jj in 0..width {
                        *to.add(jj) = if jj < nc { *from.add(jj) } else { 0.0 };
                    }
                }
            }
        }
        Panel::Columns { b, ld } => {
            let b = b.as_ptr();
            for jj in 0..width {
                if jj < nc {
                    let from = b.add((j0 + jj) * ld);
                    for r in 0..red {
                        *panel.add(r * width + jj) = *from.add(r);
                    }
                } else {
                    for r in 0..red {
                        *panel.add(r * width + jj) = 0.0;
                    }
                }
            }
        }
    }
}

/// Output rows per tile, and vectors (of `W` lanes) per tile row: 4 x 8 columns on 4 lanes, 4 x 16
/// on AVX. Measured best natively and in V8 among 2..8 rows x 1..8 vectors (larger tiles spill in V8).
const MR: usize = 4;
const NVMAX: usize = 2;
/// A row-major right-hand operand of at most this many floats (16 KB, half of L1) is read in place;
/// a larger one is packed panel by panel (its strided rows would thrash L1). Measured: in place is a
/// little faster up to 64 x 64 natively and in V8, and a third slower at 784 x 128.
const IN_PLACE_MAX: usize = 4096;

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn blocked<V: Lanes>(
    a: *const f32,
    a_row: usize,
    a_red: usize,
    rows: usize,
    red: usize,
    src: Panel,
    panel: *mut f32,
    c: *mut f32,
    ldc: usize,
    cols: usize,
    epi: Epilogue,
) {
    let nr = NVMAX * V::W;
    let mut j0 = 0;
    while j0 < cols {
        let nc = nr.min(cols - j0);
        let cj = c.add(j0);
        let epi = epi.shifted(j0);
        let width = if nc > V::W { 2 * V::W } else { V::W };
        // Full-width columns of a small row-major B are read in place (row stride `ld`); tails,
        // transposed operands and large operands are packed (zero-padded, contiguous).
        let (p, ps) = match src {
            Panel::Rows { b, ld } if nc == width && red * ld <= IN_PLACE_MAX => {
                (b.as_ptr().add(j0), ld)
            }
            _ => {
                pack::<V>(src, red, j0, nc, width, panel);
                (panel as *const f32, width)
            }
        };
        if width > V::W {
            row_tiles::<V, MR, 2>(a, a_row, a_red, rows, red, p, ps, cj, ldc, nc, epi);
        } else {
            row_tiles::<V, MR, 1>(a, a_row, a_red, rows, red, p, ps, cj, ldc, nc, epi);
        }
        crate::beat::tick(rows * red * nc);
        j0 += nc;
    }
}

// In wasm each tile shape is its own function, so V8 tiers each small function up to optimised code
// quickly (one giant function would wait long for TurboFan). Natively everything inlines into the
// function that enables the instruction set (AVX intrinsics must inline into an AVX context).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[allow(clippy::too_many_arguments)]
unsafe fn row_tiles<V: Lanes, const MR: usize, const NV: usize>(
    a: *const f32,
    a_row: usize,
    a_red: usize,
    rows: usize,
    red: usize,
    panel: *const f32,
    ps: usize,
    c: *mut f32,
    ldc: usize,
    nc: usize,
    epi: Epilogue,
) {
    let mut i0 = 0;
    while i0 + MR <= rows {
        tile::<V, MR, NV>(
            a.add(i0 * a_row),
            a_row,
            a_red,
            red,
            panel,
            ps,
            c.add(i0 * ldc),
            ldc,
            nc,
            epi,
        );
        i0 += MR;
    }
    while i0 < rows {
        tile::<V, 1, NV>(
            a.add(i0 * a_row),
            a_row,
            a_red,
            red,
            panel,
            ps,
            c.add(i0 * ldc),
            ldc,
            nc,
            epi,
        );
        i0 += 1;
    }
}

/// One `R x (NV * W)` tile of the output: accumulators in registers, the reduction in order.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<V: Lanes, const R: usize, const NV: usize>(
    a: *const f32,
    a_row: usize,
    a_red: usize,
    red: usize,
    panel: *const f32,
    ps: usize,
    c: *mut f32,
    ldc: usize,
    nc: usize,
    epi: Epilogue,
) {
    let width = NV * V::W;
    let mut acc = [[V::zero(); NV]; R];
    let mut ar = a;
    let mut pr = panel;
    for _ in 0..red {
        let mut b = [V::zero(); NV];
        for (v, bv) in b.iter_mut().enumerate() {
            *bv = V::load(pr.add(v * V::W));
        }
        for (i, row) in acc.iter_mut().enumerate() {
            let x = V::splat(ar.add(i * a_row));
            for v in 0..NV {
                row[v] = row[v].mul_add(x, b[v]);
            }
        }
        ar = ar.add(a_red);
        pr = pr.add(ps);
    }
    if nc == width {
        for (i, row) in acc.iter().enumerate() {
            for (v, &x) in row.iter().enumerate() {
                epi.vector(x, v * V::W).store(c.add(i * ldc + v * V::W));
            }
        }
    } else {
        let mut tmp = [0.0f32; 16];
        for (i, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                x.store(tmp.as_mut_ptr().add(v * V::W));
            }
            let ci = c.add(i * ldc);
            for (jj, &t) in tmp.iter().enumerate().take(nc) {
                *ci.add(jj) = epi.scalar(t, jj);
            }
        }
    }
}

/// A throughput probe for benchmarks: `iters` rounds of `acc = acc * a + b` (multiply, then add, never
/// fused) on 12 independent accumulators of the kernels' lanes, enough to keep every multiplier and
/// adder busy. `2 * 12 * lanes * iters` floating-point operations; the machine's practical peak for
/// the kernels' instruction mix. Returns a value that depends on all of them.
pub fn throughput_probe(kind: Kernels, iters: usize) -> f32 {
    // SAFETY: the probe reads and writes only its own stack arrays.
    unsafe {
        match kind {
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx if avx_available() => probe_avx(iters),
            _ => probe::<Lanes4>(iters),
        }
    }
}

/// Lanes of the kernels `kind` (4, or 8 for AVX).
pub fn lanes(kind: Kernels) -> usize {
    if kind == Kernels::Avx && avx_available() {
        8
    } else {
        4
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn probe_avx(iters: usize) -> f32 {
    probe::<x86::Avx>(iters)
}

#[inline(always)]
unsafe fn probe<V: Lanes>(iters: usize) -> f32 {
    let (xa, xb) = ([0.9999f32; 8], [0.0001f32; 8]);
    let a = V::load(core::hint::black_box(xa.as_ptr()));
    let b = V::load(core::hint::black_box(xb.as_ptr()));
    let mut acc = [V::zero(); 12];
    for _ in 0..iters {
        for x in acc.iter_mut() {
            *x = b.mul_add(*x, a);
        }
    }
    let mut out = [0.0f32; 8];
    let mut sum = 0.0;
    for x in acc {
        x.store(out.as_mut_ptr());
        sum += out[0];
    }
    sum
}

/// The plain loops: the definition of every product's summation order, and the baseline the fast
/// kernels are checked against bit for bit.
pub mod reference {
    /// `c[m x n] = a[m x k] * b[k x n]`.
    pub fn matmul(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
        debug_assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
        for i in 0..m {
            let ci = &mut c[i * n..(i + 1) * n];
            ci.fill(0.0);
            let ai = &a[i * k..(i + 1) * k];
            for (p, &aip) in ai.iter().enumerate() {
                let bp = &b[p * n..(p + 1) * n];
                for (cv, &bv) in ci.iter_mut().zip(bp) {
                    *cv += aip * bv;
                }
            }
        }
    }

    /// [`matmul`], then `+ bias[j]` on every row, then ReLU when `relu`.
    #[allow(clippy::too_many_arguments)]
    pub fn matmul_bias(
        a: &[f32],
        b: &[f32],
        bias: &[f32],
        c: &mut [f32],
        m: usize,
        k: usize,
        n: usize,
        relu: bool,
    ) {
        matmul(a, b, c, m, k, n);
        for row in c[..m * n].chunks_exact_mut(n) {
            for (v, &bv) in row.iter_mut().zip(bias) {
                *v += bv;
                if relu {
                    *v = super::relu(*v);
                }
            }
        }
    }

    /// `c[k x n] = a[m x k]^T * b[m x n]`.
    pub fn matmul_at_b(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
        debug_assert!(a.len() >= m * k && b.len() >= m * n && c.len() >= k * n);
        c[..k * n].fill(0.0);
        for i in 0..m {
            let ai = &a[i * k..(i + 1) * k];
            let bi = &b[i * n..(i + 1) * n];
            for (p, &aip) in ai.iter().enumerate() {
                if aip == 0.0 {
                    // ReLU zeros are common; skipping them changes no bits (adding 0*b is exact).
                    continue;
                }
                let cp = &mut c[p * n..(p + 1) * n];
                for (cv, &bv) in cp.iter_mut().zip(bi) {
                    *cv += aip * bv;
                }
            }
        }
    }

    /// `c[m x k] = a[m x n] * b[k x n]^T`.
    pub fn matmul_a_bt(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
        debug_assert!(a.len() >= m * n && b.len() >= k * n && c.len() >= m * k);
        for i in 0..m {
            let ai = &a[i * n..(i + 1) * n];
            for p in 0..k {
                let bp = &b[p * n..(p + 1) * n];
                let mut s = 0.0f32;
                for (&x, &y) in ai.iter().zip(bp) {
                    s += x * y;
                }
                c[i * k + p] = s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};

    fn random(r: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| r.range(-1.0, 1.0)).collect()
    }

    /// Brute-force reference in f64.
    fn brute(a: &[f32], b: &[f32], m: usize, k: usize, n: usize, ta: bool, tb: bool) -> Vec<f64> {
        let at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] } as f64;
        let bt = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] } as f64;
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
            }
        }
        c
    }

    #[test]
    fn products_match_brute_force() {
        let mut r = Rng::new(11, Stream::Data);
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (7, 4, 9), (16, 33, 10)] {
            let a = random(&mut r, m * k);
            let b = random(&mut r, k * n);
            let mut c = vec![f32::NAN; m * n];
            matmul(&a, &b, &mut c, m, k, n);
            let want = brute(&a, &b, m, k, n, false, false);
            for (x, y) in c.iter().zip(&want) {
                assert!((*x as f64 - y).abs() < 1e-5, "matmul {x} vs {y}");
            }
            // a^T as stored k x m, times b^T stored n x k
            let at = random(&mut r, k * m);
            let mut c2 = vec![f32::NAN; m * n];
            matmul_at_b(&at, &b, &mut c2[..], k, m, n);
            let want2 = brute(&at, &b, m, k, n, true, false);
            for (x, y) in c2.iter().zip(&want2) {
                assert!((*x as f64 - y).abs() < 1e-5, "at_b {x} vs {y}");
            }
            let bt = random(&mut r, n * k);
            let mut c3 = vec![f32::NAN; m * n];
            matmul_a_bt(&a, &bt, &mut c3, m, k, n);
            let want3 = brute(&a, &bt, m, k, n, false, true);
            for (x, y) in c3.iter().zip(&want3) {
                assert!((*x as f64 - y).abs() < 1e-5, "a_bt {x} vs {y}");
            }
        }
    }

    fn draw_bias(n: usize, case: usize) -> Vec<f32> {
        let mut r = Rng::new(case as u64, Stream::Method);
        (0..n).map(|_| r.range(-1.0, 1.0)).collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Every fast kernel equals the plain loops bit for bit, on random shapes (tails of every
    /// width, single rows, long reductions) and on values with many exact zeros (ReLU outputs).
    #[test]
    fn fast_kernels_equal_the_reference_bit_for_bit() {
        let mut r = Rng::new(12, Stream::Data);
        let mut shapes: Vec<(usize, usize, usize)> = vec![
            (64, 784, 128),
            (64, 64, 10),
            (64, 32, 32),
            (8, 2, 32),
            (64, 128, 10),
            (1, 1, 1),
            (5, 3, 17),
        ];
        for _ in 0..60 {
            shapes.push((1 + r.below(70), 1 + r.below(140), 1 + r.below(40)));
        }
        let mut kinds = vec![Kernels::Simd128];
        if avx_available() {
            kinds.push(Kernels::Avx);
        }
        for (case, &(m, k, n)) in shapes.iter().enumerate() {
            let sparse = case % 3 == 0;
            let mut draw = |len: usize| -> Vec<f32> {
                (0..len)
                    .map(|_| {
                        let v = r.range(-2.0, 2.0) * 10f32.powi(r.below(5) as i32 - 2);
                        if sparse && r.uniform() < 0.5 {
                            0.0
                        } else {
                            v
                        }
                    })
                    .collect()
            };
            let a = draw(m * k);
            let b = draw(k * n);
            let at = draw(k * m);
            let bt = draw(n * k);
            let mut want = [vec![0.0; m * n], vec![0.0; m * n], vec![0.0; m * n]];
            reference::matmul(&a, &b, &mut want[0], m, k, n);
            reference::matmul_at_b(&at, &b, &mut want[1], k, m, n);
            reference::matmul_a_bt(&a, &bt, &mut want[2], m, k, n);
            for &kind in &kinds {
                let mut got = [
                    vec![f32::NAN; m * n],
                    vec![f32::NAN; m * n],
                    vec![f32::NAN; m * n],
                ];
                // SAFETY: the slices have exactly the sizes the products need.
                unsafe {
                    run(
                        kind,
                        a.as_ptr(),
                        k,
                        1,
                        m,
                        k,
                        Panel::Rows { b: &b, ld: n },
                        got[0].as_mut_ptr(),
                        n,
                        n,
                        Epilogue::NONE,
                    );
                    run(
                        kind,
                        at.as_ptr(),
                        1,
                        m,
                        m,
                        k,
                        Panel::Rows { b: &b, ld: n },
                        got[1].as_mut_ptr(),
                        n,
                        n,
                        Epilogue::NONE,
                    );
                    run(
                        kind,
                        a.as_ptr(),
                        k,
                        1,
                        m,
                        k,
                        Panel::Columns { b: &bt, ld: k },
                        got[2].as_mut_ptr(),
                        n,
                        n,
                        Epilogue::NONE,
                    );
                }
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!(
                        bits(g),
                        bits(w),
                        "{kind:?} differs from the reference at m={m} k={k} n={n}"
                    );
                }
                // The fused forward epilogue: + bias, then ReLU or not.
                let bias = draw_bias(n, case);
                for relu in [false, true] {
                    let mut want_b = vec![0.0; m * n];
                    reference::matmul_bias(&a, &b, &bias, &mut want_b, m, k, n, relu);
                    let mut got_b = vec![f32::NAN; m * n];
                    let epi = Epilogue {
                        bias: bias.as_ptr(),
                        relu,
                    };
                    // SAFETY: as above; the bias holds n values.
                    unsafe {
                        run(
                            kind,
                            a.as_ptr(),
                            k,
                            1,
                            m,
                            k,
                            Panel::Rows { b: &b, ld: n },
                            got_b.as_mut_ptr(),
                            n,
                            n,
                            epi,
                        )
                    };
                    assert_eq!(
                        bits(&got_b),
                        bits(&want_b),
                        "{kind:?} bias/relu={relu} differs at m={m} k={k} n={n}"
                    );
                }
            }
        }
    }

    #[test]
    fn public_products_follow_the_selected_kernels() {
        // The public entry points with whatever kernels are selected give the reference bits too.
        let mut r = Rng::new(13, Stream::Data);
        let (m, k, n) = (13, 29, 11);
        let a = random(&mut r, m * k);
        let b = random(&mut r, k * n);
        let (mut x, mut y) = (vec![0.0; m * n], vec![0.0; m * n]);
        matmul(&a, &b, &mut x, m, k, n);
        reference::matmul(&a, &b, &mut y, m, k, n);
        assert_eq!(bits(&x), bits(&y));
    }
}
