// The engine side of the page: builds (debounced, one at a time, an upload kept across them, with
// progress and Cancel), the worker's answers (ready, built, snapshots, errors) and restarting a worker
// that crashed or stopped answering, with the current settings.

import { defaultState, readUrl, withConfig, installSchema } from '../state.js';

const BUILD_DEBOUNCE_MS = 120;

/**
 * After a first visit the page works offline: sw.js keeps its files (the workers keep the data a
 * learner opens). Registered once the engine is up, so that keeping the files never competes with
 * the first load for a slow network. No service workers (an old browser, a file: page): none.
 */
function keepOffline() {
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    navigator.serviceWorker.register(new URL('../sw.js', import.meta.url)).catch(() => {});
  }
}

/** Wires `engine` (an EngineClient) to `app`: adds app.requestBuild, buildPending, cancelBuild and setCsv. */
export function installSession(app, engine) {
  let buildGen = 0;
  let buildTimer = null;
  let buildInFlight = null; // {gen, initial, freshCsv, state, csv}
  let cancelling = null; // {gen, timer}: a Cancel waiting for the worker to confirm
  let csvSent = false;
  let crashes = 0;
  let initialBuild = true;

  app.requestBuild = ({ autoplay } = {}) => {
    if (!app.engineReady) return;
    if (autoplay ?? app.snap?.playing) app.pendingAutoplay = true;
    clearTimeout(buildTimer);
    buildTimer = setTimeout(sendBuild, BUILD_DEBOUNCE_MS);
    app.updateStatus('building');
  };

  app.buildPending = () => buildTimer !== null || buildInFlight !== null;
  app.cancelPending = () => cancelling !== null;

  function sendBuild() {
    buildTimer = null;
    const gen = ++buildGen;
    const cfg = app.config();
    let csv = null;
    if (app.csv) {
      csv = csvSent ? 'keep' : { name: app.csv.name, text: app.csv.text };
      csvSent = true;
    }
    buildInFlight = { gen, initial: initialBuild, freshCsv: csv !== null && csv !== 'keep', state: app.state, csv: app.csv };
    app.buildProgress = null;
    engine.send({
      type: 'build',
      gen,
      request: { scenario: app.state.scenario, config: app.requestOverrides(), points: app.state.points },
      csv,
      needsPool: !app.csv && cfg.dataset === 'mnist',
    });
    app.updateStatus();
  }

  /**
   * Abandons the build under way: the settings go back to those of the session on screen (or, with
   * none yet, to the flagship). A worker stuck in one long step does not confirm within a second and
   * a half; it is then restarted with those settings.
   */
  app.cancelBuild = () => {
    if (!app.buildPending()) return;
    clearTimeout(buildTimer);
    buildTimer = null;
    app.pendingAutoplay = false;
    const gen = buildGen;
    if (!buildInFlight) return revertSettings();
    clearTimeout(cancelling?.timer);
    cancelling = {
      gen,
      timer: setTimeout(() => {
        if (cancelling?.gen !== gen) return;
        cancelling = null;
        buildInFlight = null;
        revertSettings({ rebuild: false });
        restartEngine('The build did not stop at once (the engine was in one long step), so the engine was restarted.', { count: false });
      }, 1500),
    };
    engine.send({ type: 'cancel-build', gen });
    app.updateStatus();
  };

  /** The settings of the session on screen come back (the link too), or the flagship's when there is none. */
  function revertSettings({ rebuild = true } = {}) {
    app.buildProgress = null;
    if (app.viewSettings) {
      app.csv = app.viewSettings.csv;
      csvSent = false;
      app.state = app.viewSettings.state;
      app.writeUrl();
      for (const p of app.panels) p.syncState?.(app.state, app.config());
      app.notice('Build cancelled: the settings are back to those of the run on screen.');
      app.updateStatus();
      app.scheduleDraw();
    } else {
      app.notice('Build cancelled: showing the flagship scenario instead.');
      app.csv = null;
      initialBuild = true;
      app.setState(defaultState('flagship'), { rebuild: false });
      if (rebuild) sendBuild();
    }
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
    // The teacher a previous file gave goes with it: a new file's own teacher, if it has one, is
    // used by the engine's resolver; built-in data has the scenario's teacher.
    if (next.over['teacher.kind'] === 'given') {
      const { ['teacher.kind']: _, ...over } = next.over;
      next = { ...next, over };
    }
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
   * The method catalogue the panels read, from the engine's facts: names in display order, and per
   * method its sentence, source, group, settings and requirements.
   */
  function methodCatalogue(facts) {
    return {
      names: facts.map((m) => m.name),
      info: Object.fromEntries(facts.map((m) => [m.name, {
        description: m.description, source: m.source, core: m.group === 'core', baseline: m.group === 'baseline',
        usesValidationLabels: m.trains_on_validation_labels, queriesTeacher: m.queries_teacher, settings: m.settings,
        requires: m.requires,
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
    app.loadProgress = null;
    const { state, notices: problems } = readUrl(location.search, app.catalogue, app.scenarioConfigs);
    for (const n of problems) app.notice(n);
    keepOffline();
    for (const p of app.panels) p.onCatalogue?.(app.catalogue, app.scenarioConfigs);
    app.setState(state, { rebuild: false });
    sendBuild();
    if (state.lesson > 0) app.lesson.start(state.lesson);
  });


  engine.on('load-progress', (msg) => {
    app.loadProgress = msg;
    app.updateStatus();
  });

  engine.on('fatal', (msg) => {
    app.loadProgress = null;
    app.updateStatus('error');
    app.showError(msg.message, { retry: () => retryEngine() });
  });

  /** After a failed start (the network, say): try again with the same settings. */
  function retryEngine() {
    app.clearError();
    app.engineReady = false;
    app.updateStatus('loading');
    engine.restart();
  }

  engine.on('built', (msg) => {
    if (msg.gen !== buildGen) return;
    if (buildInFlight?.freshCsv) {
      app.notice('Links cannot carry uploaded data: a copied link opens the built-in data with the same settings.');
    }
    app.viewSettings = { state: buildInFlight?.state ?? app.state, csv: buildInFlight?.csv ?? app.csv };
    buildInFlight = null;
    app.buildProgress = null;
    initialBuild = false;
    crashes = 0;
    // Whether the worker had this session ready before it was asked (boot.js); the tests check a plain
    // visit gets it, so the head start cannot silently stop working.
    document.documentElement.dataset.prebuilt = String(Boolean(msg.prebuilt));
    const bounds = msg.overview.projected ? robustBounds(msg.arrays.points, msg.bounds) : msg.bounds;
    app.view = { gen: msg.gen, overview: msg.overview, config: msg.config, arrays: msg.arrays, bounds };
    // Data that carries its own teacher is distilled from it (the engine's request resolver): the
    // settings say so from now on, without a rebuild.
    if (msg.config?.teacher?.kind === 'given' && app.config().teacher?.kind !== 'given') {
      app.state = withConfig(app.state, 'teacher.kind', 'given', app.scenarioConfigs);
      for (const p of app.panels) p.syncState?.(app.state, app.config());
    }
    app.snap = null;
    for (const p of app.panels) p.onBuilt?.(app.view);
    app.selection?.onBuilt();
    for (const w of msg.overview.data_warnings ?? []) app.notice(`This data: ${w}.`);
    if (app.pendingAutoplay) {
      app.pendingAutoplay = false;
      engine.send({ type: 'play' });
    }
    app.updateStatus();
    app.scheduleDraw();
  });

  engine.on('build-progress', (msg) => {
    if (msg.gen !== buildGen || !buildInFlight) return;
    app.buildProgress = msg;
    app.updateStatus();
  });

  engine.on('build-cancelled', (msg) => {
    if (!cancelling || msg.gen > cancelling.gen) return;
    clearTimeout(cancelling.timer);
    cancelling = null;
    buildInFlight = null;
    revertSettings();
  });

  engine.on('busy', (msg) => {
    app.slowStep = msg.ms ?? null;
  });

  engine.on('build-error', (msg) => {
    if (msg.gen !== buildGen) return;
    const attempt = buildInFlight;
    buildInFlight = null;
    app.buildProgress = null;
    app.pendingAutoplay = false;
    if (msg.crashed) {
      restartEngine(`The engine crashed while building (${msg.message}).`);
      return;
    }
    if (attempt?.initial && /^points\[\d+\]/.test(msg.field ?? '') && app.state.points.length) {
      // Added points the engine refuses (far outside the data, say): drop them, keep the rest of the link.
      app.notice(`The link's added points could not be used (${msg.message}): they were left out.`);
      app.setState({ ...app.state, points: [] }, { rebuild: false });
      sendBuild();
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
    // The session on screen stays (the worker still has it): the settings, the URL and Copy link go
    // back to it, so what the page says and shows agree; nothing is lost.
    let message;
    if (attempt?.freshCsv) {
      message = `${app.csv?.name ?? 'The file'} was not loaded: ${msg.message}. The data and settings shown are unchanged.`;
      app.csv = app.csvPrevious ?? null;
      app.csvBudget = app.csvBudgetPrevious ?? null;
    } else {
      message = `These settings could not be used: ${msg.message}. The settings are back to those of the run on screen.`;
      app.csv = app.viewSettings?.csv ?? app.csv;
    }
    csvSent = false;
    const back = app.viewSettings?.state ?? app.statePrevious;
    app.statePrevious = null;
    if (back) {
      app.state = back;
      app.writeUrl();
      for (const p of app.panels) p.syncState?.(app.state, app.config());
    }
    app.showError(message);
    app.updateStatus();
    app.scheduleDraw();
  });

  /** The histories the page has (`prev`) with a snapshot's new epochs (`part`, from epoch index `from`). */
  function mergeMetrics(prev, part, from) {
    if (!from || !prev) return part;
    const out = {};
    for (const [m, h] of Object.entries(part)) {
      const kept = prev[m] ?? [];
      // The usual case, new epochs after those the page has: appended in place (a long run's
      // history is not copied at every snapshot).
      if (kept.length === from) {
        for (const e of h) kept.push(e);
        out[m] = kept;
      } else out[m] = kept.slice(0, from).concat(h);
    }
    return out;
  }

  /** The per-method grids or predictions the page has, with those a snapshot brings (by method index). */
  function mergeParts(prev, part) {
    if (!part) return prev ?? null;
    const out = prev ? prev.slice() : [];
    for (const [m, value] of Object.entries(part)) out[Number(m)] = value;
    return out;
  }

  engine.on('snapshot', (msg) => {
    if (!app.view || msg.gen !== app.view.gen) return;
    const frame = Boolean(msg.grids || msg.preds);
    if (frame) engine.send({ type: 'ack' });
    const prev = app.snap ?? {};
    app.snap = {
      ...msg,
      metrics: msg.metrics ? mergeMetrics(prev.metrics, msg.metrics, msg.metricsFrom ?? 0) : prev.metrics ?? {},
      freshMetrics: Boolean(msg.metrics),
      grids: mergeParts(prev.grids, msg.grids),
      preds: mergeParts(prev.preds, msg.preds),
      queried: msg.queried ?? prev.queried ?? null,
      warnings: msg.warnings ?? prev.warnings ?? [],
      freshGrids: frame,
    };
    if (msg.point !== undefined) app.onPointSnapshot?.(msg.point);
    for (const p of app.panels) p.onSnapshot?.(app.snap);
    app.updateStatus();
    app.scheduleDraw();
  });

  engine.on('error', (msg) => {
    app.showError(msg.message);
    app.updateStatus();
  });

  engine.on('crash', (msg) => restartEngine(`The engine stopped unexpectedly (${msg.message}).`));

  engine.on('worker-dead', (msg) => {
    restartEngine(`The engine stopped answering (no reply for ${msg.seconds} s: the browser may have closed it to free memory).`, { count: false });
  });

  engine.on('worker-error', (msg) => {
    if (!app.engineReady) {
      app.updateStatus('error');
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

  /** A new worker, with the current settings (`count`: a crash these settings caused, three of which fall back to the flagship). */
  function restartEngine(reason, { count = true } = {}) {
    if (count) crashes += 1;
    buildInFlight = null;
    clearTimeout(cancelling?.timer);
    cancelling = null;
    app.buildProgress = null;
    app.slowStep = null;
    if (crashes > 2) {
      app.showError(`${reason} It keeps failing with these settings; back to the flagship scenario.`);
      app.csv = null;
      app.state = defaultState('flagship');
      crashes = 0;
    } else {
      app.showError(`${reason} It has been restarted with the current settings.`);
    }
    app.engineReady = false;
    csvSent = false;
    // Said at once: until the new engine is up, the controls are off and the status is "loading"
    // (a Play pressed meanwhile is kept, as during the first load), never a stale "ready".
    app.updateStatus();
    engine.restart();
    // 'ready' arrives again; it re-reads the URL, which setState keeps current.
    app.writeUrlNow();
  }
}
