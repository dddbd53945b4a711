//! VID's loss for one example (see the engine's `methods::vid` for the method): per row, a product
//! of the student's and the teacher's last hidden layers, so it is built with the kernels.

/// The logistic function, as the engine's `methods::meta::sigmoid`.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::expf(-x))
    } else {
        let e = libm::expf(x);
        e / (1.0 + e)
    }
}

/// Floor on each learned variance (the paper's epsilon).
pub const MIN_VARIANCE: f32 = 1e-3;

/// `log(1 + e^a)` without overflow.
pub fn softplus(a: f32) -> f32 {
    if a > 15.0 {
        a + libm::log1pf(libm::expf(-a))
    } else {
        libm::log1pf(libm::expf(a))
    }
}

/// The parameters of VID's side model for one example, as slices.
pub struct Side<'a> {
    /// Regressor weights, `s_dim x t_dim` row-major.
    pub w: &'a [f32],
    /// Regressor bias, `t_dim`.
    pub b: &'a [f32],
    /// Variance parameters, `t_dim`: `sigma^2 = softplus(a) + MIN_VARIANCE`.
    pub a: &'a [f32],
}

/// VID's loss for one example (see the module doc). Adds `scale *` its gradients to `d_w`, `d_b`,
/// `d_a` (accumulated over a batch) and writes `scale * dvid/ds` into `d_s`; `mu` is scratch of
/// length `t_dim`.
#[allow(clippy::too_many_arguments)]
pub fn vid_loss(
    s: &[f32],
    t: &[f32],
    side: &Side,
    mu: &mut [f32],
    d_s: &mut [f32],
    d_w: &mut [f32],
    d_b: &mut [f32],
    d_a: &mut [f32],
    scale: f32,
) -> f32 {
    let (s_dim, t_dim) = (s.len(), t.len());
    debug_assert!(side.w.len() >= s_dim * t_dim);
    mu.copy_from_slice(side.b);
    for (&sk, row) in s.iter().zip(side.w.chunks_exact(t_dim)) {
        if sk == 0.0 {
            continue;
        }
        for (m, &w) in mu.iter_mut().zip(row) {
            *m += sk * w;
        }
    }
    let inv_d = 1.0 / t_dim as f32;
    let mut loss = 0.0;
    // Reuse mu for dvid/dmu once the residual is known.
    for d in 0..t_dim {
        let var = softplus(side.a[d]) + MIN_VARIANCE;
        let r = t[d] - mu[d];
        loss += inv_d * (0.5 * libm::logf(var) + r * r / (2.0 * var));
        let d_var = inv_d * (0.5 / var - r * r / (2.0 * var * var));
        d_a[d] += scale * d_var * sigmoid(side.a[d]);
        mu[d] = -inv_d * r / var;
        d_b[d] += scale * mu[d];
    }
    for k in 0..s_dim {
        let row = &side.w[k * t_dim..(k + 1) * t_dim];
        let mut ds = 0.0;
        for (&w, &g) in row.iter().zip(mu.iter()) {
            ds += w * g;
        }
        d_s[k] = scale * ds;
        let sk = s[k];
        if sk != 0.0 {
            for (dw, &g) in d_w[k * t_dim..(k + 1) * t_dim].iter_mut().zip(mu.iter()) {
                *dw += scale * sk * g;
            }
        }
    }
    loss
}
