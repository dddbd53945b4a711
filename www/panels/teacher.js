// Panel 2, Teacher: trained (an MLP fitted on L) or synthetic (a known noise model and rate),
// temperature, its accuracy, and its confusion matrix on U.

import { h, byTestId, setText, percent } from '../dom.js';
import { field } from '../controls.js';
import { PARAM } from '../state.js';
import { confusionTable } from '../charts/confusion.js';

export function createTeacherPanel(app, root) {
  const kind = field(app, { path: 'teacher.kind', testid: 'teacher-kind' });
  const noise = field(app, { path: 'teacher.noise', testid: 'teacher-noise' });
  const rate = field(app, { path: 'teacher.rate', format: (v) => `${Math.round(v * 100)}%`, testid: 'teacher-rate' });
  const jitter = field(app, { path: 'teacher.confidence_jitter' });
  const hidden = field(app, { path: 'teacher.hidden' });
  const epochs = field(app, { path: 'teacher.epochs' });
  const shift = field(app, { path: 'teacher.shift', testid: 'teacher-shift' });
  const temperature = field(app, { path: 'temperature' });
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
      const synthetic = config.teacher?.kind === 'synthetic';
      root.classList.toggle('is-synthetic', synthetic);
      root.classList.toggle('is-trained', !synthetic);
      setText(noiseHelp, PARAM['teacher.noise']?.choices?.find((c) => c.value === config.teacher?.noise)?.help ?? '');
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
