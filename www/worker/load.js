// What a worker downloads: the engine's .wasm and the MNIST subset, each with its progress (bytes of
// the total) posted to the page, and each failure said in words a learner can act on.

import init from '../pkg/slam_lab.js';
import { keepBytes, keptBytes } from './offline.js';

/** Progress is posted at most this often per download. */
const PROGRESS_MS = 100;

/**
 * The bytes at `url` with their download's progress, `onProgress(done, total)` (total 0 when the
 * server does not say); `what` names the file in errors. `keep`: the answer is kept for offline use
 * and a kept copy answers when the network fails (the data a learner opens; sw.js keeps the page's
 * own files). An XMLHttpRequest, not fetch: its progress events count the bytes as they arrive.
 */
export async function fetchBytes(url, what, onProgress = () => {}, { keep = false } = {}) {
  let bytes;
  try {
    bytes = await download(url, what, onProgress);
  } catch (e) {
    const copy = keep && e.offline ? await keptBytes(url) : null;
    if (copy) return copy;
    throw e;
  }
  if (keep) keepBytes(url, bytes);
  return bytes;
}

function download(url, what, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.responseType = 'arraybuffer';
    let last = -Infinity;
    xhr.onprogress = (e) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    };
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        const hint = xhr.status === 404 ? ': it is not on the server (build the page with scripts/build.sh)' : '';
        reject(new Error(`could not download ${what} (HTTP ${xhr.status})${hint}`));
        return;
      }
      const bytes = new Uint8Array(xhr.response);
      onProgress(bytes.length, bytes.length);
      resolve(bytes);
    };
    xhr.onerror = () => reject(Object.assign(new Error(`could not download ${what}: the network request failed (offline, or the server stopped)`), { offline: true }));
    xhr.onabort = xhr.onerror;
    onProgress(0, 0);
    xhr.send();
  });
}

/**
 * The size of the page's file `name` (`./pkg/slam_lab_bg.wasm`) as the build wrote it down, or 0: a
 * server that compresses a file does not say how large it is.
 */
async function builtSize(name) {
  try {
    const res = await fetch(new URL('../offline-files.json', import.meta.url));
    return res.ok ? Number((await res.json()).files?.[name]) || 0 : 0;
  } catch {
    return 0;
  }
}

/** Loads and starts the engine module, posting its download's progress as `what: 'engine'`. */
export async function loadEngine(post) {
  const url = new URL('../pkg/slam_lab_bg.wasm', import.meta.url);
  const size = builtSize('./pkg/slam_lab_bg.wasm');
  let known = 0;
  size.then((n) => {
    known = n;
  });
  const bytes = await fetchBytes(url, 'the engine (pkg/slam_lab_bg.wasm)', (done, total) => {
    post({ type: 'load-progress', what: 'engine', done, total: total || known });
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
      }, { keep: true });
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
