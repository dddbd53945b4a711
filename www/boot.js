// The page's first script, with no imports of its own: it starts the engine worker (which fetches
// and compiles the .wasm and builds the catalogue) while the page's modules are still loading, instead
// of after them. Messages the worker sends before the page is ready to listen are kept, in order, for
// EngineClient to replay (a dedicated worker's messages are not queued for a late listener).

/** What main.js requests first on a plain visit (the default state of state.js). */
export const FIRST_REQUEST = { scenario: 'flagship', config: {}, points: [] };

const early = [];
let worker = null;
try {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => early.push(['message', event]);
  worker.onerror = (event) => {
    event.preventDefault();
    early.push(['error', event]);
  };
  // A plain visit (no settings in the link) will ask first for the flagship: the worker builds it as
  // soon as the engine is up, while this thread is still busy laying out the page. main.js sends the
  // very same request; the worker uses the prebuilt session only if it is identical.
  if (location.search === '') worker.postMessage({ type: 'prebuild', request: FIRST_REQUEST, csv: null, needsPool: false });
} catch {
  worker = null; // EngineClient starts its own, and reports any failure there
}

/**
 * The worker started at boot, with the events it sent so far; null once taken (so a restart after a
 * crash makes a fresh one) or when it could not start.
 */
export function takeBootWorker() {
  if (!worker) return null;
  const taken = { worker, early: early.splice(0) };
  worker = null;
  return taken;
}
