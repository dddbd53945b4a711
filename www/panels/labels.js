// Panel 3, Teacher labels: U coloured by the teacher's label, wrong labels ringed, confidence as
// opacity; L as squares. PCA projection for wide data. On 2-D data, a click adds a labeled point of the
// chosen class (kept in the URL) and rebuilds the session.

import { h, setText, swatch, byTestId } from '../dom.js';
import { classColor, rgbCss, classRgb } from '../palette.js';
import { describeTeacherLabels } from '../describe.js';
import { labelsNotice } from '../notice-text.js';
import { runFacts } from '../lesson-facts.js';
import { PlanePlot } from '../charts/scatter.js';
import { marker, drawStride } from '../charts/plane.js';
import { teacherWrong } from '../truth.js';

export function createLabelsPanel(app, root) {
  let colorBy = 'teacher';
  let chosenClass = 0;
  let dirty = false;

  const colorSelect = h('select', { id: 'labels-color', testid: 'labels-color' }, [
    new Option("the teacher's label (what the student is told)", 'teacher'),
    new Option('the true label (hidden from the student)', 'truth'),
  ]);
  colorSelect.addEventListener('change', () => {
    colorBy = colorSelect.value;
    dirty = true;
    app.scheduleDraw();
  });

  const picker = h('div', { className: 'class-picker', role: 'radiogroup', attrs: { 'aria-label': 'Class of the point a click adds' } });
  const pickerBox = h('fieldset', { className: 'picker-box' }, [h('legend', { text: 'Click the plot to add a labeled point of class' }), picker]);
  const undo = h('button', { type: 'button', className: 'small', text: 'Remove last added point', testid: 'undo-point' });
  const clear = h('button', { type: 'button', className: 'small', text: 'Remove all added points', testid: 'clear-points' });
  undo.addEventListener('click', () => app.setState({ ...app.state, points: app.state.points.slice(0, -1) }));
  clear.addEventListener('click', () => app.setState({ ...app.state, points: [] }));
  // On this plot a click adds a labeled point; the toggle makes it select a point instead (as on
  // every other plot).
  let clickMode = 'add';
  const addMode = h('input', { type: 'radio', name: 'labels-click', id: 'labels-click-add', value: 'add', checked: true, testid: 'click-add' });
  const selectMode = h('input', { type: 'radio', name: 'labels-click', id: 'labels-click-select', value: 'select', testid: 'click-select' });
  for (const r of [addMode, selectMode]) r.addEventListener('change', () => { clickMode = r.value; });
  const clickBox = h('fieldset', { className: 'click-mode' }, [
    h('legend', { text: 'A click on the plot' }),
    h('span', {}, [addMode, h('label', { htmlFor: 'labels-click-add', text: ' adds a labeled point' })]),
    h('span', {}, [selectMode, h('label', { htmlFor: 'labels-click-select', text: ' selects a point to follow' })]),
  ]);
  const follow = h('button', { type: 'button', className: 'small', text: 'Follow a point the teacher gets wrong', testid: 'follow-mistake' });
  follow.addEventListener('click', () => app.followNextMistake?.());
  const pointsNote = h('p', { className: 'help', testid: 'points-note' });
  const projectedNote = h('p', { className: 'help note', hidden: true });
  const counts = h('p', { className: 'counts', testid: 'labels-counts' });
  const holder = h('div', { className: 'plot-holder', testid: 'labels-plot' });
  const plot = new PlanePlot(holder, { ariaLabel: "Unlabeled points coloured by the teacher's label; wrong labels ringed" });
  const addedItem = legendItem('diamond', 'added by you');
  const legend = h('ul', { className: 'legend' }, [
    legendItem('dot', 'teacher right'),
    legendItem('ring', 'teacher wrong'),
    legendItem('faint', 'teacher unsure (faint)'),
    legendItem('square', 'labeled (L), true class'),
    addedItem,
  ]);
  // Which colour is which class, when the class picker (which shows them) is hidden: projected data.
  const classLegend = h('ul', { className: 'legend class-legend', testid: 'labels-classes', hidden: true });
  const pointsBox = h('div', { className: 'points-box' }, [h('div', { className: 'button-row' }, [undo, clear]), pointsNote]);

  root.append(
    h('div', { className: 'controls' }, [
      h('div', { className: 'field' }, [h('label', { htmlFor: 'labels-color', text: 'Colour points by' }), colorSelect]),
      clickBox,
      follow,
      pickerBox,
      pointsBox,
      projectedNote,
    ]),
    h('div', { className: 'visual' }, [counts, classLegend, holder, legend]),
  );

  // A click adds a point even while the session rebuilds (the newest build carries every point), but
  // not onto data that is about to be replaced, and never past the engine's limit: both say so.
  app.pickHandlers?.set(plot.canvas, () => clickMode === 'select' || Boolean(app.view?.overview.projected));
  plot.canvas.addEventListener('click', (event) => {
    const v = app.view;
    if (!v || v.overview.projected || clickMode === 'select') return;
    const xy = plot.eventToData(event);
    if (!xy) return;
    if (app.config().dataset !== v.config.dataset || app.csv !== (app.viewSettings?.csv ?? null)) {
      app.showError('The data is being replaced: add points once the new data is on screen.');
      return;
    }
    const max = app.schema?.limits?.extra_points ?? Infinity;
    if (app.state.points.length >= max) {
      app.showError(`At most ${max.toLocaleString('en')} points can be added (the engine's limit); this click added nothing. Undo or remove some first.`);
      return;
    }
    const C = v.overview.class_names.length;
    const label = Math.min(chosenClass, C - 1);
    app.clearError();
    app.setState({ ...app.state, points: [...app.state.points, { x: [round(xy[0]), round(xy[1])], label }] });
  });

  function buildPicker(classNames) {
    picker.replaceChildren(
      ...classNames.map((name, c) => {
        const id = `pick-class-${c}`;
        const input = h('input', { type: 'radio', name: 'pick-class', id, value: String(c), checked: c === chosenClass, testid: `class-${c}` });
        input.addEventListener('change', () => {
          chosenClass = c;
        });
        const sw = swatch(classColor(c));
        return h('label', { htmlFor: id, className: 'pick' }, [input, sw, String(name)]);
      }),
    );
  }

  function draw() {
    const v = app.view;
    if (!v) return;
    const { ctx, w } = plot.begin(v.bounds);
    const { points, labels, teacherLabels, teacherConfidence, roles } = v.arrays;
    const C = v.overview.class_names.length;
    const n = roles.length;
    const r = Math.max(2, w / 170);
    const floor = 1 / C;
    const nAdded = v.overview.projected ? 0 : app.state.points.length;
    const stride = drawStride(n);
    const drawU = (wrongPass) => {
      for (let i = 0; i < n; i += stride) {
        if (roles[i] !== 2) continue;
        const wrong = teacherWrong(teacherLabels, labels, i);
        if (wrong !== wrongPass) continue;
        const cls = colorBy === 'teacher' ? teacherLabels[i] : labels[i];
        const conf = Math.max(0, (teacherConfidence[i] - floor) / (1 - floor));
        const a = 0.2 + 0.8 * conf;
        const x = plot.proj.x(points[2 * i]);
        const y = plot.proj.y(points[2 * i + 1]);
        marker(ctx, x, y, 'dot', r, rgbCss(classRgb(cls), a), wrong ? 'rgba(0,0,0,0.9)' : null, 1.4);
      }
    };
    drawU(false);
    drawU(true);
    for (let i = 0; i < n; i++) {
      if (roles[i] !== 0) continue;
      const added = i >= n - nAdded;
      const x = plot.proj.x(points[2 * i]);
      const y = plot.proj.y(points[2 * i + 1]);
      marker(ctx, x, y, added ? 'diamond' : 'square', r * 1.5, classColor(labels[i]), '#000', 1.5);
    }
    plot.end(ctx);
  }

  return {
    onBuilt(view) {
      plot.canvas.setAttribute('aria-label', describeTeacherLabels(view));
      setText(byTestId('notice-labels'), labelsNotice(runFacts(view, null)));
      const o = view.overview;
      buildPicker(o.class_names);
      const u = o.sizes[2];
      const wrong = o.confusion.reduce((a, row, t) => a + row.reduce((b, x, p) => b + (p === t ? 0 : x), 0), 0);
      const stride = drawStride(view.arrays.roles.length);
      // Rows a file gives no class for are in U, but whether the teacher is right there is unknown.
      const unknown = o.unknown_rows ?? 0;
      const knownU = u - unknown;
      const of = unknown ? ` (${unknown.toLocaleString('en')} with no known class, drawn grey when coloured by true class); the teacher labels ${wrong.toLocaleString('en')} of the ${knownU.toLocaleString('en')} others wrongly` : `; the teacher labels ${wrong.toLocaleString('en')} of them wrongly`;
      setText(counts, `${u.toLocaleString('en')} unlabeled points${of} (${((100 * wrong) / Math.max(1, knownU)).toFixed(1)}%).${stride > 1 ? ` So many points would hide each other: the plots draw one in ${stride}.` : ''}`);
      pickerBox.hidden = o.projected;
      pointsBox.hidden = o.projected; // nothing can be added to a projection
      clickBox.hidden = o.projected;
      addedItem.hidden = o.projected;
      classLegend.hidden = !o.projected;
      classLegend.replaceChildren(
        ...o.class_names.slice(0, 12).map((name, c) => {
          const sw = swatch(classColor(c));
          return h('li', {}, [sw, `class ${name}`]);
        }),
      );
      projectedNote.hidden = !o.projected;
      setText(projectedNote, o.projected ? `This data has ${o.dim} features, so the plot shows a 2-D projection (PCA, computed by the engine); the few far-out points are drawn at the edge. Points cannot be added by clicking here.` : '');
      plot.canvas.classList.toggle('clickable', !o.projected);
      dirty = true;
    },
    syncState(state) {
      const k = state.points.length;
      undo.disabled = k === 0;
      clear.disabled = k === 0;
      setText(pointsNote, k ? `${k} point${k === 1 ? '' : 's'} added by you join L (and the link).` : 'Added points join L, the labeled set, and are kept in the link.');
    },
    draw() {
      if (!dirty) return;
      dirty = false;
      draw();
    },
    onResize() {
      dirty = true;
    },
  };
}

function round(v) {
  return Number(v.toFixed(3));
}

function legendItem(kind, text) {
  const c = document.createElement('canvas');
  c.width = 28;
  c.height = 28;
  c.className = 'legend-mark';
  const ctx = c.getContext('2d');
  ctx.scale(2, 2);
  const col = classColor(0);
  if (kind === 'dot') marker(ctx, 7, 7, 'dot', 4, col, null);
  else if (kind === 'ring') marker(ctx, 7, 7, 'dot', 4, col, '#000', 1.4);
  else if (kind === 'faint') marker(ctx, 7, 7, 'dot', 4, rgbCss(classRgb(0), 0.3), null);
  else if (kind === 'square') marker(ctx, 7, 7, 'square', 4.5, col, '#000', 1.3);
  else marker(ctx, 7, 7, 'diamond', 4.2, col, '#000', 1.3);
  const li = document.createElement('li');
  li.append(c, document.createTextNode(text));
  return li;
}
