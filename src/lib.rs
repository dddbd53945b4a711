//! SLaM Lab: knowledge distillation with Student-Label Mixing and its baselines.
//!
//! The modules follow the pipeline: [`data`] -> [`teacher`] -> [`estimators`] (alpha, k, weights) ->
//! [`seed`] (one seed prepared) -> [`methods`] (one [`methods::Distiller`] per method, on
//! [`losses`] and [`model`]) -> [`run`] (one student's training) -> [`experiment`] (seeds) ->
//! [`report`], [`sweep`], [`session`] -> the CLI and [`wasm`], the thin browser surface; everything
//! else is plain Rust tested natively.

pub mod anatomy;
pub mod beat;
pub mod bench;
pub mod config;
pub mod data;
pub mod decode;
pub mod error;
pub mod estimators;
pub mod experiment;
pub mod expf;
pub mod linalg;
pub mod losses;
pub mod memory;
pub mod methods;
pub mod model;
pub mod order;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenarios;
pub mod schema;
pub mod seed;
pub mod session;
pub mod sweep;
pub mod teacher;
pub mod wasm;

pub use error::{Error, Result};
