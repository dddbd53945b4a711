// Panel 4, Mixing weights: the isotonic alpha(margin) curve over the validation rug, the teacher's
// reliability diagram, k, alpha(x) as colour on the scatter (estimated beside true for a synthetic
// teacher), and the one-example mix view: drag alpha, see f, mix(f) and the loss change.

import { h, setText, fixed, formula } from '../dom.js';
import { describeAlphaMap } from '../describe.js';
import { field } from '../controls.js';
import { LineChart, toPx } from '../charts/line.js';
import { PlanePlot } from '../charts/scatter.js';
import { marker, colorBar, drawStride } from '../charts/plane.js';
import { sequential, rgbCss, methodColor } from '../palette.js';
import { drawMixBars, mixVector, crossEntropy, topK, MIX_COLORS } from '../charts/mixbars.js';
import { teacherRight, teacherWrong } from '../truth.js';

/** Where SLaM's coefficient on the teacher's top-1 class changes sign (as the engine's `switch_point`). */
const switchPoint = (normalizeK, k) => (normalizeK && k > 1 ? 1 / k : 0.5);

export function createMixingPanel(app, root) {
  const estimator = field(app, { path: 'alpha_estimator', testid: 'alpha-estimator' });
  const alphaMin = field(app, { path: 'alpha_min', testid: 'alpha-min' });
  // `auto` puts the clamp where SLaM's pull on the teacher's label changes sign: ½ in the paper's
  // unnormalised form, 1/k when the second term is divided by k − 1. The engine resolves it per seed.
  const autoBox = h('input', { type: 'checkbox', id: 'alpha-min-auto', testid: 'alpha-min-auto' });
  const floorText = h('span', { className: 'help', testid: 'alpha-floor', id: 'alpha-floor' });
  autoBox.addEventListener('change', () => {
    const floor = app.view?.overview?.alpha_floor ?? 0.5;
    app.setConfig('alpha_min', autoBox.checked ? 'auto' : Number(floor.toFixed(2)));
  });
  alphaMin.node.append(h('div', { className: 'field-check' }, [autoBox, h('label', { htmlFor: 'alpha-min-auto', text: 'auto: where the pull on the teacher\'s label changes sign' })]), floorText);
  const coverage = field(app, { path: 'k_coverage', format: (v) => `${Math.round(v * 100)}%` });
  const normalize = field(app, { path: 'normalize_k' });
  const fields = [estimator, alphaMin, coverage, normalize];

  const kValue = h('span', { className: 'big-number', testid: 'k-value', text: '–' });
  const oracleErr = h('span', { testid: 'alpha-oracle-error', text: '' });
  const meanAlpha = h('span', { testid: 'alpha-mean', text: '' });

  // α(margin) with the validation rug.
  let overview = null;
  let tickRow = null; // the followed point whose tick the curve shows
  let config = null;
  const curveHolder = h('div', { className: 'chart', testid: 'alpha-curve' });
  const curveNote = h('p', { className: 'help note', hidden: true });
  const curve = new LineChart(curveHolder, {
    height: 220, xLabel: 'teacher margin (top-1 − top-2)', yLabel: 'α: chance the teacher is right',
    xRange: [0, 1], yRange: [-0.02, 1.02],
    series: [
      { label: 'α(margin) fitted on V', color: '#0072B2', width: 2.5 },
      { label: 'used by SLaM (after the clamp)', color: '#D55E00', width: 1.5, dash: [5, 4] },
    ],
    hooks: { draw: [(u) => drawRug(u)] },
  });

  function drawRug(u) {
    if (!overview) return;
    const ctx = u.ctx;
    ctx.save();
    const tick = 8 * devicePixelRatio;
    for (const [m, right] of overview.rug) {
      const [x, yTop] = toPx(u, m, right ? 1.02 : -0.02);
      ctx.strokeStyle = right ? 'rgba(0, 114, 178, 0.35)' : 'rgba(213, 94, 0, 0.6)';
      ctx.lineWidth = 1 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, yTop);
      ctx.lineTo(x, right ? yTop + tick : yTop - tick);
      ctx.stroke();
    }
    // The followed point: a tick at its margin, up to its alpha.
    const f = app.point?.facts;
    if (f) {
      const margin = Math.min(1, Math.max(0, f.teacher_margin));
      const [x, y] = toPx(u, margin, f.alpha);
      const [, y0] = toPx(u, margin, -0.02);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x, y0);
      ctx.lineTo(x, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(x, y, 5 * devicePixelRatio, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.restore();
  }

  // Reliability diagram.
  const relHolder = h('div', { className: 'chart', testid: 'reliability' });
  const reliability = new LineChart(relHolder, {
    height: 200, xLabel: "teacher's confidence (bins of V)", yLabel: 'how often it is right',
    xRange: [0, 1], yRange: [0, 1], yPercent: true,
    series: [
      { label: 'teacher', color: '#0072B2', width: 2, points: { show: true, size: 7 } },
      { label: 'perfectly calibrated', color: '#999', width: 1, dash: [4, 4], points: { show: false } },
    ],
  });

  // α as colour.
  const mapsBox = h('div', { className: 'alpha-maps' });
  const estHolder = h('div', { className: 'plot-holder' });
  const trueHolder = h('div', { className: 'plot-holder' });
  const estPlot = new PlanePlot(estHolder, { ariaLabel: 'Unlabeled points coloured by estimated alpha', maxSize: 360 });
  const truePlot = new PlanePlot(trueHolder, { ariaLabel: "Unlabeled points coloured by the synthetic teacher's true alpha", maxSize: 360 });
  const trueFigure = h('figure', { className: 'map-figure' }, [trueHolder, h('figcaption', { text: 'true α (known for a synthetic teacher)' })]);
  mapsBox.append(h('figure', { className: 'map-figure' }, [estHolder, h('figcaption', { text: 'estimated α (what SLaM uses)' })]), trueFigure);
  const bar = document.createElement('canvas');
  bar.className = 'color-bar';
  const barBox = h('div', { className: 'color-bar-box' }, [h('span', { text: 'α = 0' }), bar, h('span', { text: '1' })]);

  // The mix view.
  let example = -1;
  let exampleKind = 'wrong';
  let alphaNow = 0.7;
  let belief = 0.8;
  let hardLabel = true; // the clearest picture: a wrong one-hot label
  let mixDirty = true;
  let mapsDirty = true;
  const exampleText = h('p', { className: 'example-text', testid: 'mix-example' });
  const pickWrong = h('button', { type: 'button', className: 'small', text: 'A point the teacher gets wrong', testid: 'mix-pick-wrong' });
  const pickRight = h('button', { type: 'button', className: 'small', text: 'One it gets right', testid: 'mix-pick-right' });
  const pickOther = h('button', { type: 'button', className: 'small', text: 'Another', testid: 'mix-pick-other' });
  pickWrong.addEventListener('click', () => chooseExample('wrong'));
  pickRight.addEventListener('click', () => chooseExample('right'));
  pickOther.addEventListener('click', () => chooseExample('other'));
  const alphaSlider = h('input', { type: 'range', min: 0, max: 1, step: 0.01, id: 'mix-alpha', testid: 'mix-alpha' });
  const alphaOut = h('output', { className: 'range-value', attrs: { for: 'mix-alpha' } });
  const beliefSlider = h('input', { type: 'range', min: 0.01, max: 0.99, step: 0.01, id: 'mix-belief', testid: 'mix-belief' });
  const beliefOut = h('output', { className: 'range-value', attrs: { for: 'mix-belief' } });
  const hardBox = h('input', { type: 'checkbox', id: 'mix-hard', checked: true });
  alphaSlider.addEventListener('input', () => {
    alphaNow = Number(alphaSlider.value);
    mixDirty = true;
    app.scheduleDraw();
  });
  beliefSlider.addEventListener('input', () => {
    belief = Number(beliefSlider.value);
    mixDirty = true;
    app.scheduleDraw();
  });
  hardBox.addEventListener('change', () => {
    hardLabel = hardBox.checked;
    mixDirty = true;
    app.scheduleDraw();
  });
  const barsCanvas = h('canvas', { className: 'mix-bars', attrs: { role: 'img', 'aria-label': 'Bars per class: teacher label y, student f, mixed mix(f)' } });
  const barsHolder = h('div', { className: 'mix-bars-holder' }, barsCanvas);
  const barLegend = h('ul', { className: 'legend' }, [
    swatchItem(MIX_COLORS.y, "y: the teacher's label"),
    swatchItem(MIX_COLORS.f, "f: the student's belief"),
    swatchItem(MIX_COLORS.mix, 'mix(f): what SLaM compares with y'),
  ]);
  const lossVanilla = h('span', { className: 'loss-number', testid: 'mix-loss-vanilla' });
  const lossSlam = h('span', { className: 'loss-number', testid: 'mix-loss-slam' });
  const pushText = h('p', { className: 'push-text', testid: 'mix-push' });
  const lossHolder = h('div', { className: 'chart', testid: 'mix-loss-chart' });
  const lossChart = new LineChart(lossHolder, {
    height: 200, xLabel: "student's belief in the true class", yLabel: 'loss on this example',
    xRange: [0, 1],
    series: [
      { label: 'vanilla −Σ y log f', color: methodColor('vanilla'), width: 2 },
      { label: 'SLaM −Σ y log mix(f)', color: methodColor('slam'), width: 2.5 },
    ],
    hooks: { draw: [(u) => drawBeliefMarker(u)] },
  });
  const formulaBox = h('div', { className: 'formulas' });

  function drawBeliefMarker(u) {
    const ctx = u.ctx;
    const x = u.valToPos(belief, 'x', true);
    ctx.save();
    ctx.strokeStyle = '#222';
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }

  root.append(
    h('div', { className: 'controls' }, [
      ...fields.map((f) => f.node),
      h('div', { className: 'stat-row' }, [
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'k (classes the truth hides among)' }), kValue]),
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'mean α on U' }), meanAlpha, oracleErr]),
      ]),
    ]),
    h('div', { className: 'visual' }, [
      h('div', { className: 'chart-pair' }, [
        h('figure', { className: 'chart-figure' }, [h('figcaption', { text: 'α(margin): ticks are V points, top = teacher right, bottom = wrong' }), curveHolder, curveNote]),
        h('figure', { className: 'chart-figure' }, [h('figcaption', { text: 'Reliability: does confidence mean correctness?' }), relHolder]),
      ]),
      h('h3', { text: 'α(x) on the unlabeled points' }),
      mapsBox,
      barBox,
    ]),
    h('div', { className: 'mixview', testid: 'mix-view' }, [
      h('h3', { text: 'One example, up close' }),
      h('p', { className: 'plain', text: "Say the student believes the true class with probability p. Vanilla distillation compares the student's f with the teacher's label y directly. SLaM first passes f through the teacher's noise: with probability α the teacher reports what is true, otherwise one of its other top-k classes. Then it compares that mix with y. When α is low, a student that disagrees with the teacher is hardly punished." }),
      formulaBox,
      h('div', { className: 'button-row' }, [pickWrong, pickRight, pickOther]),
      exampleText,
      h('div', { className: 'mix-controls' }, [
        h('div', { className: 'field' }, [h('label', { htmlFor: 'mix-alpha', text: 'α for this example' }), h('div', { className: 'range-row' }, [alphaSlider, alphaOut])]),
        h('div', { className: 'field' }, [h('label', { htmlFor: 'mix-belief', text: "student's belief p in the true class" }), h('div', { className: 'range-row' }, [beliefSlider, beliefOut])]),
        h('div', { className: 'field field-check' }, [hardBox, h('label', { htmlFor: 'mix-hard', text: "use the teacher's hard label (one-hot)" })]),
      ]),
      h('div', { className: 'mix-figures' }, [
        h('figure', { className: 'chart-figure' }, [barsHolder, barLegend]),
        h('figure', { className: 'chart-figure' }, [h('figcaption', { text: 'Loss as the student changes its mind' }), lossHolder]),
      ]),
      h('div', { className: 'stat-row' }, [
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'vanilla loss' }), lossVanilla]),
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'SLaM loss' }), lossSlam]),
      ]),
      pushText,
    ]),
  );

  function chooseExample(kind) {
    const v = app.view;
    if (!v) return;
    exampleKind = kind;
    const { roles, labels, teacherLabels, alpha } = v.arrays;
    const rows = [];
    for (let i = 0; i < roles.length; i++) if (roles[i] === 2) rows.push(i);
    if (!rows.length) return;
    let pick = -1;
    if (kind === 'wrong') {
      // The wrong label SLaM distrusts most: the clearest case.
      for (const i of rows) if (teacherWrong(teacherLabels, labels, i) && (pick < 0 || alpha[i] < alpha[pick])) pick = i;
    } else if (kind === 'right') {
      for (const i of rows) if (teacherRight(teacherLabels, labels, i) && (pick < 0 || alpha[i] > alpha[pick])) pick = i;
    } else {
      const at = rows.indexOf(example);
      pick = rows[(at + 1 + Math.floor(rows.length / 7)) % rows.length];
    }
    if (pick < 0) pick = rows[0];
    example = pick;
    alphaNow = Math.round(alpha[pick] * 100) / 100;
    mixDirty = true;
    mapsDirty = true;
    app.scheduleDraw();
  }

  function exampleVectors() {
    const v = app.view;
    const C = v.overview.class_names.length;
    const i = example;
    const truth = v.arrays.labels[i];
    const teacher = v.arrays.teacherLabels[i];
    const soft = Array.from(v.arrays.teacherProbs.subarray(i * C, (i + 1) * C));
    const yv = hardLabel ? soft.map((_, c) => (c === teacher ? 1 : 0)) : soft;
    const k = Math.min(C, v.overview.k);
    const top = topK(soft, k);
    const fOf = (p) => Array.from({ length: C }, (_, c) => (c === truth ? p : (1 - p) / Math.max(1, C - 1)));
    return { C, truth, teacher, yv, top, k, fOf, soft };
  }

  function drawMix() {
    const v = app.view;
    if (!v || example < 0) return;
    const { C, truth, teacher, yv, top, k, fOf } = exampleVectors();
    const normalizeK = Boolean(v.config.normalize_k);
    const f = fOf(belief);
    const mix = mixVector(f, top, alphaNow, k, normalizeK);
    alphaSlider.value = String(alphaNow);
    alphaOut.textContent = alphaNow.toFixed(2);
    beliefSlider.value = String(belief);
    beliefOut.textContent = belief.toFixed(2);
    // Show at most 10 classes: the ones that matter here first.
    let classes = [...Array(C).keys()];
    if (C > 10) {
      classes = classes.sort((a, b) => yv[b] + f[b] + (b === truth ? 2 : 0) - (yv[a] + f[a] + (a === truth ? 2 : 0))).slice(0, 10).sort((a, b) => a - b);
    }
    const names = classes.map((c) => v.overview.class_names[c]);
    drawMixBars(barsCanvas, Math.max(240, Math.min(560, barsHolder.clientWidth || 400)), { y: yv, f, mix, top, classes, names, truth, teacher });
    const lv = crossEntropy(yv, f);
    const ls = crossEntropy(yv, mix);
    lossVanilla.textContent = lv.toFixed(3);
    lossSlam.textContent = ls.toFixed(3);
    // Loss curves over the student's belief.
    const xs = [];
    const van = [];
    const sl = [];
    for (let j = 1; j < 100; j++) {
      const p = j / 100;
      xs.push(p);
      const fp = fOf(p);
      van.push(crossEntropy(yv, fp));
      sl.push(crossEntropy(yv, mixVector(fp, top, alphaNow, k, normalizeK)));
    }
    lossChart.setData([xs, van, sl]);
    const slope = (fn) => {
      const a = Math.max(0.01, belief - 0.01);
      const b = Math.min(0.99, belief + 0.01);
      return (fn(b) - fn(a)) / (b - a);
    };
    const sv = slope((p) => crossEntropy(yv, fOf(p)));
    const ss = slope((p) => crossEntropy(yv, mixVector(fOf(p), top, alphaNow, k, normalizeK)));
    const dir = (s) => (Math.abs(s) < 0.05 ? 'leaves the student where it is' : s < 0 ? 'pushes the student towards the true class' : 'pushes the student away from the true class');
    const wrong = truth !== teacher;
    pushText.textContent = `Here, vanilla ${dir(sv)} (slope ${sv.toFixed(2)}); SLaM at α = ${alphaNow.toFixed(2)} ${dir(ss)} (slope ${ss.toFixed(2)}).` +
      (wrong ? ' The teacher is wrong on this point, so being pushed towards its label means learning its mistake.' : ' The teacher is right here, so both should agree with it.') +
      (alphaNow < switchPoint(normalizeK, k) ? ` Below α = ${normalizeK ? `1/k = ${(1 / k).toFixed(2)}` : '½'} the mix turns around: SLaM pushes away from the teacher's label, which is why the engine clamps α (alpha_min, by default exactly there).` : '');
    const C2 = v.overview.class_names;
    exampleText.textContent = `Point #${example}: true class ${C2[truth]}, teacher says ${C2[teacher]} (${wrong ? 'wrong' : 'right'}) with confidence ${fixed(v.arrays.teacherConfidence[example], 2)}; estimated α(x) = ${fixed(v.arrays.alpha[example], 2)}${v.arrays.alphaTrue.length ? `, true α(x) = ${fixed(v.arrays.alphaTrue[example], 2)}` : ''}; k = ${k}.`;
  }

  function drawMaps() {
    const v = app.view;
    if (!v) return;
    const drawMap = (plot, values) => {
      const { ctx, w } = plot.begin(v.bounds);
      const { points, roles } = v.arrays;
      const r = Math.max(1.8, w / 160);
      const stride = drawStride(roles.length);
      for (let i = 0; i < roles.length; i += stride) {
        if (roles[i] !== 2) continue;
        marker(ctx, plot.proj.x(points[2 * i]), plot.proj.y(points[2 * i + 1]), 'dot', r, rgbCss(sequential(values[i])), null);
      }
      if (example >= 0) {
        const x = plot.proj.x(points[2 * example]);
        const y = plot.proj.y(points[2 * example + 1]);
        marker(ctx, x, y, 'dot', r * 3.2, null, '#fff', 3);
        marker(ctx, x, y, 'dot', r * 3.2, null, '#000', 1.5);
      }
      plot.end(ctx);
    };
    drawMap(estPlot, v.arrays.alpha);
    if (v.arrays.alphaTrue.length) drawMap(truePlot, v.arrays.alphaTrue);
    const bw = 160;
    const bctx = (bar.width = bw, bar.height = 10, bar.getContext('2d'));
    colorBar(bctx, 0, 0, bw, 10, sequential);
  }

  /** The clamp in use, in words: its value, and for `auto` where it comes from. */
  function syncFloor(cfg) {
    const floor = overview?.alpha_floor;
    const norm = Boolean(cfg.normalize_k);
    const where = norm ? `1/k${overview ? ` with k = ${overview.k}` : ''} (divided by k − 1)` : '½ (the paper\'s unnormalised form)';
    if (cfg.alpha_min === 'auto') {
      if (floor !== undefined) {
        alphaMin.input.value = String(floor);
        const out = alphaMin.node.querySelector('output');
        if (out) out.textContent = floor.toFixed(2);
      }
      setText(floorText, `In use: α ≥ ${floor === undefined ? '…' : floor.toFixed(2)}, the switch point ${where}. Below it SLaM would push the student away from the teacher's label.`);
    } else {
      setText(floorText, `The switch point of this form is ${where}; below it SLaM pushes away from the teacher's label.`);
    }
  }

  function fillCharts(o, cfg) {
    kValue.textContent = String(o.k);
    const U = [];
    const { roles, alpha } = app.view.arrays;
    for (let i = 0; i < roles.length; i++) if (roles[i] === 2) U.push(alpha[i]);
    meanAlpha.textContent = U.length ? (U.reduce((a, b) => a + b, 0) / U.length).toFixed(3) : '–';
    oracleErr.textContent = o.alpha_oracle_error === null || o.alpha_oracle_error === undefined ? '' : ` · mean |estimated − true| = ${o.alpha_oracle_error.toFixed(3)}`;
    if (o.alpha_curve.length) {
      const xs = o.alpha_curve.map((p) => p[0]);
      curve.setData([xs, o.alpha_curve.map((p) => p[1]), o.alpha_curve.map((p) => Math.max(p[1], o.alpha_floor))]);
      curveNote.hidden = true;
    } else {
      curve.setData([[0, 1], [null, null], [null, null]]);
      curveNote.hidden = false;
      curveNote.textContent = "The oracle estimator gives each point the synthetic teacher's true α: there is no curve to fit.";
    }
    const bins = o.reliability.filter((b) => b[2] > 0);
    const xs = [0, ...bins.map((b) => b[0]), 1];
    reliability.setData([xs, [null, ...bins.map((b) => b[1]), null], xs]);
    trueFigure.hidden = !o.has_oracle;
    mapsBox.classList.toggle('single', !o.has_oracle);
    const norm = Boolean(cfg.normalize_k);
    formulaBox.replaceChildren(
      formula(`mix(f)ᵢ = α·fᵢ + ${norm ? '(1 − α)/(k − 1)' : '(1 − α)'}·(1 − fᵢ)·top_k(y)ᵢ`),
      formula('SLaM loss = −Σᵢ yᵢ · log mix(f)ᵢ        vanilla loss = −Σᵢ yᵢ · log fᵢ'),
    );
  }

  return {
    syncState(state, cfg) {
      for (const f of fields) if (f !== alphaMin || cfg.alpha_min !== 'auto') f.sync(cfg);
      const auto = cfg.alpha_min === 'auto';
      autoBox.checked = auto;
      alphaMin.input.disabled = auto;
      alphaMin.node.classList.toggle('is-auto', auto);
      syncFloor(cfg);
    },
    onBuilt(view) {
      estPlot.canvas.setAttribute('aria-label', describeAlphaMap(view));
      overview = view.overview;
      config = view.config;
      fillCharts(view.overview, view.config);
      syncFloor(app.config());
      example = -1;
      chooseExample(exampleKind === 'other' ? 'wrong' : exampleKind);
      mapsDirty = true;
      mixDirty = true;
    },
    draw() {
      if (mapsDirty) {
        mapsDirty = false;
        drawMaps();
        curve.redraw();
      }
      if (mixDirty) {
        mixDirty = false;
        drawMix();
      }
    },
    onResize() {
      mapsDirty = true;
      mixDirty = true;
    },
    /** The followed point changed: its tick on the alpha curve. */
    onPoint(point) {
      if ((point?.row ?? null) === tickRow) return;
      tickRow = point?.row ?? null;
      curve.redraw();
    },
    get config() {
      return config;
    },
  };
}

function swatchItem(color, text) {
  const sw = document.createElement('span');
  sw.className = 'swatch';
  sw.style.backgroundColor = color;
  const li = document.createElement('li');
  li.append(sw, document.createTextNode(text));
  return li;
}
