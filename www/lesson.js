// The guided tour: a walk through the panels. Each step sets up the scenario it talks about, names the
// element it is about and brings it into view beside the tour (never under it), and says what the run
// on screen shows: its words are rebuilt from the run as it goes (lesson-steps.js, lesson-facts.js).
//
// Where the tour sits: at 1,100 px and wider, a column at the right that the page makes room for; on
// narrower screens a bottom sheet of at most about 45% of the height whose title and Back / Next are
// always visible (its text scrolls), with the page scrolled so the step's element is above it. The
// point card shares the same column or sheet (app/side.js).

import { h, formula } from './dom.js';
import { defaultState } from './state.js';
import { STEPS } from './lesson-steps.js';
import { runFacts, seedFacts } from './lesson-facts.js';

export { STEPS };

export function createLesson(app) {
  const box = document.getElementById('lesson');
  const title = document.getElementById('lesson-title');
  const text = document.getElementById('lesson-text');
  const count = document.getElementById('lesson-count');
  const prev = document.getElementById('lesson-prev');
  const next = document.getElementById('lesson-next');
  const close = document.getElementById('lesson-close');
  let step = 0;
  let shown = ''; // the text on screen, so a snapshot that changes nothing redraws nothing
  let seedsAsked = null; // the setting key a step's multi-seed run was started for

  /** The step's words for the run on screen (null before the step's session is built). */
  function paragraphs(s) {
    const v = app.view;
    if (!v || app.state.scenario !== s.setup.scenario) return null;
    const f = runFacts(v, app.snap);
    const seeds = s.seeds ? app.seedsReport?.() : null;
    const sf = seeds && seeds.complete && seeds.key === app.settingKey() ? seedFacts(seeds.report) : null;
    return s.text({ f, s: sf, run: s.seeds ? app.seedsRunning?.() : null });
  }

  /** Rebuilds the step's text from the run (a snapshot, a build, a finished multi-seed run). */
  function render() {
    if (!step) return;
    const s = STEPS[step - 1];
    const ps = paragraphs(s) ?? ['Setting up this step…'];
    const key = JSON.stringify(ps);
    if (key === shown) return;
    shown = key;
    text.replaceChildren(...ps.map((t) => h('p', { text: t })), h('p', { className: 'formula-line' }, formula(s.formula)));
    box.dataset.ready = String(paragraphs(s) !== null);
  }

  /** The step's element, brought into view: beside the column, or above the sheet. */
  function reveal(s) {
    const el = document.querySelector(s.target) ?? document.getElementById(s.panel);
    if (!el) return;
    const bar = document.getElementById('transport').getBoundingClientRect().bottom;
    const r = el.getBoundingClientRect();
    const sheet = app.side.sheetTop(); // the top of the bottom sheet, or the viewport's height
    const room = sheet - bar;
    // Its top just under the transport bar; centred in the room left when it is small.
    const offset = r.height < room ? Math.max(8, (room - r.height) / 2) : 8;
    window.scrollBy({ top: r.top - bar - offset, behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  }

  function show(n) {
    step = Math.max(1, Math.min(STEPS.length, n));
    const s = STEPS[step - 1];
    box.hidden = false;
    app.side.changed();
    count.textContent = `Step ${step} of ${STEPS.length}`;
    title.textContent = s.title;
    shown = '';
    render();
    text.scrollTop = 0;
    prev.disabled = step === 1;
    // Back disabled under the keyboard's focus would drop it to the page: it moves to Next.
    if (prev.disabled && document.activeElement === prev) next.focus({ preventScroll: true });
    next.textContent = step === STEPS.length ? 'Finish' : 'Next';
    for (const el of document.querySelectorAll('.lesson-focus')) el.classList.remove('lesson-focus');
    document.getElementById(s.panel)?.classList.add('lesson-focus');

    // Set up the scenario this step is about; keep the running session when it is already that.
    const st = app.state;
    const over = s.setup.config ?? {};
    const same = st.scenario === s.setup.scenario && JSON.stringify(st.over) === JSON.stringify(over) && st.points.length === 0 && !app.csv;
    if (same) {
      app.setPageKey('lesson', step);
      if (s.autoplay && !app.snap?.playing) {
        if (app.snap?.finished || (app.snap?.epoch ?? 0) > 0) app.engine.send({ type: 'reset' });
        app.play();
      }
      startSeeds(s);
    } else {
      app.clearError();
      app.csv = null;
      app.setState({ ...defaultState(s.setup.scenario), over: { ...over }, speed: st.speed, seeds: s.seeds ?? st.seeds, lesson: step }, { autoplay: Boolean(s.autoplay) });
    }
    requestAnimationFrame(() => reveal(s));
  }

  /** A step about a mean over seeds runs them (in panel 6's pool) once its session is on screen. */
  function startSeeds(s) {
    if (!s.seeds || !app.view) return;
    const key = app.settingKey();
    const have = app.seedsReport?.();
    if (have?.key === key && have.complete) return;
    if (seedsAsked === key && app.seedsRunning?.()) return;
    seedsAsked = key;
    if (app.state.seeds !== s.seeds) app.setPageKey('seeds', s.seeds);
    app.runSeeds?.();
  }

  function stop() {
    box.hidden = true;
    app.side.changed();
    for (const el of document.querySelectorAll('.lesson-focus')) el.classList.remove('lesson-focus');
    step = 0;
    app.setPageKey('lesson', 0);
  }

  prev.addEventListener('click', () => show(step - 1));
  next.addEventListener('click', () => (step >= STEPS.length ? stop() : show(step + 1)));
  close.addEventListener('click', stop);
  // Escape closes the tour from any step, wherever the focus is (a select's own Escape excepted).
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || box.hidden || e.defaultPrevented) return;
    if (e.target instanceof HTMLSelectElement) return;
    const inside = box.contains(document.activeElement);
    stop();
    if (inside) document.getElementById('lesson-start')?.focus({ preventScroll: true });
  });

  // The words follow the run: a new session, every snapshot, a multi-seed run's progress and end.
  app.panels.push({
    onBuilt() {
      if (!step) return;
      render();
      const s = STEPS[step - 1];
      if (app.state.scenario === s.setup.scenario) {
        startSeeds(s);
        requestAnimationFrame(() => reveal(s));
      }
    },
    onSnapshot: render,
  });
  app.lessonRender = render;

  return {
    start(n = 1) {
      show(n);
      next.focus({ preventScroll: true });
    },
    stop,
    get step() {
      return step;
    },
  };
}
