//! Where a seed's rows come from, and the data's shape for the memory estimate.

use crate::config::Checked;
use crate::data::{self, Dataset, GeneratorParams};
use crate::memory::{self, Needs};
use crate::rng::{Rng, Stream};
use crate::Result;

use super::ExtraPoint;

/// Where the rows come from: a built-in name, or a table already loaded (CSV upload).
#[derive(Clone, Debug)]
pub enum DataSource {
    /// A generator or built-in real dataset, by name.
    Builtin(String),
    /// A loaded table; each seed re-splits it.
    Table(Dataset),
    /// A large loaded pool (the MNIST subset); each seed draws `samples` rows of it.
    Pool(Dataset),
}

impl DataSource {
    /// Display name of the data.
    pub fn name(&self) -> &str {
        match self {
            DataSource::Builtin(n) => n,
            DataSource::Table(d) | DataSource::Pool(d) => &d.name,
        }
    }

    /// The data's shape for the memory estimate, `data` being what [`DataSource::load`] gave with
    /// `added` hand-added rows appended.
    pub fn shape(&self, data: &Dataset, added: usize) -> memory::Shape {
        let table = |d: &Dataset| (d.x.len() as u64) * 4 + (d.y.len() as u64) * 8;
        let (source_bytes, drawn_up_to) = match self {
            DataSource::Builtin(name) => {
                let generator = data::synthetic::catalogue().iter().any(|(n, _)| n == name);
                (0, generator.then_some(usize::MAX))
            }
            DataSource::Table(d) => (table(d), None),
            DataSource::Pool(d) => (table(d), Some(d.len())),
        };
        memory::Shape {
            rows: data.len(),
            added,
            dim: data.dim(),
            classes: data.n_classes,
            source_bytes,
            drawn_up_to,
        }
    }

    /// Refuse, before anything large is built, settings whose run of `seed` with methods needing
    /// `needs` would not fit the memory budget (see [`memory::check`]).
    pub fn check_memory(
        &self,
        cfg: &Checked,
        seed: u64,
        extra: &[ExtraPoint],
        needs: &Needs,
    ) -> Result<()> {
        let data = self.load(cfg, seed)?;
        let mut shape = self.shape(&data, extra.len());
        shape.rows += extra.len();
        memory::check(cfg, &shape, needs)
    }

    /// The dataset for one seed (generators draw fresh points per seed).
    pub fn load(&self, cfg: &Checked, seed: u64) -> Result<Dataset> {
        match self {
            DataSource::Builtin(name) => {
                let params = GeneratorParams {
                    samples: cfg.samples,
                    noise: cfg.data_noise,
                    classes: cfg.classes,
                };
                data::load_builtin(name, &params, &mut Rng::new(seed, Stream::Data))
            }
            DataSource::Table(d) => Ok(d.clone()),
            DataSource::Pool(d) => {
                if cfg.samples >= d.len() {
                    return Ok(d.clone());
                }
                let mut rows = Rng::new(seed, Stream::Data).permutation(d.len());
                rows.truncate(cfg.samples);
                crate::order::sort_indices(&mut rows);
                let mut sub = d.clone();
                sub.x = data::split::select_rows(&d.x, &rows);
                sub.y = rows.iter().map(|&i| d.y[i]).collect();
                sub.known = d
                    .known
                    .as_ref()
                    .map(|k| rows.iter().map(|&i| k[i]).collect());
                sub.teacher = d.teacher.as_ref().map(|t| t.select(&rows));
                Ok(sub)
            }
        }
    }
}
