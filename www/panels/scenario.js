// Panel 1, Scenario: the named scenario, the dataset (2-D generators, real sets, MNIST subset, CSV
// upload), the label budget |L| and |V|, the test share and the seed. Sizes of L, V, U, T once built.

import { h, byTestId, setText } from '../dom.js';
import { describeRoles } from '../describe.js';
import { field } from '../controls.js';
import { defaultState, PARAM, parseValue, withConfig, overridesObject } from '../state.js';
import { PlanePlot } from '../charts/scatter.js';
import { marker, drawStride } from '../charts/plane.js';
import { classColor } from '../palette.js';
import { unmet } from '../requirements.js';

// Sets are told apart by shape and grey, not colour: on the same plot L's squares carry the class
// colours, and no colour is far enough from all ten of them (palette.js) to mark a set as well.
const ROLE_STYLE = [
  { name: 'L labeled', shape: 'square', fill: '#000000', stroke: null },
  { name: 'V validation', shape: 'dot', fill: null, stroke: '#3a3a3a' },
  { name: 'U unlabeled', shape: 'dot', fill: '#b4b4b4', stroke: null },
  { name: 'T test', shape: 'cross', fill: null, stroke: '#6e6e6e' },
];

const GENERATORS = ['moons', 'circles', 'spirals', 'blobs', 'xor', 'checkerboard'];
const WITH_CLASSES = ['spirals', 'blobs'];

/** Label budgets that fit each real dataset (the flagship's 300 validation rows would not fit iris). */
const DATASET_PRESETS = {
  iris: { labeled: 15, validation: 40, test_fraction: 0.25 },
  wine: { labeled: 15, validation: 45, test_fraction: 0.25 },
  breast_cancer: { labeled: 30, validation: 150, test_fraction: 0.25 },
  digits: { labeled: 100, validation: 300, test_fraction: 0.2 },
  mnist: { samples: 3000, labeled: 100, validation: 300, test_fraction: 0.2 },
};

const PRESET_KEYS = [...new Set(Object.values(DATASET_PRESETS).flatMap((p) => Object.keys(p)))];

/**
 * Label budgets for an uploaded CSV of n data rows when the current ones leave too little for U (the
 * flagship's 30 + 300 labels need a file of 450+ rows): a quarter for test, then 10% of the rest for L
 * and 30% for V, so that U keeps about 60%. Null when the current budgets fit or the file is too small
 * for any split (the engine then says why).
 */
export function csvBudget(text, cfg) {
  const n = text.split(/\r?\n/).slice(1).filter((line) => line.trim() !== '').length;
  if (n < 8) return null;
  const rest = n - Math.round((cfg.test_fraction ?? 0.25) * n);
  if ((cfg.labeled ?? 0) + (cfg.validation ?? 0) <= 0.6 * rest) return null;
  const rest2 = n - Math.round(0.25 * n);
  return {
    labeled: Math.max(2, Math.min(100, Math.round(0.1 * rest2))),
    validation: Math.max(1, Math.min(300, Math.round(0.3 * rest2))),
    test_fraction: 0.25,
  };
}

export function createScenarioPanel(app, root) {
  const scenarioSelect = h('select', { id: 'scenario-select', testid: 'scenario-select' });
  const scenarioHelp = h('p', { className: 'help', id: 'scenario-description', testid: 'scenario-description' });
  scenarioSelect.addEventListener('change', () => {
    app.clearError();
    app.csv = null;
    app.csvBudget = null;
    const { speed, seeds, lesson } = app.state;
    app.setState({ ...defaultState(scenarioSelect.value), speed, seeds, lesson });
  });

  const datasetSelect = h('select', { id: 'dataset-select', testid: 'dataset-select' });
  const datasetHelp = h('p', { className: 'help', id: 'dataset-description' });
  datasetSelect.addEventListener('change', () => chooseDataset(datasetSelect.value));

  function chooseDataset(name) {
    app.clearError();
    app.csv = null;
    app.csvBudget = null;
    let next = { ...app.state, points: [] };
    const over = { ...next.over };
    delete over.dataset;
    // The budgets another dataset needed (iris's 15 labels) do not stay behind: back to the scenario's.
    for (const key of PRESET_KEYS) delete over[key];
    next = { ...next, over };
    const setIt = (path, value) => {
      const base = app.scenarioConfigs[next.scenario];
      const baseValue = path.split('.').reduce((o, k) => o?.[k], base);
      if (baseValue === value) delete next.over[path];
      else next.over[path] = value;
    };
    setIt('dataset', name);
    for (const [path, value] of Object.entries(DATASET_PRESETS[name] ?? {})) setIt(path, value);
    // Pixel shifts only apply to images: another dataset starts without them.
    for (const path of ['student.shift', 'teacher.shift']) {
      delete next.over[path];
      if (unmet([PARAM[path]?.needs], { dataset: name })) setIt(path, 0);
    }
    app.setState(next);
  }

  const fields = [
    field(app, { path: 'samples' }),
    field(app, { path: 'data_noise' }),
    field(app, { path: 'classes' }),
    field(app, { path: 'labeled' }),
    field(app, { path: 'validation' }),
    field(app, { path: 'test_fraction', format: (v) => `${Math.round(v * 100)}%` }),
    field(app, { path: 'standardize', testid: 'standardize' }),
    field(app, { path: 'seed' }),
  ];
  const byPath = Object.fromEntries(fields.map((f) => [f.input.name, f]));
  const reseed = h('button', {
    type: 'button', className: 'small', text: 'New seed', testid: 'new-seed',
    on: { click: () => app.setConfig('seed', Math.floor(Math.random() * 100000)) },
  });
  byPath.seed.node.append(reseed);

  // CSV upload: read here (the worker parses it); refused before reading when too big.
  const csvInput = h('input', { type: 'file', id: 'csv-upload', testid: 'csv-upload', accept: '.csv,text/csv,text/plain' });
  const csvStatus = h('p', { className: 'help', id: 'csv-status', testid: 'csv-status' });
  const csvClear = h('button', { type: 'button', className: 'small', text: 'Back to built-in data', hidden: true });
  csvClear.addEventListener('click', () => {
    app.setCsv(null);
    csvInput.value = '';
  });
  csvInput.addEventListener('change', async () => {
    const file = csvInput.files?.[0];
    if (!file) return;
    const cap = app.schema?.limits?.csv_bytes ?? Infinity; // the engine's, so the two never disagree
    if (file.size > cap) {
      const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB (${bytes.toLocaleString('en')} bytes)`;
      app.showError(`${file.name}: the file is ${mb(file.size)}; at most ${mb(cap)} can be loaded.`);
      csvInput.value = '';
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (e) {
      app.showError(`${file.name}: could not be read (${e.message}).`);
      return;
    }
    app.setCsv({ name: file.name, text }, csvBudget(text, app.config()));
  });

  // Every setting as JSON (the engine's config keys), for researchers and scripted runs.
  const configText = h('textarea', { id: 'config-json', testid: 'config', rows: 5, spellcheck: false, attrs: { autocomplete: 'off' } });
  const configApply = h('button', { type: 'button', className: 'small', text: 'Apply', testid: 'config-apply' });
  const applyJson = () => {
    let next;
    try {
      const text = configText.value.trim();
      const obj = text ? JSON.parse(text) : {};
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('must be a JSON object, e.g. {"labeled": 40}');
      next = { ...app.state, over: {} };
      for (const [path, value] of flatten(obj)) {
        const param = PARAM[path];
        if (!param || !param.config) throw new Error(`unknown setting "${path}"`);
        let parsed;
        try {
          parsed = parseValue(param, Array.isArray(value) ? value.join(',') : String(value), app.catalogue);
        } catch (e) {
          throw new Error(`${path}: ${e.message}`);
        }
        next = withConfig(next, path, parsed, app.scenarioConfigs);
      }
    } catch (e) {
      configText.setAttribute('aria-invalid', 'true');
      app.showError(`Settings JSON: ${e.message}`);
      return;
    }
    configText.removeAttribute('aria-invalid');
    app.clearError();
    if (JSON.stringify(next.over) !== JSON.stringify(app.state.over)) app.setState(next);
  };
  configApply.addEventListener('click', applyJson);
  configText.addEventListener('change', applyJson);
  const configBox = h('details', { className: 'config-json' }, [
    h('summary', { text: 'All changed settings as JSON' }),
    h('label', { htmlFor: 'config-json', className: 'help', text: 'The engine\'s config keys, as in slam-lab run --config FILE; merged over the scenario.' }),
    configText,
    configApply,
  ]);

  const sizes = h('dl', { className: 'sizes', testid: 'sizes' });
  const dataNote = h('p', { className: 'help', id: 'data-note' });
  const roleHolder = h('div', { className: 'plot-holder small-plot' });
  const rolePlot = new PlanePlot(roleHolder, { ariaLabel: 'All points by role: L, V, U and T', maxSize: 340 });
  let roleDirty = false;

  function drawRoles() {
    const v = app.view;
    if (!v) return;
    const { ctx, w } = rolePlot.begin(v.bounds);
    const { points, roles, labels } = v.arrays;
    const r = Math.max(1.5, w / 190);
    const stride = drawStride(roles.length);
    for (const role of [2, 3, 1]) {
      for (let i = 0; i < roles.length; i += stride) {
        if (roles[i] !== role) continue;
        const st = ROLE_STYLE[role];
        marker(ctx, rolePlot.proj.x(points[2 * i]), rolePlot.proj.y(points[2 * i + 1]), st.shape, st.shape === 'cross' ? r * 0.9 : r, st.fill, st.stroke, 1);
      }
    }
    for (let i = 0; i < roles.length; i++) {
      if (roles[i] !== 0) continue;
      marker(ctx, rolePlot.proj.x(points[2 * i]), rolePlot.proj.y(points[2 * i + 1]), 'square', r * 1.8, classColor(labels[i]), '#000', 1.3);
    }
    rolePlot.end(ctx);
  }

  root.append(
    h('div', { className: 'controls' }, [
      h('div', { className: 'field' }, [h('label', { htmlFor: 'scenario-select', text: 'Scenario' }), scenarioSelect, scenarioHelp]),
      h('div', { className: 'field' }, [h('label', { htmlFor: 'dataset-select', text: 'Dataset' }), datasetSelect, datasetHelp]),
      h('div', { className: 'field field-csv' }, [
        h('label', { htmlFor: 'csv-upload', text: 'Or upload a CSV' }),
        csvInput,
        h('span', { className: 'help', text: 'header row; the column "label" (else the last) is the class; other columns numbers' }),
        csvStatus,
        csvClear,
      ]),
      h('div', { className: 'field-grid' }, fields.map((f) => f.node)),
      configBox,
    ]),
    h('div', { className: 'visual split-visual' }, [
      h('div', {}, [h('h3', { text: 'The split' }), sizes, dataNote]),
      h('figure', { className: 'map-figure' }, [roleHolder, h('figcaption', { text: 'Every point by set: L as squares in their true class colour; V rings, U grey dots, T crosses.' })]),
    ]),
  );

  function fillSizes(o) {
    const rows = [
      ['L', 'labeled', o.sizes[0], 'true labels'],
      ['V', 'validation', o.sizes[1], 'to check the teacher'],
      ['U', 'unlabeled', o.sizes[2], 'labelled by the teacher'],
      ['T', 'test', o.sizes[3], 'final exam'],
    ];
    const total = o.sizes.reduce((a, b) => a + b, 0);
    sizes.replaceChildren(
      ...rows.map(([key, name, n, what]) => {
        const bar = h('span', { className: `size-bar role-${key}` });
        bar.style.width = `${Math.max(2, (100 * n) / total)}%`;
        return h('div', { className: 'size-row' }, [
          h('dt', {}, [h('strong', { text: key }), ` ${name}`]),
          h('dd', { testid: `size-${key}` }, [h('span', { className: 'size-n', text: n }), ` ${what}`, h('span', { className: 'size-track' }, bar)]),
        ]);
      }),
    );
    const classes = o.class_names.length;
    setText(
      dataNote,
      o.projected
        ? `${o.dataset}: ${o.dim} features, ${classes} classes. Plots show a 2-D projection (PCA), so points that look close may not be.`
        : `${o.dataset}: 2 features, ${classes} classes. Plots show the data itself; click the teacher-labels plot to add labeled points.`,
    );
  }

  function syncCsv() {
    if (app.csv) {
      setText(csvStatus, `Using your file ${app.csv.name}.`);
      csvClear.hidden = false;
      datasetSelect.classList.add('overridden');
      datasetHelp.textContent = 'Your CSV is in use; pick a dataset to go back.';
    } else {
      setText(csvStatus, '');
      csvClear.hidden = true;
      datasetSelect.classList.remove('overridden');
    }
  }

  return {
    onCatalogue(catalogue) {
      scenarioSelect.replaceChildren(...catalogue.scenarios.map((s) => new Option(s.name, s.name)));
      const groups = [
        ['2-D generators', catalogue.datasets.filter((d) => GENERATORS.includes(d.name))],
        ['Real data', catalogue.datasets.filter((d) => !GENERATORS.includes(d.name))],
      ];
      datasetSelect.replaceChildren(
        ...groups.map(([label, list]) => h('optgroup', { label }, list.map((d) => new Option(d.name === 'mnist' ? 'mnist (subset)' : d.name, d.name)))),
      );
    },
    syncState(state, config) {
      scenarioSelect.value = state.scenario;
      const sc = app.catalogue.scenarios.find((s) => s.name === state.scenario);
      setText(scenarioHelp, sc ? sc.description : '');
      datasetSelect.value = config.dataset;
      const ds = app.catalogue.datasets.find((d) => d.name === config.dataset);
      setText(datasetHelp, ds ? ds.description : '');
      for (const f of fields) f.sync(config);
      if (document.activeElement !== configText) {
        const over = overridesObject(state);
        configText.value = Object.keys(over).length ? JSON.stringify(over, null, 1) : '';
        configText.removeAttribute('aria-invalid');
      }
      const gen = GENERATORS.includes(config.dataset);
      byPath.data_noise.setDisabled(!gen || Boolean(app.csv));
      byPath.samples.setDisabled(!(gen || config.dataset === 'mnist') || Boolean(app.csv));
      byPath.classes.setDisabled(!WITH_CLASSES.includes(config.dataset) || Boolean(app.csv));
      syncCsv();
    },
    onBuilt(view) {
      rolePlot.canvas.setAttribute('aria-label', describeRoles(view));
      fillSizes(view.overview);
      syncCsv();
      roleDirty = true;
    },
    draw() {
      if (!roleDirty) return;
      roleDirty = false;
      drawRoles();
    },
    onResize() {
      roleDirty = true;
    },
  };
}

/** {a: {b: 1}, c: [2]} -> [['a.b', 1], ['c', [2]]]. */
function flatten(obj, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v, path));
    else out.push([path, v]);
  }
  return out;
}
