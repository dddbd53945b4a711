// The engine's home: a module Web Worker that owns the WebAssembly session and answers the page.
// The page never computes; it sends commands and draws the snapshots this worker posts.
// The same file also runs as a member of the multi-seed pool (created with the worker name 'seeds'):
// such a worker skips the catalogue and only runs the seeds it is given.
//
// Page -> worker
//   {type:'build', gen, request:{scenario, config, points}, csv: null|'keep'|{name,text}, needsPool, autoplay}
//   {type:'play'} {type:'pause'} {type:'step'} (one epoch) {type:'reset'} {type:'new-init'}
//   {type:'speed', eps}        student epochs per second (Infinity: as fast as it can)
//   {type:'ack'}               the page took the last snapshot (back-pressure for grids/predictions)
//   {type:'summarise', id, request, results:[text], csv: null|{name,text}, needsPool}
//                              the report over per-seed results (slam.summariseSeeds), in seed order
//   {type:'summarise-sweep', id, request, key, values, results:[[text]], csv, needsPool}
//                              a sweep's report (slam.summariseSweep): results[v] are value v's seeds
//   {type:'sweep-values', id, request, key, text, csv}   a sweep's values, checked (slam.sweepValues)
// Page -> pool worker (name 'seeds')
//   {type:'seed', request, index, csv: null|{name,text}, needsPool}   one seed (slam.runSeed)
// Worker -> page
//   {type:'ready', datasets, scenarios, scenarioConfigs, schema}  |  {type:'fatal', message}
//     schema: the engine's (slam.schema()): config keys with kinds and limits, method facts, sweep keys, limits
//   {type:'built', gen, overview, config, arrays:{...typed arrays}, bounds}  |  {type:'build-error', gen, message}
//   {type:'snapshot', gen, epoch, finished, playing, metrics?, warnings?, grids?, preds?, queried?, res, stepsPerSec}
//     warnings: one line per diverged or collapsed method (with metrics); queried: {methodIndex: Uint32Array}
//     of the rows the teacher was asked to label, for RAD and its baselines (with grids/preds)
//   {type:'error', message} (a command failed)  |  {type:'crash', message} (the engine panicked)
//   {type:'summary', id, report}  |  {type:'summary-error', id, message}
// Pool worker -> page
//   {type:'pool-ready'}  |  {type:'seed-done', index, result (JSON text)}  |  {type:'seed-error', index, message, crashed}

import init, * as slam from './pkg/slam_lab.js';
import { provideData } from './datasets.js';

const GRID_RES = 64;
/** The engine's schema (config keys, method facts), read once. */
let schema = null;
/** Methods that ask the teacher about a budget of points instead of reading its labels on all of U. */
let querying = new Set();
const TICK_MS = 16;
const TICK_BUDGET_MS = 30; // one tick never trains longer than this, so messages stay responsive
const MIN_SNAPSHOT_MS = 30;

let session = null;
let gen = 0;
let pool = null; // the MNIST subset, fetched once when first needed
let csvCache = null; // {name, text} of the uploaded CSV, kept so rebuilds need not resend it
let playing = false;
let speedEps = 5;
let timer = null;
let lastTick = 0;
let carry = 0;
let batchesPerEpoch = 1;
let nMethods = 1;
let queryingMethods = []; // indices of the methods that query the teacher (RAD and its baselines)
let twoD = true;
let awaitingAck = false;
let lastSnapshotAt = 0;
let lastMetricsEpoch = -1;
let metricsBase = 0; // epochs of every method's history the page already has; 0 whenever the history restarts
let predCostMs = 0;
let lastPredsAt = -Infinity;
const stepWindow = []; // [time, batches] for steps per second

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

function messageOf(e) {
  if (e && typeof e.message === 'string') return e.message;
  return String(e);
}

/** A wasm trap (panic, out of memory) leaves the module unusable: the page restarts the worker. */
function isCrash(e) {
  return e instanceof WebAssembly.RuntimeError || (e && /unreachable|memory access out of bounds/i.test(e.message ?? ''));
}

function fail(e, type = 'error') {
  if (isCrash(e)) {
    playing = false;
    post({ type: 'crash', message: messageOf(e) });
  } else {
    post({ type, gen, message: messageOf(e) });
  }
}

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
// Building a session. Builds are serialised and coalesced: only the newest request is built.

let pendingBuild = null;
let building = false;

function queueBuild(msg) {
  pendingBuild = msg;
  if (!building) runBuilds();
}

async function runBuilds() {
  building = true;
  while (pendingBuild) {
    const msg = pendingBuild;
    pendingBuild = null;
    await build(msg);
  }
  building = false;
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

async function build(msg) {
  let next = takePrebuilt(msg);
  const wasPrebuilt = next !== null;
  try {
    if (!next) {
      const request = withCsv(msg.request, msg.csv);
      const bytes = msg.needsPool && !request.csv ? await getPool() : undefined;
      await provideData(slam, request);
      if (pendingBuild) return; // a newer request arrived while the data loaded
      next = bytes ? new slam.Session(request, bytes) : new slam.Session(request);
    }
  } catch (e) {
    post({ type: 'build-error', gen: msg.gen, message: messageOf(e), crashed: isCrash(e) });
    return;
  }
  stop();
  if (session) session.free();
  session = next;
  gen = msg.gen;
  const overview = session.overview();
  const config = session.config();
  const [L, , U] = overview.sizes;
  batchesPerEpoch = Math.max(1, Math.ceil((L + U) / config.student.batch_size));
  nMethods = overview.methods.length;
  queryingMethods = overview.methods.flatMap((m, i) => (querying.has(m) ? [i] : []));
  twoD = !overview.projected;
  predCostMs = 0;
  lastPredsAt = -Infinity;
  lastMetricsEpoch = -1;
  metricsBase = 0;
  awaitingAck = false;
  stepWindow.length = 0;
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
  snapshot(true);
  if (msg.autoplay) play();
}

// ---------------------------------------------------------------------------------------------
// Training loop.

function stop() {
  playing = false;
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

function play() {
  if (!session) return;
  if (session.finished()) restart(() => session.reset());
  playing = true;
  lastTick = performance.now();
  carry = 0;
  if (timer === null) timer = setTimeout(tick, 0);
  snapshot(true);
}

function trainBatches(n) {
  const t0 = performance.now();
  let done = 0;
  let more = true;
  const chunk = Math.max(1, Math.min(n, Math.ceil(batchesPerEpoch / 8)));
  while (done < n && more) {
    const k = Math.min(chunk, n - done);
    more = session.step(k);
    done += k;
    if (performance.now() - t0 > TICK_BUDGET_MS) break;
  }
  countSteps(done);
  return { more, done };
}

function trainFor(ms) {
  const t0 = performance.now();
  let done = 0;
  let more = true;
  const chunk = Math.max(1, Math.ceil(batchesPerEpoch / 16));
  while (more && performance.now() - t0 < ms) {
    more = session.step(chunk);
    done += chunk;
  }
  countSteps(done);
  return more;
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

function tick() {
  timer = null;
  if (!playing || !session) return;
  let more;
  try {
    if (speedEps === Infinity) {
      more = trainFor(TICK_BUDGET_MS);
    } else {
      const now = performance.now();
      const dt = Math.min(250, now - lastTick);
      lastTick = now;
      carry += (speedEps * batchesPerEpoch * dt) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      more = !session.finished();
      if (n > 0) {
        const r = trainBatches(n);
        more = r.more;
        if (r.done < n) carry = 0; // the machine cannot keep this pace: do not build up a debt
      }
    }
  } catch (e) {
    stop();
    fail(e);
    return;
  }
  if (!more) {
    playing = false;
    snapshot(true);
    return;
  }
  snapshot(false);
  timer = setTimeout(tick, speedEps === Infinity ? 0 : TICK_MS);
}

/** Runs `fn`, which starts the session's history over (reset, new init): the page gets it whole. */
function restart(fn) {
  fn();
  metricsBase = 0;
}

/** Posts what the page needs to draw. Grids and predictions only when the page has caught up. */
function snapshot(force) {
  if (!session) return;
  const now = performance.now();
  const epoch = session.epoch();
  const msg = {
    type: 'snapshot',
    gen,
    epoch,
    finished: session.finished(),
    playing,
    stepsPerSec: stepsPerSecond(),
    res: GRID_RES,
  };
  if (epoch !== lastMetricsEpoch || force) {
    // Only the epochs the page does not have yet (it keeps the rest): `metricsFrom` is where they start.
    msg.metricsFrom = Math.min(metricsBase, epoch);
    msg.metrics = session.metricsFrom(msg.metricsFrom);
    metricsBase = epoch;
    msg.warnings = epoch > 0 ? session.warnings() : [];
    lastMetricsEpoch = epoch;
  }
  const transfer = [];
  const drawNow = force || (!awaitingAck && now - lastSnapshotAt >= MIN_SNAPSHOT_MS);
  if (drawNow) {
    if (twoD) {
      msg.grids = [];
      for (let m = 0; m < nMethods; m++) msg.grids.push(session.grid(m, GRID_RES));
      transfer.push(...msg.grids.map((g) => g.buffer));
    } else if (force || now - lastPredsAt >= Math.max(250, predCostMs * 6)) {
      // Predicting every row of a wide dataset costs real time: pace it by what it cost last time.
      const t0 = performance.now();
      msg.preds = [];
      for (let m = 0; m < nMethods; m++) msg.preds.push(session.predictions(m));
      predCostMs = performance.now() - t0;
      lastPredsAt = now;
      transfer.push(...msg.preds.map((p) => p.buffer));
    }
    if (queryingMethods.length) {
      msg.queried = {};
      for (const m of queryingMethods) {
        msg.queried[m] = session.queried(m);
        transfer.push(msg.queried[m].buffer);
      }
    }
    awaitingAck = true;
    lastSnapshotAt = now;
  } else if (msg.metrics === undefined && !force) {
    return; // nothing new worth a message
  }
  post(msg, transfer);
}

// ---------------------------------------------------------------------------------------------
// Multi-seed runs: pool workers run one seed each (runSeed); the page's own worker turns the
// results into the report (summariseSeeds), so a cancelled run still gets the engine's numbers.

/** The request with its CSV, or the MNIST subset's bytes when it needs them. Never touches csvCache. */
async function seedInputs(msg) {
  const request = msg.csv ? { ...msg.request, csv: msg.csv.text, csv_name: msg.csv.name } : msg.request;
  const bytes = msg.needsPool && !request.csv ? await getPool() : undefined;
  await provideData(slam, request);
  return { request, bytes };
}

async function runOneSeed(msg) {
  try {
    const { request, bytes } = await seedInputs(msg);
    const result = bytes ? slam.runSeed(request, msg.index, bytes) : slam.runSeed(request, msg.index);
    post({ type: 'seed-done', index: msg.index, result });
  } catch (e) {
    post({ type: 'seed-error', index: msg.index, message: messageOf(e), crashed: isCrash(e) });
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

// ---------------------------------------------------------------------------------------------

let seedQueue = Promise.resolve();

function handle(msg) {
  switch (msg.type) {
    case 'build':
      queueBuild(msg);
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
      carry = 0;
      return;
    case 'ack':
      awaitingAck = false;
      return;
    case 'prebuild':
      prebuild(msg);
      return;
    default:
      break;
  }
  if (!session) return;
  try {
    switch (msg.type) {
      case 'play':
        play();
        break;
      case 'pause':
        stop();
        snapshot(true);
        break;
      case 'step':
        stop();
        if (session.finished()) restart(() => session.reset());
        session.stepEpoch();
        snapshot(true);
        break;
      case 'reset':
        stop();
        restart(() => session.reset());
        snapshot(true);
        break;
      case 'new-init':
        stop();
        restart(() => session.newInit());
        snapshot(true);
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
