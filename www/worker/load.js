// What a worker downloads: the engine's .wasm and the MNIST subset, each with its progress (bytes of
// the total) posted to the page, and each failure said in words a learner can act on.

import init from '../pkg/slam_lab.js';
import { keptFetch } from './offline.js';

/** Progress is posted at most this often per download. */
const PROGRESS_MS = 100;

/**
 * The bytes at `url`, read as they arrive; `onProgress(done, total)` (total 0 when the server does
 * not say). `what` names the file in errors; `get` fetches (the data a learner opens is kept for
 * offline use: keptFetch).
 */
export async function fetchBytes(url, what, onProgress = () => {}, get = fetch) {
  let res;
  try {
    res = await get(url);
  } catch {
    throw new Error(`could not download ${what}: the network request failed (offline, or the server stopped)`);
  }
  if (!res.ok) {
    const hint = res.status === 404 ? ': it is not on the server (build the page with scripts/build.sh)' : '';
    throw new Error(`could not download ${what} (HTTP ${res.status})${hint}`);
  }
  const total = Number(res.headers.get('Content-Length')) || 0;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks = [];
  let done = 0;
  let last = -Infinity;
  onProgress(0, total);
  for (;;) {
    let part;
    try {
      part = await reader.read();
    } catch {
      throw new Error(`could not download ${what}: the connection broke after ${done.toLocaleString('en')} bytes`);
    }
    if (part.done) break;
    chunks.push(part.value);
    done += part.value.length;
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      onProgress(done, total);
    }
  }
  onProgress(done, total || done);
  const out = new Uint8Array(done);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Loads and starts the engine module, posting its download's progress as `what: 'engine'`. */
export async function loadEngine(post) {
  const url = new URL('../pkg/slam_lab_bg.wasm', import.meta.url);
  const bytes = await fetchBytes(url, 'the engine (pkg/slam_lab_bg.wasm)', (done, total) => {
    post({ type: 'load-progress', what: 'engine', done, total });
  });
  const response = new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } });
  await init({ module_or_path: response });
}

let mnist = null; // the promise of the MNIST subset's bytes, fetched once

/**
 * The MNIST subset (data/mnist.bin.gz, gzip-compressed on the wire and in the offline cache),
 * fetched and unpacked once; posts its progress as `what: 'mnist'`. A failed download may be tried
 * again by the next request.
 */
export function mnistBytes(post) {
  if (!mnist) {
    mnist = (async () => {
      const url = new URL('../data/mnist.bin.gz', import.meta.url);
      const packed = await fetchBytes(url, 'the MNIST digits (data/mnist.bin.gz)', (done, total) => {
        post({ type: 'load-progress', what: 'mnist', done, total });
      }, keptFetch);
      const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
      try {
        return new Uint8Array(await new Response(stream).arrayBuffer());
      } catch {
        throw new Error('the MNIST digits (data/mnist.bin.gz) arrived damaged: reload the page to fetch them again');
      }
    })();
    mnist.catch(() => {
      mnist = null;
    });
  }
  return mnist;
}
