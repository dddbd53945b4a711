// The built-in real datasets (iris, wine, breast cancer, digits) are not inside the .wasm: the first
// request that needs one fetches data/<name>.csv from this origin and hands it to the engine, which
// checks it is the very file it was built with. Shared by the page's worker and the benchmark page.

import { keptFetch } from './worker/offline.js';

const pending = new Map(); // file name -> promise of its provision, so concurrent requests fetch once

/** Makes sure the engine `slam` holds the built-in dataset `request` needs (if any). */
export function provideData(slam, request) {
  const file = slam.datasetFile(request);
  if (!file) return Promise.resolve();
  if (!pending.has(file)) {
    const job = (async () => {
      let res;
      try {
        res = await keptFetch(new URL(`./data/${file}`, import.meta.url));
      } catch {
        throw new Error(`could not download the dataset file data/${file}: the network request failed (offline, or the server stopped)`);
      }
      if (!res.ok) throw new Error(`could not load the dataset file data/${file} (HTTP ${res.status}); run scripts/build.sh`);
      slam.provideDataset(file.replace(/\.csv$/, ''), await res.text());
    })();
    // A failed fetch may be retried by the next request.
    job.catch(() => pending.delete(file));
    pending.set(file, job);
  }
  return pending.get(file);
}
