// A member of the multi-seed pool: runs the seeds the page gives it, one at a time, each in slices
// (SeedRunner) so it answers pings in between, and beats from inside long engine calls. The page's
// own worker turns the results into the report (messages: worker/protocol.js).

import * as slam from './pkg/slam_lab.js';
import { loadEngine } from './worker/load.js';
import { Cost, SLICE_MS, advanceFor, installBeats, isCrash, messageOf, nextTask } from './worker/slices.js';
import { seedInputs } from './worker/summaries.js';

/** Seed progress is posted at most this often. */
const PROGRESS_MS = 250;

const post = (msg) => self.postMessage(msg);

const ready = loadEngine(post)
  .then(() => {
    installBeats(slam, post);
    post({ type: 'pool-ready' });
    return true;
  })
  .catch((e) => {
    post({ type: 'fatal', message: `Could not start the engine for the seeds: ${messageOf(e)}.` });
    return false;
  });

const cost = new Cost();
let queue = Promise.resolve();

async function runSeed(msg) {
  let runner = null;
  try {
    const { request, bytes } = await seedInputs(slam, post, msg);
    runner = bytes ? new slam.SeedRunner(request, msg.index, bytes) : new slam.SeedRunner(request, msg.index);
    let lastReport = -Infinity;
    for (;;) {
      if (advanceFor(cost, (units) => runner.advance(units), performance.now() + SLICE_MS)) break;
      if (performance.now() - lastReport > PROGRESS_MS) {
        const [done, total] = runner.progress();
        post({ type: 'seed-progress', index: msg.index, done, total });
        lastReport = performance.now();
      }
      await nextTask();
    }
    post({ type: 'seed-done', index: msg.index, result: runner.result() });
  } catch (e) {
    post({ type: 'seed-error', index: msg.index, message: messageOf(e), crashed: isCrash(e) });
  } finally {
    runner?.free();
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  ready.then((ok) => {
    if (!ok) return;
    if (msg.type === 'ping') post({ type: 'pong', id: msg.id });
    else if (msg.type === 'seed') queue = queue.then(() => runSeed(msg));
  });
};
