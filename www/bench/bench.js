// The benchmark page: our wasm build against TensorFlow.js (wasm and cpu backends) on the standard
// workloads of src/bench.rs, one epoch at a time, repetitions interleaved, medians.
//
// scripts/bench.mjs drives it headless through `window.slamBench`:
//   await slamBench.setup({workloads: ['W1','W2','W3'], engines: ['wasm','tfjs_wasm','tfjs_cpu']})
//   await slamBench.round()        one sample of every case (the runner alternates with native rounds)
//   slamBench.summary()            medians per workload, loss and engine
//   await slamBench.seeds({...})   a multi-seed run spread over a pool of workers (wall-clock time)
// Opened by hand (npm run serve, then /bench/), the Run button does the same and fills the table.

import init, * as slam from '../pkg/slam_lab.js';
import { provideData } from '../datasets.js';
import { TfTrainer } from './tfjs-trainer.js';

const tf = globalThis.tf;
const ENGINES = ['wasm', 'tfjs_wasm', 'tfjs_cpu'];
const LOSSES = ['vanilla', 'slam'];
const SAMPLE_MS = 40;

const $ = (id) => document.getElementById(id);
const log = (line) => {
  $('log').textContent += line + '\n';
};
const setStatus = (state, text = state) => {
  $('status').dataset.state = state;
  $('status').textContent = text;
};

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
};

let engineReady = null;
let mnist = null;
let cases = [];
let info = {};

async function loadMnist() {
  if (!mnist) {
    const res = await fetch('../data/mnist.bin');
    if (!res.ok) throw new Error(`data/mnist.bin: HTTP ${res.status} (run scripts/build.sh)`);
    mnist = new Uint8Array(await res.arrayBuffer());
  }
  return mnist;
}

/** Our engine's trainer for one workload and loss, with the same interface as TfTrainer. */
class WasmTrainer {
  constructor(workload, loss, pool) {
    this.inner = new slam.BenchTrainer(workload, loss, pool);
  }
  async activate() {}
  epoch() {
    return this.inner.epochs(1);
  }
  dispose() {
    this.inner.free();
  }
}

async function timeEpochs(trainer, epochs) {
  await trainer.activate();
  const t0 = performance.now();
  let loss = NaN;
  for (let e = 0; e < epochs; e++) loss = trainer.epoch();
  const ms = (performance.now() - t0) / epochs;
  if (!Number.isFinite(loss)) throw new Error(`a ${trainer.constructor.name} epoch gave loss ${loss}`);
  return ms;
}

async function setup({ workloads = ['W1', 'W2', 'W3'], engines = ENGINES, sampleMs = SAMPLE_MS } = {}) {
  const t0 = performance.now();
  engineReady ??= init();
  await engineReady;
  const wasmInit = performance.now() - t0;
  if (engines.some((e) => e.startsWith('tfjs'))) {
    if (!tf) throw new Error('TensorFlow.js did not load (vendor/tf.es2017.min.js; scripts/bench.sh copies it from node_modules)');
    tf.wasm.setWasmPaths(new URL('./vendor/', location.href).href);
  }
  for (const c of cases) c.trainer.dispose();
  cases = [];
  info = { wasm_init_ms: wasmInit, tfjs_version: tf?.version?.tfjs ?? null, workloads: {} };
  for (const w of workloads) {
    const pool = w === 'W3' ? await loadMnist() : undefined;
    if (w === 'W2') await provideData(slam, { config: { dataset: 'digits' } });
    const probe = new slam.BenchTrainer(w, 'slam', pool);
    const data = {
      x: probe.x(),
      soft: probe.soft(),
      top: probe.top(),
      alpha: probe.alpha(),
      sizes: Array.from(probe.sizes()),
      rows: probe.rows(),
    };
    info.workloads[w] = { rows: data.rows, sizes: data.sizes, flops_per_epoch: probe.flopsPerEpoch(), fingerprint: {} };
    probe.free();
    for (const loss of LOSSES) {
      // The bit-identity fingerprint: one epoch from the initial weights.
      const fresh = new slam.BenchTrainer(w, loss, pool);
      fresh.epochs(1);
      info.workloads[w].fingerprint[loss] = fresh.fingerprint();
      fresh.free();
      for (const engine of engines) {
        let trainer;
        if (engine === 'wasm') trainer = new WasmTrainer(w, loss, pool);
        else {
          trainer = new TfTrainer(tf, engine === 'tfjs_wasm' ? 'wasm' : 'cpu', data, loss);
          await trainer.init();
        }
        // Warm up (compiles, allocates), then calibrate how many epochs make one sample.
        await timeEpochs(trainer, 1);
        const est = await timeEpochs(trainer, 1);
        const epochs = Math.max(1, Math.min(500, Math.ceil(sampleMs / Math.max(est, 0.01))));
        cases.push({ workload: w, loss, engine, trainer, epochs, samples: [] });
        log(`${w} ${loss} ${engine}: ~${est.toFixed(2)} ms/epoch, ${epochs} epoch(s) per sample`);
      }
    }
  }
  info.backend_simd = tf ? await tfSimd() : null;
  return info;
}

async function tfSimd() {
  try {
    return Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  } catch {
    return null;
  }
}

async function round() {
  const out = [];
  for (const c of cases) {
    const ms = await timeEpochs(c.trainer, c.epochs);
    c.samples.push(ms);
    out.push({ workload: c.workload, loss: c.loss, engine: c.engine, ms });
  }
  return out;
}

function summary() {
  const res = {};
  for (const c of cases) {
    res[c.workload] ??= {};
    res[c.workload][c.loss] ??= {};
    res[c.workload][c.loss][c.engine] = { ms: median(c.samples), samples: c.samples.length, epochs_per_sample: c.epochs };
  }
  return { info, results: res };
}

/**
 * A multi-seed comparison spread over `workers` Web Workers (default: one per core), each running whole
 * seeds with the engine's `runSeed` (seeds handed out as workers free up), then `summariseSeeds` into
 * the report `slam-lab run --json` gives. Returns the wall-clock time (each seed's numbers do not depend
 * on which worker ran it).
 */
async function seeds({ request, seeds: total = 10, workers = navigator.hardwareConcurrency || 2, needsPool = false } = {}) {
  engineReady ??= init();
  await engineReady;
  const pool = needsPool ? await loadMnist() : null;
  const t0 = performance.now();
  const jobs = Array.from({ length: total }, (_, index) => ({ request, index }));
  const { results, used } = await runJobs(jobs, workers, pool);
  await provideData(slam, request);
  const report = pool ? slam.summariseSeeds(request, results, pool) : slam.summariseSeeds(request, results);
  return { ms: performance.now() - t0, workers: used, seeds: total, report };
}

/**
 * A sweep as the page's sweep view runs it: `seeds` seeds of `request` at each of `values` of `key`
 * (runSeed with `vary`), spread over `workers`, then `summariseSweep`. Returns the wall-clock time.
 */
async function sweep({ request, key, values, seeds: total = 10, workers = navigator.hardwareConcurrency || 2, needsPool = false } = {}) {
  engineReady ??= init();
  await engineReady;
  const pool = needsPool ? await loadMnist() : null;
  const t0 = performance.now();
  const jobs = values.flatMap((value) => Array.from({ length: total }, (_, index) => ({ request: { ...request, vary: { key, value } }, index })));
  const { results, used } = await runJobs(jobs, workers, pool);
  await provideData(slam, request);
  const grouped = values.map((_, v) => results.slice(v * total, (v + 1) * total));
  const report = pool ? slam.summariseSweep(request, key, values, grouped, pool) : slam.summariseSweep(request, key, values, grouped);
  return { ms: performance.now() - t0, workers: used, runs: jobs.length, report };
}

/** Runs `jobs` ([{request, index}]: one seed each) over `workers` Web Workers; results in job order. */
async function runJobs(jobs, workers, pool) {
  const total = jobs.length;
  const results = new Array(total);
  let next = 0;
  const runWorker = () =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL('./seeds-worker.js', import.meta.url), { type: 'module' });
      const feed = () => {
        if (next >= total) {
          w.terminate();
          resolve();
          return;
        }
        const i = next++;
        w.postMessage({ i, request: jobs[i].request, index: jobs[i].index, pool });
      };
      w.onmessage = (e) => {
        if (e.data.error) {
          w.terminate();
          reject(new Error(e.data.error));
          return;
        }
        results[e.data.i] = e.data.result;
        feed();
      };
      w.onerror = (e) => reject(new Error(e.message));
      feed();
    });
  const used = Math.min(workers, total);
  await Promise.all(Array.from({ length: used }, runWorker));
  return { results, used };
}

/** The layer products of the workloads at batch 64 (as slam_lab::bench::kernel_shapes). */
const KERNEL_SHAPES = [
  ['matmul', 64, 784, 128], ['at_b', 64, 784, 128],
  ['matmul', 64, 128, 10], ['at_b', 64, 128, 10], ['a_bt', 64, 128, 10],
  ['matmul', 64, 64, 64], ['at_b', 64, 64, 64],
  ['matmul', 64, 64, 10], ['at_b', 64, 64, 10], ['a_bt', 64, 64, 10],
  ['matmul', 64, 32, 32], ['at_b', 64, 32, 32], ['a_bt', 64, 32, 32],
  ['matmul', 64, 2, 32], ['at_b', 64, 2, 32],
];

/** GFLOP/s of the wasm throughput probe (multiply then add on independent SIMD128 chains), set by kernels(). */
let peakGflops = null;

/** Times the wasm throughput probe: the practical single-core peak of SIMD128 multiply-then-add. */
async function probe({ rounds = 9 } = {}) {
  engineReady ??= init();
  await engineReady;
  const v = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const flops = slam.throughputProbe(2_000_000);
    v.push(flops / ((performance.now() - t0) * 1e6));
  }
  peakGflops = median(v);
  return peakGflops;
}

/** GFLOP/s of the matrix products alone in wasm, reference loops vs SIMD128 kernels, medians of `rounds`. */
async function kernels({ rounds = 9 } = {}) {
  engineReady ??= init();
  await engineReady;
  const kinds = ['reference', 'simd128'];
  const cases = KERNEL_SHAPES.map(([op, m, k, n]) => {
    const kc = new slam.BenchKernel(op, m, k, n);
    const reps = Math.max(1, Math.ceil(1e8 / kc.flops()));
    kc.run(reps);
    return { op, m, k, n, kc, reps, samples: kinds.map(() => []) };
  });
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      kinds.forEach((kind, i) => {
        slam.setKernels(kind);
        const t0 = performance.now();
        c.kc.run(c.reps);
        c.samples[i].push((performance.now() - t0) / c.reps);
      });
    }
  }
  slam.setKernels('simd128');
  await probe({ rounds });
  return cases.map((c) => {
    const out = { op: c.op, m: c.m, k: c.k, n: c.n };
    kinds.forEach((kind, i) => {
      out[kind] = c.kc.flops() / (median(c.samples[i]) * 1e6);
    });
    c.kc.free();
    return out;
  });
}

function renderTable() {
  const { results } = summary();
  const rows = [['workload', 'loss', ...ENGINES.map((e) => `${e} ms`), 'tfjs_wasm / wasm']];
  for (const [w, byLoss] of Object.entries(results)) {
    for (const [loss, byEngine] of Object.entries(byLoss)) {
      const ms = (e) => byEngine[e]?.ms;
      const f = (v) => (v === undefined ? '' : v.toFixed(v < 10 ? 3 : 1));
      rows.push([w, loss, ...ENGINES.map((e) => f(ms(e))), ms('tfjs_wasm') && ms('wasm') ? `${(ms('tfjs_wasm') / ms('wasm')).toFixed(1)}x` : '']);
    }
  }
  const table = $('table');
  table.replaceChildren(
    ...rows.map((r, i) => {
      const tr = document.createElement('tr');
      for (const cell of r) {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        td.textContent = cell;
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function runByHand() {
  $('run').disabled = true;
  $('log').textContent = '';
  try {
    setStatus('setup', 'setting up');
    const workloads = $('workloads').value.split(',').map((s) => s.trim()).filter(Boolean);
    await setup({ workloads });
    const reps = Math.max(1, Number($('reps').value) || 5);
    for (let r = 0; r < reps; r++) {
      setStatus('running', `round ${r + 1} / ${reps}`);
      await round();
      renderTable();
    }
    setStatus('done');
  } catch (e) {
    log(`error: ${e.message ?? e}`);
    setStatus('error');
  } finally {
    $('run').disabled = false;
  }
}

$('run').addEventListener('click', runByHand);
globalThis.slamBench = { setup, round, summary, seeds, sweep, kernels, probe, peak: () => peakGflops, renderTable };
setStatus('ready');
