//! The browser surface: a thin `#[wasm_bindgen]` layer over the plain-Rust engine.
//!
//! Every function returns `Result<_, JsError>`; bad input becomes a JS `Error` whose message names the
//! field, and the module keeps working. Nothing here panics on user input.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::config::Checked;
use crate::experiment::{run_seed_with, SeedResult};
use crate::seed::{DataSource, ExtraPoint};
use crate::session::Session as Inner;
use crate::{data, report, scenarios, Error};

/// Install the panic hook once, when the module loads (panics are bugs, reported to the console).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

thread_local! {
    static BEAT: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
}

fn call_beat() {
    BEAT.with(|b| {
        if let Some(f) = b.borrow().as_ref() {
            // A hook that throws must not stop the engine's call; the page only loses one beat.
            let _ = f.call0(&JsValue::NULL);
        }
    });
}

/// Sets the function called from inside long engine calls every few milliseconds of work (see
/// `beat`): a worker posts a sign of life from it, so its page can tell a long call from a dead
/// worker. `undefined` removes it.
#[wasm_bindgen(js_name = onBeat)]
pub fn on_beat(hook: Option<js_sys::Function>) {
    let on = hook.is_some();
    BEAT.with(|b| *b.borrow_mut() = hook);
    crate::beat::set_hook(if on { Some(call_beat as fn()) } else { None });
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: could not convert a result: {e}")))
}

fn err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

#[derive(Serialize)]
struct Named {
    name: &'static str,
    description: &'static str,
}

/// Built-in datasets as `[{name, description}]`.
#[wasm_bindgen]
pub fn datasets() -> Result<JsValue, JsError> {
    let list: Vec<Named> = data::catalogue()
        .into_iter()
        .map(|(name, description)| Named { name, description })
        .collect();
    to_js(&list)
}

/// Scenarios as `[{name, description}]`.
#[wasm_bindgen]
pub fn scenarios() -> Result<JsValue, JsError> {
    let list: Vec<Named> = scenarios::all()
        .into_iter()
        .map(|s| Named {
            name: s.name,
            description: s.description,
        })
        .collect();
    to_js(&list)
}

#[derive(Serialize)]
struct MethodInfo {
    name: &'static str,
    description: &'static str,
    source: &'static str,
    core: bool,
    baseline: bool,
    trains_on_validation_labels: bool,
}

/// Every method as `[{name, description, source, core, baseline, trains_on_validation_labels}]`;
/// `core` marks the six SLaM compares with, `baseline` the reference points (`vanilla_lv`,
/// `labels_only`), `trains_on_validation_labels` those that take gradient steps
/// on V's labels (the others only estimate from V).
#[wasm_bindgen]
pub fn methods() -> Result<JsValue, JsError> {
    let list: Vec<MethodInfo> = crate::methods::Method::all()
        .into_iter()
        .map(|m| MethodInfo {
            name: m.name(),
            description: m.description(),
            source: m.source(),
            core: m.facts().group == crate::methods::Group::Core,
            baseline: m.is_baseline(),
            trains_on_validation_labels: m.trains_on_validation_labels(),
        })
        .collect();
    to_js(&list)
}

/// The engine's schema: every config key (kind, limits, options, default), every method's facts, the
/// keys a sweep offers and the limits beside the config (see `schema::Schema`).
#[wasm_bindgen]
pub fn schema() -> Result<JsValue, JsError> {
    to_js(&crate::schema::schema())
}

/// SLaM's loss of one example (`losses::slam` with a hard or soft target `y`), so tests can pin the
/// page's own drawing of it to the engine's.
#[wasm_bindgen(js_name = slamLoss)]
pub fn slam_loss(
    f: Vec<f32>,
    y: Vec<f32>,
    alpha: f32,
    top: Vec<f32>,
    k: usize,
    normalize_k: bool,
) -> Result<f32, JsError> {
    let c = f.len();
    if y.len() != c || top.len() != c || c == 0 {
        return Err(JsError::new(&format!(
            "slamLoss: f, y and top need the same positive length, got {}, {} and {}",
            c,
            y.len(),
            top.len()
        )));
    }
    let (mut g, mut grad) = (vec![0.0; c], vec![0.0; c]);
    Ok(crate::losses::slam(
        &f,
        &y,
        alpha,
        &top,
        k,
        normalize_k,
        &mut g,
        &mut grad,
        1.0,
    ))
}

/// The full config a scenario resolves to (every key filled in).
#[wasm_bindgen(js_name = scenarioConfig)]
pub fn scenario_config(name: &str) -> Result<JsValue, JsError> {
    let cfg = scenarios::resolve(Some(name), Value::Null).map_err(err)?;
    to_js(&cfg)
}

/// A request from JS: `{scenario?, seeds?, config?, csv?, csv_name?, points?, vary?}`.
#[derive(serde::Deserialize, Default, Clone, Debug)]
#[serde(default, deny_unknown_fields)]
struct Request {
    scenario: Option<String>,
    seeds: Option<usize>,
    config: Option<Value>,
    csv: Option<String>,
    csv_name: Option<String>,
    points: Vec<ExtraPoint>,
    /// One value of a sweep: the config key set to the value over `config`, vanilla added.
    vary: Option<Vary>,
}

#[derive(serde::Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
struct Vary {
    key: String,
    value: Value,
}

impl Request {
    /// Read from a JSON value (see [`crate::decode`]: serde's messages and paths).
    fn decode(v: &Value) -> crate::decode::Decoded<Request> {
        use crate::decode::{self as d, Shape};
        const SHAPE: Shape = Shape {
            expected: "struct Request",
            names: &[
                "scenario", "seeds", "config", "csv", "csv_name", "points", "vary",
            ],
            deny_unknown: true,
            defaults: true,
            optional: &[],
        };
        const VARY: Shape = Shape {
            expected: "struct Vary",
            names: &["key", "value"],
            deny_unknown: true,
            defaults: false,
            optional: &[],
        };
        let mut r = Request::default();
        d::fields(v, "", &SHAPE, &mut |i, v, p| {
            match i {
                0 => r.scenario = d::option(v, p, d::string)?,
                1 => r.seeds = d::option(v, p, d::usize_)?,
                2 => r.config = d::option(v, p, |v, _| Ok(v.clone()))?,
                3 => r.csv = d::option(v, p, d::string)?,
                4 => r.csv_name = d::option(v, p, d::string)?,
                5 => r.points = d::vec(v, p, ExtraPoint::decode)?,
                _ => {
                    r.vary = d::option(v, p, |v, p| {
                        let mut vary = Vary {
                            key: String::new(),
                            value: Value::Null,
                        };
                        d::fields(v, p, &VARY, &mut |i, v, p| {
                            match i {
                                0 => vary.key = d::string(v, p)?,
                                _ => vary.value = v.clone(),
                            }
                            Ok(())
                        })?;
                        Ok(vary)
                    })?
                }
            }
            Ok(())
        })?;
        Ok(r)
    }

    /// [`Request::decode`] with its failure as the engine's error naming the key.
    fn from_value(v: &Value) -> crate::Result<Request> {
        Request::decode(v).map_err(|e| Error::config(e.path, e.message))
    }
}

/// Resolve a request into a checked config and its data source. `pool` is a binary dataset
/// (the MNIST subset) passed beside the request.
fn resolve_request(req: &Request, pool: Option<&[u8]>) -> crate::Result<(Checked, DataSource)> {
    let mut overrides = req
        .config
        .clone()
        .unwrap_or(Value::Object(Default::default()));
    if !overrides.is_object() {
        return Err(Error::config("config", "must be an object"));
    }
    let mut source = None;
    if let Some(text) = &req.csv {
        let table = data::csv::parse_csv(text, req.csv_name.as_deref().unwrap_or("upload"))?;
        overrides["dataset"] = Value::String(table.name.clone());
        source = Some(DataSource::Table(table));
    } else if let Some(bytes) = pool {
        let table = data::mnist::parse(bytes)?;
        overrides["dataset"] = Value::String(table.name.clone());
        source = Some(DataSource::Pool(table));
    }
    let cfg = match &req.vary {
        Some(v) => crate::sweep::configs(
            req.scenario.as_deref(),
            &overrides,
            &v.key,
            std::slice::from_ref(&v.value),
        )?
        .remove(0),
        None => scenarios::resolve(req.scenario.as_deref(), overrides)?,
    };
    let source = source.unwrap_or_else(|| DataSource::Builtin(cfg.dataset.clone()));
    Ok((cfg, source))
}

fn decode_request(request: JsValue) -> Result<Request, Error> {
    if request.is_undefined() || request.is_null() {
        return Ok(Request::default());
    }
    let value: Value = serde_wasm_bindgen::from_value(request)
        .map_err(|e| Error::config("request", e.to_string()))?;
    Request::from_value(&value)
}

/// The file (`"digits.csv"`) a request's built-in dataset is read from when this engine does not
/// hold it yet, else `undefined`: the page fetches `data/<file>` and passes it to [`provide_dataset`].
/// A request that does not resolve returns `undefined` too; building it reports the real error.
#[wasm_bindgen(js_name = datasetFile)]
pub fn dataset_file(request: JsValue) -> Option<String> {
    let req = decode_request(request).ok()?;
    if req.csv.is_some() {
        return None; // an upload is its own data (and parsing it here would be wasted)
    }
    match resolve_request(&req, None).ok()?.1 {
        DataSource::Builtin(name) if data::builtin::missing(&name) => {
            data::builtin::file_name(&name)
        }
        _ => None,
    }
}

/// Hand the engine a built-in dataset's file (`name` as in `datasets()`, `text` the CSV as fetched
/// from `data/<name>.csv`); throws naming the file if it is not the one this engine was built with.
#[wasm_bindgen(js_name = provideDataset)]
pub fn provide_dataset(name: &str, text: &str) -> Result<(), JsError> {
    data::builtin::provide(name, text).map_err(err)
}

#[derive(Serialize)]
struct SweepKey {
    key: &'static str,
    description: &'static str,
}

/// The keys the page offers for a sweep, `[{key, description}]` (any config key can be swept).
#[wasm_bindgen(js_name = sweepKeys)]
pub fn sweep_keys() -> Result<JsValue, JsError> {
    let list: Vec<SweepKey> = crate::sweep::SUGGESTED
        .iter()
        .map(|&(key, description)| SweepKey { key, description })
        .collect();
    to_js(&list)
}

/// Read a sweep's values (`"50,100,200"`, `"auto,0.3"`, `"[64],[64,64]"`) and check each against
/// the request: returns `[value]`, or throws naming the key and the value that does not resolve.
#[wasm_bindgen(js_name = sweepValues)]
pub fn sweep_values(request: JsValue, key: &str, list: &str) -> Result<JsValue, JsError> {
    let req = decode_request(request).map_err(err)?;
    let values = crate::sweep::parse_values(key, list).map_err(err)?;
    let overrides = req
        .config
        .clone()
        .unwrap_or(Value::Object(Default::default()));
    crate::sweep::configs(req.scenario.as_deref(), &overrides, key, &values).map_err(err)?;
    to_js(&values)
}

/// The sweep report (same shape as `slam-lab sweep --json`) over per-seed results from
/// [`run_seed_json`] with `vary` set: `results[v]` holds value `v`'s seeds, in any order.
#[wasm_bindgen(js_name = summariseSweep)]
pub fn summarise_sweep(
    request: JsValue,
    key: &str,
    values: JsValue,
    results: JsValue,
    pool: Option<Vec<u8>>,
) -> Result<JsValue, JsError> {
    let req = decode_request(request).map_err(err)?;
    let read = |v: JsValue, name: &str| {
        serde_wasm_bindgen::from_value::<Value>(v)
            .map_err(|e| JsError::new(&format!("{name}: {e}")))
    };
    let message =
        |e: crate::decode::DecodeError| JsError::new(&format!("{}: {}", e.path, e.message));
    let values = crate::decode::vec(&read(values, "values")?, "values", |v, _| Ok(v.clone()))
        .map_err(message)?;
    let texts = crate::decode::vec(&read(results, "results")?, "results", |v, p| {
        crate::decode::vec(v, p, crate::decode::string)
    })
    .map_err(message)?;
    if texts.len() != values.len() {
        return Err(JsError::new(&format!(
            "results: {} values but {} result lists",
            values.len(),
            texts.len()
        )));
    }
    let (base, source) = resolve_request(
        &Request {
            vary: None,
            ..req.clone()
        },
        pool.as_deref(),
    )
    .map_err(err)?;
    let mut points = Vec::with_capacity(values.len());
    for (vi, (value, list)) in values.into_iter().zip(texts).enumerate() {
        let mut parsed: Vec<SeedResult> = list
            .iter()
            .enumerate()
            .map(|(i, text)| {
                SeedResult::from_json(text)
                    .map_err(|e| JsError::new(&format!("results[{vi}][{i}]: {e}")))
            })
            .collect::<Result<_, _>>()?;
        crate::order::sort_by(&mut parsed, &|a, b| {
            a.seed
                .wrapping_sub(base.seed)
                .cmp(&b.seed.wrapping_sub(base.seed))
        });
        points.push((value, parsed));
    }
    to_js(&crate::sweep::to_json(
        &base,
        source.name(),
        req.scenario.as_deref(),
        key,
        &points,
    ))
}

/// An interactive training session (one seed, every method side by side), owned by a Web Worker.
#[wasm_bindgen]
pub struct Session {
    inner: Inner,
}

#[wasm_bindgen]
impl Session {
    /// Build from a request `{scenario?, config?, csv?, csv_name?, points?}`; `pool` is the MNIST
    /// binary when the dataset is `mnist`.
    #[wasm_bindgen(constructor)]
    pub fn new(request: JsValue, pool: Option<Vec<u8>>) -> Result<Session, JsError> {
        let req = decode_request(request).map_err(err)?;
        let (cfg, source) = resolve_request(&req, pool.as_deref()).map_err(err)?;
        let inner = Inner::new(cfg, &source, &req.points).map_err(err)?;
        Ok(Session { inner })
    }

    /// Train `batches` minibatches of every method; returns true while training can go on.
    pub fn step(&mut self, batches: u32) -> bool {
        self.inner.step(batches as usize)
    }

    /// Up to `units` units of work for the next method in turn, on the session's one clock (no
    /// method starts epoch e + 1 before all have completed e), never past epoch `until`; returns
    /// the method worked, or -1 once every method has reached `until` (or the last epoch).
    pub fn advance(&mut self, units: u32, until: u32) -> i32 {
        self.inner
            .advance(units as usize, until as usize)
            .map_or(-1, |m| m as i32)
    }

    /// The method `advance(_, until)` works next, or -1 when none is short of `until`.
    #[wasm_bindgen(js_name = nextInTurn)]
    pub fn next_in_turn(&self, until: u32) -> i32 {
        self.inner
            .next_in_turn(until as usize)
            .map_or(-1, |m| m as i32)
    }

    /// Whether a student has trained past the clock's epoch (its map is a little ahead of the
    /// numbers, which are the clock's).
    #[wasm_bindgen(js_name = betweenEpochs)]
    pub fn between_epochs(&self) -> bool {
        self.inner.between_epochs()
    }

    /// Rows in one block of `predictionsOf` (and of an evaluation).
    #[wasm_bindgen(js_name = blockRows)]
    pub fn block_rows(&self) -> u32 {
        self.inner.block_rows() as u32
    }

    /// Rows of the data.
    #[wasm_bindgen(js_name = rowCount)]
    pub fn row_count(&self) -> u32 {
        self.inner.row_count() as u32
    }

    /// About how many units of `advance` one epoch of one method takes.
    #[wasm_bindgen(js_name = unitsPerEpoch)]
    pub fn units_per_epoch(&self) -> u32 {
        self.inner.units_per_epoch() as u32
    }

    /// Trainable parameters of student `method_index` (the page sizes its decision maps by them).
    #[wasm_bindgen(js_name = parameterCount)]
    pub fn parameter_count(&self, method_index: u32) -> u32 {
        self.inner.parameter_count(method_index as usize) as u32
    }

    /// Restart from the same initial weights.
    pub fn reset(&mut self) {
        self.inner.reset()
    }

    /// Draw new initial weights and restart.
    #[wasm_bindgen(js_name = newInit)]
    pub fn new_init(&mut self) {
        self.inner.new_init()
    }

    /// The clock: epochs every method has completed.
    pub fn epoch(&self) -> u32 {
        self.inner.epoch() as u32
    }

    /// Whether every method reached the configured epochs.
    pub fn finished(&self) -> bool {
        self.inner.finished()
    }

    /// The resolved config (every key).
    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.cfg)
    }

    /// Static facts for the panels: teacher accuracy, confusion, k, alpha curve, rug, reliability.
    pub fn overview(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.overview())
    }

    /// `{method: [{epoch, test_accuracy, teacher_right_accuracy, teacher_wrong_accuracy, train_loss}]}`.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        self.metrics_from(0)
    }

    /// As [`Session::metrics`], each method's history from epoch index `from` up to the clock: the
    /// page keeps what it has and asks only for the new epochs, so a message stays small however
    /// long the run, and every method's numbers are at one epoch.
    #[wasm_bindgen(js_name = metricsFrom)]
    pub fn metrics_from(&self, from: u32) -> Result<JsValue, JsError> {
        let map: serde_json::Map<String, Value> = self
            .inner
            .metrics_from(from as usize)
            .into_iter()
            .map(|(name, part)| Ok((name.to_string(), serde_json::to_value(part)?)))
            .collect::<Result<_, serde_json::Error>>()
            .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&map)
    }

    /// One line per method whose training diverged (e.g. the learning rate is too large).
    pub fn warnings(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.warnings())
    }

    /// 2-D coordinates of every row, interleaved x, y (raw features, or PCA for wide data).
    pub fn points(&self) -> js_sys::Float32Array {
        let p = self.inner.points();
        let flat: Vec<f32> = p.iter().copied().collect();
        js_sys::Float32Array::from(flat.as_slice())
    }

    /// True class per row.
    pub fn labels(&self) -> js_sys::Uint32Array {
        let v: Vec<u32> = self.inner.prep.data.y.iter().map(|&c| c as u32).collect();
        js_sys::Uint32Array::from(v.as_slice())
    }

    /// Teacher's label per row.
    #[wasm_bindgen(js_name = teacherLabels)]
    pub fn teacher_labels(&self) -> js_sys::Uint32Array {
        let v: Vec<u32> = self
            .inner
            .prep
            .teacher
            .labels
            .iter()
            .map(|&c| c as u32)
            .collect();
        js_sys::Uint32Array::from(v.as_slice())
    }

    /// Teacher's top-1 probability per row.
    #[wasm_bindgen(js_name = teacherConfidence)]
    pub fn teacher_confidence(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(self.inner.teacher_confidence().as_slice())
    }

    /// The teacher's soft labels, row-major (rows x classes).
    #[wasm_bindgen(js_name = teacherProbs)]
    pub fn teacher_probs(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(self.inner.prep.teacher.probs.as_slice().unwrap_or(&[]))
    }

    /// alpha per row after the `alpha_min` clamp (what SLaM uses).
    pub fn alpha(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(self.inner.prep.alpha.as_slice())
    }

    /// alpha per row before the clamp.
    #[wasm_bindgen(js_name = alphaRaw)]
    pub fn alpha_raw(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(self.inner.prep.alpha_raw.as_slice())
    }

    /// The synthetic teacher's true alpha per row (empty for a trained teacher).
    #[wasm_bindgen(js_name = alphaTrue)]
    pub fn alpha_true(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(
            self.inner
                .prep
                .teacher
                .oracle_alpha
                .as_deref()
                .unwrap_or(&[]),
        )
    }

    /// Which set each row is in: 0 = L, 1 = V, 2 = U, 3 = T.
    pub fn roles(&self) -> js_sys::Uint8Array {
        js_sys::Uint8Array::from(self.inner.roles().as_slice())
    }

    /// Student `method`'s predicted class for rows `first..first + rows`.
    #[wasm_bindgen(js_name = predictionsOf)]
    pub fn predictions_of(&mut self, method: u32, first: u32, rows: u32) -> js_sys::Uint32Array {
        js_sys::Uint32Array::from(
            self.inner
                .predictions_of(method as usize, first as usize, rows as usize)
                .as_slice(),
        )
    }

    /// Rows of U the teacher was asked to label by method `method` (RAD and its baselines; empty for
    /// methods that label all of U).
    pub fn queried(&self, method: u32) -> js_sys::Uint32Array {
        let rows: Vec<u32> = self
            .inner
            .runs
            .get(method as usize)
            .map_or(Vec::new(), |r| {
                r.queried().iter().map(|&i| i as u32).collect()
            });
        js_sys::Uint32Array::from(rows.as_slice())
    }

    /// Plot bounds `[xmin, xmax, ymin, ymax]`.
    pub fn bounds(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(&self.inner.bounds()[..])
    }

    /// Class probabilities of student `method` on a `res x res` grid (empty unless the data is 2-D).
    pub fn grid(&mut self, method: u32, res: u32) -> js_sys::Float32Array {
        let g = self
            .inner
            .grid(method as usize, res as usize)
            .unwrap_or_default();
        js_sys::Float32Array::from(g.as_slice())
    }

    /// One dataset row: the engine's `PointFacts` (true class, teacher label, confidence and
    /// margin, alpha, every student's probabilities now); null past the rows.
    pub fn point(&mut self, row: u32) -> Result<JsValue, JsError> {
        match self.inner.point(row as usize) {
            Some(p) => to_js(&p),
            None => Ok(JsValue::NULL),
        }
    }

    /// Follow dataset row `row` (-1, or a row past the data: none): the engine records every
    /// student's class for it as each epoch ends.
    pub fn follow(&mut self, row: i32) {
        self.inner.follow(usize::try_from(row).ok());
    }

    /// The followed point (`{row, facts, history}`: the engine's `FollowedPoint`), or null.
    pub fn followed(&mut self) -> Result<JsValue, JsError> {
        match self.inner.followed() {
            Some(p) => to_js(&p),
            None => Ok(JsValue::NULL),
        }
    }

    /// Student `method`'s next minibatch taken apart, and trained (the step it takes next anyway):
    /// the engine's `SlowStep` with the decision map at `res x res` before and after; null past
    /// the configured epochs.
    #[wasm_bindgen(js_name = explainStep)]
    pub fn explain_step(&mut self, method: u32, res: u32) -> Result<JsValue, JsError> {
        match self.inner.explain_step(method as usize, res as usize) {
            Some(step) => to_js(&step),
            None => Ok(JsValue::NULL),
        }
    }

    /// Rows `first..first + rows` of `grid(method, res)`.
    #[wasm_bindgen(js_name = gridRows)]
    pub fn grid_rows(
        &mut self,
        method: u32,
        res: u32,
        first: u32,
        rows: u32,
    ) -> js_sys::Float32Array {
        let g = self
            .inner
            .grid_rows(method as usize, res as usize, first as usize, rows as usize)
            .unwrap_or_default();
        js_sys::Float32Array::from(g.as_slice())
    }
}

/// A session being built a little at a time (a worker answers messages in between: it
/// can show progress and give up); `finish` gives the [`Session`].
#[wasm_bindgen]
pub struct SessionBuilder {
    inner: crate::session::SessionBuilder,
}

#[wasm_bindgen]
impl SessionBuilder {
    /// Load, split and scale the data of a request (as for `Session`) and set up its teacher.
    #[wasm_bindgen(constructor)]
    pub fn new(request: JsValue, pool: Option<Vec<u8>>) -> Result<SessionBuilder, JsError> {
        let req = decode_request(request).map_err(err)?;
        let (cfg, source) = resolve_request(&req, pool.as_deref()).map_err(err)?;
        let inner =
            crate::session::SessionBuilder::start(cfg, &source, &req.points).map_err(err)?;
        Ok(SessionBuilder { inner })
    }

    /// `{stage, done, total}`: `teacher_epochs` (epochs), `teacher_labels` (rows) or `ready`.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.progress())
    }

    /// Up to `units` more units of the teacher's work; true once only `finish` is left.
    pub fn advance(&mut self, units: u32) -> bool {
        self.inner.advance(units as usize)
    }

    /// The session (the rest of the preparation happens here).
    pub fn finish(self) -> Result<Session, JsError> {
        Ok(Session {
            inner: self.inner.finish().map_err(err)?,
        })
    }
}

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
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::samples::{odd_values, set_dotted};
    use serde_json::json;

    /// What serde's derived decoder made of a request: the request, or the path and message.
    fn by_serde(v: &Value) -> std::result::Result<String, (String, String)> {
        serde_path_to_error::deserialize::<_, Request>(v.clone())
            .map(|r| format!("{r:?}"))
            .map_err(|e| (e.path().to_string(), e.inner().to_string()))
    }

    fn by_hand(v: &Value) -> std::result::Result<String, (String, String)> {
        Request::decode(v)
            .map(|r| format!("{r:?}"))
            .map_err(|e| (e.path, e.message))
    }

    #[test]
    fn requests_are_read_as_serde_read_them() {
        let keys = [
            "scenario",
            "seeds",
            "config",
            "csv",
            "csv_name",
            "points",
            "vary",
            "nope",
            "vary.key",
            "vary.value",
            "vary.nope",
        ];
        let mut cases = 0;
        for v in odd_values() {
            assert_eq!(by_hand(&v), by_serde(&v), "{v}");
            for key in keys {
                let mut o = json!({"scenario": "flagship"});
                set_dotted(&mut o, key, v.clone());
                assert_eq!(by_hand(&o), by_serde(&o), "{o}");
                let mut o = json!({"vary": {"key": "labeled", "value": 3}});
                set_dotted(&mut o, key, v.clone());
                assert_eq!(by_hand(&o), by_serde(&o), "{o}");
                cases += 2;
            }
            for point in [
                json!({"x": v, "label": 1}),
                json!({"x": [0.5, 1], "label": v}),
                json!({"x": [0.5, 1], "label": 1, "extra": v}),
                json!({"x": [v, 1], "label": 1}),
                json!({"label": v}),
                json!({"x": [1, 2]}),
                json!([[0.5], v]),
                json!([[0.5]]),
                json!([[0.5], 1, v]),
                v.clone(),
            ] {
                let o = json!({"points": [{"x": [0, 0], "label": 0}, point]});
                assert_eq!(by_hand(&o), by_serde(&o), "{o}");
                cases += 1;
            }
        }
        assert!(cases > 1000, "{cases}");
    }

    #[test]
    fn seed_results_read_back_as_serde_read_them() {
        let metrics = |e: usize| crate::run::EpochMetrics {
            epoch: e,
            test_accuracy: 0.1 * e as f32 + 1e-7,
            teacher_right_accuracy: if e % 2 == 0 { Some(0.3) } else { None },
            teacher_wrong_accuracy: Some(1.0 / 3.0),
            train_loss: 2.5e-9,
        };
        let result = SeedResult {
            seed: u64::MAX - 3,
            teacher_accuracy: 0.8125,
            teacher_unlabeled_accuracy: 0.1 + 0.2,
            k: 3,
            alpha_stats: (0.5, 1e-30, 1.0),
            alpha_floor: 0.33333334,
            alpha_oracle_error: Some(0.0123),
            sizes: [30, 200, 1500, 750],
            methods: vec![
                (
                    crate::methods::Method::named("vanilla").unwrap(),
                    vec![metrics(1), metrics(2)],
                ),
                (crate::methods::Method::named("slam").unwrap(), vec![]),
            ],
            method_stats: vec![vec![], vec![("queried_teacher_accuracy".into(), 0.1 + 0.7)]],
            queried: vec![vec![], vec![4, 8, 15]],
            warnings: vec!["vanilla: \"x\"".into()],
        };
        let text = serde_json::to_string(&result).unwrap();
        let serde: SeedResult = serde_json::from_str(&text).unwrap();
        let hand = SeedResult::from_json(&text).unwrap();
        assert_eq!(format!("{hand:?}"), format!("{serde:?}"));
        assert_eq!(serde_json::to_string(&hand).unwrap(), text);
        // Written by hand (what a pool worker sends), it reads back to the same result both ways.
        let written = result.to_json();
        let serde: SeedResult = serde_json::from_str(&written).unwrap();
        assert_eq!(format!("{serde:?}"), format!("{result:?}"));
        assert_eq!(
            serde_json::to_string(&SeedResult::from_json(&written).unwrap()).unwrap(),
            text
        );
        let mut diverged = result.clone();
        diverged.methods[0].1[0].train_loss = f32::NAN;
        let hand_err = SeedResult::from_json(&diverged.to_json()).unwrap_err();
        let serde_err =
            SeedResult::from_json(&serde_json::to_string(&diverged).unwrap()).unwrap_err();
        assert_eq!(hand_err, serde_err);
        assert!(hand_err.contains("expected f32"), "{hand_err}");
        let mut v: Value = serde_json::from_str(&text).unwrap();
        v["alpha_oracle_error"] = Value::Null;
        v.as_object_mut().unwrap().remove("warnings");
        let e = SeedResult::decode(&v, "").unwrap_err();
        let s = serde_path_to_error::deserialize::<_, SeedResult>(v.clone()).unwrap_err();
        assert_eq!(
            (e.path, e.message),
            (s.path().to_string(), s.inner().to_string())
        );
        v["warnings"] = json!([]);
        v["methods"][0][1][1]["test_accuracy"] = json!("x");
        let e = SeedResult::decode(&v, "").unwrap_err();
        let s = serde_path_to_error::deserialize::<_, SeedResult>(v).unwrap_err();
        assert_eq!(
            (e.path, e.message),
            (s.path().to_string(), s.inner().to_string())
        );
    }
}
