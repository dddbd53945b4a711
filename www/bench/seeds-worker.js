// One worker of the benchmark's multi-seed pool: runs whole seeds with the engine's `runSeed` (the call
// the page's own pool uses) and posts each seed's result back. In: {i, request, index (default i), pool}; out:
// {i, result} (the seed's JSON text) or {i, error}.
import init, * as slam from '../pkg/slam_lab.js';
import { provideData } from '../datasets.js';

const ready = init();

self.onmessage = async (e) => {
  const { i, request, index = i, pool } = e.data;
  try {
    await ready;
    await provideData(slam, request);
    const result = pool ? slam.runSeed(request, index, pool) : slam.runSeed(request, index);
    self.postMessage({ i, result });
  } catch (err) {
    self.postMessage({ i, error: String(err && err.message ? err.message : err) });
  }
};
