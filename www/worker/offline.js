// The data a learner opens (data/*.csv, the MNIST digits) kept for offline use by whoever downloads
// it, in the browser's Cache Storage: the network first (a rebuilt file is always what loads while
// online), the kept copy when the network fails. The page's own files are kept by sw.js.

const CACHE = 'slam-lab-data';

/** `fetch(url)`, keeping a good answer and falling back to the kept one when the network fails. */
export async function keptFetch(url) {
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    const kept = await keptCopy(url);
    if (kept) return kept;
    throw err;
  }
  if (res.ok && typeof caches !== 'undefined') {
    const copy = res.clone();
    caches.open(CACHE).then((cache) => cache.put(url, copy)).catch(() => {});
  }
  return res;
}

async function keptCopy(url) {
  if (typeof caches === 'undefined') return null;
  try {
    return (await caches.match(url)) ?? null;
  } catch {
    return null;
  }
}

/** Keeps `bytes` as the answer for `url` (best effort: storage may be off or full). */
export function keepBytes(url, bytes) {
  if (typeof caches === 'undefined') return;
  caches.open(CACHE).then((cache) => cache.put(url, new Response(bytes))).catch(() => {});
}

/** The bytes kept for `url`, or null. */
export async function keptBytes(url) {
  const res = await keptCopy(url);
  return res ? new Uint8Array(await res.arrayBuffer()) : null;
}
