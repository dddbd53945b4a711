// The engine's home: a module Web Worker that owns the WebAssembly session and answers the page.
// The page never computes; it sends commands and draws the snapshots this worker posts.
// The same file also runs as a member of the multi-seed pool (created with the worker name 'seeds'):
// such a worker skips the catalogue and only runs the seeds it is given.
//
// Every long job (building a session, training, a frame's grids, a seed) runs in slices of a few
// milliseconds made of engine calls that are each bounded (a minibatch, a block of rows), and the
// worker reads its messages between slices: Pause, Cancel and a newer build land at once whatever
// the settings. A call expected to take long anyway (one minibatch of a huge network) is announced
// first with 'busy', so the page's heartbeat does not mistake it for a dead worker.
//
// Page -> worker
//   {type:'build', gen, request:{scenario, config, points}, csv: null|'keep'|{name,text}, needsPool, autoplay}
//   {type:'cancel-build', gen}  abandon build `gen` (the session before it stays)
//   {type:'play'} {type:'pause'} {type:'step'} (one epoch) {type:'reset'} {type:'new-init'}
//   {type:'speed', eps}        student epochs per second (Infinity: as fast as it can)
//   {type:'ack'}               the page took the last snapshot (back-pressure for grids/predictions)
//   {type:'ping', id}          the heartbeat: answered with {type:'pong', id} between slices
//   {type:'summarise', id, request, results:[text], csv: null|{name,text}, needsPool}
//                              the report over per-seed results (slam.summariseSeeds), in seed order
//   {type:'summarise-sweep', id, request, key, values, results:[[text]], csv, needsPool}
//                              a sweep's report (slam.summariseSweep): results[v] are value v's seeds
//   {type:'sweep-values', id, request, key, text, csv}   a sweep's values, checked (slam.sweepValues)
// Page -> pool worker (name 'seeds')
//   {type:'seed', request, index, csv: null|{name,text}, needsPool}   one seed (slam.SeedRunner)
//   {type:'ping', id}
// Worker -> page
//   {type:'ready', datasets, scenarios, scenarioConfigs, schema}  |  {type:'fatal', message}
//     schema: the engine's (slam.schema()): config keys with kinds and limits, method facts, sweep keys, limits
//   {type:'build-progress', gen, stage, done, total}   stage: teacher_epochs | teacher_labels | ready
//   {type:'built', gen, overview, config, arrays:{...typed arrays}, bounds}  |  {type:'build-error', gen, message}
//   {type:'build-cancelled', gen}
//   {type:'snapshot', gen, epoch, finished, playing, metrics?, warnings?, grids?, preds?, queried?, stepsPerSec}
//     grids / preds: {methodIndex: Float32Array | Uint32Array}, only the methods redrawn (a large
//     network's frame comes a method at a time); a grid is res*res*classes probabilities (res varies:
//     lower for networks whose grid costs more). warnings: one line per diverged or collapsed method;
//     queried: {methodIndex: Uint32Array} of the rows the teacher was asked to label (RAD and its baselines)
//   {type:'busy', ms}          the next engine call is expected to take about `ms` (null: unknown)
//   {type:'pong', id}
//   {type:'error', message} (a command failed)  |  {type:'crash', message} (the engine panicked)
//   {type:'summary', id, report}  |  {type:'summary-error', id, message}
// Pool worker -> page
//   {type:'pool-ready'}  |  {type:'seed-progress', index, done, total}  |  {type:'seed-done', index, result (JSON text)}
//   {type:'seed-error', index, message, crashed}  |  {type:'busy', ms}  |  {type:'pong', id}

import init, * as slam from './pkg/slam_lab.js';
import { provideData } from './datasets.js';

/** One slice of work before the worker reads its messages again. */
const SLICE_MS = 25;
/** What one engine call aims at (a slice makes several). */
const CALL_MS = 8;
/** A call expected to take longer than this is announced to the page first ('busy'). */
const SLOW_CALL_MS = 1500;
/** Decision-boundary grids: finest and coarsest resolution, and what one method's grid may cost. */
const GRID_MAX = 64;
const GRID_MIN = 8;
// A decision map costs cells x parameters multiply-adds; its resolution is the largest power of
// two from GRID_MIN to GRID_MAX within this budget. It comes from the network, not from timings, so
// the same settings draw the same pictures on every machine and every run.
const GRID_BUDGET = 64 * 64 * 20_000;
/** A frame taking longer than this is posted in parts, as methods finish. */
const FRAME_PART_MS = 150;
/** Paced speeds tick this often. */
const TICK_MS = 16;

/** The engine's schema (config keys, method facts), read once. */
let schema = null;
/** Methods that ask the teacher about a budget of points instead of reading its labels on all of U. */
let querying = new Set();

const post = (msg, transfer = []) => self.postMessage(msg, transfer);

/** A member of the multi-seed pool: no session, no catalogue, only seeds. */
const IS_POOL = self.name === 'seeds';

const engine = init()
  .then(() => {
    if (IS_POOL) {
      post({ type: 'pool-ready' });
      return;
    }
    const scenarios = slam.scenarios();
    const scenarioConfigs = {};
    for (const s of scenarios) scenarioConfigs[s.name] = slam.scenarioConfig(s.name);
    schema = slam.schema();
    querying = new Set(schema.methods.filter((m) => m.queries_teacher).map((m) => m.name));
    post({ type: 'ready', datasets: slam.datasets(), scenarios, scenarioConfigs, schema });
  })
  .catch((e) => {
    post({ type: 'fatal', message: `Could not start the engine (www/pkg): ${messageOf(e)}. Build it with scripts/build.sh.` });
    throw e;
  });

/** The engine's message without its internal category (`config: `, `csv: `, `data: `). */
function messageOf(e) {
  const text = e && typeof e.message === 'string' ? e.message : String(e);
  return text.replace(/^(config|csv|data): /, '');
}

/** A wasm trap (panic, out of memory) leaves the module unusable: the page restarts the worker. */
function isCrash(e) {
  return e instanceof WebAssembly.RuntimeError || (e && /unreachable|memory access out of bounds/i.test(e.message ?? ''));
}

// ---------------------------------------------------------------------------------------------
// Slices: yielding to the worker's own message queue, and sizing engine calls by what they cost.

const channel = new MessageChannel();
const wakers = [];
channel.port1.onmessage = () => wakers.shift()?.();
/** Resolves after the messages already queued for this worker have been handled. */
function nextTask() {
  return new Promise((resolve) => {
    wakers.push(resolve);
    channel.port2.postMessage(null);
  });
}

/** What one unit of some engine call costs (ms), learned from the calls made so far. */
class Cost {
  constructor() {
    this.ms = null;
  }

  add(ms, units) {
    const per = Math.max(ms, 0.005) / Math.max(1, units);
    this.ms = this.ms === null ? per : 0.6 * this.ms + 0.4 * per;
  }

  /** Units that fit in `budget` ms (1 while the cost is unknown). */
  fit(budget, max = 1 << 20) {
    if (this.ms === null) return 1;
    return Math.max(1, Math.min(max, Math.floor(budget / this.ms)));
  }
}

/**
 * Calls `advance(units)`, each call sized to CALL_MS by `cost`, until it returns true (done), `end`
 * passes, or `leave()` says to stop early; returns whether it is done.
 */
function advanceFor(cost, advance, end, leave = () => false) {
  let done = false;
  while (!done && performance.now() < end) {
    const units = cost.fit(CALL_MS);
    announce(cost, units);
    const t0 = performance.now();
    done = advance(units);
    cost.add(performance.now() - t0, units);
    if (leave()) break;
  }
  return done;
}

/** Tells the page when a call of `units` units is expected to be slow (its heartbeat then waits longer). */
function announce(cost, units) {
  if (cost.ms !== null && cost.ms * units > SLOW_CALL_MS) post({ type: 'busy', ms: Math.round(cost.ms * units) });
}

// ---------------------------------------------------------------------------------------------
// The data a request needs.

let pool = null; // the MNIST subset, fetched once when first needed
let csvCache = null; // {name, text} of the uploaded CSV, kept so rebuilds need not resend it

async function getPool() {
  if (!pool) {
    const res = await fetch(new URL('./data/mnist.bin', import.meta.url));
    if (!res.ok) throw new Error(`could not load the MNIST subset (data/mnist.bin: HTTP ${res.status}); run scripts/build.sh`);
    pool = new Uint8Array(await res.arrayBuffer());
  }
  return pool;
}

function withCsv(request, csv) {
  if (csv && csv !== 'keep') csvCache = { name: csv.name, text: csv.text };
  if (csv === null) return request;
  if (!csvCache) throw new Error('the uploaded CSV is no longer available: upload it again');
  return { ...request, csv: csvCache.text, csv_name: csvCache.name };
}

// ---------------------------------------------------------------------------------------------
// Building a session, a slice at a time. Only the newest request is built: a newer one, or a
// Cancel, abandons the build under way, and the session on screen stays until the new one is ready.

let session = null;
let gen = 0;
/** The build under way: {msg, abandoned}, or null. */
let building = null;
let pendingBuild = null;
const teacherCost = { teacher_epochs: new Cost(), teacher_labels: new Cost() };

function queueBuild(msg) {
  pendingBuild = msg;
  if (building) building.abandoned = true;
  else runBuilds();
}

async function runBuilds() {
  while (pendingBuild) {
    const msg = pendingBuild;
    pendingBuild = null;
    building = { msg, abandoned: false };
    pauseTraining();
    try {
      await build(building);
    } finally {
      building = null;
    }
  }
  schedule(0); // the session on screen (new or kept) may have a frame to finish
}

/** The key of a build request: a prebuilt session is used only for exactly the request it was built for. */
const buildKey = (msg) => JSON.stringify([msg.request, msg.csv ?? null, Boolean(msg.needsPool)]);

/** A session built ahead of the page's first request (see boot.js): {key, session} or null. */
let prebuilt = null;

function prebuild(msg) {
  if (session || prebuilt) return;
  try {
    prebuilt = { key: buildKey(msg), session: new slam.Session(msg.request) };
  } catch {
    prebuilt = null; // the real request will report whatever is wrong
  }
}

/** The prebuilt session if `msg` asks for exactly it; any other prebuilt session is dropped. */
function takePrebuilt(msg) {
  const p = prebuilt;
  prebuilt = null;
  if (p && p.key === buildKey(msg)) return p.session;
  if (p) p.session.free();
  return null;
}

async function build(job) {
  const { msg } = job;
  let next = takePrebuilt(msg);
  const wasPrebuilt = next !== null;
  let builder = null;
  try {
    if (!next) {
      const request = withCsv(msg.request, msg.csv);
      const bytes = msg.needsPool && !request.csv ? await getPool() : undefined;
      await provideData(slam, request);
      if (job.abandoned) return abandon(job);
      post({ type: 'busy', ms: null }); // reading and splitting the data is one call
      builder = bytes ? new slam.SessionBuilder(request, bytes) : new slam.SessionBuilder(request);
      let lastReport = -Infinity;
      for (;;) {
        const p = builder.progress();
        const now = performance.now();
        if (now - lastReport > 100) {
          post({ type: 'build-progress', gen: msg.gen, ...p });
          lastReport = now;
        }
        if (p.stage === 'ready') break;
        // Each stage has its own cost per unit (a teacher minibatch, a block of labels).
        advanceFor(teacherCost[p.stage], (units) => builder.advance(units), now + SLICE_MS, () => builder.progress().stage !== p.stage);
        await nextTask();
        if (job.abandoned) return abandon(job, builder);
      }
      post({ type: 'busy', ms: null }); // the rest of the preparation is one call
      const b = builder;
      builder = null;
      next = b.finish(); // consumes the builder
    }
  } catch (e) {
    builder?.free();
    post({ type: 'build-error', gen: msg.gen, message: messageOf(e), crashed: isCrash(e) });
    return;
  }
  install(next, msg, wasPrebuilt);
}

function abandon(job, builder = null) {
  builder?.free();
  if (!pendingBuild) post({ type: 'build-cancelled', gen: job.msg.gen });
}

function install(next, msg, wasPrebuilt) {
  stop();
  if (session) session.free();
  session = next;
  gen = msg.gen;
  const overview = session.overview();
  const config = session.config();
  nMethods = overview.methods.length;
  unitsPerEpoch = session.unitsPerEpoch();
  queryingMethods = overview.methods.flatMap((m, i) => (querying.has(m) ? [i] : []));
  twoD = !overview.projected;
  classes = overview.class_names.length;
  rows = session.rowCount();
  epochs = config.student.epochs;
  methodCost = Array.from({ length: nMethods }, () => new Cost());
  cellCost = Array.from({ length: nMethods }, () => new Cost());
  predCost = Array.from({ length: nMethods }, () => new Cost());
  // A step of a network this size may take seconds before its cost is known: say so first.
  const sizes = [overview.dim, ...config.student.hidden, classes];
  const macs = sizes.slice(1).reduce((a, w, i) => a + w * sizes[i], 0);
  largeStep = macs * config.student.batch_size > 2e8;
  restartHistory();
  const arrays = {
    points: session.points(),
    labels: session.labels(),
    teacherLabels: session.teacherLabels(),
    teacherConfidence: session.teacherConfidence(),
    teacherProbs: session.teacherProbs(),
    alpha: session.alpha(),
    alphaRaw: session.alphaRaw(),
    alphaTrue: session.alphaTrue(),
    roles: session.roles(),
  };
  const bounds = Array.from(session.bounds());
  post({ type: 'built', gen, overview, config, arrays, bounds, prebuilt: wasPrebuilt }, Object.values(arrays).map((a) => a.buffer));
  snapshot({ metrics: true, frame: true });
  if (msg.autoplay) play();
}

// ---------------------------------------------------------------------------------------------
// Training: every method advances in turns of the same number of units (minibatches, evaluation
// blocks), so their epochs stay together; a turn's size follows what the units cost.

let playing = false;
let speedEps = 5;
let nMethods = 1;
let unitsPerEpoch = 1;
let queryingMethods = []; // indices of the methods that query the teacher (RAD and its baselines)
let twoD = true;
let classes = 2;
let rows = 0;
let methodCost = [];
let cellCost = [];
let predCost = [];
/** Whether one minibatch may take long enough to announce before its cost is known. */
let largeStep = false;
/**
 * The point the page follows: {row, classes} with `classes[m][e]` method m's predicted class for it
 * after epoch e (0: before training), recorded as each epoch ends; null when none is followed.
 */
let watch = null;

function watchRow(row) {
  watch = row === null || row === undefined || row < 0 || !session || row >= rows ? null : { row, classes: [] };
  if (watch) recordWatch();
}

/** Records method `only`'s class for the followed point at its current epoch (every method's when null). */
function recordWatch(only = null) {
  for (let m = 0; m < nMethods; m++) {
    if (only !== null && m !== only) continue;
    (watch.classes[m] ??= [])[session.methodEpoch(m)] = session.pointClass(m, watch.row);
  }
}

/** The followed point for the page: the engine's facts and the per-epoch history. */
function pointMessage() {
  if (!watch) return null;
  const facts = session.point(watch.row);
  return facts ? { row: watch.row, facts, history: watch.classes.map((h) => Array.from(h ?? [], (c) => (c === undefined ? null : c))) } : null;
}

/** Step: train every method to the end of epoch `target`, then stop. */
let stepping = null;
/** Units owed at a paced speed (epochs per second x units per epoch x time). */
let owed = 0;
let lastTick = 0;
/** The turn under way: its size and the next method in it. */
let turn = { units: 0, next: 0 };
/** The configured epochs. */
let epochs = 1;
const stepWindow = []; // [time, units] for steps per second

function stop() {
  playing = false;
  stepping = null;
}

/** Building: the session on screen stops training (the page shows the build). */
function pauseTraining() {
  if (playing) {
    playing = false;
    snapshot({ metrics: true });
  }
}

function play() {
  if (!session) return;
  if (session.finished()) restart(() => session.reset());
  playing = true;
  lastTick = performance.now();
  owed = 0;
  snapshot({ metrics: true });
  schedule(0);
}

/** The session's history starts over (a new session, reset, new init): the page gets it whole. */
function restartHistory() {
  if (watch) watchRow(watch.row);
  metricsBase = 0;
  lastMetricsEpoch = -1;
  turn = { units: 0, next: 0 };
  frame = null;
  awaitingAck = false;
  lastFrameAt = -Infinity;
  stepWindow.length = 0;
}

function restart(fn) {
  fn();
  restartHistory();
}

/** The epoch training stops at: the configured last, or a Step's. */
const limit = () => (stepping ? stepping.target : epochs);

/**
 * Trains until `deadline` (or the units owed are paid, or a Step's epoch is reached); false once
 * every method is at the limit.
 */
function train(deadline) {
  const paced = Number.isFinite(speedEps) && !stepping;
  if (paced) {
    const now = performance.now();
    owed += (speedEps * unitsPerEpoch * Math.min(250, now - lastTick)) / 1000;
    lastTick = now;
  }
  const end = limit();
  const busy = () => {
    for (let m = 0; m < nMethods; m++) if (session.methodEpoch(m) < end) return true;
    return false;
  };
  let trained = 0;
  while (performance.now() < deadline) {
    if (turn.next === 0) {
      if (!busy()) break;
      // A new turn: as many units per method as the dearest method does in one call.
      const dearest = methodCost.reduce((a, c) => (c.ms !== null && (a.ms === null || c.ms > a.ms) ? c : a), new Cost());
      let units = dearest.fit(CALL_MS);
      if (paced) {
        units = Math.min(units, Math.floor(owed));
        if (units < 1) break;
        owed -= units;
      }
      turn.units = units;
    }
    const m = turn.next;
    turn.next = (turn.next + 1) % nMethods;
    if (session.methodEpoch(m) >= end) continue;
    if (methodCost[m].ms === null && largeStep) post({ type: 'busy', ms: null });
    else announce(methodCost[m], turn.units);
    const t0 = performance.now();
    // A followed point's class is recorded at every epoch: a call then stops at the next one.
    const before = session.methodEpoch(m);
    session.stepMethod(m, turn.units, watch ? Math.min(end, before + 1) : end);
    methodCost[m].add(performance.now() - t0, turn.units);
    if (watch && session.methodEpoch(m) !== before) recordWatch(m);
    trained += turn.units;
  }
  // A machine that cannot keep the pace does not build up a debt.
  if (paced) owed = Math.min(owed, (speedEps * unitsPerEpoch * 250) / 1000);
  countSteps(trained / Math.max(1, nMethods));
  return busy();
}

function countSteps(n) {
  const now = performance.now();
  stepWindow.push([now, n]);
  while (stepWindow.length && now - stepWindow[0][0] > 1000) stepWindow.shift();
}

function stepsPerSecond() {
  if (!playing || stepWindow.length < 2) return 0;
  const span = (stepWindow[stepWindow.length - 1][0] - stepWindow[0][0]) / 1000;
  const total = stepWindow.slice(1).reduce((a, [, n]) => a + n, 0);
  return span > 0 ? total / span : 0;
}

// ---------------------------------------------------------------------------------------------
// The schedule: one slice at a time (training, then the frame under way), messages in between.

let scheduled = false;

function schedule(delay) {
  if (scheduled || !session || building) return;
  scheduled = true;
  const run = () => {
    scheduled = false;
    slice();
  };
  if (delay > 0) setTimeout(run, delay);
  else nextTask().then(run);
}

function slice() {
  if (!session || building) return;
  const start = performance.now();
  try {
    if (playing || stepping) {
      // Training gets most of a slice; a frame under way gets the rest.
      const more = train(start + (frame ? SLICE_MS * 0.6 : SLICE_MS));
      if (!more) {
        playing = false;
        stepping = null;
        turn = { units: 0, next: 0 };
        snapshot({ metrics: true, frame: true });
      } else {
        snapshot({});
      }
    }
    // A frame gets its share even when one training call overruns the slice (a large network's
    // minibatch can take 100 ms): at least two thirds of the time training took.
    if (frame) drawFrame(Math.max(start + SLICE_MS, performance.now() + (performance.now() - start) * (2 / 3)));
  } catch (e) {
    stop();
    fail(e);
    return;
  }
  if (playing) schedule(Number.isFinite(speedEps) && owed < 1 && !frame ? TICK_MS : 0);
  else if (frame || stepping) schedule(0);
}

function fail(e) {
  playing = false;
  if (isCrash(e)) post({ type: 'crash', message: messageOf(e) });
  else post({ type: 'error', gen, message: messageOf(e) });
}

// ---------------------------------------------------------------------------------------------
// Snapshots. Metrics go out whenever an epoch completes; a frame (grids or predictions) is computed
// a few rows at a time while training goes on, and only once the page has drawn the last one.

let metricsBase = 0; // epochs of every method's history the page already has; 0 whenever the history restarts
let lastMetricsEpoch = -1;
let awaitingAck = false;
let lastFrameAt = -Infinity;
let frameCostMs = 0;
/** The frame under way: {methods left, current method's job, parts done, start}. */
let frame = null;

/** Posts the transport state with new metrics (`metrics`: even if no epoch completed), and starts a frame (`frame`: now). */
function snapshot({ metrics = false, frame: wantFrame = false }) {
  if (!session) return;
  const epoch = session.epoch();
  if (epoch !== lastMetricsEpoch || metrics) {
    const msg = { type: 'snapshot', gen, epoch, finished: session.finished(), playing, stepsPerSec: stepsPerSecond() };
    // Only the epochs the page does not have yet (it keeps the rest): `metricsFrom` is where they start.
    msg.metricsFrom = Math.min(metricsBase, epoch);
    msg.metrics = session.metricsFrom(msg.metricsFrom);
    metricsBase = epoch;
    msg.warnings = epoch > 0 ? session.warnings() : [];
    if (watch) msg.point = pointMessage();
    lastMetricsEpoch = epoch;
    post(msg);
  }
  // While training, a frame starts once the page has drawn the last one, and no more often than
  // frames cost (a large network's frame is paced by its price).
  const due = playing && !frame && !awaitingAck && performance.now() - lastFrameAt >= Math.max(30, frameCostMs * 3);
  if (wantFrame || due) startFrame();
}

function startFrame() {
  frame = { todo: Array.from({ length: nMethods }, (_, m) => m), job: null, parts: {}, started: performance.now(), flushed: performance.now(), spent: 0 };
  awaitingAck = true;
  schedule(0);
}

/** Advances the frame under way until `deadline`; posts it when complete (or in parts when slow). */
function drawFrame(deadline) {
  const t0 = performance.now();
  // At least one call per slice, so a frame always advances.
  for (let first = true; frame && (first || performance.now() < deadline); first = false) {
    if (!frame.job) {
      const m = frame.todo.shift();
      if (m === undefined) {
        flushFrame(true);
        break;
      }
      frame.job = twoD ? gridJob(m) : predictionJob(m);
    }
    const job = frame.job;
    const n = job.cost.fit(CALL_MS, job.total - job.done);
    announce(job.cost, n);
    const c0 = performance.now();
    const part = job.fetch(job.done, n);
    job.cost.add(performance.now() - c0, n);
    job.out.set(part, job.done * job.width);
    job.done += n;
    if (job.done >= job.total) {
      frame.parts[job.method] = job.out;
      frame.job = null;
      if (performance.now() - frame.flushed > FRAME_PART_MS) flushFrame(false);
    }
  }
  if (frame) frame.spent += performance.now() - t0;
}

/** The resolution of method `m`'s decision map: a power of two, from its network's size. */
function gridResolution(m) {
  const params = Math.max(1, session.parameterCount(m));
  let res = GRID_MAX;
  while (res > GRID_MIN && res * res * params > GRID_BUDGET) res /= 2;
  return res;
}

/** Rows of method `m`'s grid, a few at a time. */
function gridJob(m) {
  const res = gridResolution(m);
  const cost = cellCost[m];
  // The cost model counts cells; a job's unit is a row of `res` cells.
  const rowCost = new Cost();
  if (cost.ms !== null) rowCost.ms = cost.ms * res;
  return {
    method: m,
    total: res,
    done: 0,
    width: res * classes,
    out: new Float32Array(res * res * classes),
    cost: rowCost,
    fetch: (first, n) => {
      const t0 = performance.now();
      const part = session.gridRows(m, res, first, n);
      cost.add(performance.now() - t0, n * res);
      return part;
    },
  };
}

/** Method `m`'s predicted class for every row, in blocks of 256 rows. */
function predictionJob(m) {
  const blocks = Math.ceil(rows / 256);
  const cost = predCost[m];
  return {
    method: m,
    total: blocks,
    done: 0,
    width: 256,
    out: new Uint32Array(blocks * 256),
    cost,
    fetch: (first, n) => session.predictionsOf(m, first * 256, n * 256),
  };
}

function flushFrame(complete) {
  const methods = Object.keys(frame.parts);
  if (methods.length) {
    const msg = { type: 'snapshot', gen, epoch: session.epoch(), finished: session.finished(), playing, stepsPerSec: stepsPerSecond() };
    const transfer = [];
    const parts = {};
    for (const m of methods) {
      parts[m] = twoD ? frame.parts[m] : frame.parts[m].subarray(0, rows);
      transfer.push(frame.parts[m].buffer);
    }
    if (twoD) msg.grids = parts;
    else msg.preds = parts;
    if (queryingMethods.length) {
      msg.queried = {};
      for (const q of queryingMethods) {
        msg.queried[q] = session.queried(q);
        transfer.push(msg.queried[q].buffer);
      }
    }
    post(msg, transfer);
  }
  frame.parts = {};
  frame.flushed = performance.now();
  if (complete) {
    frameCostMs = frame.spent;
    lastFrameAt = performance.now();
    frame = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Multi-seed runs: pool workers run one seed each (SeedRunner, in slices); the page's own worker
// turns the results into the report (summariseSeeds), so a cancelled run still gets the engine's numbers.

/** The request with its CSV, or the MNIST subset's bytes when it needs them. Never touches csvCache. */
async function seedInputs(msg) {
  const request = msg.csv ? { ...msg.request, csv: msg.csv.text, csv_name: msg.csv.name } : msg.request;
  const bytes = msg.needsPool && !request.csv ? await getPool() : undefined;
  await provideData(slam, request);
  return { request, bytes };
}

const seedCost = new Cost();

async function runOneSeed(msg) {
  let runner = null;
  try {
    const { request, bytes } = await seedInputs(msg);
    post({ type: 'busy', ms: null });
    runner = bytes ? new slam.SeedRunner(request, msg.index, bytes) : new slam.SeedRunner(request, msg.index);
    let lastReport = -Infinity;
    for (;;) {
      if (advanceFor(seedCost, (units) => runner.advance(units), performance.now() + SLICE_MS)) break;
      if (performance.now() - lastReport > 250) {
        const [done, total] = runner.progress();
        post({ type: 'seed-progress', index: msg.index, done, total });
        lastReport = performance.now();
      }
      await nextTask();
    }
    const result = runner.result();
    post({ type: 'seed-done', index: msg.index, result });
  } catch (e) {
    post({ type: 'seed-error', index: msg.index, message: messageOf(e), crashed: isCrash(e) });
  } finally {
    runner?.free();
  }
}

async function summarise(msg) {
  try {
    const { request, bytes } = await seedInputs(msg);
    const report = bytes ? slam.summariseSeeds(request, msg.results, bytes) : slam.summariseSeeds(request, msg.results);
    post({ type: 'summary', id: msg.id, report });
  } catch (e) {
    post({ type: 'summary-error', id: msg.id, message: messageOf(e) });
  }
}

/** A sweep's report over per-seed results grouped by value (summariseSweep), same shape as `slam-lab sweep --json`. */
async function summariseSweep(msg) {
  try {
    const { request, bytes } = await seedInputs(msg);
    const report = bytes
      ? slam.summariseSweep(request, msg.key, msg.values, msg.results, bytes)
      : slam.summariseSweep(request, msg.key, msg.values, msg.results);
    post({ type: 'summary', id: msg.id, report });
  } catch (e) {
    post({ type: 'summary-error', id: msg.id, message: messageOf(e) });
  }
}

/** A sweep's values read and checked by the engine (errors name the key and the value). */
async function sweepValues(msg) {
  try {
    const { request } = await seedInputs({ ...msg, needsPool: false });
    post({ type: 'summary', id: msg.id, report: slam.sweepValues(request, msg.key, msg.text) });
  } catch (e) {
    post({ type: 'summary-error', id: msg.id, message: messageOf(e) });
  }
}

/**
 * Slow motion: method `msg.method`'s next minibatch taken apart and trained (the step it takes next
 * anyway, so the run goes on from there with the same numbers), with its map before and after at
 * the resolution the page draws it. Training pauses first; the page then gets the new state.
 */
function explain(msg) {
  stop();
  let step;
  try {
    post({ type: 'busy', ms: null });
    step = session.explainStep(msg.method, twoD ? gridResolution(msg.method) : 8);
  } catch (e) {
    post({ type: 'summary-error', id: msg.id, message: messageOf(e) });
    return;
  }
  post({ type: 'summary', id: msg.id, report: step });
  snapshot({ metrics: true, frame: true });
}

// ---------------------------------------------------------------------------------------------

let seedQueue = Promise.resolve();

function handle(msg) {
  switch (msg.type) {
    case 'ping':
      post({ type: 'pong', id: msg.id });
      return;
    case 'build':
      queueBuild(msg);
      return;
    case 'cancel-build':
      if (pendingBuild?.gen === msg.gen) pendingBuild = null;
      if (building?.msg.gen === msg.gen) building.abandoned = true;
      else post({ type: 'build-cancelled', gen: msg.gen }); // nothing under way: the page may go on
      return;
    case 'seed':
      seedQueue = seedQueue.then(() => runOneSeed(msg));
      return;
    case 'summarise':
      summarise(msg);
      return;
    case 'summarise-sweep':
      summariseSweep(msg);
      return;
    case 'sweep-values':
      sweepValues(msg);
      return;
    case 'speed':
      speedEps = msg.eps === null || msg.eps === undefined ? Infinity : msg.eps;
      owed = 0;
      return;
    case 'ack':
      awaitingAck = false;
      return;
    case 'prebuild':
      prebuild(msg);
      return;
    case 'watch':
      if (session && !building) {
        watchRow(msg.row);
        post({ type: 'point', gen, point: pointMessage() });
      }
      return;
    case 'explain':
      if (!session || building) post({ type: 'summary-error', id: msg.id, message: 'the session is being rebuilt; try again when it is ready' });
      else explain(msg);
      return;
    default:
      break;
  }
  if (!session || building) return;
  try {
    switch (msg.type) {
      case 'play':
        play();
        break;
      case 'pause':
        stop();
        snapshot({ metrics: true, frame: !frame });
        break;
      case 'step':
        // To the end of the next epoch, in slices like Play (an epoch of a large run is long).
        stop();
        if (session.finished()) restart(() => session.reset());
        stepping = { target: session.epoch() + 1, reached: new Set() };
        turn = { units: 0, next: 0 };
        schedule(0);
        break;
      case 'reset':
        stop();
        restart(() => session.reset());
        snapshot({ metrics: true, frame: true });
        break;
      case 'new-init':
        stop();
        restart(() => session.newInit());
        snapshot({ metrics: true, frame: true });
        break;
      default:
        break;
    }
  } catch (e) {
    stop();
    fail(e);
  }
}

self.onmessage = (event) => {
  engine.then(() => handle(event.data)).catch(() => {});
};
