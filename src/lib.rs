//! SLaM Lab: knowledge distillation with Student-Label Mixing and its baselines.
//!
//! The modules follow the pipeline: [`data`] -> [`teacher`] -> [`estimators`] (alpha, k, weights) ->
//! [`seed`] (one seed prepared) -> [`methods`] (one [`methods::Distiller`] per method, on
//! [`losses`] and [`model`]) -> [`run`] (one student's training) -> [`experiment`] (seeds) ->
//! [`report`], [`sweep`], [`session`] -> the CLI and [`wasm`], the thin browser surface; everything
//! else is plain Rust tested natively.

// tests/toy/confident.rs, compiled into the crate by the `toy-method` feature, names the crate as a
// test does.
#[cfg(feature = "toy-method")]
extern crate self as slam_lab;

pub mod anatomy;
// The hot numeric code lives in the workspace crate `slam-kernels` (built for speed while the rest
// of the `.wasm` is built for size, see Cargo.toml's `wasm-release`); its modules keep their paths.
pub use slam_kernels::{beat, expf, linalg, losses, model, order, rng};
pub mod bench;
pub mod config;
pub mod data;
pub mod decode;
pub mod error;
pub mod estimators;
pub mod experiment;
pub mod memory;
pub mod methods;
pub mod report;
pub mod request;
pub mod run;
pub mod scenarios;
pub mod schema;
pub mod seed;
pub mod session;
pub mod sweep;
pub mod teacher;
pub mod wasm;

pub use error::{Error, Result};
