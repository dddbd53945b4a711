//! One seed of a multi-seed run or a sweep, as the page's pool of workers runs it, and their summary.

use super::*;

/// One seed of a request (`config.seed + index`) run a little at a time, so a pool worker can answer
/// messages in between; `result` gives the same JSON text as [`run_seed_json`].
#[wasm_bindgen]
pub struct SeedRunner {
    inner: Option<crate::experiment::SeedRun>,
}

#[wasm_bindgen]
impl SeedRunner {
    /// Set up seed `index` of a request (`pool` as for `Session`).
    #[wasm_bindgen(constructor)]
    pub fn new(request: JsValue, index: u32, pool: Option<Vec<u8>>) -> Result<SeedRunner, JsError> {
        let req = decode_request(request).map_err(err)?;
        let (cfg, source) = resolve_request(&req, pool.as_deref()).map_err(err)?;
        let seed = cfg.seed.wrapping_add(index as u64);
        let run = crate::experiment::SeedRun::start(
            &cfg,
            &source,
            seed,
            &req.points,
            &crate::methods::Method::list(&cfg),
        )
        .map_err(err)?;
        Ok(SeedRunner { inner: Some(run) })
    }

    /// `[done, total]` epochs of work (teacher and students).
    pub fn progress(&self) -> Vec<u32> {
        self.inner.as_ref().map_or(vec![0, 0], |r| {
            let (done, total) = r.progress();
            vec![done as u32, total as u32]
        })
    }

    /// Do up to `units` epochs of work; true once the seed is done.
    pub fn advance(&mut self, units: u32) -> Result<bool, JsError> {
        match self.inner.as_mut() {
            Some(r) => r.advance(units as usize).map_err(err),
            None => Ok(true),
        }
    }

    /// The seed's result as JSON text (the runner is spent).
    pub fn result(&mut self) -> Result<String, JsError> {
        let run = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("internal: the seed's result was already taken"))?;
        let result = run.finish().map_err(err)?;
        Ok(result.to_json())
    }
}

/// Run one seed (`config.seed + index`) of a request and return its result as JSON text, so a pool
/// of workers can share a multi-seed comparison; [`summarise_seeds`] combines them.
#[wasm_bindgen(js_name = runSeed)]
pub fn run_seed_json(
    request: JsValue,
    index: u32,
    pool: Option<Vec<u8>>,
) -> Result<String, JsError> {
    let req = decode_request(request).map_err(err)?;
    let (cfg, source) = resolve_request(&req, pool.as_deref()).map_err(err)?;
    let seed = cfg.seed.wrapping_add(index as u64);
    let result = run_seed_with(&cfg, &source, seed, &req.points).map_err(err)?;
    Ok(result.to_json())
}

/// The report (same shape as `slam-lab run --json`) over per-seed results from [`run_seed_json`], in
/// seed order whatever order they arrive in.
#[wasm_bindgen(js_name = summariseSeeds)]
pub fn summarise_seeds(
    request: JsValue,
    results: Vec<String>,
    pool: Option<Vec<u8>>,
) -> Result<JsValue, JsError> {
    let req = decode_request(request).map_err(err)?;
    let (cfg, source) = resolve_request(&req, pool.as_deref()).map_err(err)?;
    let mut parsed: Vec<SeedResult> = results
        .iter()
        .enumerate()
        .map(|(i, text)| {
            SeedResult::from_json(text).map_err(|e| JsError::new(&format!("results[{i}]: {e}")))
        })
        .collect::<Result<_, _>>()?;
    crate::order::sort_by(&mut parsed, &|a, b| {
        a.seed
            .wrapping_sub(cfg.seed)
            .cmp(&b.seed.wrapping_sub(cfg.seed))
    });
    to_js(&report::to_json(
        &cfg,
        source.name(),
        req.scenario.as_deref(),
        &parsed,
        &report::Reference::default(),
    ))
}
