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

/// An `Error` with the engine's message and, for a refused setting, its key path as `field`
/// (`points[0].x`, `student.hidden[2]`), so the page need not read it out of the words.
fn fielded(e: Error) -> JsValue {
    let out = js_sys::Error::new(&e.to_string());
    if let Error::Config { field, .. } = &e {
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str("field"), &JsValue::from_str(field));
    }
    out.into()
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

/// Resolve a page request (`crate::request`): its CSV text or the MNIST subset's bytes (`pool`,
/// passed beside the request) become the data.
fn resolve_request(req: &Request, pool: Option<&[u8]>) -> crate::Result<(Checked, DataSource)> {
    let data = match (&req.csv, pool) {
        (Some(text), _) => Some(DataSource::Table(data::csv::parse_csv(
            text,
            req.csv_name.as_deref().unwrap_or("upload"),
        )?)),
        (None, Some(bytes)) => Some(DataSource::Pool(data::mnist::parse(bytes)?)),
        (None, None) => None,
    };
    crate::request::Request {
        scenario: req.scenario.clone(),
        overrides: req.config.clone().unwrap_or(Value::Null),
        data,
        vary: req.vary.as_ref().map(|v| (v.key.clone(), v.value.clone())),
    }
    .resolve(&|| {
        Err(Error::Data(
            "mnist: the page passes the subset's bytes beside the request (data/mnist.bin.gz)"
                .into(),
        ))
    })
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
        &crate::report::Reference::default(),
    ))
}

mod seeds;
mod session;
pub use seeds::{run_seed_json, summarise_seeds, SeedRunner};
pub use session::{Session, SessionBuilder};

#[cfg(test)]
mod tests;
