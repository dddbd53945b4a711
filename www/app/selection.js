// One point, followed everywhere. Clicking (or tapping) a point on any plane plot selects it: it is
// ringed on every map, its card shows what the teacher, SLaM and every student make of it, with each
// student's predicted class epoch by epoch, and the link keeps it (`sel`). Hovering shows a preview
// without selecting; the card's buttons step through the points with the keyboard.

import { h, setText, swatch } from '../dom.js';
import { classColor, methodLabel } from '../palette.js';
import { PlanePlot, planeHooks } from '../charts/scatter.js';
import { marker } from '../charts/plane.js';
import { UNKNOWN, known, teacherWrong } from '../truth.js';

const PICK_PX = 12;
const ROLE_NAMES = ['L (labeled)', 'V (validation)', 'U (unlabeled)', 'T (test)'];

/** Adds app.select(row | null) and app.selectedRow(); `engine` carries the watch to the worker. */
export function installSelection(app, engine) {
  app.point = null; // the worker's {row, facts, history} for the followed point
  app.selectedRow = () => (app.state?.sel >= 0 ? app.state.sel : null);

  // Plots where a click already means something else ask first (the labels plot adds points).
  app.pickHandlers = new Map(); // canvas -> () => boolean (true: this click selects)

  const card = h('aside', { className: 'point-card', testid: 'point-card', hidden: true, attrs: { 'aria-label': 'The selected point', 'aria-live': 'polite' } });
  const tip = h('div', { className: 'point-tip', testid: 'point-tip', attrs: { role: 'tooltip' }, hidden: true });
  // The card sits with the tour, beside the page or in the sheet below it (app/side.js).
  app.side.element.append(card);
  document.body.append(tip);

  /** The rows (engine's data_id) the selection belongs to; null: not known yet (a link's `sel`). */
  let selectedOn = null;

  app.select = (row) => {
    const sel = row === null || row === undefined ? -1 : row;
    if (sel === app.state.sel) return;
    selectedOn = sel >= 0 ? app.view?.overview.data_id ?? null : null;
    app.setPageKey('sel', sel);
    sendWatch();
    repaint();
  };

  function sendWatch() {
    engine.send({ type: 'watch', row: app.selectedRow() });
    if (app.selectedRow() === null) {
      app.point = null;
      for (const p of app.panels) p.onPoint?.(null);
      renderCard();
    }
  }

  function repaint() {
    for (const p of app.panels) p.onResize?.();
    app.scheduleDraw();
  }

  engine.on('point', (msg) => {
    if (app.view && msg.gen !== app.view.gen) return;
    takePoint(msg.point);
  });

  app.onPointSnapshot = (point) => takePoint(point);

  function takePoint(point) {
    const row = app.selectedRow();
    if (point === undefined) return;
    if (row !== null && !point) {
      // The link's point is not in this data.
      app.notice(`Point ${row} is not in this data: nothing is selected.`);
      app.setPageKey('sel', -1);
    }
    app.point = point && point.row === app.selectedRow() ? point : null;
    for (const p of app.panels) p.onPoint?.(app.point);
    renderCard();
  }

  /** The nearest point within PICK_PX of the event, or null. */
  function pick(plot, event) {
    const v = app.view;
    if (!v || !plot.proj) return null;
    const [px, py] = plot.eventToPixel(event);
    let best = null;
    let bestD = Infinity;
    plot.forEachNear(v.arrays.points, px, py, PICK_PX, (i, d) => {
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  }

  function attach(plot) {
    if (plot.canvas.dataset.picking) return;
    plot.canvas.dataset.picking = '1';
    plot.canvas.addEventListener('click', (event) => {
      const decide = app.pickHandlers.get(plot.canvas);
      if (decide && !decide()) return;
      const row = pick(plot, event);
      if (row !== null) app.select(row);
    });
    plot.canvas.addEventListener('pointermove', (event) => {
      if (event.pointerType === 'touch') return;
      const row = pick(plot, event);
      if (row === null) {
        tip.hidden = true;
        return;
      }
      const a = app.view.arrays;
      const names = app.view.overview.class_names;
      const truth = answersHidden() ? '' : known(a.labels, row) ? `true class ${names[a.labels[row]]}; ` : 'class unknown; ';
      setText(tip, `point ${row}: ${ROLE_NAMES[a.roles[row]]}; ${truth}teacher says ${names[a.teacherLabels[row]]} (${(100 * a.teacherConfidence[row]).toFixed(0)}%). Click to follow it.`);
      tip.style.left = `${Math.min(window.innerWidth - 260, event.clientX + 14)}px`;
      tip.style.top = `${event.clientY + 14}px`;
      tip.hidden = false;
    });
    plot.canvas.addEventListener('pointerleave', () => {
      tip.hidden = true;
    });
  }
  for (const plot of PlanePlot.all) attach(plot);
  planeHooks.created = attach;

  // The ring on every plot.
  planeHooks.drawn = (plot, ctx) => {
    const row = app.selectedRow();
    const v = app.view;
    if (row === null || !v || row >= v.arrays.roles.length || !plot.proj) return;
    const x = plot.proj.x(v.arrays.points[2 * row]);
    const y = plot.proj.y(v.arrays.points[2 * row + 1]);
    const r = Math.max(7, plot.w / 40);
    marker(ctx, x, y, 'dot', r + 2, null, '#fff', 4);
    marker(ctx, x, y, 'dot', r, null, '#000', 2);
  };

  /** Predict-then-reveal is asking the learner: nothing may say where the teacher is wrong. */
  const answersHidden = () => document.body.classList.contains('predicting');
  app.refreshPointCard = () => renderCard();

  // The card.
  function renderCard() {
    const row = app.selectedRow();
    const v = app.view;
    if (row === null || !v) {
      card.hidden = true;
      delete card.dataset.point;
      app.side.changed();
      return;
    }
    card.hidden = false;
    card.dataset.point = String(row);
    app.side.changed();
    const names = v.overview.class_names;
    const classTag = (c) => h('span', { className: 'class-tag' }, [swatch(classColor(c)), String(names[c] ?? c)]);
    const f = app.point?.facts;
    const a = v.arrays;
    const trueClass = f?.true_class ?? a.labels[row];
    const teacherClass = f?.teacher_class ?? a.teacherLabels[row];
    const unknownClass = trueClass === UNKNOWN;
    const wrong = teacherClass !== trueClass;
    const hidden = answersHidden();
    const sure = ` ${(100 * (f?.teacher_confidence ?? a.teacherConfidence[row])).toFixed(1)}% sure`;
    const rows = [
      ['set', ROLE_NAMES[a.roles[row]]],
      ...(hidden ? [] : [['true class', unknownClass ? 'unknown (the file gives none)' : classTag(trueClass)]]),
      ['teacher says', [classTag(teacherClass), hidden || unknownClass ? sure : `${sure}${wrong ? ', wrong' : ', right'}`]],
    ];
    if (hidden) {
      card.dataset.hidden = 'answers';
      card.replaceChildren(
        h('div', { className: 'point-head' }, [h('strong', { text: `Point ${row}` })]),
        h('dl', { className: 'point-facts' }, rows.flatMap(([k, val]) => [h('dt', { text: k }), h('dd', {}, val)])),
        h('p', { className: 'help', text: 'The truth, SLaM\'s trust and the students\' answers for this point are hidden until you reveal them in the exercise.' }),
      );
      return;
    }
    delete card.dataset.hidden;
    if (f) {
      rows.push(['alpha (SLaM\'s trust)', h('span', { testid: 'point-alpha', dataset: { value: String(f.alpha) }, text: f.alpha.toFixed(3) })]);
      if (f.alpha_true !== null && f.alpha_true !== undefined) rows.push(['true alpha', f.alpha_true.toFixed(3)]);
      rows.push(['k', String(f.k)]);
    }
    const facts = h('dl', { className: 'point-facts' }, rows.flatMap(([k, val]) => [h('dt', { text: k }), h('dd', {}, val)]));
    const methods = v.overview.methods;
    const students = h('table', { className: 'point-students' }, [
      h('thead', {}, h('tr', {}, [h('th', { text: 'student' }), h('th', { text: 'now' }), h('th', { text: 'epoch by epoch' })])),
      h('tbody', {}, methods.map((m, i) => {
        const hist = app.point?.history?.[i] ?? [];
        const now = f?.predicted?.[i];
        return h('tr', { testid: `point-method-${m}`, dataset: { predicted: now === undefined ? '' : String(now) } }, [
          h('th', { scope: 'row', text: methodLabel(m) }),
          h('td', {}, now === undefined ? '–' : [classTag(now), ` ${(100 * f.probs[i][now]).toFixed(0)}%`]),
          h('td', {}, [strip(hist), h('span', { className: 'help', text: story(hist, trueClass, teacherClass) })]),
        ]);
      })),
    ]);
    const close = h('button', { type: 'button', className: 'small', text: '\u00d7', attrs: { 'aria-label': 'Stop following this point' } });
    close.addEventListener('click', () => app.select(null));
    const nextWrong = h('button', { type: 'button', className: 'small', text: 'Next point the teacher gets wrong', testid: 'point-next-wrong' });
    nextWrong.addEventListener('click', () => app.followNextMistake());
    card.replaceChildren(
      h('div', { className: 'point-head' }, [h('strong', { text: `Point ${row}` }), close]),
      facts,
      students,
      h('div', { className: 'button-row' }, [nextWrong]),
    );
  }

  /** Selects the next point the teacher gets wrong (the first one when none is selected). */
  app.followNextMistake = () => {
    if (app.view) app.select(nextMistake(app.selectedRow() ?? -1));
  };

  /** The next U row after `row` whose teacher label is wrong (wrapping), for keyboard selection. */
  function nextMistake(row) {
    const a = app.view.arrays;
    const n = a.roles.length;
    for (let k = 1; k <= n; k++) {
      const i = (((row + k) % n) + n) % n;
      if (a.roles[i] === 2 && teacherWrong(a.teacherLabels, a.labels, i)) return i;
    }
    return row >= 0 ? row : null;
  }

  /** A strip of cells, one per epoch, in the colour of the class predicted then. */
  function strip(hist) {
    const n = hist.length;
    const c = h('canvas', { className: 'point-strip', attrs: { 'aria-hidden': 'true' } });
    const w = 120;
    c.width = w * 2;
    c.height = 20;
    c.style.width = `${w}px`;
    c.style.height = '10px';
    const ctx = c.getContext('2d');
    for (let e = 0; e < n; e++) {
      if (hist[e] === null || hist[e] === undefined) continue;
      ctx.fillStyle = classColor(hist[e]);
      ctx.fillRect(Math.floor((e / n) * c.width), 0, Math.ceil(c.width / n), c.height);
    }
    return c;
  }

  /**
   * "changed its mind once (epoch 4)", "… 10 times (epochs 2, 3, 5, …, 22, 24, 28)": the count and
   * every epoch, shortened with an ellipsis only past eight.
   */
  function mindChanges(epochs) {
    const n = epochs.length;
    const shown = n <= 8 ? epochs.join(', ') : `${epochs.slice(0, 3).join(', ')}, …, ${epochs.slice(-3).join(', ')}`;
    return `changed its mind ${n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`} (epoch${n === 1 ? '' : 's'} ${shown})`;
  }

  /** What a student's history says about this point: when it changed its mind, and whether it copies the teacher's mistake. */
  function story(hist, truth, teacher) {
    const known = hist.map((c, e) => [e, c]).filter(([, c]) => c !== null && c !== undefined);
    if (!known.length) return '';
    const changes = [];
    for (let k = 1; k < known.length; k++) if (known[k][1] !== known[k - 1][1]) changes.push(known[k][0]);
    const [lastEpoch, last] = known[known.length - 1];
    const parts = [];
    if (changes.length) parts.push(mindChanges(changes));
    // Before any training the class is the initial weights', not something learned.
    if (lastEpoch === 0) parts.push('not trained yet');
    else if (teacher !== truth) parts.push(last === teacher ? 'copies the teacher\'s mistake' : last === truth ? 'right where the teacher is wrong' : '');
    return ` ${parts.filter(Boolean).join('; ')}`;
  }

  return {
    /**
     * A new session: the followed row is sent again (the worker forgets it with the old session),
     * unless the rows changed (another dataset, seed or upload), where the same row number is
     * another point: then nothing is followed, and the learner is told.
     */
    onBuilt() {
      app.point = null;
      const id = app.view.overview.data_id;
      const row = app.selectedRow();
      if (row !== null && selectedOn !== null && selectedOn !== id) {
        app.notice(`The point you followed (row ${row}) was in the data before this change: nothing is followed now.`);
        app.setPageKey('sel', -1);
      }
      selectedOn = app.selectedRow() !== null ? id : null;
      sendWatch();
      renderCard();
    },
  };
}
