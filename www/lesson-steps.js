// The guided tour's steps. Every number a step says is read from the run on screen (lesson-facts.js),
// and every claim is a test on those numbers: when the run says otherwise, the step says what
// happened instead. No DOM here: tests/unit/lesson.test.mjs renders every step for seeds 0-9.
//
// A step: {panel, target (the element it is about: a CSS selector), title, setup: {scenario, config?},
// autoplay?, seeds? (a multi-seed run the step is about), text(ctx) -> paragraphs, formula}.
// ctx: {f: runFacts(...), s: seedFacts(...) | null, run: {done, total} | null (the seeds under way)}.

import { clearOfZero } from './stats.js';
import { unsureWhereWrong, alphaFollowsMistakes } from './lesson-facts.js';

const pct = (x) => (typeof x === 'number' && Number.isFinite(x) ? (x * 100).toFixed(1) : '–');
const pts = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
const int = (n) => n.toLocaleString('en');
const interval = (p) => `${pts(p.mean)} points [${pts(p.ci_low)}, ${pts(p.ci_high)}], ${p.wins} of ${p.n} seeds`;

/** The students' numbers at the epoch shown, or null before the first epoch. */
const at = (f, m) => f.methods[m] ?? null;

export const STEPS = [
  {
    panel: 'panel-scenario',
    target: '[data-testid="sizes"]',
    title: 'A student, a teacher, and very few labels',
    setup: { scenario: 'flagship' },
    text: ({ f }) => [
      `Two interleaving half-moons, two classes. Only ${int(f.sizes.L)} points come with their true class (L, the squares). ${int(f.sizes.V)} more (V) are kept aside to check the teacher. The remaining ${int(f.sizes.U)} (U) have no label at all; ${int(f.sizes.T)} (T) are the final test.`,
      'A teacher labels U, and a small student network learns from L plus the teacher\'s labels on U. That is distillation with unlabeled examples.',
    ],
    formula: 'student loss = Σ over L of CE(true label, f) + Σ over U of CE(teacher label, f)',
  },
  {
    panel: 'panel-teacher',
    target: '[data-testid="confusion"]',
    title: 'The teacher is wrong about part of the data',
    setup: { scenario: 'flagship' },
    text: ({ f }) => [
      `This teacher labels ${int(f.teacher.wrong)} of the ${int(f.teacher.unlabeledCount)} unlabeled points wrongly (${pct(1 - f.teacher.unlabeled)}%).${f.noise === 'region' ? ' It is synthetic: it knows the truth but lies in one region of the plane. A teacher trained on few labels fails the same way: in patches, not at random.' : ''}`,
      'The confusion matrix counts on U how often each true class received each teacher label. Off the diagonal: mistakes the student is told as if they were true.',
    ],
    formula: 'teacher accuracy on U = Σ diagonal / Σ all cells',
  },
  {
    panel: 'panel-labels',
    target: '[data-testid="labels-plot"]',
    title: 'Where the mistakes are, is the teacher unsure?',
    setup: { scenario: 'flagship' },
    text: ({ f }) => {
      const { right, wrong } = f.confidence;
      return [
        'Dots are coloured by the teacher\'s label; a black ring means the label is wrong. Faint dots are ones the teacher gave a low confidence.',
        unsureWhereWrong(f)
          ? `The ringed dots are fainter: where the teacher is wrong it is ${pct(wrong)}% sure on average, where it is right ${pct(right)}%. Its confidence tells us something about when to trust it. Switch "Colour points by" to the true label to compare.`
          : `Here the teacher is about as sure where it is wrong (${pct(wrong)}% on average) as where it is right (${pct(right)}%): its confidence gives its mistakes away only a little.`,
      ];
    },
    formula: 'confidence(x) = maxᵢ yᵢ(x)        margin m(x) = top-1 − top-2 of y(x)',
  },
  {
    panel: 'panel-mixing',
    target: '[data-testid="predict-start"]',
    title: 'Your turn: where is the teacher wrong?',
    setup: { scenario: 'flagship' },
    text: ({ f }) => [
      'Before SLaM answers, answer yourself. Press "Spot the mistakes yourself first": the plots that would give it away are blurred, and you see only what the student sees, the teacher\'s labels. Brush over the points you think it got wrong, then press Reveal.',
      `The page crosses the teacher's real mistakes and rings, in dashes, the points SLaM's α distrusts, and scores both of you: mistakes found, and false alarms. SLaM only has the teacher's confidence and the ${int(f.sizes.V)} checked points in V to go on.`,
    ],
    formula: 'found = |marked ∩ mistakes|        false alarms = |marked \\ mistakes|',
  },
  {
    panel: 'panel-mixing',
    target: '[data-testid="alpha-curve"]',
    title: 'How much to trust each label: α(x)',
    setup: { scenario: 'flagship' },
    text: ({ f }) => {
      const a = f.alpha;
      return [
        'On V we know the truth, so we can count how often the teacher is right at each margin. The fitted curve α(margin) never goes down: a more confident teacher is never trusted less. Each unlabeled point then gets its own α.',
        alphaFollowsMistakes(f)
          ? `On U, α is ${a.wrong.toFixed(2)} on average where the teacher is wrong and ${a.right.toFixed(2)} where it is right: SLaM trusts the wrong labels less.`
          : `On U, α is ${a.wrong?.toFixed(2) ?? '–'} on average where the teacher is wrong and ${a.right?.toFixed(2) ?? '–'} where it is right: here it barely tells them apart.`,
        `k = ${f.k}: the teacher's top ${f.k} classes hold the truth ${f.k === f.classes ? '(all the classes here)' : 'most of the time'}. In "One example, up close", drag α down: the SLaM loss flattens, so the student is no longer forced to agree with the teacher there.`,
      ];
    },
    formula: 'mix(f)ᵢ = α·fᵢ + (1 − α)·(1 − fᵢ)·top_k(y)ᵢ        loss = −Σᵢ yᵢ log mix(f)ᵢ',
  },
  {
    panel: 'panel-training',
    target: '[data-testid="slowmo"]',
    title: 'One step in slow motion',
    setup: { scenario: 'flagship' },
    text: ({ f }) => {
      const a = f.alpha;
      const w = f.teacher.wrong;
      const most = w > 0 && a.wrongAtFloor >= w / 2;
      const still = f.k === f.classes;
      return [
        'Before watching the whole run, take one training step apart. Under the students\' maps, press "Slow motion": SLaM\'s next minibatch is ringed, and Next walks through what the step does with it: the teacher\'s labels (crossed where wrong), SLaM\'s trust α(x) in each, what the student predicts, what the loss compares, and how hard each point pushes.',
        `${int(a.wrongAtFloor)} of the ${int(w)} points the teacher gets wrong have α at its floor (${a.floor.toFixed(2)}).${still ? ' There, with k = every class, mix(f) no longer depends on f: those points do not push at all.' : ' There they push the least.'}${most ? ' At the stage on each point\'s push, look at the crossed points: most of them barely move the student.' : ' At the stage on each point\'s push, compare the crossed points with the rest.'} Choose vanilla instead and compare: it pushes the student towards the wrong labels too.`,
      ];
    },
    formula: 'push = ‖∂loss/∂logits‖        mix(f)ᵢ = α·fᵢ + (1 − α)·(1 − fᵢ)·top_k(y)ᵢ',
  },
  {
    panel: 'panel-training',
    target: '.method-card[data-method="slam"]',
    title: 'Watch them learn',
    setup: { scenario: 'flagship' },
    autoplay: true,
    text: ({ f }) => {
      const out = ['Every method starts from the same initial weights and sees the same minibatches. Only the loss differs.'];
      const slam = at(f, 'slam');
      const hard = at(f, 'vanilla_hard');
      const van = at(f, 'vanilla');
      if (!slam || !hard || !van) return [...out, 'Press Play: the numbers here follow the run.'];
      const head = `${f.finished ? 'After' : 'At'} epoch ${f.epoch}, on the unlabeled points the teacher labels wrongly, vanilla (hard) gets ${pct(hard.wrong)}% right, vanilla (soft) ${pct(van.wrong)}% and SLaM ${pct(slam.wrong)}%.`;
      const copies = hard.wrong < 0.5;
      const ahead = slam.wrong > van.wrong && slam.wrong > hard.wrong;
      out.push(`${head} ${copies ? 'The hard-label student copies most of the teacher\'s mistakes: its boundary bends into the crossed region.' : 'Even the hard-label student gets most of them right here.'} ${ahead ? 'SLaM gets the most of them right.' : 'SLaM is not ahead on them at this epoch.'}`);
      out.push(`Test accuracy: vanilla ${pct(van.test)}%, SLaM ${pct(slam.test)}% (${slam.test >= van.test ? 'SLaM ahead' : 'vanilla ahead'} on this seed).`);
      return out;
    },
    formula: 'vanilla: −Σ y log f        SLaM: −Σ y log mix(f; α(x), k)',
  },
  {
    panel: 'panel-results',
    target: '[data-testid="run-seeds"]',
    title: 'Is it luck? Ask ten seeds',
    setup: { scenario: 'flagship' },
    text: () => [
      'One run can be lucky. Press "Run seeds": each seed draws new data, a new teacher and new initial weights. The table shows the mean test accuracy ± the standard deviation and the paired gain over vanilla with its interval, and the dots show every seed.',
      'The command line gives the very same numbers: the box under the table has the command for the seeds you choose.',
    ],
    formula: 'mean ± std over seeds s = seed, seed+1, …, seed+N−1',
  },
  {
    panel: 'panel-training',
    target: '[data-testid="split-table"]',
    title: 'When labels are plenty',
    setup: { scenario: 'plentiful-labels' },
    autoplay: true,
    text: ({ f }) => {
      const out = [`The same moons and the same lying teacher, but now ${int(f.sizes.L)} true labels.`];
      const van = at(f, 'vanilla');
      const slam = at(f, 'slam');
      const hard = at(f, 'vanilla_hard');
      const taylor = at(f, 'taylor_ce');
      if (!van || !slam) return [...out, 'Press Play: the numbers here follow the run.'];
      const close = Math.abs(slam.test - van.test) < 0.02;
      const when = `${f.finished ? 'After' : 'At'} epoch ${f.epoch}`;
      out.push(`${when}: vanilla ${pct(van.test)}%, SLaM ${pct(slam.test)}%${close ? ': the soft students end up close, the labels pin the boundary down.' : `: ${pts(slam.test - van.test)} points for SLaM on this seed.`}`);
      if (hard && taylor) {
        const behind = Math.max(hard.test, taylor.test) < Math.min(van.test, slam.test) - 0.03;
        out.push(behind
          ? `The hard-label students still trail (vanilla hard ${pct(hard.test)}%, Taylor-CE ${pct(taylor.test)}%): on U they are told the teacher's wrong labels as certain, and plenty of labels on L does not undo that.`
          : `The hard-label students keep up here (vanilla hard ${pct(hard.test)}%, Taylor-CE ${pct(taylor.test)}%).`);
      }
      return out;
    },
    formula: 'more labels on L: each wrong teacher label on U weighs less',
  },
  {
    panel: 'panel-results',
    target: '[data-testid="seeds-progress"]',
    title: 'A real teacher: the student has to be able to beat it',
    // Seeds from 100 on: the scenario's settings were chosen on seeds 0-19 (docs/real-teacher.md).
    setup: { scenario: 'real-teacher', config: { seed: 100 } },
    seeds: 5,
    text: ({ f, s, run }) => {
      const out = [
        `This teacher is a network trained on only ${int(f.sizes.L)} labeled MNIST digits: right on ${pct(f.teacher.test)}% of the test digits on this seed. The student learns from its labels on ${int(f.sizes.U)} unlabeled digits, plus one thing the teacher never saw: each time it trains on a digit, the digit is moved by up to a pixel.`,
      ];
      if (!s) {
        out.push(run ? `Running ${run.total} seeds to see whether that helps, seed by seed: ${run.done} of ${run.total} done.` : 'One seed cannot say whether this helps: the tour runs several seeds in panel 6.');
        return out;
      }
      const van = s.methods.vanilla;
      const slam = s.methods.slam;
      const beat = van.overTeacher;
      out.push(clearOfZero(beat) && beat.mean > 0
        ? `Over ${s.seeds} seeds (${s.seedList[0]} to ${s.seedList[s.seedList.length - 1]}, not the seeds its settings were chosen on) the plain (vanilla) student beats its teacher: ${interval(beat)} won.`
        : `Over ${s.seeds} seeds (${s.seedList[0]} to ${s.seedList[s.seedList.length - 1]}) the plain (vanilla) student does not clearly beat its teacher: ${interval(beat)} won.`);
      if (slam?.gain) {
        out.push(clearOfZero(slam.gain) && slam.gain.mean > 0
          ? `SLaM adds ${interval(slam.gain)} won over vanilla: where the student can know better, α(x) lets it disagree with the teacher.`
          : clearOfZero(slam.gain)
            ? `SLaM loses to vanilla here: ${interval(slam.gain)} won.`
            : `SLaM against vanilla: ${interval(slam.gain)} won; the interval holds 0, so ${s.seeds} seeds cannot tell them apart.`);
      }
      const lo = s.methods.labels_only;
      if (lo?.gain && slam?.gain) out.push(`"Labels only" (no teacher, the same shifts) is ${pts(lo.mean - van.mean)} points from vanilla: what the labels give alone.`);
      out.push('Set the student\'s pixel shifts to none and the student copies its teacher: there is nothing it can see that the teacher could not.');
      return out;
    },
    formula: 'student input: shift(x)        teacher label, α and k: from the unshifted x',
  },
  {
    panel: 'panel-mixing',
    target: '[data-testid="alpha-curve"]',
    title: 'Noise that is the same everywhere',
    setup: { scenario: 'uniform-noise' },
    text: ({ f }) => {
      const a = f.alpha;
      const flat = a.max - a.min < 0.1;
      const same = a.wrong !== null && a.right !== null && Math.abs(a.wrong - a.right) < 0.05;
      return [
        `Here the teacher flips labels at random, anywhere: it is wrong on ${pct(1 - f.teacher.unlabeled)}% of U, and its confidence says nothing about where.`,
        flat
          ? `So α(x) is flat: from ${a.min.toFixed(2)} to ${a.max.toFixed(2)} over U. There is nothing to localise.`
          : `α(x) still ranges from ${a.min.toFixed(2)} to ${a.max.toFixed(2)} over U: with ${int(f.sizes.V)} points in V the fitted curve follows chance ups and downs of the teacher's confidence. ${same ? `But it does not follow the mistakes: ${a.wrong.toFixed(2)} on average where the teacher is wrong, ${a.right.toFixed(2)} where it is right.` : `Where the teacher is wrong it is ${a.wrong.toFixed(2)} on average, where it is right ${a.right.toFixed(2)}.`}`,
        'Now it is your turn: change the noise model, the rate, the number of labels, or click the teacher-labels plot to add points, and press Play. The link in the address bar rebuilds exactly what you see.',
      ];
    },
    formula: 'α(x) ≈ constant = 1 − rate',
  },
];
