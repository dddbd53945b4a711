// The page offline after a first visit. On install this service worker keeps the page's own files
// (offline-files.json, written by scripts/build.sh: the HTML, scripts, styles, the engine's .wasm);
// the data a learner opens (data/*.csv, the MNIST digits) is kept by the worker that downloads it
// (worker/offline.js). Every request goes to the network first, so a rebuilt page is always what
// loads while online, and each answer refreshes the copy kept; only when the network fails does a
// kept copy answer. Nothing outside this origin is ever requested or kept.

const CACHE = 'slam-lab-page';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const res = await fetch('./offline-files.json', { cache: 'no-store' });
    const { files } = await res.json();
    const cache = await caches.open(CACHE);
    await cache.addAll(Object.keys(files));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(networkFirst(request, url));
});

/** The network's answer (kept for later when it is the page's own file), else a kept copy. */
async function networkFirst(request, url) {
  // Every link to the page (whatever its query) is the same page: kept once, under its path.
  const key = request.mode === 'navigate' ? url.pathname : request;
  try {
    const res = await fetch(request);
    if (!res.ok || res.type !== 'basic' || url.pathname.includes('/data/')) return res;
    // Read whole, then answered and kept: with the answer streamed to the page while a copy
    // streamed into the cache, Chromium 156 reported the page's request as aborted.
    const body = await res.blob();
    const init = { status: res.status, statusText: res.statusText, headers: res.headers };
    caches.open(CACHE).then((cache) => cache.put(key, new Response(body, init))).catch(() => {});
    return new Response(body, init);
  } catch (err) {
    const kept = await caches.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (kept) return kept;
    throw err;
  }
}
