// The engine's home: a module Web Worker that owns the WebAssembly session on screen and answers the
// page (the messages are listed in worker/protocol.js). The page never computes; it sends commands
// and draws what this worker posts. Its parts, one job each: loading (worker/load.js), slices and
// beats (worker/slices.js), builds (worker/build.js), training on the engine's clock
// (worker/training.js), frames (worker/frames.js) and reports (worker/summaries.js).
//
// Actions that reach this worker before a session exists, or while a build is under way, wait and
// run in order once there is a session to act on: no click is dropped.

import * as slam from './pkg/slam_lab.js';
import { loadEngine } from './worker/load.js';
import { installBeats, messageOf } from './worker/slices.js';
import { Builds, Inputs } from './worker/build.js';
import { Trainer } from './worker/training.js';
import { summarise, summariseSweep, sweepValues } from './worker/summaries.js';

const post = (msg, transfer = []) => self.postMessage(msg, transfer);

let trainer = null;
let builds = null;
/** Session actions waiting for a session (none yet, or a build under way). */
const waiting = [];

const ready = loadEngine(post)
  .then(() => {
    installBeats(slam, post);
    const scenarios = slam.scenarios();
    const scenarioConfigs = {};
    for (const s of scenarios) scenarioConfigs[s.name] = slam.scenarioConfig(s.name);
    const schema = slam.schema();
    trainer = new Trainer({ post, querying: new Set(schema.methods.filter((m) => m.queries_teacher).map((m) => m.name)) });
    builds = new Builds({
      slam,
      post,
      inputs: new Inputs(slam, post),
      install: (session, msg, prebuilt) => trainer.install(session, msg, prebuilt),
      onStart: () => trainer.hold(),
      onIdle: () => {
        trainer.release();
        flushWaiting();
      },
    });
    post({ type: 'ready', datasets: slam.datasets(), scenarios, scenarioConfigs, schema });
    return true;
  })
  .catch((e) => {
    post({ type: 'fatal', message: `Could not start the engine: ${messageOf(e)}.` });
    return false;
  });

/** The actions that act on the session on screen. */
const SESSION_ACTIONS = {
  play: (t) => t.play(),
  pause: (t) => t.pause(),
  step: (t) => t.step(),
  reset: (t) => t.reset(),
  'new-init': (t) => t.newInit(),
  watch: (t, msg) => t.follow(msg.row),
  explain: (t, msg) => t.explain(msg),
};

function flushWaiting() {
  while (waiting.length && trainer.session && !builds.busy) act(waiting.shift());
}

function act(msg) {
  try {
    SESSION_ACTIONS[msg.type](trainer, msg);
  } catch (e) {
    trainer.stop();
    post({ type: 'error', gen: trainer.gen, message: messageOf(e) });
  }
}

function handle(msg) {
  if (SESSION_ACTIONS[msg.type]) {
    if (trainer.session && !builds.busy && !waiting.length) act(msg);
    else waiting.push(msg);
    return;
  }
  switch (msg.type) {
    case 'ping':
      post({ type: 'pong', id: msg.id });
      break;
    case 'prebuild':
      builds.prebuild(msg, trainer.session !== null);
      break;
    case 'build':
      builds.queue(msg);
      break;
    case 'cancel-build':
      builds.cancel(msg.gen);
      break;
    case 'speed':
      trainer.setSpeed(msg.eps);
      break;
    case 'ack':
      trainer.ack();
      break;
    case 'summarise':
      summarise(slam, post, msg);
      break;
    case 'summarise-sweep':
      summariseSweep(slam, post, msg);
      break;
    case 'sweep-values':
      sweepValues(slam, post, msg);
      break;
    default:
      break;
  }
}

self.onmessage = (event) => {
  ready.then((ok) => {
    if (ok) handle(event.data);
  });
};
