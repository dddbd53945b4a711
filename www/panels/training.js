// Panel 5, Training: the student's settings and methods, a decision-boundary heatmap per method (2-D
// data) or a prediction scatter (wide data), test-accuracy curves, and accuracy on U split into the
// points the teacher got right and wrong. Play/pause/step/reset live in the sticky transport bar.

import { h, setText, percent, showWarnings, vMark, swatch, scrollBox, byTestId } from '../dom.js';
import { field } from '../controls.js';
import { PARAM, parseValue } from '../state.js';
import { methodColor, methodLabel, methodDash, methodHelp, classColor, rgbCss, classRgb } from '../palette.js';
import { describeStudent, describeCurves } from '../describe.js';
import { trainingNotice } from '../notice-text.js';
import { runFacts } from '../lesson-facts.js';
import { LineChart } from '../charts/line.js';
import { PlanePlot } from '../charts/scatter.js';
import { drawHeatmap, marker, drawStride } from '../charts/plane.js';
import { unmet } from '../requirements.js';
import { known, teacherWrong } from '../truth.js';

const NUMBERS_MS = 100;
/** Epochs a curve plots at most (every k-th beyond that). */
const CHART_POINTS = 1000;

/** The settings of the family shown in this panel, by config key (the methods that read each, from the engine). */
/** Method settings the mixing weights panel shows. */
const SHOWN_ELSEWHERE = ['alpha_estimator', 'alpha_min', 'k_coverage', 'normalize_k'];

const intTicks = (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : ''));

export function createTrainingPanel(app, root) {
  const fields = [
    field(app, { path: 'student.hidden', testid: 'student-hidden' }),
    field(app, { path: 'student.epochs', testid: 'epochs-input' }),
    field(app, { path: 'student.lr' }),
    field(app, { path: 'student.batch_size' }),
    field(app, { path: 'student.optimizer' }),
    field(app, { path: 'student.weight_decay' }),
    field(app, { path: 'student.shift', testid: 'student-shift' }),
  ];

  // Methods to train: the list, with each method's sentence and source, comes from the engine
  // (onCatalogue), grouped into the six SLaM compares with and the wider family.
  const methodsBox = h('fieldset', { className: 'methods-box', testid: 'methods' }, [h('legend', { text: 'Methods' })]);
  const methodsList = h('div', { className: 'methods-list' });
  const coreButton = h('button', { type: 'button', className: 'small', text: 'Core six', testid: 'methods-core' });
  const allButton = h('button', { type: 'button', className: 'small', text: 'Every method', testid: 'methods-all' });
  methodsBox.append(methodsList, h('div', { className: 'button-row' }, [coreButton, allButton]));
  let methodBoxes = [];
  const setMethods = (list) => {
    if (!list.length) {
      app.showError('methods: keep at least one method');
      return;
    }
    app.setConfig('methods', parseValue(PARAM.methods, list.join(','), app.catalogue));
  };
  const coreNames = () => {
    const info = app.catalogue.methods?.info ?? {};
    return (app.catalogue.methods?.names ?? []).filter((m) => info[m]?.core);
  };
  /** Whether `m` asks the teacher about a budget of points (RAD and its two baselines). */
  const queries = (m) => Boolean(app.catalogue.methods?.info?.[m]?.queriesTeacher);
  coreButton.addEventListener('click', () => setMethods(coreNames()));
  allButton.addEventListener('click', () => {
    const cfg = app.config();
    const info = app.catalogue.methods?.info ?? {};
    setMethods((app.catalogue.methods?.names ?? []).filter((m) => !unmet(info[m]?.requires, cfg)));
  });

  /** One method in the picker: tick box, name, a short line, why it is off, and "about" (sentence + source). */
  function methodRow(m, info) {
    const input = h('input', { type: 'checkbox', id: `method-${m}`, value: m, testid: `method-${m}` });
    input.addEventListener('change', () => {
      const chosen = methodBoxes.filter((b) => b.input.checked).map((b) => b.input.value);
      if (!chosen.length) input.checked = true;
      setMethods(chosen);
    });
    const sw = swatch(methodColor(m));
    const description = info?.description || methodHelp(m) || '';
    const short = methodHelp(m) || description;
    const aboutId = `about-${m}`;
    const about = h('div', { className: 'method-about', id: aboutId, testid: aboutId, hidden: true }, [
      h('p', { className: 'method-description', text: description }),
      info?.source ? h('p', { className: 'method-source' }, [h('span', { className: 'source-label', text: 'Source: ' }), info.source]) : null,
    ]);
    const toggle = h('button', {
      type: 'button', className: 'about-toggle', text: 'about', testid: `about-toggle-${m}`,
      attrs: { 'aria-expanded': 'false', 'aria-controls': aboutId, 'aria-label': `About ${methodLabel(m)}` },
    });
    toggle.addEventListener('click', () => {
      const open = about.hidden;
      about.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    });
    const reason = h('p', { className: 'method-reason', testid: `reason-${m}`, hidden: true });
    const shortLine = h('p', { className: 'method-short', id: `short-${m}`, text: short });
    if (info?.usesValidationLabels) {
      shortLine.append(h('span', { className: 'v-badge', testid: `uses-v-${m}`, text: "trains on V's labels", title: "takes gradient steps on V's true labels; the other methods only use V to estimate how far to trust the teacher" }));
    }
    input.setAttribute('aria-describedby', `short-${m} reason-${m}`);
    reason.id = `reason-${m}`;
    const label = h('label', { htmlFor: input.id, className: 'method-name', title: description }, [sw, methodLabel(m)]);
    const node = h('div', { className: 'method-pick', dataset: { method: m } }, [
      h('div', { className: 'method-line' }, [input, label, toggle]),
      shortLine,
      reason,
      about,
    ]);
    return { name: m, input, node, reason, help: description };
  }

  function buildMethodBoxes(catalogue) {
    const names = catalogue.methods?.names ?? [];
    const info = catalogue.methods?.info ?? {};
    methodBoxes = names.map((m) => methodRow(m, info[m]));
    const isCore = (m) => Boolean(info[m]?.core);
    const isBaseline = (m) => Boolean(info[m]?.baseline);
    const groups = [
      ['core', 'Core', 'the six SLaM is compared with', methodBoxes.filter((b) => isCore(b.name))],
      ['family', 'The wider family', 'other ways to learn from a teacher that makes mistakes (small versions)', methodBoxes.filter((b) => !isCore(b.name) && !isBaseline(b.name))],
      ['baselines', 'Baselines', 'what V\'s labels alone, or L alone, buy', methodBoxes.filter((b) => isBaseline(b.name))],
    ].filter((g) => g[3].length);
    methodsList.replaceChildren(...groups.map(([key, title, help, boxes]) => h('div', { className: 'methods-group', testid: `methods-group-${key}`, attrs: { role: 'group', 'aria-labelledby': `methods-group-${key}-title` } }, [
      h('p', { className: 'methods-group-title', id: `methods-group-${key}-title` }, [h('strong', { text: title }), h('span', { className: 'help inline-help', text: ` ${help}` })]),
      ...boxes.map((b) => b.node),
    ])));
  }

  // The settings of the chosen methods: shown only while a method that reads them is ticked; which
  // methods read which key is the engine's (its facts' settings).
  const settingsBox = h('fieldset', { className: 'method-settings', testid: 'method-settings', hidden: true }, [h('legend', { text: 'Settings of the chosen methods' })]);
  let settingFields = [];
  function buildMethodSettings(catalogue) {
    const names = catalogue.methods?.names ?? [];
    const info = catalogue.methods?.info ?? {};
    const paths = [...new Set(names.flatMap((m) => info[m]?.settings ?? []))].filter((p) => PARAM[p] && !SHOWN_ELSEWHERE.includes(p));
    settingFields = paths.map((path) => {
      const f = field(app, { path, testid: `setting-${path}` });
      return { ...f, methods: names.filter((m) => (info[m]?.settings ?? []).includes(path)) };
    });
    settingsBox.replaceChildren(h('legend', { text: 'Settings of the chosen methods' }), ...settingFields.map((f) => f.node));
  }

  let overlay = 'mistakes';
  const overlaySelect = h('select', { id: 'overlay', testid: 'overlay' }, [
    new Option("the teacher's mistakes (×) and L (■)", 'mistakes'),
    new Option('test points (true class)', 'test'),
    new Option('nothing', 'none'),
  ]);
  overlaySelect.addEventListener('change', () => {
    overlay = overlaySelect.value;
    cardsDirty = true;
    app.scheduleDraw();
  });

  const cardsBox = h('div', { className: 'method-cards', testid: 'method-cards' });
  const classLegend = h('ul', { className: 'legend class-legend' });
  const wideNote = h('p', { className: 'help note', hidden: true });
  const overlayField = h('div', { className: 'field inline-field' }, [h('label', { htmlFor: 'overlay', text: 'Draw over the maps' }), overlaySelect]);

  let epochsTotal = 1;
  const accHolder = h('div', { className: 'chart', testid: 'chart-accuracy', attrs: { role: 'img' } });
  const wrongHolder = h('div', { className: 'chart', testid: 'chart-teacher-wrong', attrs: { role: 'img' } });
  const accRange = (u, min) => [Math.min(0.5, Math.floor((Number.isFinite(min) ? min : 0.5) * 10) / 10), 1];
  const accChart = new LineChart(accHolder, { height: 230, xLabel: 'epoch', yLabel: 'test accuracy', xRange: () => [0, epochsTotal], yRange: accRange, yPercent: true, xTicks: intTicks, series: [] });
  const wrongChart = new LineChart(wrongHolder, { height: 230, xLabel: 'epoch', yLabel: 'accuracy', xRange: () => [0, epochsTotal], yRange: [0, 1], yPercent: true, xTicks: intTicks, series: [] });

  const table = h('table', { className: 'split-table', testid: 'split-table' });
  const tableNote = h('p', { className: 'help' });
  const warningsBox = h('div', { className: 'warnings', testid: 'warnings', hidden: true, attrs: { role: 'status', 'aria-live': 'polite' } });
  const queryTable = h('table', { className: 'query-table', testid: 'query-table' });
  const querySection = h('div', { className: 'query-section', hidden: true }, [
    h('h3', { text: 'Which points did the teacher label?' }),
    h('p', { className: 'help', text: 'RAD and its two baselines may ask the teacher about only a budget of U. How often the teacher was right on the points each rule chose:' }),
    scrollBox(queryTable, 'Points the teacher was asked to label'),
  ]);

  root.append(
    h('div', { className: 'controls' }, [
      methodsBox,
      ...fields.map((f) => f.node),
      settingsBox,
    ]),
    h('div', { className: 'visual wide' }, [
      h('div', { className: 'cards-head' }, [h('h3', { text: 'What each student predicts' }), overlayField]),
      wideNote,
      classLegend,
      warningsBox,
      cardsBox,
      h('div', { className: 'chart-pair' }, [
        h('figure', { className: 'chart-figure' }, [h('figcaption', { text: 'Test accuracy after each epoch' }), accHolder]),
        h('figure', { className: 'chart-figure' }, [h('figcaption', { text: 'Accuracy on the U points the teacher labelled wrongly' }), wrongHolder]),
      ]),
      h('h3', { text: 'Copying the teacher, or learning past it?' }),
      scrollBox(table, 'Accuracy per method'),
      tableNote,
      querySection,
    ]),
  );

  let cards = []; // {name, plot, acc}
  let cardsDirty = false;
  let numbersAt = -Infinity;
  let chartsAt = -Infinity; // when the charts were last drawn, and what it took
  let chartsMs = 0;
  let chartsDirty = false;

  /** Text alternatives of the maps and curves, from the engine's numbers (describe.js). */
  function describe(snap) {
    const v = app.view;
    if (!v) return;
    for (const c of cards) c.plot.canvas.setAttribute('aria-label', describeStudent(v, snap, c.name));
    accHolder.setAttribute('aria-label', describeCurves(v, snap, 'test_accuracy', 'Test accuracy'));
    setText(byTestId('notice-training'), trainingNotice(runFacts(v, snap)));
    wrongHolder.setAttribute('aria-label', describeCurves(v, snap, 'teacher_wrong_accuracy', 'Accuracy on the U points the teacher labels wrongly'));
  }

  function buildCards(view) {
    const methods = view.overview.methods;
    cards = methods.map((name) => {
      const holder = h('div', { className: 'plot-holder' });
      const acc = h('span', { className: 'card-acc', testid: `accuracy-${name}`, text: '–' });
      const sw = swatch(methodColor(name));
      const card = h('figure', { className: 'method-card', dataset: { method: name } }, [
        h('figcaption', {}, [sw, h('span', { className: 'card-name', text: methodLabel(name), title: methodHelp(name) }), h('span', { className: 'card-acc-wrap' }, [acc, h('span', { className: 'unit', text: '%' })])]),
        holder,
      ]);
      const querying = queries(name);
      const plot = new PlanePlot(holder, {
        ariaLabel: `${methodLabel(name)}: ${view.overview.projected ? 'predictions on test points' : 'decision boundary'}${querying ? ', with the points the teacher was asked to label' : ''}`,
        maxSize: 420,
      });
      let count = null;
      if (querying) {
        count = h('span', { testid: `queried-${name}`, text: '0' });
        card.append(h('p', { className: 'card-note' }, [
          h('span', { className: 'queried-mark', attrs: { 'aria-hidden': 'true' } }),
          h('span', {}, ['points the teacher was asked to label (', count, ')']),
        ]));
      }
      return { name, card, plot, acc, count };
    });
    cardsBox.replaceChildren(...cards.map((c) => c.card));
    const series = methods.map((m) => ({ label: methodLabel(m), color: methodColor(m), dash: methodDash(m), width: m.startsWith('slam') ? 2.5 : 2 }));
    accChart.setSeries(series);
    wrongChart.setSeries(series);
    buildQueryTable(methods);
    table.replaceChildren(
      h('thead', {}, h('tr', {}, [
        h('th', { scope: 'col', text: 'method' }),
        h('th', { scope: 'col', className: 'num', text: 'test' }),
        h('th', { scope: 'col', className: 'num', text: 'U, teacher right' }),
        h('th', { scope: 'col', className: 'num', text: 'U, teacher wrong' }),
        h('th', { scope: 'col', className: 'num', text: 'train loss' }),
      ])),
      h('tbody', {}, methods.map((m) => {
        const sw = swatch(methodColor(m));
        const barCell = (key) => {
          const bar = h('span', { className: 'cell-bar' });
          bar.style.backgroundColor = methodColor(m);
          return h('td', { className: 'num bar-cell', dataset: { key } }, [h('span', { className: 'cell-text', text: '–' }), h('span', { className: 'cell-track' }, bar)]);
        };
        return h('tr', { dataset: { method: m } }, [
          h('th', { scope: 'row' }, [sw, methodLabel(m), vMark(app.catalogue.methods?.info?.[m]?.usesValidationLabels)]),
          barCell('test_accuracy'),
          barCell('teacher_right_accuracy'),
          barCell('teacher_wrong_accuracy'),
          h('td', { className: 'num', dataset: { key: 'train_loss' }, text: '–' }),
        ]);
      })),
    );
  }

  /** The RAD rules' table: one row per querying method, filled by updateQueries. */
  function buildQueryTable(methods) {
    const rows = methods.filter(queries);
    querySection.hidden = rows.length === 0;
    queryTable.replaceChildren(
      h('thead', {}, h('tr', {}, [
        h('th', { scope: 'col', text: 'rule' }),
        h('th', { scope: 'col', className: 'num', text: 'points asked' }),
        h('th', { scope: 'col', className: 'num', text: 'teacher right on them' }),
      ])),
      h('tbody', {}, rows.map((m) => {
        const sw = swatch(methodColor(m));
        return h('tr', { dataset: { method: m } }, [
          h('th', { scope: 'row' }, [sw, methodLabel(m)]),
          h('td', { className: 'num', testid: `queried-count-${m}`, text: '0' }),
          h('td', { className: 'num' }, [h('span', { testid: `queried-accuracy-${m}`, text: '–' }), h('span', { className: 'unit', text: '%' })]),
        ]);
      })),
    );
  }

  /** Per querying method: how many points it asked about, and the share the teacher labelled right. */
  function updateQueries(snap) {
    const v = app.view;
    if (!v || querySection.hidden) return;
    const { labels, teacherLabels } = v.arrays;
    v.overview.methods.forEach((m, idx) => {
      if (!queries(m)) return;
      const asked = snap?.queried?.[idx] ?? [];
      let right = 0;
      // Over the asked rows whose class is known.
      const askedKnown = asked.filter((i) => known(labels, i));
      for (const i of askedKnown) if (teacherLabels[i] === labels[i]) right++;
      const share = askedKnown.length ? right / askedKnown.length : null;
      const cell = queryTable.querySelector(`[data-testid="queried-accuracy-${m}"]`);
      setText(queryTable.querySelector(`[data-testid="queried-count-${m}"]`), asked.length);
      setText(cell, percent(share));
      if (share === null) delete cell.dataset.value;
      else cell.dataset.value = String(share);
    });
  }

  function updateNumbers(snap) {
    const metrics = snap?.metrics ?? {};
    for (const c of cards) {
      const hist = metrics[c.name] ?? [];
      const last = hist[hist.length - 1];
      setText(c.acc, last ? percent(last.test_accuracy) : '–');
      // The epoch the card's number is from (the counter's, on the engine's one clock).
      c.acc.dataset.epoch = String(last ? last.epoch : 0);
      // The number itself, unrounded (as the engine gives it): what a test compares runs by.
      c.acc.dataset.value = last ? String(last.test_accuracy) : '';
    }
    for (const row of table.querySelectorAll('tbody tr')) {
      const hist = metrics[row.dataset.method] ?? [];
      const last = hist[hist.length - 1];
      for (const td of row.querySelectorAll('td')) {
        const key = td.dataset.key;
        const v = last ? last[key] : undefined;
        if (key === 'train_loss') setText(td, typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '–');
        else {
          setText(td.querySelector('.cell-text'), percent(v));
          td.querySelector('.cell-bar').style.width = `${typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 100) : 0}%`;
        }
      }
    }
    const names = Object.keys(metrics);
    const lastOf = (m) => metrics[m]?.[metrics[m].length - 1];
    if (names.includes('vanilla') && names.includes('slam') && lastOf('vanilla') && lastOf('slam')) {
      const dv = lastOf('vanilla').teacher_wrong_accuracy;
      const ds = lastOf('slam').teacher_wrong_accuracy;
      setText(tableNote, `Where the teacher is wrong, vanilla gets ${percent(dv)}% right and SLaM ${percent(ds)}%. A student that copies the teacher scores low there; the test accuracy follows.`);
    } else setText(tableNote, 'Accuracy on U compares each student with the true labels the student never saw.');
  }

  function drawCharts() {
    const metrics = app.snap?.metrics ?? {};
    const methods = app.view.overview.methods;
    const n = Math.max(0, ...methods.map((m) => metrics[m]?.length ?? 0));
    // A long run plots every k-th epoch (k a power of two, so the points stay put as it grows) and
    // the last: a chart is at most a few hundred pixels wide, and drawing 10,000 epochs per method
    // every frame would take the main thread.
    let k = 1;
    while (n / k > CHART_POINTS) k *= 2;
    const epochs = [];
    for (let i = k - 1; i < n; i += k) epochs.push(i);
    if (n && epochs[epochs.length - 1] !== n - 1) epochs.push(n - 1);
    const xs = epochs.map((i) => i + 1);
    const col = (m, key) => epochs.map((i) => {
      const v = metrics[m]?.[i]?.[key];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    accChart.setData([xs, ...methods.map((m) => col(m, 'test_accuracy'))]);
    wrongChart.setData([xs, ...methods.map((m) => col(m, 'teacher_wrong_accuracy'))]);
  }

  /** The chosen overlay's markers ('mistakes': U points the teacher got wrong and L; 'test': T). */
  function drawOverlay(ctx, proj, r, points, labels, teacherLabels, roles) {
    const stride = drawStride(roles.length);
    if (overlay === 'mistakes') {
      for (let i = 0; i < roles.length; i += stride) {
        if (roles[i] !== 2 || !teacherWrong(teacherLabels, labels, i)) continue;
        marker(ctx, proj.x(points[2 * i]), proj.y(points[2 * i + 1]), 'cross', r * 0.7, null, 'rgba(0,0,0,0.5)', 1);
      }
      for (let i = 0; i < roles.length; i++) {
        if (roles[i] !== 0) continue;
        marker(ctx, proj.x(points[2 * i]), proj.y(points[2 * i + 1]), 'square', r * 1.3, classColor(labels[i]), '#000', 1.2);
      }
    } else if (overlay === 'test') {
      for (let i = 0; i < roles.length; i += stride) {
        if (roles[i] !== 3) continue;
        marker(ctx, proj.x(points[2 * i]), proj.y(points[2 * i + 1]), 'dot', r * 0.9, classColor(labels[i]), 'rgba(255,255,255,0.9)', 0.8);
      }
    }
  }

  function drawCards() {
    const v = app.view;
    const s = app.snap;
    if (!v) return;
    const C = v.overview.class_names.length;
    const { points, labels, teacherLabels, roles } = v.arrays;
    const stride = drawStride(roles.length);
    cards.forEach((c, m) => {
      const { ctx, w, h: hh } = c.plot.begin(v.bounds);
      const r = Math.max(1.6, w / 150);
      if (!v.overview.projected) {
        const grid = s?.grids?.[m];
        // Each grid's resolution is its own (a large network's is coarser): it follows from its length.
        if (grid && grid.length) drawHeatmap(ctx, grid, Math.round(Math.sqrt(grid.length / C)), C, w, hh);
        // The points over the map do not move while the student trains: drawn once per size and
        // overlay choice into a canvas of their own, then copied over each new heatmap.
        const dpr = ctx.getTransform().a;
        const key = `${w}x${hh}@${dpr}:${overlay}`;
        if (c.overlayKey !== key) {
          c.overlayKey = key;
          c.overlay ??= document.createElement('canvas');
          c.overlay.width = Math.round(w * dpr);
          c.overlay.height = Math.round(hh * dpr);
          const o = c.overlay.getContext('2d');
          o.setTransform(dpr, 0, 0, dpr, 0, 0);
          drawOverlay(o, c.plot.proj, r, points, labels, teacherLabels, roles);
        }
        ctx.drawImage(c.overlay, 0, 0, w, hh);
      } else {
        const pred = s?.preds?.[m];
        for (let i = 0; i < roles.length; i += stride) {
          if (roles[i] !== 3) continue;
          const x = c.plot.proj.x(points[2 * i]);
          const y = c.plot.proj.y(points[2 * i + 1]);
          if (!pred) {
            marker(ctx, x, y, 'dot', r, 'rgba(150,150,150,0.5)', null);
            continue;
          }
          const wrong = pred[i] !== labels[i];
          marker(ctx, x, y, 'dot', r, rgbCss(classRgb(pred[i]), wrong ? 1 : 0.55), wrong ? '#000' : null, 1.2);
        }
      }
      const asked = c.count ? s?.queried?.[m] : null;
      if (c.count) {
        let drawn = 0;
        if (asked) {
          const rq = Math.max(2.4, r * 1.15);
          for (const i of asked) {
            marker(ctx, c.plot.proj.x(points[2 * i]), c.plot.proj.y(points[2 * i + 1]), 'diamond', rq, '#fff', '#000', 1.1);
            drawn++;
          }
        }
        setText(c.count, drawn);
      }
      c.plot.end(ctx);
    });
  }

  return {
    onCatalogue(catalogue, scenarioConfigs) {
      buildMethodBoxes(catalogue);
      buildMethodSettings(catalogue);
    },
    syncState(state, cfg) {
      for (const f of fields) f.sync(cfg);
      const chosen = new Set(cfg.methods ?? []);
      const info = app.catalogue.methods?.info ?? {};
      for (const b of methodBoxes) {
        b.input.checked = chosen.has(b.name);
        // The engine's requirements for the method, evaluated on this config.
        const missing = unmet(info[b.name]?.requires, cfg);
        b.input.disabled = Boolean(missing);
        b.node.classList.toggle('is-disabled', Boolean(missing));
        b.reason.hidden = !missing;
        setText(b.reason, missing ? `Off: ${methodLabel(b.name)} needs ${missing.reason}.` : '');
      }
      let shown = 0;
      for (const f of settingFields) {
        const on = f.methods.some((m) => chosen.has(m));
        f.node.hidden = !on;
        if (on) {
          shown++;
          f.sync(cfg);
        }
      }
      settingsBox.hidden = shown === 0;
    },
    onBuilt(view) {
      epochsTotal = view.overview.epochs;
      buildCards(view);
      showWarnings(warningsBox, [], '');
      const names = view.overview.class_names.slice(0, 12);
      classLegend.replaceChildren(
        ...names.map((n, c) => {
          const sw = swatch(classColor(c));
          return h('li', {}, [sw, `class ${n}`]);
        }),
        view.overview.projected ? h('li', { text: 'ringed: predicted wrongly' }) : h('li', { text: 'pale: the student is unsure' }),
      );
      updateNumbers(null);
      wideNote.hidden = !view.overview.projected;
      overlayField.hidden = view.overview.projected;
      setText(wideNote, view.overview.projected
        ? `This data has ${view.overview.dim} features, so there is no decision boundary to draw. Each dot is a test point in the PCA projection, coloured by the class this student predicts; ringed dots are wrong.`
        : '');
      cardsDirty = true;
      chartsDirty = true;
      describe(null);
    },
    /** The run paused, ended or was reset: the text alternatives say where it is. */
    onSettled(snap) {
      describe(snap);
    },
    onSnapshot(snap) {
      // While it trains flat out, the table's numbers change at most 10 times a second (each change
      // costs a layout and a repaint); the snapshot that ends or pauses a run always updates them.
      const now = performance.now();
      if (!snap.playing || now - numbersAt >= NUMBERS_MS) {
        numbersAt = now;
        updateNumbers(snap);
        updateQueries(snap);
      }
      if (snap.warnings) showWarnings(warningsBox, snap.warnings, 'The engine warns');
      if (snap.freshGrids) cardsDirty = true;
      if (snap.freshMetrics) chartsDirty = true;
    },
    draw() {
      if (!app.view) return;
      if (cardsDirty) {
        cardsDirty = false;
        drawCards();
      }
      // While training, the charts redraw no more often than keeps them under a quarter of the time.
      const now = performance.now();
      if (chartsDirty && (!app.snap?.playing || now - chartsAt >= 3 * chartsMs)) {
        chartsDirty = false;
        drawCharts();
        chartsAt = performance.now();
        chartsMs = chartsAt - now;
      }
    },
    onResize() {
      cardsDirty = true;
    },
    /** Canvases for the PNG export: [{title, canvas}] for the maps, then the two charts. */
    exportParts() {
      return {
        maps: cards.map((c) => ({ title: `${methodLabel(c.name)}  ${c.acc.textContent}%`, canvas: c.plot.canvas })),
        charts: [
          { title: 'Test accuracy after each epoch', canvas: accChart.canvas },
          { title: 'Accuracy on the U points the teacher labelled wrongly', canvas: wrongChart.canvas },
        ],
      };
    },
  };
}
