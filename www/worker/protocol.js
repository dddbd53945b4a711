// The messages between the page and its workers, every one of them, in one place
// (tests/unit/protocol.test.mjs checks that the code sends and handles exactly these).
//
// Two kinds of worker: the page's engine worker (www/worker.js: the session on screen, builds,
// reports) and the members of the multi-seed pool (www/seeds-worker.js: one seed at a time).

/** Page -> engine worker. */
export const TO_ENGINE = {
  prebuild: '{request, csv, needsPool}: build this before the page asks (boot.js, a plain visit)',
  build: '{gen, request: {scenario, config, points}, csv: null | "keep" | {name, text}, needsPool, autoplay}',
  'cancel-build': '{gen}: abandon build gen (the session on screen stays)',
  play: '{}',
  pause: '{}: the epoch under way finishes first when it can within a quarter second',
  step: '{}: one more epoch; Steps add up',
  reset: '{}: back to epoch 0 with the same initial weights',
  'new-init': '{}: new initial weights, back to epoch 0',
  speed: '{eps}: student epochs per second (null: as fast as it can)',
  ack: '{}: the page drew the last frame (back-pressure for maps and predictions)',
  watch: '{row}: follow dataset row `row` (null: none)',
  explain: '{id, method}: take method\'s next minibatch apart (answered by summary / summary-error)',
  summarise: '{id, request, results: [text], csv, needsPool}: the report over per-seed results',
  'summarise-sweep': '{id, request, key, values, results: [[text]], csv, needsPool}: a sweep\'s report',
  'sweep-values': '{id, request, key, text, csv}: a sweep\'s values, checked',
  ping: '{id}: the heartbeat, answered with pong between slices',
};

/** Engine worker -> page. */
export const FROM_ENGINE = {
  'load-progress': '{what: "engine" | "mnist", done, total}: bytes downloaded (total 0: unknown)',
  ready: '{datasets, scenarios, scenarioConfigs, schema}: the engine is up',
  fatal: '{message}: the engine could not start',
  'build-progress': '{gen, stage: teacher_epochs | teacher_labels | ready, done, total}',
  built: '{gen, overview, config, arrays, bounds, prebuilt}: a new session (arrays: typed arrays per row)',
  'build-error': '{gen, message, field, crashed}: field names the refused key (`points[0].x`), or null',
  'build-cancelled': '{gen}',
  snapshot: '{gen, epoch, finished, playing, stepping, pausing, between, stepsPerSec, metricsFrom?, metrics?, warnings?, point?, grids? | preds?, queried?}: the clock is `epoch`; every metric is at it; `between`: the maps are a little ahead of it',
  point: '{gen, point}: the followed point ({row, facts, history}) or null',
  busy: '{ms}: the next engine call takes about ms (said in the status; the heartbeat does not wait for it)',
  beat: '{}: alive, inside a long engine call',
  pong: '{id}',
  error: '{gen, message}: a command failed',
  crash: '{message}: the engine trapped; the page restarts the worker',
  summary: '{id, report}',
  'summary-error': '{id, message}',
};

/** Page -> pool worker. */
export const TO_POOL = {
  seed: '{request, index, csv: null | {name, text}, needsPool}: run seed `index` of the request',
  ping: '{id}',
};

/** Pool worker -> page. */
export const FROM_POOL = {
  'load-progress': '{what, done, total}',
  'pool-ready': '{}: the engine is up; send a seed',
  fatal: '{message}: the engine could not start',
  'seed-progress': '{index, done, total}',
  'seed-done': '{index, result}: the seed\'s result as JSON text',
  'seed-error': '{index, message, crashed}',
  beat: '{}',
  pong: '{id}',
};
