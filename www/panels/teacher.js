// Panel 2, Teacher: trained (an MLP fitted on L), synthetic (a known noise model and rate), or
// "your teacher" (the predictions an uploaded file carries); temperature, its accuracy, its
// calibration on V, and its confusion matrix on U.

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
  const accuracyLabel = h('span', { className: 'stat-label', text: 'Teacher accuracy on the test set' });
  const givenNote = h('p', { className: 'help given-only', testid: 'teacher-given' });
  const calibration = h('p', { className: 'help', testid: 'teacher-calibration' });
  const confusionHolder = h('div', { className: 'confusion-holder', testid: 'confusion' });

  root.append(
    h('div', { className: 'controls' }, [
      kind.node,
      givenNote,
      h('div', { className: 'synthetic-only' }, [noise.node, noiseHelp, rate.node, jitter.node]),
      h('div', { className: 'trained-only' }, [hidden.node, epochs.node, shift.node]),
      temperature.node,
    ]),
    h('div', { className: 'visual' }, [
      h('div', { className: 'stat-row' }, [
        h('div', { className: 'stat' }, [accuracyLabel, h('span', {}, [accuracy, h('span', { className: 'unit', text: '%' })])]),
        h('div', { className: 'stat' }, [h('span', { className: 'stat-label', text: 'on U (what the student is told)' }), h('span', {}, [accuracyU, '%']), wrongCount]),
      ]),
      calibration,
      confusionHolder,
    ]),
  );

  /** The "given" choice is there only while the data carries a teacher. */
  function offerGiven(view) {
    const option = kind.input.querySelector('option[value="given"]');
    if (option) option.disabled = !(app.csv && view?.overview?.data_teacher);
  }

  return {
    syncState(state, config) {
      for (const f of [kind, noise, rate, jitter, hidden, epochs, shift, temperature]) f.sync(config);
      const teacherKind = config.teacher?.kind;
      root.classList.toggle('is-synthetic', teacherKind === 'synthetic');
      root.classList.toggle('is-trained', teacherKind === 'trained');
      root.classList.toggle('is-given', teacherKind === 'given');
      offerGiven(app.view);
      setText(noiseHelp, PARAM['teacher.noise']?.choices?.find((c) => c.value === config.teacher?.noise)?.help ?? '');
    },
    onBuilt(view) {
      const o = view.overview;
      offerGiven(view);
      setText(accuracyLabel, o.teacher_given ? 'Your teacher\'s accuracy on the test set' : 'Teacher accuracy on the test set');
      setText(accuracy, percent(o.teacher_test_accuracy));
      setText(accuracyU, percent(o.teacher_unlabeled_accuracy));
      const wrong = o.confusion.reduce((a, row, t) => a + row.reduce((b, n, p) => b + (p === t ? 0 : n), 0), 0);
      const knownU = o.sizes[2] - o.unknown_rows;
      setText(wrongCount, ` · ${wrong} of ${knownU} labels wrong${o.unknown_rows ? ` (${o.unknown_rows} more rows have no known class)` : ''}`);
      setText(givenNote, o.teacher_given
        ? `Your teacher: the ${o.data_teacher} your file gives for every row, from a model trained elsewhere. The lab knows only its predictions: no network to read, no noise model, no true α.`
        : '');
      // Calibration on V: how sure the teacher is of its own label, against how often it is right.
      const acc = 100 * o.teacher_validation_accuracy;
      const conf = 100 * o.teacher_validation_confidence;
      const gap = conf - acc;
      const verdict = Math.abs(gap) < 2 ? 'about as sure as it is right' : gap > 0 ? `overconfident by ${gap.toFixed(1)} points` : `underconfident by ${(-gap).toFixed(1)} points`;
      setText(calibration, `On V (${o.sizes[1]} rows): right on ${acc.toFixed(1)}%, ${conf.toFixed(1)}% sure of its label on average: ${verdict}.`);
      confusionHolder.replaceChildren(confusionTable(o.confusion, o.class_names));
    },
  };
}
