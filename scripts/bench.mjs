#!/usr/bin/env node
// `npm run bench` (after scripts/bench.sh has built everything): the side-by-side performance run.
//
//   node scripts/bench.mjs [--json] [--reps N] [--workloads W1,W2,W3] [--no-tfjs-cpu] [--skip-page]
//
// 1. Starts the native `slam-bench --rounds-from-stdin` and opens www/bench/ in headless Chromium
//    (scripts/serve.mjs on 127.0.0.1, playwright-core, Debian's Chromium; no network).
// 2. Alternates rounds: one sample of every (workload, loss) with our wasm build, TensorFlow.js's wasm
//    backend and its cpu backend in the page, then one native round; medians over the rounds.
// 3. Checks the wasm students are bit-identical to the native ones (parameter fingerprints after one
//    epoch), measures the .wasm's gzipped size, the main page's time to ready, the frame rate of the
//    main page while it trains, a 10-seed all-methods MNIST comparison in a pool of workers, and a
//    5-value label sweep x 10 seeds of the core methods on the MNIST preset (`sweep_mnist_ms`).
// Prints a table, or with --json one JSON object (also written to target/bench/bench.json).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BROWSER_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

function parseArgs(argv) {
  const a = {
    // `npm run bench --json` (without `--`) reaches us as npm's own config flag.
    json: process.env.npm_config_json === 'true',
    reps: 5,
    workloads: ['W1', 'W2', 'W3'],
    tfjsCpu: true,
    page: true,
    seeds: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--json') a.json = true;
    else if (v === '--reps') a.reps = Math.max(1, Number.parseInt(argv[++i], 10) || 5);
    else if (v === '--workloads') a.workloads = argv[++i].split(',').map((s) => s.trim()).filter(Boolean);
    else if (v === '--no-tfjs-cpu') a.tfjsCpu = false;
    else if (v === '--skip-page') a.page = false;
    else if (v === '--skip-seeds') a.seeds = false;
    else if (v === '--kernels') a.kernels = true;
    else if (v === '-h' || v === '--help') {
      console.log('node scripts/bench.mjs [--json] [--reps N] [--workloads W1,W2,W3] [--no-tfjs-cpu] [--skip-page] [--skip-seeds] [--kernels]');
      process.exit(0);
    } else throw new Error(`unknown argument ${v}`);
  }
  return a;
}

const args = parseArgs(process.argv.slice(2));
const note = (...m) => console.error('[bench]', ...m);
const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
};
const binDir = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), 'release');

/** The native benchmark as a line-oriented child process. */
async function startNative(kernels = null) {
  const bin = path.join(binDir, 'slam-bench');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: cargo build --release --bin slam-bench (scripts/bench.sh does)`);
  const env = { ...process.env };
  if (kernels) env.SLAM_LAB_KERNELS = kernels;
  else delete env.SLAM_LAB_KERNELS;
  const child = spawn(bin, ['--rounds-from-stdin', '--workloads', args.workloads.join(',')], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('slam-bench ended early');
    return JSON.parse(value);
  };
  const ready = await next();
  return {
    kernels: ready.kernels,
    round: async () => {
      child.stdin.write('round\n');
      return next();
    },
    finish: async () => {
      child.stdin.end();
      return next();
    },
  };
}

async function measureReady(browser, base, times = 3) {
  const out = [];
  for (let i = 0; i < times; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(base);
    const handle = await page.waitForFunction(
      () => {
        const s = document.querySelector('[data-testid="status"]')?.dataset.state;
        const play = document.querySelector('[data-testid="play"]');
        return ['ready', 'paused', 'finished', 'training'].includes(s) && play && !play.disabled ? performance.now() : false;
      },
      null,
      { timeout: 60_000, polling: 'raf' },
    );
    out.push(await handle.jsonValue());
    await context.close();
  }
  return { median: median(out), samples: out };
}

/**
 * Frames per second of the main page's main thread while its worker trains as fast as it can: the
 * flagship with enough epochs that it is still training when the count ends (frames are counted only
 * while the status says "training").
 */
async function measureFps(browser, base, { ms = 4000, scrollTo = null } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + '?scenario=flagship&student.epochs=3000');
  await page.waitForFunction(() => {
    const play = document.querySelector('[data-testid="play"]');
    return play && !play.disabled;
  }, null, { timeout: 60_000 });
  // `scrollTo`: watch that panel while it trains (the top of the page shows no training canvases).
  if (scrollTo) await page.locator(scrollTo).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const speed = page.getByTestId('speed');
  if (await speed.count()) {
    const last = await speed.evaluate((s) => s.options[s.options.length - 1].value);
    await speed.selectOption(last);
  }
  await page.getByTestId('play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === 'training', null, { timeout: 30_000 });
  const r = await page.evaluate((span) => new Promise((resolve) => {
    const training = () => document.querySelector('[data-testid="status"]')?.dataset.state === 'training';
    let t0 = null;
    let frames = 0;
    let worst = 0;
    let prev = 0;
    const tick = (t) => {
      if (t0 === null) {
        t0 = t;
        prev = t;
      } else {
        frames++;
        worst = Math.max(worst, t - prev);
        prev = t;
      }
      if (t - t0 < span && training()) requestAnimationFrame(tick);
      else resolve({ fps: (frames * 1000) / (t - t0), seconds: (t - t0) / 1000, worst_frame_ms: worst, still_training: training() });
    };
    requestAnimationFrame(tick);
  }), ms);
  await context.close();
  return r;
}

/** `--kernels`: the matrix products alone, GFLOP/s natively (every kernel set) and in the page's wasm. */
async function kernelsOnly() {
  const { execFileSync } = await import('node:child_process');
  const native = JSON.parse(execFileSync(path.join(binDir, 'slam-bench'), ['--kernels', '--json'], { cwd: ROOT, encoding: 'utf8' }));
  const nativeRows = native.products;
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(server.url + 'bench/');
    await page.waitForFunction(() => globalThis.slamBench, null, { timeout: 30_000 });
    const wasmRows = await page.evaluate(() => globalThis.slamBench.kernels());
    const rows = nativeRows.map((r, i) => ({ ...r, wasm_reference: wasmRows[i]?.reference, wasm_simd128: wasmRows[i]?.simd128 }));
    const peaks = { native: native.peak_gflops, wasm_simd128: await page.evaluate(() => globalThis.slamBench.peak()) };
    if (args.json) {
      process.stdout.write(JSON.stringify({ products: rows, peak_gflops: peaks }) + '\n');
      return;
    }
    const cols = Object.keys(rows[0]).filter((k) => !['op', 'm', 'k', 'n'].includes(k));
    console.log(['op'.padEnd(7), 'm x k x n'.padStart(12), ...cols.map((c) => c.padStart(15))].join(' ') + '   GFLOP/s');
    for (const r of rows) {
      console.log([r.op.padEnd(7), `${r.m}x${r.k}x${r.n}`.padStart(12), ...cols.map((c) => (r[c] ?? NaN).toFixed(2).padStart(15))].join(' '));
    }
    console.log(`single-core peak of multiply-then-add (throughput probe), GFLOP/s: ${JSON.stringify(peaks)}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main() {
  if (args.kernels) return kernelsOnly();
  const native = await startNative();
  // The same native build restricted to 4-lane kernels: the like-for-like comparison with wasm's SIMD128.
  const native4 = native.kernels.startsWith('avx') ? await startNative('simd128') : null;
  note(`native kernels: ${native.kernels}${native4 ? `, and ${native4.kernels}` : ''}`);
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true });
  const errors = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !/^(data|blob):/.test(r.url())) errors.push(`off-origin request ${r.url()}`);
    });
    const engines = ['wasm', 'tfjs_wasm', ...(args.tfjsCpu ? ['tfjs_cpu'] : [])];
    let pageInfo = null;
    if (args.page) {
      await page.goto(server.url + 'bench/');
      await page.waitForFunction(() => globalThis.slamBench, null, { timeout: 30_000 });
      note('setting up the page (warm-up and calibration)');
      pageInfo = await page.evaluate((o) => globalThis.slamBench.setup(o), { workloads: args.workloads, engines });
    }
    for (let r = 0; r < args.reps; r++) {
      note(`round ${r + 1} / ${args.reps}`);
      if (args.page) await page.evaluate(() => globalThis.slamBench.round());
      await native.round();
      if (native4) await native4.round();
    }
    const nativeSummary = await native.finish();
    const native4Summary = native4 ? await native4.finish() : null;
    const pageSummary = args.page ? await page.evaluate(() => globalThis.slamBench.summary()) : null;
    // The practical single-core peak of the kernels' instruction mix, natively and in wasm.
    const { execFileSync } = await import('node:child_process');
    const peak = {
      native: JSON.parse(execFileSync(path.join(binDir, 'slam-bench'), ['--peak'], { cwd: ROOT, encoding: 'utf8' })),
      wasm_simd128: args.page ? await page.evaluate(() => globalThis.slamBench.probe()) : null,
    };

    let seeds = null;
    let sweep = null;
    if (args.page && args.seeds) {
      note('10-seed MNIST comparison of every method in a pool of workers');
      const request = {
        config: { dataset: 'mnist', samples: 3000, labeled: 100, validation: 300, test_fraction: 0.2, methods: 'all' },
      };
      seeds = await page.evaluate((req) => globalThis.slamBench.seeds({ request: req, seeds: 10, needsPool: true }), request)
        .then((s) => ({ ms: s.ms, workers: s.workers, seeds: s.seeds, methods: Object.keys(s.report?.methods ?? {}) }))
        .catch((e) => ({ error: String(e) }));
      note('5-value label sweep x 10 seeds x the 6 core methods on the MNIST preset, as the page\'s sweep view runs it');
      const sweepRequest = { config: { dataset: 'mnist', samples: 3000, labeled: 100, validation: 300, test_fraction: 0.2 } };
      sweep = await page.evaluate((req) => globalThis.slamBench.sweep({ request: req, key: 'labeled', values: [25, 50, 100, 200, 400], seeds: 10, needsPool: true }), sweepRequest)
        .then((s) => ({ ms: s.ms, workers: s.workers, runs: s.runs, methods: Object.keys(s.report?.points?.[0]?.methods ?? {}) }))
        .catch((e) => ({ error: String(e) }));
    }
    await context.close();
    const ready = args.page ? await measureReady(browser, server.url, 7) : null;
    const fps = args.page ? await measureFps(browser, server.url).catch((e) => ({ error: String(e) })) : null;
    const fpsTraining = args.page
      ? await measureFps(browser, server.url, { scrollTo: '#panel-training' }).catch((e) => ({ error: String(e) }))
      : null;

    const wasmPath = path.join(ROOT, 'www', 'pkg', 'slam_lab_bg.wasm');
    const wasmBytes = fs.readFileSync(wasmPath);
    const out = {
      workloads: {},
      wasm_bytes: wasmBytes.length,
      wasm_gzip_bytes: zlib.gzipSync(wasmBytes, { level: 9 }).length,
      ready_ms: ready?.median ?? null,
      ready_samples_ms: ready?.samples ?? null,
      fps_while_training: fps,
      fps_while_training_panel_in_view: fpsTraining,
      seeds_mnist_10: seeds,
      sweep_mnist_ms: sweep?.ms ?? null,
      sweep_mnist: sweep,
      kernels_native: native.kernels,
      peak_gflops: peak,
      tfjs_version: pageInfo?.tfjs_version ?? null,
      tfjs_wasm_simd: pageInfo?.backend_simd ?? null,
      reps: args.reps,
      machine: { cpu: os.cpus()[0]?.model ?? '?', cores: os.cpus().length, chromium: browser.version(), node: process.version },
      page_errors: errors,
    };
    for (const w of args.workloads) {
      const nat = nativeSummary.workloads[w];
      const nat4 = native4Summary?.workloads?.[w];
      const pg = pageSummary?.results?.[w];
      const pi = pageInfo?.workloads?.[w];
      if (!nat && !pg) continue;
      const flops = nat?.flops_per_epoch ?? pi?.flops_per_epoch;
      const entry = (loss) => {
        const e = {
          wasm_ms: pg?.[loss]?.wasm?.ms ?? null,
          native_ms: nat?.[loss]?.ms ?? null,
          tfjs_wasm_ms: pg?.[loss]?.tfjs_wasm?.ms ?? null,
          tfjs_cpu_ms: pg?.[loss]?.tfjs_cpu?.ms ?? null,
          native_4lane_ms: nat4?.[loss]?.ms ?? nat?.[loss]?.ms ?? null,
        };
        e.wasm_over_native = e.wasm_ms && e.native_ms ? e.wasm_ms / e.native_ms : null;
        e.wasm_over_native_4lane = e.wasm_ms && e.native_4lane_ms ? e.wasm_ms / e.native_4lane_ms : null;
        e.gflops_wasm = e.wasm_ms ? flops / (e.wasm_ms * 1e6) : null;
        e.gflops_native = e.native_ms ? flops / (e.native_ms * 1e6) : null;
        e.bit_identical = pi && nat ? pi.fingerprint[loss] === nat[loss].fingerprint : null;
        return e;
      };
      // The top-level numbers are the SLaM epoch; the vanilla epoch sits beside them.
      out.workloads[w] = { ...entry('slam'), vanilla: entry('vanilla'), rows: nat?.rows ?? pi?.rows, sizes: nat?.sizes ?? pi?.sizes, flops_per_epoch: flops };
    }
    fs.mkdirSync(path.join(ROOT, 'target', 'bench'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'target', 'bench', 'bench.json'), JSON.stringify(out, null, 2) + '\n');
    if (args.json) {
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      printTable(out);
    }
    if (errors.length) note(`page errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

function printTable(out) {
  const f = (v, d = 2) => (v === null || v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(d));
  const head = ['workload', 'loss', 'wasm ms', 'native ms', 'native 4-lane ms', 'tfjs-wasm ms', 'tfjs-cpu ms', 'wasm/native', 'wasm/native 4-lane', 'tfjs-wasm/wasm', 'GFLOP/s wasm', 'GFLOP/s native', 'bits'];
  const rows = [head];
  for (const [w, e] of Object.entries(out.workloads)) {
    for (const [loss, x] of [['slam', e], ['vanilla', e.vanilla]]) {
      rows.push([
        w, loss, f(x.wasm_ms), f(x.native_ms), f(x.native_4lane_ms), f(x.tfjs_wasm_ms), f(x.tfjs_cpu_ms), x.wasm_over_native ? f(x.wasm_over_native) + 'x' : '-',
        x.wasm_over_native_4lane ? f(x.wasm_over_native_4lane) + 'x' : '-',
        x.tfjs_wasm_ms && x.wasm_ms ? f(x.tfjs_wasm_ms / x.wasm_ms, 1) + 'x' : '-', f(x.gflops_wasm, 1), f(x.gflops_native, 1),
        x.bit_identical === null ? '-' : x.bit_identical ? 'same' : 'DIFFER',
      ]);
    }
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padStart(widths[i])).join('  '));
  console.log(`\n.wasm: ${out.wasm_bytes} bytes, ${out.wasm_gzip_bytes} gzipped; page ready in ${f(out.ready_ms, 0)} ms (median of ${out.ready_samples_ms?.length ?? 0})`);
  for (const [key, where] of [['fps_while_training', 'top of the page in view'], ['fps_while_training_panel_in_view', 'training panel in view']]) {
    const r = out[key];
    if (r) console.log(r.error ? `frame rate (${where}) failed: ${r.error}` : `main thread while training, ${where}: ${f(r.fps, 1)} fps (worst frame ${f(r.worst_frame_ms, 0)} ms)`);
  }
  if (out.seeds_mnist_10) {
    const s = out.seeds_mnist_10;
    console.log(s.error ? `10-seed MNIST run failed: ${s.error}` : `10-seed MNIST comparison (${s.methods.length} methods) in ${s.workers} workers: ${(s.ms / 1000).toFixed(1)} s`);
  }
  if (out.sweep_mnist) {
    const s = out.sweep_mnist;
    console.log(s.error ? `MNIST label sweep failed: ${s.error}` : `MNIST label sweep (5 values x 10 seeds, ${s.methods.length} methods) in ${s.workers} workers: ${(s.ms / 1000).toFixed(1)} s`);
  }
  const w3 = out.workloads.W3;
  if (w3 && out.peak_gflops) {
    const p = out.peak_gflops;
    console.log(`W3 (SLaM): ${f(w3.gflops_wasm, 1)} GFLOP/s in wasm (probe peak ${f(p.wasm_simd128, 1)}), ${f(w3.gflops_native, 1)} natively (probe peak ${f(p.native?.avx ?? p.native?.simd128, 1)} ${p.native?.avx ? 'AVX' : '4 lanes'}, ${f(p.native?.simd128, 1)} on 4 lanes)`);
  }
  console.log(`native kernels: ${out.kernels_native}; TensorFlow.js ${out.tfjs_version} (wasm SIMD: ${out.tfjs_wasm_simd}); ${out.machine.cpu}, ${out.machine.cores} cores; Chromium ${out.machine.chromium}; ${out.reps} interleaved rounds`);
}

main().catch((e) => {
  console.error('[bench] failed:', e);
  process.exit(1);
});
