// The sweep view of the results panel: the comparison at each value of one setting (the label budget,
// the noise rate, ...), N seeds per value over the pool of workers, and accuracy against the value
// per method, the shape of the paper's figures. The engine reads and checks the values
// (sweepValues), runs each seed (runSeed with `vary`) and builds the report (summariseSweep), the
// same object as `slam-lab sweep --json`.

import { h, setText, percent, vMark, pairedText, scrollBox } from '../dom.js';
import { methodColor, methodLabel, methodDash } from '../palette.js';
import { PARAM, getPath } from '../state.js';
import { SeedPool, poolSize } from '../engine.js';
import { LineChart, toPx } from '../charts/line.js';
import { download } from '../export.js';
import { cliCommand } from '../cli-command.js';
import { t975 } from '../stats.js';

/** Values to offer for `key` around the current setting `current` (the learner edits them). */
export function suggestValues(key, current) {
  const param = PARAM[key];
  if (key === 'standardize') return 'labeled,auto';
  if (key === 'alpha_min') return '0,0.25,auto,0.75';
  if (key.endsWith('.shift')) return '0,1,2';
  if (param?.kind === 'enum') return (param.options ?? []).join(',');
  if (typeof current !== 'number' || !Number.isFinite(current)) return '';
  if (param?.kind === 'int') {
    const base = Math.max(1, current);
    return [...new Set([0.5, 1, 2, 4].map((f) => Math.max(param.min ?? 1, Math.round(base * f))))].join(',');
  }
  if ((param?.max ?? 1) <= 1) {
    return [...new Set([0.5, 0.75, 1, 1.25, 1.5].map((f) => Number(Math.min(param?.max ?? 1, current * f || f / 4).toFixed(2))))].join(',');
  }
  return [0.5, 1, 2].map((f) => Number((current * f).toPrecision(3))).join(',');
}

/** One row per value and method: mean, sd, then the paired difference to vanilla (fractions, as the CLI). */
export function sweepToCsv(report) {
  const header = ['key', 'value', 'method', 'mean', 'std', 'vs_vanilla_mean', 'vs_vanilla_ci_low', 'vs_vanilla_ci_high', 'wins', 'seeds', 'teacher_accuracy'];
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = [];
  for (const p of report.points ?? []) {
    for (const [name, m] of Object.entries(p.methods ?? {})) {
      const d = m.vs_vanilla;
      rows.push([report.key, p.value, name, m.mean, m.std, d?.mean ?? '', d?.ci_low ?? '', d?.ci_high ?? '', d?.wins ?? '', d?.n ?? m.per_seed?.length ?? '', p.teacher_accuracy]);
    }
  }
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

const valueLabel = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

export function createSweepView(app, root) {
  const keySelect = h('select', { id: 'sweep-key', testid: 'sweep-key' });
  const keyHelp = h('span', { className: 'help', id: 'sweep-key-help' });
  keySelect.setAttribute('aria-describedby', 'sweep-key-help');
  const valuesInput = h('input', { type: 'text', id: 'sweep-values', testid: 'sweep-values', spellcheck: false, autocomplete: 'off', inputMode: 'text' });
  const runButton = h('button', { type: 'button', className: 'primary', text: 'Run sweep', testid: 'sweep-run' });
  const cancelButton = h('button', { type: 'button', text: 'Cancel', testid: 'sweep-cancel', disabled: true });
  const progress = h('progress', { testid: 'sweep-progress', max: 1, value: 0, attrs: { 'aria-label': 'Sweep runs done' } });
  const progressText = h('span', { className: 'progress-text', testid: 'sweep-progress-text', attrs: { 'aria-live': 'polite' } });
  const note = h('p', { className: 'help', testid: 'sweep-note' });
  const commandText = h('pre', { className: 'command-text', testid: 'sweep-command', tabIndex: 0, attrs: { 'aria-label': 'The same sweep from the command line' } });
  const summary = h('p', { className: 'results-summary', testid: 'sweep-summary' });
  const stale = h('p', { className: 'help note', hidden: true, testid: 'sweep-stale', attrs: { role: 'status' } });
  const accHolder = h('div', { className: 'chart-holder', testid: 'sweep-chart', attrs: { role: 'img', 'aria-label': 'Test accuracy against the swept value, per method: mean, with a band of plus or minus one standard deviation' } });
  const gainHolder = h('div', { className: 'chart-holder', testid: 'sweep-gain-chart', attrs: { role: 'img', 'aria-label': 'Paired gain over vanilla distillation against the swept value, with its 95% interval' } });
  const table = h('table', { className: 'results-table sweep-table', testid: 'sweep-table' });
  const exportCsv = h('button', { type: 'button', text: 'Download sweep CSV', testid: 'sweep-export-csv', disabled: true });
  const exportJson = h('button', { type: 'button', text: 'Download sweep JSON', testid: 'sweep-export-json', disabled: true });
  const figures = h('div', { className: 'sweep-figures', hidden: true }, [
    h('figure', {}, [accHolder, h('figcaption', { text: 'Test accuracy: mean over the seeds (line) ± one standard deviation (band).' })]),
    h('figure', {}, [gainHolder, h('figcaption', { text: 'Gain over vanilla distillation, seed by seed: mean (line) and 95% interval (band). Above 0: better than vanilla.' })]),
  ]);

  root.append(
    h('div', { className: 'sweep' }, [
      h('h3', { text: 'Sweep one setting' }),
      h('p', { className: 'help', text: 'Runs the comparison at each value of one setting, with N seeds per value, and plots accuracy against it: when does SLaM help, and when does it stop helping?' }),
      h('div', { className: 'controls sweep-controls' }, [
        h('div', { className: 'field' }, [h('label', { htmlFor: 'sweep-key', text: 'Setting to vary' }), keySelect, keyHelp]),
        h('div', { className: 'field' }, [h('label', { htmlFor: 'sweep-values', text: 'Values (comma-separated)' }), valuesInput, h('span', { className: 'help', text: 'e.g. 25,50,100,200; lists in brackets: [32],[64]' })]),
        h('div', { className: 'button-row' }, [runButton, cancelButton]),
        h('div', { className: 'progress-row' }, [progress, progressText]),
        note,
        commandText,
        h('div', { className: 'button-row exports' }, [exportCsv, exportJson]),
      ]),
      summary,
      stale,
      figures,
      scrollBox(table, 'Sweep table'),
    ]),
  );

  let keys = [];
  let methods = [];
  let report = null;
  let reportSetting = null; // {key, label}: the setting the report on screen was run on
  let run = null;
  let accChart = null;
  let gainChart = null;

  const current = () => getPath(app.config(), app.state.sweep);
  const valuesText = () => (app.state.sweep_values || suggestValues(app.state.sweep, current()));

  keySelect.addEventListener('change', () => {
    app.setState({ ...app.state, sweep: keySelect.value, sweep_values: '' }, { rebuild: false });
  });
  valuesInput.addEventListener('change', () => {
    const text = valuesInput.value.trim();
    try {
      if (text) PARAM.sweep_values && validText(text);
    } catch (e) {
      valuesInput.setAttribute('aria-invalid', 'true');
      app.showError(`Sweep values: ${e.message}`);
      return;
    }
    valuesInput.removeAttribute('aria-invalid');
    app.setState({ ...app.state, sweep_values: text }, { rebuild: false });
  });

  function validText(text) {
    const p = PARAM.sweep_values;
    if (text.length > p.maxLen || !p.pattern.test(text)) throw new Error('use numbers, names and brackets separated by commas, e.g. 50,100,200');
  }

  runButton.addEventListener('click', async () => {
    if (run) return;
    app.clearError();
    const key = app.state.sweep;
    const text = valuesInput.value.trim() || valuesText();
    const cfg = app.config();
    const base = {
      request: { scenario: app.state.scenario, config: app.requestOverrides() },
      csv: app.csv ? { name: app.csv.name, text: app.csv.text } : null,
      needsPool: !app.csv && cfg.dataset === 'mnist',
    };
    let values;
    try {
      values = await app.engine.sweepValues(base, key, text);
    } catch (e) {
      valuesInput.setAttribute('aria-invalid', 'true');
      app.showError(`Sweep: ${e.message}`);
      return;
    }
    valuesInput.removeAttribute('aria-invalid');
    if (text !== app.state.sweep_values && text !== suggestValues(key, current())) app.setState({ ...app.state, sweep_values: text }, { rebuild: false });
    const seeds = app.state.seeds;
    const jobs = values.flatMap((value) => Array.from({ length: seeds }, (_, index) => ({ request: { ...base.request, vary: { key, value } }, index })));
    const forced = Number(globalThis.__slamLabSeedWorkers);
    const workers = Number.isInteger(forced) && forced > 0 ? Math.min(forced, jobs.length) : poolSize(jobs.length);
    const started = performance.now();
    progress.max = jobs.length;
    progress.value = 0;
    setText(progressText, `0 / ${jobs.length} runs (${values.length} values × ${seeds} seeds)`);
    runButton.disabled = true;
    cancelButton.disabled = false;
    const thisRun = { key, values, seeds, workers, asked: 0, shown: 0, cancelled: false, setting: sweepSetting() };
    const grouped = () => values.map((_, v) => thisRun.pool.byJob.slice(v * seeds, (v + 1) * seeds).filter((r) => r !== null));
    thisRun.summarise = (final) => {
      const groups = grouped();
      // Only values with at least one seed done are reported (a value's seeds fill in order).
      const upto = groups.findIndex((g) => g.length === 0);
      const n = upto === -1 ? values.length : upto;
      if (n === 0) return Promise.resolve(null);
      const id = ++thisRun.asked;
      return app.engine.summariseSweep(base, key, values.slice(0, n), groups.slice(0, n)).then(
        (r) => {
          if (id < thisRun.shown) return null;
          thisRun.shown = id;
          reportSetting = thisRun.setting;
          show(r, final && !thisRun.cancelled && n === values.length, thisRun.cancelled);
          return r;
        },
        (e) => {
          app.showError(`Sweep: ${e.message}`);
          return null;
        },
      );
    };
    let lastValueDone = -1;
    thisRun.pool = new SeedPool({ ...base, jobs }, {
      workers,
      onNotice: (message) => app.notice(message),
      onProgress(fraction) {
        if (!thisRun.cancelled) progress.value = fraction * progress.max;
      },
      onSeed(done, total) {
        progress.value = done;
        if (done < total) {
          setText(progressText, `${done} / ${total} runs`);
          // A fresh summary each time another value has all its seeds.
          const complete = grouped().filter((g) => g.length === seeds).length - 1;
          if (complete > lastValueDone) {
            lastValueDone = complete;
            thisRun.summarise(false);
          }
        }
      },
      onDone() {
        const seconds = (performance.now() - started) / 1000;
        setText(progressText, 'summarising');
        thisRun.summarise(true).then(() => {
          if (run !== thisRun) return;
          run = null;
          setText(progressText, `${jobs.length} runs (${values.length} values × ${seeds} seeds) in ${seconds.toFixed(1)} s on ${workers} worker${workers === 1 ? '' : 's'}`);
          idle();
        });
      },
      onError(message) {
        run = null;
        app.showError(`Sweep: ${message}`);
        setText(progressText, 'stopped');
        idle();
      },
    });
    run = thisRun;
  });

  cancelButton.addEventListener('click', () => {
    if (!run) return;
    const stopped = run;
    stopped.pool.close();
    stopped.cancelled = true;
    run = null;
    setText(progressText, `cancelled after ${stopped.pool.results.length} of ${progress.max} runs`);
    stopped.summarise(true);
    idle();
  });

  function idle() {
    runButton.disabled = false;
    cancelButton.disabled = true;
  }

  /**
   * What a sweep's numbers depend on: the data and settings, the swept key, its values and the seeds
   * ({key} to compare, {label} to say which). A report run on another is said to be stale.
   */
  function sweepSetting() {
    const st = app.state;
    const values = valuesInput.value.trim() || valuesText();
    return {
      key: JSON.stringify([st.scenario, st.over, app.csv?.name ?? null, st.sweep, values, st.seeds]),
      label: `${st.sweep} = ${values} on ${app.csv ? app.csv.name : st.scenario}, ${st.seeds} seed${st.seeds === 1 ? '' : 's'}`,
    };
  }

  function showStale() {
    const now = sweepSetting();
    stale.hidden = !report || !reportSetting || reportSetting.key === now.key;
    if (!stale.hidden) setText(stale, `This sweep (${reportSetting.label}) was run before the settings changed; run it again to update it.`);
  }

  function show(r, done, cancelled) {
    report = r;
    showStale();
    exportCsv.disabled = !r;
    exportJson.disabled = !r;
    const points = r.points ?? [];
    methods = Object.keys(points[0]?.methods ?? {});
    const status = cancelled ? ' (cancelled: the values with finished seeds)' : done ? '' : ' so far';
    setText(summary, `${r.key}: ${points.length} value${points.length === 1 ? '' : 's'} × ${r.seeds} seed${r.seeds === 1 ? '' : 's'}${status}.${gainVerdict(r)}`);
    figures.hidden = false;
    drawCharts();
    fillTable(points, r.key);
  }

  /**
   * What SLaM's paired gains say, in words a learner can act on: the largest, whether its 95%
   * interval excludes 0 (with few seeds it rarely does: then how many seeds would settle a gain of
   * that size), and at how many values the interval excludes 0.
   */
  function gainVerdict(r) {
    const rows = (r.points ?? []).map((p) => ({ value: valueLabel(p.value), d: p.methods.slam?.vs_vanilla })).filter((x) => x.d);
    if (!rows.length) return '';
    const sign = (x) => `${x >= 0 ? '+' : ''}${percent(x)}`;
    const excludes0 = (d) => d.n > 1 && (d.ci_low > 0 || d.ci_high < 0);
    const best = rows.reduce((a, b) => (b.d.mean > a.d.mean ? b : a));
    const { d } = best;
    let out = ` SLaM's largest gain over vanilla: ${sign(d.mean)} points at ${r.key} = ${best.value} (won ${d.wins} of ${d.n} seeds).`;
    if (d.n < 2) out += ' One seed gives no interval: run at least 2 to see how sure a gain is.';
    else if (excludes0(d)) out += ` Its 95% interval [${sign(d.ci_low)}, ${sign(d.ci_high)}] excludes 0.`;
    else {
      const need = seedsToSettle(d);
      const more = need === null ? '' : need > PARAM.seeds.max ? `; a gain this small would need more than ${PARAM.seeds.max} seeds to tell from none` : `; about ${need} seeds would tell a gain this size from none`;
      out += ` Not conclusive with ${d.n} seeds: its 95% interval [${sign(d.ci_low)}, ${sign(d.ci_high)}] holds 0${more}.`;
    }
    const settled = rows.filter((x) => excludes0(x.d));
    if (rows.length > 1) out += ` The interval excludes 0 at ${settled.length} of ${rows.length} values${settled.length ? ` (${settled.map((x) => x.value).join(', ')})` : ''}.`;
    return out;
  }

  function fillTable(points, key) {
    table.replaceChildren(
      h('caption', { text: 'Test accuracy in percent (mean ± sd over seeds) and the paired gain over vanilla: mean [95% interval], seeds won. V: trains on V\'s true labels.' }),
      h('thead', {}, h('tr', {}, [
        h('th', { scope: 'col', text: key }),
        h('th', { scope: 'col', text: 'teacher' }),
        ...methods.map((m) => h('th', { scope: 'col', className: 'num' }, [methodLabel(m), vMark(points[0]?.methods[m]?.trains_on_validation_labels)])),
      ])),
      h('tbody', {}, points.map((p) => h('tr', { dataset: { value: valueLabel(p.value) } }, [
        h('th', { scope: 'row', text: valueLabel(p.value) }),
        h('td', { className: 'num', text: percent(p.teacher_accuracy) }),
        ...methods.map((m) => {
          const s = p.methods[m];
          const d = s?.vs_vanilla;
          return h('td', { className: 'num', dataset: { method: m } }, [
            h('span', { className: 'sweep-mean', text: `${percent(s?.mean)} ± ${percent(s?.std)}` }),
            d ? h('span', { className: 'sweep-gain', text: ` ${pairedText(d)}` }) : null,
          ]);
        }),
      ]))),
    );
  }

  /**
   * Draws bands (mean ± spread) under the lines: `getBands()` gives {color, lo[], hi[]} per series.
   * With `clip` ([yMin, yMax]) a band reaching past the chart stops at its edge, where a small
   * triangle says it goes on (a 2-seed interval can be 30 points wide; drawn whole it would hide the means).
   */
  function bandHook(getBands, clip = null) {
    const inside = (y) => (clip ? Math.min(clip[1], Math.max(clip[0], y)) : y);
    return {
      drawAxes: [(u) => {
        const ctx = u.ctx;
        const bands = getBands();
        for (const { color, lo, hi } of bands) {
          ctx.save();
          ctx.fillStyle = color;
          ctx.globalAlpha = Math.min(0.14, 0.7 / Math.max(1, bands.length));
          ctx.beginPath();
          lo.forEach((y, i) => {
            const [px, py] = toPx(u, i, inside(y));
            if (i === 0) ctx.moveTo(px, py);
            else ctx.lineTo(px, py);
          });
          for (let i = hi.length - 1; i >= 0; i--) {
            const [px, py] = toPx(u, i, inside(hi[i]));
            ctx.lineTo(px, py);
          }
          ctx.closePath();
          ctx.fill();
          if (clip) {
            ctx.globalAlpha = 0.9;
            const mark = (i, y, up) => {
              const [px, py] = toPx(u, i, y);
              const s = 5 * (u.pxRatio || 1);
              ctx.beginPath();
              ctx.moveTo(px - s, py + (up ? s : -s));
              ctx.lineTo(px + s, py + (up ? s : -s));
              ctx.lineTo(px, py);
              ctx.closePath();
              ctx.fill();
            };
            hi.forEach((y, i) => y > clip[1] && mark(i, clip[1], true));
            lo.forEach((y, i) => y < clip[0] && mark(i, clip[0], false));
          }
          ctx.restore();
        }
      }],
    };
  }

  function drawCharts() {
    if (!report) return;
    const points = report.points ?? [];
    const xs = points.map((_, i) => i);
    const labels = points.map((p) => valueLabel(p.value));
    const xTicks = (u, vals) => vals.map((v) => (Number.isInteger(v) ? labels[v] ?? '' : ''));
    const series = methods.map((m) => ({ label: methodLabel(m), color: methodColor(m), dash: methodDash(m) }));
    const gainMethods = methods.filter((m) => m !== 'vanilla');
    const accBands = () => methods.map((m) => ({
      color: methodColor(m),
      lo: points.map((p) => p.methods[m].mean - p.methods[m].std),
      hi: points.map((p) => p.methods[m].mean + p.methods[m].std),
    }));
    const gainBands = () => gainMethods.map((m) => ({
      color: methodColor(m),
      lo: points.map((p) => p.methods[m].vs_vanilla?.ci_low ?? 0),
      hi: points.map((p) => p.methods[m].vs_vanilla?.ci_high ?? 0),
    }));
    const xRange = [-0.25, Math.max(0.25, points.length - 0.75)];
    const common = { height: 240, xLabel: report.key, xRange, xTicks, xIncrs: [1], xFormat: (v) => labels[v] ?? '' };
    accChart?.destroy();
    gainChart?.destroy();
    accChart = new LineChart(accHolder, { ...common, yLabel: 'test accuracy', yPercent: true, series, hooks: bandHook(accBands) });
    accChart.setData([xs, ...methods.map((m) => points.map((p) => p.methods[m].mean))]);
    const gainSeries = gainMethods.map((m) => ({ label: methodLabel(m), color: methodColor(m), dash: methodDash(m) }));
    const clip = gainRange(gainMethods.flatMap((m) => points.map((p) => p.methods[m].vs_vanilla?.mean)).filter(Number.isFinite));
    gainChart = new LineChart(gainHolder, {
      ...common, yLabel: 'gain over vanilla', yRange: clip, series: gainSeries, hooks: bandHook(gainBands, clip),
      yTicks: (u, vals, axis, space, incr) => vals.map((v) => (v === null ? '' : `${v > 0 ? '+' : ''}${(v * 100).toFixed(incr !== undefined && incr * 100 < 1 ? 1 : 0)}`)),
    });
    gainChart.setData([xs, ...gainMethods.map((m) => points.map((p) => p.methods[m].vs_vanilla?.mean ?? null))]);
  }

  exportCsv.addEventListener('click', () => {
    if (!report) return;
    download(new Blob([sweepToCsv(report)], { type: 'text/csv' }), `slam-lab-sweep-${fileSafe(report.key)}.csv`);
  });
  exportJson.addEventListener('click', () => {
    if (!report) return;
    download(new Blob([JSON.stringify(report, null, 2) + '\n'], { type: 'application/json' }), `slam-lab-sweep-${fileSafe(report.key)}.json`);
  });

  return {
    onCatalogue(catalogue) {
      keys = catalogue.sweepKeys ?? [];
      keySelect.replaceChildren(...keys.map((k) => new Option(k.key, k.key)));
    },
    syncState(state) {
      if (keys.length && !keys.some((k) => k.key === state.sweep)) keySelect.append(new Option(state.sweep, state.sweep));
      keySelect.value = state.sweep;
      setText(keyHelp, keys.find((k) => k.key === state.sweep)?.description ?? '');
      if (document.activeElement !== valuesInput) valuesInput.value = valuesText();
      showStale();
      const n = state.seeds;
      setText(note, `Each value runs seeds ${app.config().seed ?? 0}…${(app.config().seed ?? 0) + n - 1} (N = ${n}, set above) of the current setting, with vanilla distillation always included for the paired gains. The command line gives the same numbers, run as it is:`);
      setText(commandText, cliCommand(app, 'sweep', ['--vary', `${state.sweep}=${valuesText()}`, '--seeds', String(n)]).snippet);
    },
  };
}

/**
 * The gain chart's y range: around the mean gains and 0, with room, so a few seeds' wide intervals
 * are clipped (and marked) instead of squeezing the means into a line.
 */
export function gainRange(means) {
  const lo = Math.min(0, ...means);
  const hi = Math.max(0, ...means);
  const pad = Math.max(0.01, 0.6 * (hi - lo));
  return [lo - pad, hi + pad];
}

/**
 * Seeds after which a paired gain of `d.mean` with the per-seed spread `d.std` would have a 95%
 * interval clear of 0 (Student's t, its quantile by the Cornish-Fisher expansion), or null when the
 * gain is 0 or unknown.
 */
export function seedsToSettle(d) {
  if (!Number.isFinite(d.mean) || !Number.isFinite(d.std) || d.mean === 0) return null;
  for (let n = 2; n <= 100_000; n++) if ((t975(n - 1) * d.std) / Math.sqrt(n) < Math.abs(d.mean)) return n;
  return Infinity;
}

function fileSafe(s) {
  return String(s).replace(/[^\w.-]+/g, '_').slice(0, 60);
}
