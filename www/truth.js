// Rows whose true class the data does not give (a file that carries its own teacher may leave the
// label blank or `?`): the engine marks them in `labels` with 0xFFFFFFFF (wasm session `labels`).
// They are only ever in U; whether the teacher is right there is unknown, never "wrong".

/** The engine's mark for "no known class". */
export const UNKNOWN = 0xffffffff;

/** Whether row `i`'s true class is known. */
export const known = (labels, i) => labels[i] !== UNKNOWN;

/** Whether the teacher's label of row `i` is known to be wrong. */
export const teacherWrong = (teacherLabels, labels, i) => labels[i] !== UNKNOWN && teacherLabels[i] !== labels[i];

/** Whether the teacher's label of row `i` is known to be right. */
export const teacherRight = (teacherLabels, labels, i) => labels[i] !== UNKNOWN && teacherLabels[i] === labels[i];
