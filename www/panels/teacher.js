// Panel 2, Teacher: trained (an MLP fitted on L) or synthetic (a known noise model and rate),
// temperature, its accuracy, and its confusion matrix on U.

import { h, byTestId, setText, percent } from '../dom.js';
import { field } from '../controls.js';
import { confusionTable } from '../charts/confusion.js';

const NOISE_HELP = {
  uniform: 'every label flips with the same chance, to any other class',
  class_pair: 'class c flips to class c+1: one systematic confusion',
  margin: 'flips gather near the class boundaries',
  region: 'one region of the plane where the teacher is mostly wrong',
};

/** Datasets whose rows are images (random pixel shifts apply). */
export const IMAGES = ['mnist', 'digits'];

export function createTeacherPanel(app, root) {
  const kind = field(app, { path: 'teacher.kind', label: 'Teacher', control: 'select', options: [['synthetic', 'synthetic (known noise)'], ['trained', 'trained on L']], testid: 'teacher-kind' });
  const noise = field(app, {
    path: 'teacher.noise', label: 'Noise model', control: 'select', testid: 'teacher-noise',
    options: [['region', 'one noisy region'], ['margin', 'near the boundary'], ['uniform', 'uniform flips'], ['class_pair', 'class-pair flips']],
  });
  const rate = field(app, { path: 'teacher.rate', label: 'Noise rate', control: 'range', min: 0, max: 0.95, step: 0.01, format: (v) => `${Math.round(v * 100)}%`, testid: 'teacher-rate', help: 'share of U the teacher labels wrongly (on average)' });
  const jitter = field(app, { path: 'teacher.confidence_jitter', label: 'Confidence jitter', control: 'range', min: 0, max: 1, step: 0.01, help: 'how loosely its confidence tracks its accuracy' });
  const hidden = field(app, { path: 'teacher.hidden', label: 'Hidden layers', control: 'text', inputMode: 'numeric', help: 'widths, e.g. 64,64' });
  const epochs = field(app, { path: 'teacher.epochs', label: 'Teacher epochs' });
  const shift = field(app, {
    path: 'teacher.shift', label: 'Teacher pixel shifts', control: 'select', testid: 'teacher-shift',
    options: [['0', 'none'], ['1', 'up to 1 pixel'], ['2', 'up to 2 pixels'], ['3', 'up to 3 pixels'], ['4', 'up to 4 pixels']],
    help: 'image data: each training visit moves the digit at random (the same as the student: the matched pipeline)',
  });
  const temperature = field(app, { path: 'temperature', label: 'Temperature τ', help: 'softens (τ > 1) or sharpens the teacher\'s soft labels' });
  const noiseHelp = h('p', { className: 'help', id: 'noise-help' });

  const accuracy = h('span', { className: 'big-number', testid: 'teacher-accuracy', text: '–' });
  const accuracyU = h('span', { testid: 'teacher-accuracy-u', text: '–' });
  const wrongCount = h('span', { text: '' });
  const confusionHolder = h('div', { className: 'confusion-holder', testid: 'confusion' });

  root.append(
    h('div', { className: 'controls' }, [
      kind.node,
      h('div', { className: 'synthetic-only' }, [noise.node, noiseHelp, rate.node, jitter.node]),
      h('div', { className: 'trained-only' }, [hidden.node, epochs.node, shift.node]),
      temperature.node,
    ]),
    h('div', { className: 'visual' }, [
      h('div', { className: 'stat-row' }, [
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'Teacher accuracy on the test set' }), h('span', {}, [accuracy, h('span', { className: 'unit', text: '%' })])]),
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'on U (what the student is told)' }), h('span', {}, [accuracyU, '%']), wrongCount]),
      ]),
      confusionHolder,
    ]),
  );

  return {
    syncState(state, config) {
      for (const f of [kind, noise, rate, jitter, hidden, epochs, shift, temperature]) f.sync(config);
      shift.setDisabled(!IMAGES.includes(config.dataset) || Boolean(app.csv));
      const synthetic = config.teacher?.kind === 'synthetic';
      root.classList.toggle('is-synthetic', synthetic);
      root.classList.toggle('is-trained', !synthetic);
      setText(noiseHelp, NOISE_HELP[config.teacher?.noise] ?? '');
    },
    onBuilt(view) {
      const o = view.overview;
      setText(accuracy, percent(o.teacher_test_accuracy));
      setText(accuracyU, percent(o.teacher_unlabeled_accuracy));
      const wrong = o.confusion.reduce((a, row, t) => a + row.reduce((b, n, p) => b + (p === t ? 0 : n), 0), 0);
      setText(wrongCount, ` · ${wrong} of ${o.sizes[2]} labels wrong`);
      confusionHolder.replaceChildren(confusionTable(o.confusion, o.class_names));
    },
  };
}
