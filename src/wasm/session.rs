//! The page's session in wasm: one run trained a little at a time, its views, and the builder that
//! prepares it in slices.

use super::*;

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

    /// True class per row; `0xFFFFFFFF` where the data gives none (a row its own teacher labels).
    pub fn labels(&self) -> js_sys::Uint32Array {
        let data = &self.inner.prep.data;
        let v: Vec<u32> = (0..data.len()).map(|i| data.shown_class(i) as u32).collect();
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
    /// A refusal is an `Error` whose `field` names the key, the row or the column at fault.
    pub fn new(request: JsValue, pool: Option<Vec<u8>>) -> Result<SessionBuilder, JsValue> {
        let req = decode_request(request).map_err(fielded)?;
        let (cfg, source) = resolve_request(&req, pool.as_deref()).map_err(fielded)?;
        let inner =
            crate::session::SessionBuilder::start(cfg, &source, &req.points).map_err(fielded)?;
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
    pub fn finish(self) -> Result<Session, JsValue> {
        Ok(Session {
            inner: self.inner.finish().map_err(fielded)?,
        })
    }
}
