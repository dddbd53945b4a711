// Slow motion: one student's next minibatch taken apart in seven stages the learner steps through
// (Next / Previous, or the arrow keys): the batch, the teacher's labels, SLaM's alpha and k, the
// student's prediction f, what the loss compares (mix(f) beside y for SLaM), each point's loss and
// push, and the update. The numbers are the engine's own step (explainStep): the run then goes on
// from exactly there.

import { h, setText, percent, swatch, scrollBox } from '../dom.js';
import { classColor, classRgb, rgbCss, methodLabel } from '../palette.js';
import { PlanePlot } from '../charts/scatter.js';
import { drawHeatmap, marker, drawStride } from '../charts/plane.js';
import { known, teacherWrong } from '../truth.js';

const STAGES = 7;

const TITLES = [
  'The next minibatch',
  "The teacher's labels",
  "SLaM's trust in each label: α(x) and k",
  'What the student predicts now: f(x)',
  'What the loss compares',
  'Loss and push',
  'The update',
];

export function createSlowMotion(app, root) {
  let step = null; // the engine's SlowStep
  let stage = 1;
  let busy = false;
  let dirty = false;

  const methodSelect = h('select', { id: 'slowmo-method', testid: 'slowmo-method' });
  const enter = h('button', { type: 'button', text: 'Slow motion: take the next step apart', testid: 'slowmo' });
  const status = h('p', { className: 'help', testid: 'slowmo-status', attrs: { 'aria-live': 'polite' } });
  // Training went on after the step on screen (Play, Step, Reset): it is no longer the run's next step.
  const staleText = h('span');
  const refresh = h('button', { type: 'button', className: 'small', text: 'Take the current step apart', testid: 'slowmo-refresh' });
  const stale = h('p', { className: 'stale-note', testid: 'slowmo-stale', hidden: true, attrs: { role: 'status' } }, [staleText, ' ', refresh]);
  let stepClock = null; // the clock's epoch right after the step on screen was taken
  const stageTitle = h('h4', { className: 'slowmo-title' });
  const stageBox = h('div', { className: 'slowmo-stage', testid: 'slowmo-stage', dataset: { stage: '0' } });
  const stageText = h('p', { className: 'slowmo-text' });
  const dots = h('ol', { className: 'slowmo-dots', attrs: { 'aria-hidden': 'true' } },
    TITLES.map((t, i) => h('li', { title: t, text: String(i + 1) })));
  const prev = h('button', { type: 'button', className: 'small', text: '\u2190 Previous', testid: 'slowmo-prev' });
  const next = h('button', { type: 'button', className: 'small', text: 'Next \u2192', testid: 'slowmo-next' });
  const close = h('button', { type: 'button', className: 'small', text: 'Close', testid: 'slowmo-close' });
  const beforeHolder = h('div', { className: 'plot-holder' });
  const afterHolder = h('div', { className: 'plot-holder', hidden: true });
  const beforePlot = new PlanePlot(beforeHolder, { ariaLabel: "The student's map before the step, the minibatch's points marked", maxSize: 420 });
  const afterPlot = new PlanePlot(afterHolder, { ariaLabel: "The student's map after the step", maxSize: 420 });
  const beforeCaption = h('p', { className: 'help' });
  const afterCaption = h('p', { className: 'help', text: 'after this one step', hidden: true });
  const table = h('table', { className: 'slowmo-table', testid: 'slowmo-table' });
  const tableBox = scrollBox(table, 'The minibatch, row by row', 'slowmo-scroll');
  const box = h('div', { className: 'slowmo-box', testid: 'slowmo-box', hidden: true, tabIndex: -1 }, [
    stale,
    h('div', { className: 'slowmo-head' }, [stageTitle, dots]),
    stageBox,
    h('div', { className: 'slowmo-maps' }, [
      h('figure', {}, [beforeHolder, beforeCaption]),
      h('figure', {}, [afterHolder, afterCaption]),
    ]),
    tableBox,
    h('div', { className: 'button-row slowmo-nav' }, [prev, next, close]),
  ]);
  stageBox.append(stageText);

  root.append(
    h('h3', { text: 'Slow motion: one training step, taken apart' }),
    h('p', { className: 'help', text: 'Pauses training and takes the chosen student\'s next minibatch apart in seven stages. The step is the real one: training goes on from there with the same numbers.' }),
    h('div', { className: 'controls-row' }, [
      h('div', { className: 'field' }, [h('label', { htmlFor: 'slowmo-method', text: 'Student' }), methodSelect]),
      enter,
    ]),
    status,
    box,
  );

  async function takeStep() {
    if (busy || !app.view) return;
    const m = Number(methodSelect.value);
    busy = true;
    enter.disabled = true;
    next.disabled = true;
    setText(status, 'Taking the step apart...');
    try {
      const s = await app.engine.explainStep(m);
      if (!s) {
        setText(status, 'This student has trained all its epochs: press Reset to start again.');
        return;
      }
      step = { ...s, methodIndex: m };
      stepClock = null; // set by the snapshot that follows the step
      stale.hidden = true;
      stage = 1;
      box.hidden = false;
      setText(status, `${methodLabel(s.method)}, epoch ${s.epoch + 1}, minibatch ${s.batch + 1}: use Next and Previous (or the arrow keys).`);
      show();
      box.focus({ preventScroll: true });
    } catch (e) {
      setText(status, `Slow motion is not available now: ${e.message}`);
    } finally {
      busy = false;
      enter.disabled = !app.view;
      next.disabled = false;
    }
  }

  function go(delta) {
    if (!step) return;
    if (delta > 0 && stage === STAGES) {
      takeStep(); // the next step, from its first stage
      return;
    }
    stage = Math.min(STAGES, Math.max(1, stage + delta));
    show();
  }

  enter.addEventListener('click', takeStep);
  refresh.addEventListener('click', takeStep);
  prev.addEventListener('click', () => go(-1));
  next.addEventListener('click', () => go(1));
  close.addEventListener('click', () => {
    box.hidden = true;
    step = null;
    setText(status, '');
    enter.focus();
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight') go(1);
    else if (e.key === 'ArrowLeft') go(-1);
    else if (e.key === 'Escape') close.click();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });

  /** The stage on screen: its title, text, table columns and map. */
  function show() {
    stageBox.dataset.stage = String(stage);
    setText(stageTitle, `Stage ${stage} of ${STAGES}: ${TITLES[stage - 1]}`);
    [...dots.children].forEach((li, i) => li.classList.toggle('on', i + 1 === stage));
    prev.disabled = stage === 1;
    setText(next, stage === STAGES ? 'Next step \u2192' : 'Next \u2192');
    setText(stageText, explanation());
    afterHolder.hidden = stage !== STAGES;
    afterCaption.hidden = stage !== STAGES;
    setText(beforeCaption, stage === STAGES ? 'before' : 'the student before this step; the minibatch marked');
    buildTable();
    dirty = true;
    app.scheduleDraw();
  }

  const isSlam = () => step.method.startsWith('slam');

  function explanation() {
    const s = step;
    const n = s.rows.length;
    const nL = s.labeled.filter(Boolean).length;
    const wrong = s.rows.filter((_, i) => !s.labeled[i] && teacherWrong(s.teacher_class, s.true_class, i)).length;
    const name = methodLabel(s.method);
    switch (stage) {
      case 1:
        return `${name}'s next ${n} training points: ${nL} from L, with their true labels, and ${n - nL} from U, labelled by the teacher. They are ringed on the map; the rest of the data is faint. Every student sees the same minibatches.`;
      case 2:
        return `The teacher's label for each point (its colour) and its confidence. It is wrong on ${wrong} of the ${n - nL} U points here (crossed): the student cannot see that, the page shows it so you can follow those points.`;
      case 3:
        return `α(x) is SLaM's estimate of the chance the teacher is right at x, fitted on V from the teacher's confidence; faint points are labels SLaM will not trust. k = ${s.k}: when the teacher is wrong, the truth is taken to be among its top ${s.k} classes.${isSlam() ? '' : ` ${name} does not use them; they are shown to compare.`}`;
      case 4:
        return 'The student\'s probabilities for each class before this step (the bars; a point is drawn in the colour of the class it predicts, fainter when unsure).';
      case 5:
        return isSlam()
          ? 'SLaM does not hold f up against the teacher\'s label y. It first passes f through the teacher\'s noise: mix(f) = α f + (1 − α)(1 − f) on the top-k classes. Where α is small, mix(f) can agree with a wrong y while f itself disagrees, so the student is not pushed to copy the mistake. Rows of L compare f with the true label.'
          : `${name} holds f up against its target: the teacher's label on U (the soft probabilities${s.method.endsWith('hard') ? ', here its argmax' : ''}) and the true label on L.`;
      case 6:
        return `Each point's loss, and how hard it pushes the student (the length of the loss's gradient in the logits): the bigger the marker, the harder the push.${isSlam() ? ' Look at the crossed points, where the teacher is wrong: where α(x) is low they push little, and not at all where mix(f) no longer depends on f (α at its floor with k = all classes).' : ' Look at the crossed points, where the teacher is wrong: they push the student towards the wrong label.'}`;
      default: {
        const d = s.test_accuracy_after - s.test_accuracy_before;
        return `The update: the student's map before and after this one minibatch. Test accuracy ${percent(s.test_accuracy_before)}% \u2192 ${percent(s.test_accuracy_after)}% (${d >= 0 ? '+' : '\u2212'}${percent(Math.abs(d))} points). Next takes the following minibatch apart.`;
      }
    }
  }

  /** A probability vector as a stacked bar in the class colours, with the value of class `c`. */
  function probBar(p, c, testid) {
    const bar = h('span', { className: 'prob-bar', attrs: { 'aria-hidden': 'true' } },
      p.map((v, j) => {
        const seg = h('span');
        seg.style.width = `${(100 * v).toFixed(1)}%`;
        seg.style.backgroundColor = classColor(j);
        return seg;
      }));
    return h('td', { className: 'num', dataset: { value: String(p[c]) }, testid }, [bar, h('span', { text: p[c].toFixed(2) })]);
  }

  function buildTable() {
    const s = step;
    const C = s.classes;
    const names = app.view?.overview.class_names ?? [];
    const cls = (c) => {
      const sw = swatch(classColor(c));
      return [sw, String(names[c] ?? c)];
    };
    const head = ['#', 'set'];
    if (stage >= 2) head.push('teacher says', 'conf.', 'teacher right?');
    if (stage >= 3) head.push('α');
    if (stage >= 3 && s.alpha_true) head.push('true α');
    if (stage >= 4) head.push('f (teacher\'s class)');
    if (stage >= 5) head.push(isSlam() ? 'mix(f)' : 'compared', 'target y');
    if (stage >= 6) head.push('loss', 'push');
    const rows = s.rows.map((row, i) => {
      const cells = [h('td', { className: 'num', text: String(i + 1) }), h('td', { text: s.labeled[i] ? 'L' : 'U' })];
      const t = s.teacher_class[i];
      const slice = (a) => a.slice(i * C, (i + 1) * C);
      if (stage >= 2) {
        const classKnown = known(s.true_class, i);
        const right = s.labeled[i] || !classKnown || t === s.true_class[i];
        cells.push(
          h('td', {}, s.labeled[i] ? ['(true label) ', ...cls(s.true_class[i])] : cls(t)),
          h('td', { className: 'num', text: s.teacher_confidence[i].toFixed(2), dataset: { value: String(s.teacher_confidence[i]) } }),
          h('td', { text: s.labeled[i] ? '' : !classKnown ? 'unknown' : right ? 'yes' : 'no \u2716', className: right ? '' : 'bad' }),
        );
      }
      const shown = s.labeled[i] ? s.true_class[i] : t;
      if (stage >= 3) cells.push(h('td', { className: 'num', text: s.alpha[i].toFixed(2), dataset: { value: String(s.alpha[i]) }, testid: `slowmo-alpha-${i}` }));
      if (stage >= 3 && s.alpha_true) cells.push(h('td', { className: 'num', text: s.alpha_true[i].toFixed(2) }));
      if (stage >= 4) cells.push(probBar(slice(s.student), shown, `slowmo-f-${i}`));
      if (stage >= 5) cells.push(probBar(slice(s.compared), shown, `slowmo-compared-${i}`), probBar(slice(s.target), shown, `slowmo-target-${i}`));
      if (stage >= 6) {
        const l = s.loss?.[i];
        const p = s.push?.[i];
        cells.push(
          h('td', { className: 'num', text: l === undefined ? '\u2013' : l.toFixed(3), dataset: { value: String(l ?? '') }, testid: `slowmo-loss-${i}` }),
          h('td', { className: 'num', text: p === undefined ? '\u2013' : p.toFixed(3), dataset: { value: String(p ?? '') }, testid: `slowmo-push-${i}` }),
        );
      }
      return h('tr', { dataset: { row: String(row) } }, cells);
    });
    table.replaceChildren(
      h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, rows),
    );
    if (stage >= 6 && !s.loss) table.append(h('caption', { text: `${methodLabel(s.method)} takes its step its own way: its per-point loss is not recorded.` }));
    if (stage === STAGES) {
      table.append(h('caption', { testid: 'slowmo-accuracy', dataset: { before: String(s.test_accuracy_before), after: String(s.test_accuracy_after) }, text: `Test accuracy ${percent(s.test_accuracy_before)}% \u2192 ${percent(s.test_accuracy_after)}%` }));
    }
  }

  function drawMap(plot, grid) {
    const v = app.view;
    const s = step;
    const { ctx, w, h: hh, proj } = plot.begin(v.bounds);
    const C = s.classes;
    if (grid && grid.length) drawHeatmap(ctx, grid, s.grid_res, C, w, hh);
    const pts = v.arrays.points;
    const n = v.arrays.roles.length;
    const stride = drawStride(n);
    for (let i = 0; i < n; i += stride) {
      marker(ctx, proj.x(pts[2 * i]), proj.y(pts[2 * i + 1]), 'dot', Math.max(1.2, w / 260), 'rgba(60,60,60,0.18)', null);
    }
    const r0 = Math.max(3, w / 90);
    const maxPush = Math.max(1e-6, ...(s.push ?? [0]));
    s.rows.forEach((row, i) => {
      const x = proj.x(pts[2 * row]);
      const y = proj.y(pts[2 * row + 1]);
      const shape = s.labeled[i] ? 'square' : 'dot';
      const t = s.labeled[i] ? s.true_class[i] : s.teacher_class[i];
      const wrong = !s.labeled[i] && teacherWrong(s.teacher_class, s.true_class, i);
      const f = s.student.slice(i * C, (i + 1) * C);
      let fill = '#fff';
      let r = r0;
      if (stage === 2 || stage >= 6) fill = classColor(t);
      if (stage === 3) fill = rgbCss(classRgb(t), 0.15 + 0.85 * Math.max(0, Math.min(1, s.alpha[i])));
      if (stage === 4) {
        const c = f.indexOf(Math.max(...f));
        fill = rgbCss(classRgb(c), 0.25 + 0.75 * f[c]);
      }
      if (stage === 5) {
        const m = s.compared.slice(i * C, (i + 1) * C);
        const c = m.indexOf(Math.max(...m));
        fill = rgbCss(classRgb(c), 0.25 + 0.75 * m[c]);
      }
      if (stage === 6 && s.push) r = r0 * (0.8 + 1.6 * Math.sqrt(s.push[i] / maxPush));
      marker(ctx, x, y, shape, r, fill, '#000', 1.4);
      if (wrong && stage >= 2) marker(ctx, x, y, 'cross', r * 0.6, null, '#000', 1.2);
    });
    plot.end(ctx);
  }

  function fillMethods(view) {
    const methods = view.overview.methods;
    const current = step ? step.method : methodSelect.selectedOptions[0]?.dataset.name ?? 'slam';
    methodSelect.replaceChildren(...methods.map((m, i) => {
      const o = new Option(methodLabel(m), String(i));
      o.dataset.name = m;
      return o;
    }));
    const keep = methods.indexOf(current);
    methodSelect.value = String(keep >= 0 ? keep : Math.max(0, methods.indexOf('slam')));
  }

  return {
    onBuilt(view) {
      fillMethods(view);
      // A new session: the step on screen belonged to the old one.
      step = null;
      box.hidden = true;
      setText(status, '');
      enter.disabled = false;
    },
    onSnapshot(snap) {
      if (!step || busy) return;
      const moving = snap.playing || snap.stepping !== null;
      if (stepClock === null && !moving) {
        stepClock = snap.epoch;
        return;
      }
      if (moving || snap.epoch !== stepClock) {
        setText(staleText, `This was the step of epoch ${step.epoch + 1}, minibatch ${step.batch + 1}; training has gone on since${snap.playing ? '' : ` (now at epoch ${snap.epoch})`}.`);
        stale.hidden = false;
      }
    },
    draw() {
      if (!dirty || !step || box.hidden || !app.view) return;
      dirty = false;
      drawMap(beforePlot, step.grid_before);
      if (stage === STAGES) drawMap(afterPlot, step.grid_after);
    },
    onResize() {
      dirty = true;
    },
  };
}
