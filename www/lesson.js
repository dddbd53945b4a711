// Lesson mode: a guided walk through the six panels. Each step sets up the scenario it talks about,
// points at its panel, and says it in plain words first, the formula second.

import { h, formula } from './dom.js';
import { defaultState } from './state.js';

/** The steps. `setup`: {scenario, over} the page switches to (kept when already there). */
export const STEPS = [
  {
    panel: 'panel-scenario',
    title: 'A student, a teacher, and very few labels',
    setup: { scenario: 'flagship' },
    text: [
      'Two interleaving half-moons, two classes. Only 30 points come with their true class (L, the squares). Three hundred more (V) are kept aside to check the teacher. The remaining 1,920 (U) have no label at all.',
      'A teacher labels U, and a small student network learns from L plus the teacher\'s labels on U. That is distillation with unlabeled examples.',
    ],
    formula: 'student loss = Σ over L of CE(true label, f) + Σ over U of CE(teacher label, f)',
  },
  {
    panel: 'panel-teacher',
    title: 'The teacher is wrong about one part of the data',
    setup: { scenario: 'flagship' },
    text: [
      'This teacher is synthetic: it knows the truth but lies in one region, about 20% of the points overall. In real life a teacher trained on few labels fails the same way: in patches, not at random.',
      'The confusion matrix counts on U how often each true class received each teacher label. Off the diagonal: mistakes the student is told as if they were true.',
    ],
    formula: 'teacher accuracy on U = Σ diagonal / Σ all cells',
  },
  {
    panel: 'panel-labels',
    title: 'Where the mistakes are, the teacher is unsure',
    setup: { scenario: 'flagship' },
    text: [
      'Dots are coloured by the teacher\'s label; a black ring means the label is wrong. Faint dots are ones the teacher gave a low confidence.',
      'Notice that the ringed dots gather together, and that they are faint: the teacher\'s confidence tells us something about when to trust it. Switch "Colour points by" to the true label to compare.',
    ],
    formula: 'confidence(x) = maxᵢ yᵢ(x)        margin m(x) = top-1 − top-2 of y(x)',
  },
  {
    panel: 'panel-mixing',
    title: 'Your turn: where is the teacher wrong?',
    setup: { scenario: 'flagship' },
    text: [
      'Before SLaM answers, answer yourself. Press "Spot the mistakes yourself first": the plots that would give it away are blurred, and you see only what the student sees, the teacher\'s labels. Brush over the points you think it got wrong, then press Reveal.',
      'The page crosses the teacher\'s real mistakes and rings, in dashes, the points SLaM\'s α distrusts, and scores both of you: mistakes found, and false alarms. SLaM only has the teacher\'s confidence and 300 checked points in V to go on.',
    ],
    formula: 'found = |marked ∩ mistakes|        false alarms = |marked \\ mistakes|',
  },
  {
    panel: 'panel-mixing',
    title: 'How much to trust each label: α(x)',
    setup: { scenario: 'flagship' },
    text: [
      'On V we know the truth, so we can count how often the teacher is right at each margin. The fitted curve α(margin) never goes down: a more confident teacher is never trusted less. Each unlabeled point then gets its own α.',
      'k is how many of the teacher\'s top classes hold the truth 90% of the time (always 2 with two classes).',
      'In "One example, up close", the point shown is one the teacher gets wrong. Drag α down: the SLaM loss flattens, so the student is no longer forced to agree with the teacher there.',
    ],
    formula: 'mix(f)ᵢ = α·fᵢ + (1 − α)·(1 − fᵢ)·top_k(y)ᵢ        loss = −Σᵢ yᵢ log mix(f)ᵢ',
  },
  {
    panel: 'panel-training',
    title: 'One step in slow motion',
    setup: { scenario: 'flagship' },
    text: [
      'Before watching the whole run, take one training step apart. Under the students\' maps, press "Slow motion": SLaM\'s next minibatch of 32 points is ringed, and Next walks through what the step does with them: the teacher\'s labels (crossed where wrong), SLaM\'s trust α(x) in each, what the student predicts, what the loss compares, and how hard each point pushes.',
      'At stage 6, look at the crossed points, where the teacher is wrong: their α(x) sits at its floor, ½ here, where mix(f) is ½ whatever the student predicts, so they do not push at all. Choose vanilla instead and compare: it pushes the student towards those wrong labels too.',
    ],
    formula: 'push = ‖∂loss/∂logits‖        mix(f)ᵢ = α·fᵢ + (1 − α)·(1 − fᵢ)·top_k(y)ᵢ',
  },
  {
    panel: 'panel-training',
    title: 'Watch them learn',
    setup: { scenario: 'flagship' },
    autoplay: true,
    text: [
      'Training has started: every method from the same initial weights, on the same minibatches. Only the loss differs.',
      'The hard-label students (vanilla hard, Taylor-CE) copy the teacher: their boundary bends into the region with the crosses (the teacher\'s mistakes). Soft vanilla is pulled both ways there, and its accuracy on those points (the right-hand chart) swings from epoch to epoch. SLaM\'s boundary stays with the moons and gets them right, epoch after epoch.',
    ],
    formula: 'vanilla: −Σ y log f        SLaM: −Σ y log mix(f; α(x), k)',
  },
  {
    panel: 'panel-results',
    title: 'Is it luck? Ask ten seeds',
    setup: { scenario: 'flagship' },
    text: [
      'One run can be lucky. Press "Run seeds": each seed draws new data, a new teacher and new initial weights. The table shows the mean test accuracy ± the standard deviation, and the dots show every seed.',
      'The command line gives the very same numbers: slam-lab run --scenario flagship --seeds 10.',
    ],
    formula: 'mean ± std over seeds s = seed, seed+1, …, seed+N−1',
  },
  {
    panel: 'panel-training',
    title: 'When SLaM does not help: plenty of labels',
    setup: { scenario: 'plentiful-labels' },
    autoplay: true,
    text: [
      'Same moons and the same lying teacher, but now 600 true labels. The true labels alone pin the boundary down, so the teacher\'s mistakes matter less and the methods end up close.',
      'That matches the paper: the gains are largest when labels are scarce.',
    ],
    formula: '|L| = 600 instead of 30',
  },
  {
    panel: 'panel-training',
    title: 'A real teacher: the student has to be able to beat it',
    setup: { scenario: 'real-teacher' },
    autoplay: true,
    text: [
      'So far the teacher was synthetic. This one is real: a network trained on only 50 labeled MNIST digits, right about 68% of the time. The student learns from its labels on 3,750 unlabeled digits, plus one thing the teacher never saw: each time the student trains on a digit, the digit is moved by up to one pixel. That teaches it that a shifted 3 is still a 3, and the plain (vanilla) student ends up about 2 points above its teacher.',
      'Only now is there something for SLaM to recover: where the student could know better, α(x) lets it disagree with the teacher. Over 20 seeds SLaM adds about 2 points to vanilla, most of it on the digits the teacher labels wrongly. "Labels only" (no teacher, the same shifts) shows what the 50 labels give alone.',
      'Set the student\'s pixel shifts to none: the student then copies its teacher and the methods end up close, because there is nothing the student can see that the teacher could not. The scenario real-teacher-matched trains the teacher with the same shifts: a better teacher and a better student, and a smaller gain for SLaM.',
    ],
    formula: 'student input: shift(x)        teacher label, α and k: from the unshifted x',
  },
  {
    panel: 'panel-mixing',
    title: 'When SLaM does not help: noise that is the same everywhere',
    setup: { scenario: 'uniform-noise' },
    text: [
      'Here the teacher flips 30% of the labels at random, anywhere. Its confidence says nothing about where it is wrong, so α(x) is flat: the same for every point. There is nothing to localise, and all methods land close together.',
      'Now it is your turn: change the noise model, the rate, the number of labels, or click the teacher-labels plot to add points, and press Play. The link in the address bar rebuilds exactly what you see.',
    ],
    formula: 'α(x) ≈ constant = 1 − rate',
  },
];

export function createLesson(app) {
  const box = document.getElementById('lesson');
  const title = document.getElementById('lesson-title');
  const text = document.getElementById('lesson-text');
  const count = document.getElementById('lesson-count');
  const prev = document.getElementById('lesson-prev');
  const next = document.getElementById('lesson-next');
  const close = document.getElementById('lesson-close');
  let step = 0;

  function show(n) {
    step = Math.max(1, Math.min(STEPS.length, n));
    const s = STEPS[step - 1];
    box.hidden = false;
    document.body.classList.add('has-lesson');
    count.textContent = `Step ${step} of ${STEPS.length}`;
    title.textContent = s.title;
    text.replaceChildren(...s.text.map((t) => h('p', { text: t })), h('p', { className: 'formula-line' }, formula(s.formula)));
    prev.disabled = step === 1;
    // Back disabled under the keyboard's focus would drop it to the page: it moves to Next.
    if (prev.disabled && document.activeElement === prev) next.focus({ preventScroll: true });
    next.textContent = step === STEPS.length ? 'Finish' : 'Next';
    for (const el of document.querySelectorAll('.lesson-focus')) el.classList.remove('lesson-focus');
    const panel = document.getElementById(s.panel);
    panel.classList.add('lesson-focus');

    // Set up the scenario this step is about; keep the running session when it is already that.
    const st = app.state;
    const same = st.scenario === s.setup.scenario && Object.keys(st.over).length === 0 && st.points.length === 0 && !app.csv;
    if (same) {
      app.setPageKey('lesson', step);
      if (s.autoplay && !app.snap?.playing) {
        if (app.snap?.finished || (app.snap?.epoch ?? 0) > 0) app.engine.send({ type: 'reset' });
        app.play();
      }
    } else {
      app.clearError();
      app.csv = null;
      app.setState({ ...defaultState(s.setup.scenario), speed: st.speed, seeds: st.seeds, lesson: step }, { autoplay: Boolean(s.autoplay) });
    }
    panel.scrollIntoView({ behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth', block: 'start' });
  }

  function stop() {
    box.hidden = true;
    document.body.classList.remove('has-lesson');
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
