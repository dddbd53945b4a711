// Predict, then reveal. Exercise 1: before seeing the mixing weights, the learner marks the points
// where they believe the teacher is wrong (drag a brush, tap a point, or move a cursor with the arrow
// keys and press Space); Reveal shows the teacher's real mistakes and the points SLaM's alpha
// distrusts, and scores both. Exercise 2: which student ends better here, vanilla or SLaM? Answered
// before training, checked when the run ends. Scores stay in this page.
//
// The learner's marks, whether they revealed, and their guess are kept in this browser (not in the
// link: a shared link must not carry someone's answers) for the teacher labels they were made on
// (the engine's labels_id): a reload brings them back, a rebuild of the same labels keeps them, and
// new labels start the exercise afresh, answers hidden again.

import { h, setText, percent } from '../dom.js';
import { classColor } from '../palette.js';
import { PlanePlot } from '../charts/scatter.js';
import { marker, drawStride } from '../charts/plane.js';
import { scoreMarks } from '../exercise.js';
import { teacherWrong } from '../truth.js';

export function createPredictExercise(app, root) {
  let active = false;
  let revealed = false;
  let marked = new Set();
  let dirty = false;
  let cursor = null; // keyboard brush centre, in pixels
  let guess = null; // exercise 2: 'vanilla' | 'slam'
  let guessGen = null; // the session the guess was made for
  let exerciseLabels = null; // the teacher labels (labels_id) the marks are about

  const start = h('button', { type: 'button', text: 'Spot the mistakes yourself first', testid: 'predict-start' });
  const reveal = h('button', { type: 'button', text: 'Reveal the truth and SLaM\'s answer', testid: 'predict-reveal', disabled: true });
  const clear = h('button', { type: 'button', className: 'small', text: 'Clear my marks' });
  const close = h('button', { type: 'button', className: 'small', text: 'Close the exercise' });
  const count = h('span', { className: 'help', testid: 'predict-count', attrs: { 'aria-live': 'polite' } });
  const holder = h('div', { className: 'plot-holder' });
  const plot = new PlanePlot(holder, { ariaLabel: 'The unlabeled points in the colour of the teacher\'s label; your marks ringed. Arrow keys move the brush, Space marks under it.', maxSize: 460 });
  plot.canvas.tabIndex = 0;
  // While the learner marks points, a click marks; it does not select a point to follow.
  app.pickHandlers?.set(plot.canvas, () => !active || revealed);
  plot.canvas.classList.add('clickable');
  const score = h('div', { className: 'predict-score', testid: 'predict-score', hidden: true });
  const box = h('div', { className: 'predict-box', hidden: true }, [
    h('p', { className: 'help', text: 'Each dot is an unlabeled point in the colour of the teacher\'s label; squares are L with their true labels. Drag over the points you think the teacher got wrong (drag again over marked points to unmark), tap one, or use the arrow keys and Space. The other plots on the page are blurred until you reveal.' }),
    holder,
    h('div', { className: 'button-row' }, [reveal, clear, close, count]),
    score,
  ]);

  const vanillaGuess = h('input', { type: 'radio', name: 'predict-winner', id: 'predict-vanilla', value: 'vanilla', testid: 'predict-vanilla' });
  const slamGuess = h('input', { type: 'radio', name: 'predict-winner', id: 'predict-slam', value: 'slam', testid: 'predict-slam' });
  const verdict = h('p', { className: 'help', testid: 'predict-verdict', attrs: { 'aria-live': 'polite' } });
  const winnerBox = h('fieldset', { className: 'predict-winner' }, [
    h('legend', { text: 'Before you press Play: which student will end with the better test accuracy here?' }),
    h('span', {}, [vanillaGuess, h('label', { htmlFor: 'predict-vanilla', text: ' vanilla' })]),
    h('span', {}, [slamGuess, h('label', { htmlFor: 'predict-slam', text: ' SLaM' })]),
    verdict,
  ]);

  root.append(
    h('h3', { text: 'Predict, then reveal' }),
    h('p', { className: 'help', text: 'The student only sees the teacher\'s labels. Where would you distrust them? Mark them before looking at the mixing weights below, then compare with the truth and with SLaM.' }),
    start,
    box,
    winnerBox,
  );

  /** While marking, every read-out that would give the answer away is hidden (the point card too). */
  const inExercise = (on) => {
    document.body.classList.toggle('predicting', on);
    app.refreshPointCard?.();
  };

  const STORE = 'slam-lab.predict';
  /** The exercise as it stands, for the labels on screen (one exercise is kept: the latest). */
  function save() {
    if (!app.view) return;
    const entry = { labels: app.view.overview.labels_id, active, revealed, marked: [...marked], guess };
    try {
      localStorage.setItem(STORE, JSON.stringify(entry));
    } catch {
      // Storage may be off (private mode, full): the exercise works, it is only not kept.
    }
  }

  /** The kept exercise if it was made on the labels on screen, else null. */
  function kept() {
    try {
      const e = JSON.parse(localStorage.getItem(STORE) ?? 'null');
      if (!e || e.labels !== app.view?.overview.labels_id || !Array.isArray(e.marked)) return null;
      const rows = app.view.arrays.roles.length;
      return { ...e, marked: e.marked.filter((i) => Number.isInteger(i) && i >= 0 && i < rows) };
    } catch {
      return null;
    }
  }

  /** No marks, nothing revealed: the exercise from its start. */
  function clearMarks() {
    marked = new Set();
    revealed = false;
    score.hidden = true;
    reveal.disabled = false;
    inExercise(true);
    updateCount();
    dirty = true;
    app.scheduleDraw();
  }

  start.addEventListener('click', () => {
    if (!app.view) return;
    active = true;
    box.hidden = false;
    start.disabled = true;
    clearMarks();
    plot.canvas.focus({ preventScroll: true });
  });
  close.addEventListener('click', () => {
    active = false;
    box.hidden = true;
    start.disabled = false;
    inExercise(false);
    save();
  });
  clear.addEventListener('click', clearMarks);
  reveal.addEventListener('click', () => {
    revealed = true;
    reveal.disabled = true;
    inExercise(false);
    showScore();
    save();
    dirty = true;
    app.scheduleDraw();
  });

  function updateCount() {
    setText(count, `${marked.size} point${marked.size === 1 ? '' : 's'} marked`);
    box.dataset.marked = String(marked.size);
    save();
  }

  /** U's rows within `radius` pixels of (px, py). */
  function rowsNear(px, py, radius) {
    const roles = app.view.arrays.roles;
    const out = [];
    plot.forEachNear(app.view.arrays.points, px, py, radius, (i) => {
      if (roles[i] === 2) out.push(i);
    });
    return out;
  }

  /** A stroke starting at (px, py) unmarks when every point under the brush is marked, else marks. */
  function modeAt(px, py) {
    const near = rowsNear(px, py, brush());
    return near.length && near.every((i) => marked.has(i)) ? 'unmark' : 'mark';
  }

  const brush = () => Math.max(8, plot.w / 28);
  let painting = null; // 'mark' | 'unmark' while a pointer is down

  function paint(px, py, mode) {
    if (revealed) return;
    for (const i of rowsNear(px, py, brush())) {
      if (mode === 'mark') marked.add(i);
      else marked.delete(i);
    }
    updateCount();
    dirty = true;
    app.scheduleDraw();
  }

  plot.canvas.addEventListener('pointerdown', (event) => {
    if (!active || revealed) return;
    const [px, py] = plot.eventToPixel(event);
    painting = modeAt(px, py);
    plot.canvas.setPointerCapture?.(event.pointerId);
    paint(px, py, painting);
  });
  plot.canvas.addEventListener('pointermove', (event) => {
    if (!painting) return;
    const [px, py] = plot.eventToPixel(event);
    paint(px, py, painting);
  });
  const endPaint = () => {
    painting = null;
  };
  plot.canvas.addEventListener('pointerup', endPaint);
  plot.canvas.addEventListener('pointercancel', endPaint);
  plot.canvas.addEventListener('keydown', (event) => {
    if (!active) return;
    const step = plot.w / 25;
    cursor ??= [plot.w / 2, plot.h / 2];
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      cursor = [Math.min(plot.w, Math.max(0, cursor[0] + moves[event.key][0])), Math.min(plot.h, Math.max(0, cursor[1] + moves[event.key][1]))];
    } else if (event.key === ' ' || event.key === 'Enter') {
      paint(cursor[0], cursor[1], modeAt(cursor[0], cursor[1]));
    } else return;
    event.preventDefault();
    dirty = true;
    app.scheduleDraw();
  });

  function showScore() {
    const v = app.view;
    const s = scoreMarks({ marked, ...v.arrays, floor: v.overview.alpha_floor });
    const row = (who, r, testid) => h('tr', { testid, dataset: { marked: String(r.marked), found: String(r.found), falseAlarms: String(r.falseAlarms) } }, [
      h('th', { scope: 'row', text: who }),
      h('td', { className: 'num', text: `${r.found} of ${s.mistakes} (${percent(r.found / Math.max(1, s.mistakes))}%)` }),
      h('td', { className: 'num', text: `${r.falseAlarms} of ${r.marked}` }),
    ]);
    const better = s.learner.found - s.learner.falseAlarms > s.slam.found - s.slam.falseAlarms;
    score.replaceChildren(
      h('table', { className: 'score-table' }, [
        h('thead', {}, h('tr', {}, [h('th', { text: '' }), h('th', { scope: 'col', text: 'teacher mistakes found' }), h('th', { scope: 'col', text: 'false alarms (the teacher was right)' })])),
        h('tbody', {}, [row('you', s.learner, 'predict-score-you'), row(`SLaM (α at its floor, ${v.overview.alpha_floor.toFixed(2)})`, s.slam, 'predict-score-slam')]),
      ]),
      h('p', { className: 'help', text: `The teacher is wrong on ${s.mistakes} of the ${s.unlabeled} unlabeled points (crossed on the plot). SLaM's α comes from the teacher's confidence, fitted on V's ${v.overview.sizes[1]} labelled points; the points it distrusts are ringed in dashes. ${better ? 'You did better than SLaM\'s α here: more mistakes found for the false alarms.' : 'SLaM\'s α did at least as well as you here.'} Open panel 3 and colour the points by the true label to see where they are.` }),
    );
    score.hidden = false;
  }

  function draw() {
    const v = app.view;
    const { ctx, w, proj } = plot.begin(v.bounds);
    const { points, labels, teacherLabels, roles, alpha } = v.arrays;
    const n = roles.length;
    const stride = drawStride(n);
    const r = Math.max(2.2, w / 150);
    const floor = v.overview.alpha_floor;
    for (let i = 0; i < n; i += stride) {
      if (roles[i] !== 2 || marked.has(i)) continue;
      marker(ctx, proj.x(points[2 * i]), proj.y(points[2 * i + 1]), 'dot', r, classColor(teacherLabels[i]), null);
    }
    // Marked points are all drawn, whatever the stride: they are the learner's answer.
    for (const i of marked) marker(ctx, proj.x(points[2 * i]), proj.y(points[2 * i + 1]), 'dot', r * 1.25, classColor(teacherLabels[i]), '#000', 1.3);
    for (let i = 0; i < n; i++) {
      if (roles[i] !== 0) continue;
      marker(ctx, proj.x(points[2 * i]), proj.y(points[2 * i + 1]), 'square', r * 1.4, classColor(labels[i]), '#000', 1.2);
    }
    if (revealed) {
      for (let i = 0; i < n; i += stride) {
        if (roles[i] !== 2) continue;
        const x = proj.x(points[2 * i]);
        const y = proj.y(points[2 * i + 1]);
        if (alpha[i] <= floor + 1e-6) {
          ctx.save();
          ctx.setLineDash([3, 2]);
          marker(ctx, x, y, 'dot', r * 1.9, null, 'rgba(80,80,80,0.55)', 0.8);
          ctx.restore();
        }
        if (teacherWrong(teacherLabels, labels, i)) marker(ctx, x, y, 'cross', r * 0.9, null, '#000', 1.1);
      }
    }
    if (cursor && !revealed && document.activeElement === plot.canvas) {
      ctx.save();
      ctx.setLineDash([4, 3]);
      marker(ctx, cursor[0], cursor[1], 'dot', brush(), null, '#0b6bcb', 1.5);
      ctx.restore();
    }
    plot.end(ctx);
  }
  plot.canvas.addEventListener('focus', () => {
    dirty = true;
    app.scheduleDraw();
  });

  // Exercise 2: the guess, and the verdict once the run ends.
  for (const input of [vanillaGuess, slamGuess]) {
    input.addEventListener('change', () => {
      guess = input.value;
      guessGen = app.view?.gen ?? null;
      save();
      setText(verdict, `You said ${guess === 'slam' ? 'SLaM' : 'vanilla'}. Press Play; the answer comes when the run ends.`);
    });
  }

  function judge(snap) {
    if (!guess || !snap.finished || guessGen !== app.view?.gen) return;
    const last = (m) => snap.metrics?.[m]?.at(-1)?.test_accuracy;
    const van = last('vanilla');
    const sl = last('slam');
    if (typeof van !== 'number' || typeof sl !== 'number') {
      setText(verdict, 'This run has no vanilla or no SLaM student: tick both under Methods to check your guess.');
      return;
    }
    const winner = sl > van ? 'slam' : van > sl ? 'vanilla' : 'tie';
    verdict.dataset.winner = winner;
    const told = `SLaM ${percent(sl)}%, vanilla ${percent(van)}% after ${snap.epoch} epochs`;
    setText(verdict, winner === 'tie' ? `A tie: ${told}.` : `${winner === guess ? 'Right' : 'Not this time'}: ${told}. One seed can be lucky: panel 6 runs many.`);
  }

  /** While the run goes on, the verdict says it is waiting for it. */
  function waiting(snap) {
    if (!guess || snap.finished || guessGen !== app.view?.gen || verdict.dataset.winner) return;
    const who = guess === 'slam' ? 'SLaM' : 'vanilla';
    setText(verdict, snap.playing || snap.epoch > 0 ? `You said ${who}. Training… epoch ${snap.epoch} of ${app.view.overview.epochs}; the answer comes when the run ends.` : `You said ${who}. Press Play; the answer comes when the run ends.`);
  }

  return {
    onBuilt() {
      const labels = app.view.overview.labels_id;
      if (labels !== exerciseLabels) {
        // Other teacher labels (or other rows): the marks were answers about other mistakes. The
        // kept exercise for these labels comes back (a reload), else an open exercise starts again
        // on the new labels, answers hidden.
        exerciseLabels = labels;
        const k = kept();
        active = k ? Boolean(k.active) : active;
        revealed = Boolean(k?.revealed);
        marked = new Set(k?.marked ?? []);
        guess = k?.guess === 'vanilla' || k?.guess === 'slam' ? k.guess : null;
        vanillaGuess.checked = guess === 'vanilla';
        slamGuess.checked = guess === 'slam';
        setText(verdict, guess ? `You said ${guess === 'slam' ? 'SLaM' : 'vanilla'}. Press Play; the answer comes when the run ends.` : '');
        guessGen = guess ? app.view.gen : null;
        box.hidden = !active;
        start.disabled = active;
        reveal.disabled = !active || revealed;
        score.hidden = true;
        if (active && revealed) showScore();
        inExercise(active && !revealed);
        updateCount();
      } else if (guessGen !== null) {
        guessGen = app.view.gen; // the same labels (say, another method list): the guess still stands
      }
      dirty = true;
    },
    onSnapshot(snap) {
      if (!snap.finished) delete verdict.dataset.winner;
      waiting(snap);
      judge(snap);
    },
    draw() {
      if (!dirty || !active || !app.view) return;
      dirty = false;
      draw();
    },
    onResize() {
      dirty = true;
    },
  };
}
