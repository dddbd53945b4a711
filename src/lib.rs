//! SLaM Lab: knowledge distillation with Student-Label Mixing and its baselines.
//!
//! The modules follow the pipeline: [`data`] -> [`teacher`] -> [`estimators`] (alpha, k, weights) ->
//! [`losses`] -> [`model`] (MLP, optimiser) -> [`experiment`] (runs, metrics). [`wasm`] is the thin
//! browser surface; everything else is plain Rust tested natively.

pub mod bench;
pub mod config;
pub mod data;
pub mod error;
pub mod estimators;
pub mod expf;
pub mod experiment;
pub mod linalg;
pub mod losses;
pub mod methods;
pub mod model;
pub mod order;
pub mod report;
pub mod rng;
pub mod scenarios;
pub mod session;
pub mod sweep;
pub mod teacher;
pub mod wasm;

pub use error::{Error, Result};
