// Panel 6, Results: run N seeds of the current setting over a pool of workers (one per core, each
// pulling the next seed; the engine worker summarises the finished seeds, so progress shows and
// cancel is immediate), a table of mean ± std per method, a strip plot of every seed, the engine's
// warnings, and CSV / JSON / PNG exports.

import { h, setText, percent, fitCanvas, showWarnings, vMark, pairedText, swatch, scrollBox } from '../dom.js';
import { methodColor, methodLabel } from '../palette.js';
import { overridesObject, PARAM, parseValue } from '../state.js';
import { SeedPool, poolSize } from '../engine.js';
import { download, reportToCsv, composePng, canvasToBlob } from '../export.js';
import { createSweepView } from './sweep.js';

export function createResultsPanel(app, root) {
  const seedsInput = h('input', { type: 'number', id: 'seeds-input', testid: 'seeds-input', min: 1, step: 1, inputMode: 'numeric', attrs: { 'aria-describedby': 'seeds-error' } });
  const seedsError = h('span', { className: 'field-error', id: 'seeds-error', testid: 'seeds-error', attrs: { 'aria-live': 'polite' } });
  /**
   * The seeds the field asks for, read by the very rule the link's `seeds` is read by (state.js), or
   * null with the reason shown beside the field; Run is off while the field is not a valid count.
   */
  function fieldSeeds() {
    try {
      const n = parseValue(PARAM.seeds, seedsInput.value);
      seedsInput.removeAttribute('aria-invalid');
      setText(seedsError, '');
      if (!run) runButton.disabled = false;
      return n;
    } catch (e) {
      seedsInput.setAttribute('aria-invalid', 'true');
      setText(seedsError, `Seeds: ${e.message}.`);
      runButton.disabled = true;
      return null;
    }
  }
  seedsInput.addEventListener('input', fieldSeeds);
  seedsInput.addEventListener('change', () => {
    const n = fieldSeeds();
    if (n !== null) app.setPageKey('seeds', n);
  });
  const runButton = h('button', { type: 'button', className: 'primary', text: 'Run seeds', testid: 'run-seeds', id: 'run-seeds' });
  const cancelButton = h('button', { type: 'button', text: 'Cancel', testid: 'cancel-seeds', disabled: true });
  const progress = h('progress', { testid: 'seeds-progress', max: 1, value: 0, id: 'seeds-progress', attrs: { 'aria-label': 'Seeds done' } });
  const progressText = h('span', { className: 'progress-text', testid: 'seeds-progress-text', attrs: { 'aria-live': 'polite' } });
  const runNote = h('p', { className: 'help', testid: 'seeds-note' });
  const summary = h('p', { className: 'results-summary', testid: 'results-summary' });
  const table = h('table', { className: 'results-table', testid: 'results-table' });
  const stale = h('p', { className: 'help note', hidden: true, testid: 'results-stale', text: 'These results are for an earlier setting; run again to update them.' });
  const warningsBox = h('div', { className: 'warnings', hidden: true, testid: 'results-warnings', attrs: { role: 'status' } });
  const vNote = h('p', { className: 'help', hidden: true, testid: 'results-v-note' });
  const strip = h('canvas', { className: 'strip', attrs: { role: 'img', 'aria-label': 'Test accuracy of every seed, per method' } });
  const stripHolder = h('div', { className: 'strip-holder', hidden: true }, strip);
  const exportCsv = h('button', { type: 'button', text: 'Download CSV', testid: 'export-csv', disabled: true });
  const exportJson = h('button', { type: 'button', text: 'Download JSON', testid: 'export-json', disabled: true });
  const exportPng = h('button', { type: 'button', text: 'Download charts (PNG)', testid: 'export-png' });

  root.append(
    h('div', { className: 'controls' }, [
      h('div', { className: 'field' }, [h('label', { htmlFor: 'seeds-input', text: 'Seeds (N)' }), seedsInput, h('span', { className: 'help', text: 'each seed: new data, teacher, split and initial weights' }), seedsError]),
      h('div', { className: 'button-row' }, [runButton, cancelButton]),
      h('div', { className: 'progress-row' }, [progress, progressText]),
      runNote,
      h('div', { className: 'button-row exports' }, [exportCsv, exportJson, exportPng]),
    ]),
    h('div', { className: 'visual' }, [
      summary,
      stale,
      scrollBox(table, 'Results table'),
      vNote,
      warningsBox,
      stripHolder,
    ]),
  );
  table.append(h('caption', { text: 'Run seeds to fill this table: mean test accuracy ± standard deviation, in percent.' }));
  const sweepRoot = h('div', { className: 'sweep-root', id: 'sweep-view' });
  root.append(sweepRoot);
  const sweep = createSweepView(app, sweepRoot);

  let run = null; // the run going on
  let latest = null; // the last run started (a cancelled one's summary may still come)
  let report = null;
  let reportKey = '';
  let reportLabel = '';
  let reportIsThisRun = false; // whether `report` came from the run going on (not an earlier one)
  let reportAsked = 0; // seeds the run that made `report` asked for (more than it has when cancelled)
  let reportCancelled = false;

  const settingKey = () => JSON.stringify([app.state.scenario, app.state.over, app.csv?.name ?? null]);
  let reportDone = false; // whether `report` covers every seed its run asked for

  // What the tour reads of the seeds: the report on screen (with the setting it was run on and
  // whether it is whole), the run under way, and a way to start one.
  app.settingKey = settingKey;
  app.seedsReport = () => (report ? { report, key: reportKey, complete: reportDone } : null);
  app.seedsRunning = () => (run ? { done: run.done, total: run.job.total } : null);
  app.runSeeds = () => {
    if (!run && !runButton.disabled) runButton.click();
  };

  runButton.addEventListener('click', () => {
    if (run) return;
    const n = fieldSeeds();
    if (n === null) return;
    app.clearError();
    if (n !== app.state.seeds) app.setPageKey('seeds', n);
    const cfg = app.config();
    progress.max = n;
    progress.value = 0;
    setText(progressText, `0 / ${n} seeds`);
    runButton.disabled = true;
    cancelButton.disabled = false;
    const key = settingKey();
    const label = app.csv ? app.csv.name : app.state.scenario;
    const started = performance.now();
    reportIsThisRun = false;
    const job = {
      request: { scenario: app.state.scenario, config: app.requestOverrides(), seeds: n },
      csv: app.csv ? { name: app.csv.name, text: app.csv.text } : null,
      needsPool: !app.csv && cfg.dataset === 'mnist',
      total: n,
    };
    // A test (or a curious reader) may pin the pool's size: globalThis.__slamLabSeedWorkers = 1.
    const forced = Number(globalThis.__slamLabSeedWorkers);
    const workers = Number.isInteger(forced) && forced > 0 ? Math.min(forced, n) : poolSize(n);
    const thisRun = {
      job, key, label, workers, done: 0, asked: 0, shown: 0, cancelled: false,
      /** The engine's report over `results`; only the newest asked is shown. */
      summarise(results, final) {
        const id = ++this.asked;
        return app.engine.summarise(job, results).then(
          (r) => {
            // Only the newest summary of the newest run is shown (a cancelled run's last one too).
            if (id < this.shown || latest !== this || (run !== this && !final)) return null;
            this.shown = id;
            reportIsThisRun = true;
            show(r, key, label, final && !this.cancelled, this.cancelled);
            return r;
          },
          (e) => {
            if (latest === this) app.showError(`Run seeds: ${e.message}`);
            return null;
          },
        );
      },
    };
    thisRun.pool = new SeedPool(job, {
      workers,
      onNotice: (message) => app.notice(message),
      onProgress(fraction) {
        if (run === thisRun) progress.value = fraction * progress.max;
      },
      onSeed(done, total, results) {
        thisRun.done = done;
        app.lessonRender?.();
        progress.max = total;
        progress.value = done;
        if (done < total) {
          setText(progressText, `${done} / ${total} seeds`);
          thisRun.summarise(results, false);
        }
      },
      onDone(results) {
        const seconds = (performance.now() - started) / 1000;
        setText(progressText, `${results.length} / ${n} seeds; summarising`);
        thisRun.summarise(results, true).then(() => {
          if (run !== thisRun) return;
          run = null;
          setText(progressText, `${results.length} seeds in ${seconds.toFixed(1)} s on ${workers} worker${workers === 1 ? '' : 's'}`);
          idle();
        });
      },
      onError(message) {
        run = null;
        app.showError(`Run seeds: ${message}`);
        setText(progressText, 'stopped');
        idle();
      },
    });
    run = thisRun;
    latest = thisRun;
  });

  cancelButton.addEventListener('click', () => {
    if (!run) return;
    const stopped = run;
    stopped.pool.close();
    stopped.cancelled = true;
    run = null;
    const done = stopped.pool.results.length;
    progress.value = done;
    setText(progressText, `cancelled after ${done} of ${progress.max} seeds`);
    // The seeds that finished stay on screen, said to be from a cancelled run (not "so far"): the
    // engine summarises exactly those.
    if (done > 0) stopped.summarise(stopped.pool.results.slice(), true);
    else if (report && reportIsThisRun) show(report, reportKey, reportLabel, false, true);
    idle();
  });

  function idle() {
    runButton.disabled = fieldSeeds() === null;
    cancelButton.disabled = true;
  }

  function show(r, key, label, done, cancelled = false) {
    report = r;
    reportDone = Boolean(done);
    queueMicrotask(() => app.lessonRender?.());
    reportKey = key;
    reportLabel = label;
    reportAsked = latest?.job.total ?? r.seeds;
    reportCancelled = cancelled;
    // A cancelled run's seeds are a report too (its file says how many of how many).
    exportCsv.disabled = !(done || cancelled);
    exportJson.disabled = !(done || cancelled);
    stale.hidden = key === settingKey();
    const methods = Object.entries(r.methods ?? {});
    const seeds = r.seeds ?? 0;
    const van = r.methods?.vanilla?.per_seed;
    const slam = r.methods?.slam?.per_seed;
    let wins = '';
    if (van && slam && van.length) {
      const w = slam.filter((s, i) => s > van[i]).length;
      wins = ` SLaM beats vanilla on ${w} of ${van.length} seed${van.length === 1 ? '' : 's'}.`;
    }
    const partial = cancelled ? ' (the run was cancelled)' : done ? '' : ' so far';
    setText(summary, `${label}, ${seeds} seed${seeds === 1 ? '' : 's'}${partial}: teacher ${percent(r.teacher_accuracy)}% ± ${percent(r.teacher_accuracy_std ?? 0)} on test, k = ${r.k}.${wins}`);
    const best = Math.max(...methods.map(([, m]) => m.mean));
    table.replaceChildren(
      h('caption', { text: 'Test accuracy in percent: mean ± standard deviation over the seeds' }),
      h('thead', {}, h('tr', {}, [
        h('th', { scope: 'col', text: 'method' }),
        h('th', { scope: 'col', className: 'num', text: 'mean ± std' }),
        h('th', { scope: 'col', className: 'num', text: 'U, teacher right' }),
        h('th', { scope: 'col', className: 'num', text: 'U, teacher wrong' }),
        h('th', { scope: 'col', className: 'num', text: 'range' }),
        h('th', { scope: 'col', className: 'num', text: 'vs vanilla, seed by seed' }),
      ])),
      h('tbody', {}, methods.map(([name, m]) => {
        const sw = swatch(methodColor(name));
        const per = m.per_seed ?? [];
        const d = m.vs_vanilla;
        const usesV = vMark(m.trains_on_validation_labels, `uses-v-${name}`);
        return h('tr', { dataset: { method: name }, className: m.mean === best ? 'best' : '' }, [
          h('th', { scope: 'row' }, [sw, methodLabel(name), usesV]),
          h('td', { className: 'num' }, [h('span', { testid: `result-mean-${name}`, text: percent(m.mean) }), ' ± ', h('span', { testid: `result-std-${name}`, text: percent(m.std) })]),
          h('td', { className: 'num', text: percent(m.teacher_right_accuracy) }),
          h('td', { className: 'num', text: percent(m.teacher_wrong_accuracy) }),
          h('td', { className: 'num', text: per.length ? `${percent(Math.min(...per))}–${percent(Math.max(...per))}` : '–' }),
          h('td', { className: 'num', testid: `result-gain-${name}`, text: d ? pairedText(d) : '' }),
        ]);
      })),
    );
    const marked = methods.filter(([, m]) => m.trains_on_validation_labels).map(([n]) => methodLabel(n));
    vNote.hidden = marked.length === 0;
    setText(vNote, marked.length ? `V marks ${marked.join(', ')}: ${marked.length > 1 ? 'they take' : 'it takes'} gradient steps on V's true labels; every other method only uses V to estimate how far to trust the teacher. The gain column is the mean difference to vanilla over the same seeds, its 95% interval, and how many seeds it won.` : '');
    showWarnings(warningsBox, r.warnings, 'Warnings from these seeds');
    stripHolder.hidden = false;
    drawStrip();
  }

  function drawStrip() {
    if (!report) return;
    const methods = Object.entries(report.methods ?? {});
    const width = Math.max(260, Math.min(640, stripHolder.clientWidth || 480));
    const rowH = 26;
    const left = 110;
    const height = methods.length * rowH + 34;
    const ctx = fitCanvas(strip, width, height);
    ctx.clearRect(0, 0, width, height);
    const all = methods.flatMap(([, m]) => m.per_seed ?? []);
    const lo = Math.max(0, Math.floor(Math.min(...all, 1) * 20) / 20);
    const hi = 1;
    const xOf = (v) => left + ((v - lo) / (hi - lo || 1)) * (width - left - 14);
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = '#e4e4e4';
    ctx.fillStyle = '#444';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = lo; t <= hi + 1e-9; t += 0.05) {
      const x = xOf(t);
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, 4);
      ctx.lineTo(Math.round(x) + 0.5, height - 26);
      ctx.stroke();
      ctx.fillText(`${Math.round(t * 100)}%`, x, height - 22);
    }
    methods.forEach(([name, m], j) => {
      const y = 8 + j * rowH + rowH / 2;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#222';
      ctx.fillText(methodLabel(name), left - 8, y);
      ctx.fillStyle = methodColor(name);
      ctx.globalAlpha = 0.55;
      (m.per_seed ?? []).forEach((v, i) => {
        ctx.beginPath();
        ctx.arc(xOf(v), y + (((i * 7) % 9) - 4) * 0.9, 3.5, 0, Math.PI * 2);
        ctx.fill();
      });
      ctx.globalAlpha = 1;
      ctx.fillStyle = '#000';
      ctx.fillRect(xOf(m.mean) - 1, y - 9, 2, 18);
    });
  }

  /** `slam-lab-flagship-10-seeds`, or `slam-lab-flagship-4-of-10-seeds-cancelled` for a cancelled run. */
  const reportName = () => `slam-lab-${fileSafe(reportLabel)}-${reportCancelled ? `${report.seeds}-of-${reportAsked}-seeds-cancelled` : `${report.seeds}-seeds`}`;
  exportCsv.addEventListener('click', () => {
    if (!report) return;
    download(new Blob([reportToCsv(report)], { type: 'text/csv' }), `${reportName()}.csv`);
  });
  exportJson.addEventListener('click', () => {
    if (!report) return;
    const body = reportCancelled ? { ...report, cancelled: { seeds_run: report.seeds, seeds_asked: reportAsked } } : report;
    download(new Blob([JSON.stringify(body, null, 2) + '\n'], { type: 'application/json' }), `${reportName()}.json`);
  });
  exportPng.addEventListener('click', async () => {
    const training = app.panels.find((p) => p.exportParts);
    if (!training || !app.view) return;
    const epoch = app.snap?.epoch ?? 0;
    const name = app.csv ? app.csv.name : app.state.scenario;
    const canvas = composePng(`SLaM Lab: ${name}, seed ${app.view.config.seed}, epoch ${epoch}`, training.exportParts(), app.view.overview.methods);
    try {
      download(await canvasToBlob(canvas), `slam-lab-${fileSafe(name)}-epoch-${epoch}.png`);
    } catch (e) {
      app.showError(`PNG export: ${e.message}`);
    }
  });

  return {
    onCatalogue(catalogue, scenarioConfigs) {
      sweep.onCatalogue(catalogue, scenarioConfigs);
    },
    syncState(state, config) {
      sweep.syncState(state, config);
      if (Number.isFinite(PARAM.seeds.max)) seedsInput.max = String(PARAM.seeds.max);
      if (document.activeElement !== seedsInput) {
        seedsInput.value = String(state.seeds);
        fieldSeeds();
      }
      if (report) stale.hidden = reportKey === settingKey();
      const first = config?.seed ?? 0;
      const n = state.seeds;
      const all = Array.from({ length: Math.min(n, 3) }, (_, i) => first + i);
      const workers = poolSize(n);
      const list = n === 1 ? `seed ${first}` : n <= 3 ? `seeds ${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}` : `seeds ${first}, ${first + 1}, …, ${first + n - 1}`;
      setText(runNote, state.points.length
        ? `Runs the current setting with ${list}. Your added points are not part of multi-seed runs.`
        : `Runs the current setting with ${list} in the background, spread over ${workers} worker${workers === 1 ? '' : 's'} (one per core); the page stays live.`);
    },
    onResize() {
      drawStrip();
    },
  };
}

function fileSafe(s) {
  return String(s).replace(/[^\w.-]+/g, '_').slice(0, 60);
}
