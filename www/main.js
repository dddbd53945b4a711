// SLaM Lab app shell: owns the page state (mirrored in the URL), talks to the engine worker, and
// hands builds and snapshots to the six panels, which draw on requestAnimationFrame. Training never
// runs on this thread.

import { $, byTestId, setText } from './dom.js';
import {
  SPEEDS, defaultState, readUrl, toQuery, resolvedConfig, overridesObject, withConfig, installSchema,
} from './state.js';
import { EngineClient } from './engine.js';
import { takeBootWorker } from './boot.js';
import { createScenarioPanel } from './panels/scenario.js';
import { createTeacherPanel } from './panels/teacher.js';
import { createLabelsPanel } from './panels/labels.js';
import { createMixingPanel } from './panels/mixing.js';
import { createTrainingPanel } from './panels/training.js';
import { createResultsPanel } from './panels/results.js';
import { createLesson } from './lesson.js';
import { methodLabel } from './palette.js';

const BUILD_DEBOUNCE_MS = 120;

const app = {
  catalogue: { datasets: [], scenarios: [] },
  scenarioConfigs: {},
  state: defaultState(),
  /** The uploaded CSV ({name, text, dim?}); never in the URL. */
  csv: null,
  /** The session on screen: {gen, overview, config, arrays, bounds}. */
  view: null,
  /** The latest snapshot, with the latest metrics/grids/predictions kept when a snapshot omits them. */
  snap: null,
  status: 'loading',
  engineReady: false,
  panels: [],
};

// ---------------------------------------------------------------------------------------------
// Messages to the learner.

const errorBox = $('#error-box');
const errorText = byTestId('error');
const noticeBox = $('#notice-box');

/** Shows an engine or input error. Text only: messages can quote the user's CSV headers. */
app.showError = (message) => {
  errorText.textContent = String(message);
  errorBox.hidden = false;
};

app.clearError = () => {
  errorText.textContent = '';
  errorBox.hidden = true;
};
$('#error-close').addEventListener('click', () => app.clearError());

const notices = [];
app.notice = (message) => {
  if (!notices.includes(message)) notices.push(message);
  $('#notice-text').replaceChildren(...notices.map((n) => Object.assign(document.createElement('p'), { textContent: n })));
  noticeBox.hidden = false;
};
$('#notice-close').addEventListener('click', () => {
  notices.length = 0;
  $('#notice-text').replaceChildren();
  noticeBox.hidden = true;
});

// ---------------------------------------------------------------------------------------------
// State: every change goes through setState, which writes the URL and tells the panels.

app.config = () => resolvedConfig(app.state, app.scenarioConfigs);

app.setState = (next, { rebuild = true, autoplay } = {}) => {
  const { state, dropped } = withoutBlockedMethods(next);
  if (dropped.length) app.notice(blockedNotice(dropped));
  app.state = state;
  writeUrl();
  for (const p of app.panels) p.syncState?.(app.state, app.config());
  if (rebuild) app.requestBuild({ autoplay });
};

app.setConfig = (path, value) => {
  app.clearError();
  app.setState(withConfig(app.state, path, value, app.scenarioConfigs));
};

/**
 * Methods that read a trained teacher's hidden layer (VID, LELP) cannot run with a synthetic teacher,
 * and the engine refuses them: drop them from the state rather than fail. Returns {state, dropped}.
 */
function withoutBlockedMethods(state) {
  const trainedOnly = app.catalogue.methods?.trainedOnly ?? [];
  if (!trainedOnly.length || !app.engineReady) return { state, dropped: [] };
  const cfg = resolvedConfig(state, app.scenarioConfigs);
  if (cfg.teacher?.kind === 'trained') return { state, dropped: [] };
  const methods = cfg.methods ?? [];
  const dropped = methods.filter((m) => trainedOnly.includes(m));
  if (!dropped.length) return { state, dropped };
  const kept = methods.filter((m) => !trainedOnly.includes(m));
  return { state: withConfig(state, 'methods', kept.length ? kept : ['vanilla', 'slam'], app.scenarioConfigs), dropped };
}
app.withoutBlockedMethods = withoutBlockedMethods;

/** The config overrides a build or a multi-seed run sends: the state's, never a method the teacher cannot serve. */
app.requestOverrides = () => overridesObject(withoutBlockedMethods(app.state).state);

/** Page-only keys (speed, seeds, lesson) change without a rebuild. */
app.setPageKey = (key, value) => {
  app.setState({ ...app.state, [key]: value }, { rebuild: false });
};

function writeUrl() {
  if (!app.engineReady) return;
  const query = toQuery(app.state, app.scenarioConfigs);
  if (query !== location.search) history.replaceState(null, '', query + location.hash);
}

// ---------------------------------------------------------------------------------------------
// The engine.

const engine = new EngineClient(new URL('./worker.js', import.meta.url));
app.engine = engine;

let buildGen = 0;
let buildTimer = null;
let buildInFlight = null; // {gen, initial, csvBefore}
let pendingAutoplay = false;
let csvSent = false;
let crashes = 0;
let initialBuild = true;

app.requestBuild = ({ autoplay } = {}) => {
  if (!app.engineReady) return;
  if (autoplay ?? app.snap?.playing) pendingAutoplay = true;
  clearTimeout(buildTimer);
  buildTimer = setTimeout(sendBuild, BUILD_DEBOUNCE_MS);
  updateStatus('building');
};

app.buildPending = () => buildTimer !== null || buildInFlight !== null;

function sendBuild() {
  buildTimer = null;
  const gen = ++buildGen;
  const cfg = app.config();
  let csv = null;
  if (app.csv) {
    csv = csvSent ? 'keep' : { name: app.csv.name, text: app.csv.text };
    csvSent = true;
  }
  buildInFlight = { gen, initial: initialBuild, freshCsv: csv !== null && csv !== 'keep' };
  engine.send({
    type: 'build',
    gen,
    request: { scenario: app.state.scenario, config: app.requestOverrides(), points: app.state.points },
    csv,
    needsPool: !app.csv && cfg.dataset === 'mnist',
  });
  updateStatus();
}

/**
 * The uploaded CSV becomes the data (or null to go back to built-in data). `budget` ({labeled, ...})
 * are label budgets that fit the file: the scenario's own (e.g. 300 validation rows) may not. When the
 * engine refuses the file, the state before the upload comes back (see 'build-error').
 */
app.setCsv = (csv, budget = null) => {
  app.csvPrevious = app.csv;
  app.statePrevious = app.state;
  app.csvBudgetPrevious = app.csvBudget;
  app.csv = csv;
  csvSent = false;
  app.clearError();
  let next = { ...app.state, points: [] }; // points were added on another dataset's plane: they do not carry over
  if (csv) app.csvBudget = null;
  // An uploaded table is not an image: pixel shifts do not apply to it.
  if (csv) for (const path of ['student.shift', 'teacher.shift']) next = withConfig(next, path, 0, app.scenarioConfigs);
  if (csv && budget) {
    app.csvBudget = { applied: budget, before: Object.fromEntries(Object.keys(budget).map((k) => [k, app.state.over[k]])) };
    for (const [path, value] of Object.entries(budget)) next = withConfig(next, path, value, app.scenarioConfigs);
  } else if (!csv && app.csvBudget) {
    // Back to built-in data: the budgets the file needed go, unless changed since.
    const over = { ...next.over };
    for (const [path, value] of Object.entries(app.csvBudget.applied)) {
      if (over[path] !== value) continue;
      if (app.csvBudget.before[path] === undefined) delete over[path];
      else over[path] = app.csvBudget.before[path];
    }
    next = { ...next, over };
    app.csvBudget = null;
  }
  app.setState(next);
  for (const p of app.panels) p.syncState?.(app.state, app.config());
};

/**
 * The method catalogue the panels read, from the engine's facts: names in display order, those a
 * synthetic teacher cannot serve, and per method its sentence, source and group.
 */
function methodCatalogue(facts) {
  return {
    names: facts.map((m) => m.name),
    trainedOnly: facts.filter((m) => m.needs_teacher_embedding).map((m) => m.name),
    info: Object.fromEntries(facts.map((m) => [m.name, {
      description: m.description, source: m.source, core: m.group === 'core', baseline: m.group === 'baseline',
      usesValidationLabels: m.trains_on_validation_labels, queriesTeacher: m.queries_teacher, settings: m.settings,
    }])),
  };
}

engine.on('ready', (msg) => {
  installSchema(msg.schema);
  app.schema = msg.schema;
  app.catalogue = {
    datasets: msg.datasets, scenarios: msg.scenarios, methods: methodCatalogue(msg.schema.methods), sweepKeys: msg.schema.sweep_keys,
  };
  app.scenarioConfigs = msg.scenarioConfigs;
  app.engineReady = true;
  const { state, notices: problems } = readUrl(location.search, app.catalogue, app.scenarioConfigs);
  for (const n of problems) app.notice(n);
  for (const p of app.panels) p.onCatalogue?.(app.catalogue, app.scenarioConfigs);
  app.setState(state, { rebuild: false });
  sendBuild();
  if (state.lesson > 0) lesson.start(state.lesson);
});

/** "VID and LELP need a trained teacher ..." for methods dropped from a link or the settings JSON. */
function blockedNotice(dropped) {
  const names = dropped.map(methodLabel);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
  return `${list} need${names.length > 1 ? '' : 's'} a trained teacher (${names.length > 1 ? 'they read' : 'it reads'} the teacher's hidden layer, and a synthetic teacher has none), so ${names.length > 1 ? 'they were' : 'it was'} left out.`;
}
app.blockedNotice = blockedNotice;

engine.on('fatal', (msg) => {
  updateStatus('error');
  app.showError(msg.message);
});

engine.on('built', (msg) => {
  if (msg.gen !== buildGen) return;
  if (buildInFlight?.freshCsv) {
    app.notice('Links cannot carry uploaded data: a copied link opens the built-in data with the same settings.');
  }
  buildInFlight = null;
  initialBuild = false;
  crashes = 0;
  // Whether the worker had this session ready before it was asked (boot.js); the tests check a plain
  // visit gets it, so the head start cannot silently stop working.
  document.documentElement.dataset.prebuilt = String(Boolean(msg.prebuilt));
  const bounds = msg.overview.projected ? robustBounds(msg.arrays.points, msg.bounds) : msg.bounds;
  app.view = { gen: msg.gen, overview: msg.overview, config: msg.config, arrays: msg.arrays, bounds };
  app.snap = null;
  for (const p of app.panels) p.onBuilt?.(app.view);
  if (pendingAutoplay) {
    pendingAutoplay = false;
    engine.send({ type: 'play' });
  }
  updateStatus();
  scheduleDraw();
});

engine.on('build-error', (msg) => {
  if (msg.gen !== buildGen) return;
  const attempt = buildInFlight;
  buildInFlight = null;
  pendingAutoplay = false;
  if (msg.crashed) {
    restartEngine(`The engine crashed while building (${msg.message}).`);
    return;
  }
  if (attempt?.initial) {
    // A link whose settings the engine refuses: say so, and show the defaults rather than nothing.
    initialBuild = true;
    app.notice(`The link's settings could not be used (${msg.message}). Showing the flagship scenario instead.`);
    app.csv = null;
    app.setState(defaultState('flagship'), { rebuild: false });
    sendBuild();
    return;
  }
  let message = msg.message;
  if (attempt?.freshCsv) {
    // A refused upload: go back to the data and settings that were there (the worker still has that
    // session); nothing is lost.
    message = `${app.csv?.name ?? 'The file'} was not loaded: ${msg.message}. The data and settings shown are unchanged.`;
    app.csv = app.csvPrevious ?? null;
    csvSent = false;
    if (app.statePrevious) {
      app.state = app.statePrevious;
      app.statePrevious = null;
      writeUrl();
    }
    app.csvBudget = app.csvBudgetPrevious ?? null;
    for (const p of app.panels) p.syncState?.(app.state, app.config());
  }
  app.showError(message);
  updateStatus();
});

/** The histories the page has (`prev`) with a snapshot's new epochs (`part`, from epoch index `from`). */
function mergeMetrics(prev, part, from) {
  if (!from || !prev) return part;
  const out = {};
  for (const [m, h] of Object.entries(part)) out[m] = (prev[m] ?? []).slice(0, from).concat(h);
  return out;
}

engine.on('snapshot', (msg) => {
  if (!app.view || msg.gen !== app.view.gen) return;
  engine.send({ type: 'ack' });
  const prev = app.snap ?? {};
  app.snap = {
    ...msg,
    metrics: msg.metrics ? mergeMetrics(prev.metrics, msg.metrics, msg.metricsFrom ?? 0) : prev.metrics ?? {},
    freshMetrics: Boolean(msg.metrics),
    grids: msg.grids ?? prev.grids ?? null,
    preds: msg.preds ?? prev.preds ?? null,
    queried: msg.queried ?? prev.queried ?? null,
    warnings: msg.warnings ?? prev.warnings ?? [],
    freshGrids: Boolean(msg.grids || msg.preds),
  };
  for (const p of app.panels) p.onSnapshot?.(app.snap);
  updateStatus();
  scheduleDraw();
});

engine.on('error', (msg) => {
  app.showError(msg.message);
  updateStatus();
});

engine.on('crash', (msg) => restartEngine(`The engine stopped unexpectedly (${msg.message}).`));

engine.on('worker-error', (msg) => {
  if (!app.engineReady) {
    updateStatus('error');
    app.showError(`Could not load the engine${msg.message ? `: ${msg.message}` : ''}. Build it with scripts/build.sh.`);
    return;
  }
  restartEngine(`The engine stopped unexpectedly${msg.message ? ` (${msg.message})` : ''}.`);
});

/**
 * Plot bounds for a PCA projection: the 4th..96th percentile of each axis, padded. A few far outliers
 * would otherwise squeeze every other point into a corner; the plots clamp them to the edge.
 */
function robustBounds(points, engineBounds) {
  const n = points.length / 2;
  if (n < 20) return engineBounds;
  const axis = (k) => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = points[2 * i + k];
    v.sort();
    const lo = v[Math.floor(n * 0.04)];
    const hi = v[Math.ceil(n * 0.96) - 1];
    const pad = (hi - lo || 1) * 0.15;
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = axis(0);
  const [y0, y1] = axis(1);
  return [x0, x1, y0, y1];
}

function restartEngine(reason) {
  crashes += 1;
  buildInFlight = null;
  if (crashes > 2) {
    app.showError(`${reason} It keeps failing with these settings; back to the flagship scenario.`);
    app.csv = null;
    app.state = defaultState('flagship');
    crashes = 0;
  } else {
    app.showError(`${reason} It has been restarted.`);
  }
  app.engineReady = false;
  csvSent = false;
  engine.restart();
  // 'ready' arrives again; it re-reads the URL, which setState keeps current.
  writeUrlNow();
}

function writeUrlNow() {
  const query = toQuery(app.state, app.scenarioConfigs);
  history.replaceState(null, '', query + location.hash);
}

// ---------------------------------------------------------------------------------------------
// Transport: play / pause / step / reset / new init / speed.

const buttons = {
  play: byTestId('play'),
  pause: byTestId('pause'),
  step: byTestId('step'),
  reset: byTestId('reset'),
  newInit: byTestId('new-init'),
};

app.play = () => {
  if (!app.engineReady) return;
  if (app.buildPending()) {
    pendingAutoplay = true;
    return;
  }
  engine.send({ type: 'play' });
  // Show it at once; the worker's snapshot confirms.
  if (app.snap) app.snap = { ...app.snap, playing: true };
  updateStatus();
};
app.pause = () => {
  pendingAutoplay = false;
  engine.send({ type: 'pause' });
};
buttons.play.addEventListener('click', app.play);
buttons.pause.addEventListener('click', app.pause);
buttons.step.addEventListener('click', () => engine.send({ type: 'step' }));
buttons.reset.addEventListener('click', () => engine.send({ type: 'reset' }));
buttons.newInit.addEventListener('click', () => engine.send({ type: 'new-init' }));

const speedSelect = byTestId('speed');
SPEEDS.forEach((s, i) => speedSelect.append(new Option(s.label, String(i + 1), false, i + 1 === app.state.speed)));
speedSelect.addEventListener('change', () => {
  const speed = Number(speedSelect.value);
  app.setPageKey('speed', speed);
});
function sendSpeed() {
  const s = SPEEDS[app.state.speed - 1] ?? SPEEDS[3];
  engine.send({ type: 'speed', eps: Number.isFinite(s.eps) ? s.eps : null });
}

document.addEventListener('keydown', (event) => {
  if (event.code !== 'Space' || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
  const t = event.target;
  if (t instanceof HTMLElement && t.closest('input, select, textarea, button, a, summary, [contenteditable], canvas')) return;
  event.preventDefault();
  if (app.snap?.playing || pendingAutoplay) app.pause();
  else app.play();
});

function updateStatus(forced) {
  let status;
  if (forced) status = forced;
  else if (!app.engineReady) status = app.status === 'error' ? 'error' : 'loading';
  else if (app.buildPending()) status = 'building';
  else if (!app.snap) status = app.view ? 'ready' : 'building';
  else if (app.snap.playing) status = 'training';
  else if (app.snap.finished) status = 'finished';
  else if (app.snap.epoch === 0) status = 'ready';
  else status = 'paused';
  app.status = status;
  const node = byTestId('status');
  setText(node, status);
  node.dataset.state = status;
  const live = app.engineReady && app.view !== null;
  const playing = status === 'training' || pendingAutoplay;
  buttons.play.disabled = !live || playing;
  buttons.pause.disabled = !live || !playing;
  buttons.step.disabled = !live || status === 'building' || Boolean(app.snap?.finished);
  buttons.reset.disabled = !live || status === 'building';
  buttons.newInit.disabled = !live || status === 'building';
  buttons.play.querySelector('.label').textContent = app.snap?.finished ? 'Replay' : 'Play';
  setText(byTestId('epoch'), app.snap ? app.snap.epoch : 0);
  setText($('#epoch-total'), app.view ? ` / ${app.view.overview.epochs}` : '');
  const sps = app.snap?.playing ? app.snap.stepsPerSec : 0;
  setText($('#steps-per-sec'), sps > 0 ? `${Math.round(sps)} steps/s` : '');
  for (const p of app.panels) p.onStatus?.(status);
}
app.updateStatus = updateStatus;

// ---------------------------------------------------------------------------------------------
// Drawing: one requestAnimationFrame per change; each panel redraws only what changed.

// While training runs, a panel that is off screen skips its drawing (its dirty flags keep what
// changed): it catches up as soon as it scrolls into view, and every panel draws when training stops.
// Repainting the canvases nobody can see was most of this thread's work during training.
const onScreen = new Map(); // panel section -> whether any of it is in the viewport
const visibility = new IntersectionObserver((entries) => {
  let appeared = false;
  for (const e of entries) {
    if (e.isIntersecting && onScreen.get(e.target) === false) appeared = true;
    onScreen.set(e.target, e.isIntersecting);
  }
  if (appeared) scheduleDraw();
});

const hidden = (p) => app.status === 'training' && p.section !== undefined && onScreen.get(p.section) === false;

// While training runs, panels redraw at most this often (20 times a second): the page still runs at
// the display's frame rate, and the boundaries and curves still move smoothly, but the canvases are
// repainted and composited a third as often as at 60 Hz, which was what held the frame rate down.
const TRAINING_DRAW_MS = 50;
let lastDrawAt = -Infinity;
let drawQueued = false;
function scheduleDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame((now) => {
    const wait = app.status === 'training' ? TRAINING_DRAW_MS - (now - lastDrawAt) : 0;
    if (wait > 1) {
      setTimeout(() => {
        drawQueued = false;
        scheduleDraw();
      }, wait);
      return;
    }
    drawQueued = false;
    lastDrawAt = now;
    for (const p of app.panels) {
      if (hidden(p)) continue;
      try {
        p.draw?.();
      } catch (e) {
        console.warn('draw failed', e); // a drawing bug must not stop the page
      }
    }
  });
}
app.scheduleDraw = scheduleDraw;
window.addEventListener('resize', () => {
  for (const p of app.panels) p.onResize?.();
  scheduleDraw();
});

// ---------------------------------------------------------------------------------------------
// Share.

$('#share').addEventListener('click', async () => {
  const status = $('#share-status');
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    status.textContent = app.csv ? 'Link copied (it cannot carry your uploaded CSV).' : 'Link copied.';
  } catch {
    status.textContent = `Copy this link: ${url}`;
  }
});

// ---------------------------------------------------------------------------------------------
// Panels and lesson.

for (const [create, body] of [
  [createScenarioPanel, '#scenario-body'],
  [createTeacherPanel, '#teacher-body'],
  [createLabelsPanel, '#labels-body'],
  [createMixingPanel, '#mixing-body'],
  [createTrainingPanel, '#training-body'],
  [createResultsPanel, '#results-body'],
]) {
  const panel = create(app, $(body));
  panel.section = $(body).closest('section');
  visibility.observe(panel.section);
  app.panels.push(panel);
}
const lesson = createLesson(app);
app.lesson = lesson;
$('#lesson-start').addEventListener('click', () => lesson.start(1));

// Speed follows the state (the URL may set it).
app.panels.push({
  syncState(state) {
    speedSelect.value = String(state.speed);
    sendSpeed();
  },
});

engine.start(takeBootWorker()); // the worker boot.js started while these modules loaded
updateStatus();
