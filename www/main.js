// SLaM Lab app shell: the app object the panels share, and the modules that each do one job for it:
// messages, state and URL, the engine session, the transport bar, the drawing schedule, sharing.
// Training never runs on this thread: the engine worker trains, the panels draw.

import { $ } from './dom.js';
import { defaultState, installSchema } from './state.js';
import { EngineClient } from './engine.js';
import { takeBootWorker } from './boot.js';
import { installMessages } from './app/messages.js';
import { installSettings } from './app/settings.js';
import { installSession } from './app/session.js';
import { installTransport } from './app/transport.js';
import { installDrawing } from './app/drawing.js';
import { installShare } from './app/share.js';
import { installSelection } from './app/selection.js';
import { installSide } from './app/side.js';
import { createScenarioPanel } from './panels/scenario.js';
import { createTeacherPanel } from './panels/teacher.js';
import { createLabelsPanel } from './panels/labels.js';
import { createMixingPanel } from './panels/mixing.js';
import { createTrainingPanel } from './panels/training.js';
import { createResultsPanel } from './panels/results.js';
import { createSlowMotion } from './panels/slowmo.js';
import { createCommandBox } from './panels/command.js';
import { createPredictExercise } from './panels/predict.js';
import { createLesson } from './lesson.js';

const app = {
  catalogue: { datasets: [], scenarios: [] },
  scenarioConfigs: {},
  state: defaultState(),
  /** The uploaded CSV ({name, text, dim?}); never in the URL. */
  csv: null,
  /** The session on screen: {gen, overview, config, arrays, bounds}. */
  view: null,
  /** The latest snapshot, with the latest metrics/grids/predictions kept when a snapshot omits them. */
  snap: null,
  status: 'loading',
  engineReady: false,
  /** Play was asked for while a build was pending: play once it is built. */
  pendingAutoplay: false,
  panels: [],
};

// The engine's schema, written beside the .wasm by the build: the controls take their names, help,
// choices and limits from it at first paint (the worker sends the same once the engine is up). Without
// it the controls show their keys until then.
try {
  const schema = await fetch(new URL('./pkg/schema.json', import.meta.url)).then((r) => (r.ok ? r.json() : null));
  if (schema) installSchema(schema);
} catch {
  // the engine's own schema arrives with the worker's ready message
}

const engine = new EngineClient(new URL('./worker.js', import.meta.url));
app.engine = engine;

installMessages(app);
installSide(app);
installSettings(app);
installSession(app, engine);
const drawing = installDrawing(app);
installShare(app);
app.selection = installSelection(app, engine); // before the panels: their plots pick points too

for (const [create, body] of [
  [createScenarioPanel, '#scenario-body'],
  [createTeacherPanel, '#teacher-body'],
  [createLabelsPanel, '#labels-body'],
  [createPredictExercise, '#predict-body'],
  [createMixingPanel, '#mixing-body'],
  [createTrainingPanel, '#training-body'],
  [createSlowMotion, '#slowmo-body'],
  [createResultsPanel, '#results-body'],
  [createCommandBox, '#command-body'],
]) {
  const panel = create(app, $(body));
  panel.section = $(body).closest('section');
  drawing.observe(panel.section);
  app.panels.push(panel);
}
installTransport(app, engine);
const lesson = createLesson(app);
app.lesson = lesson;
$('#lesson-start').addEventListener('click', () => lesson.start(1));

engine.start(takeBootWorker()); // the worker boot.js started while these modules loaded
app.updateStatus();


// The app, for the browser's console and the end-to-end tests (read it; the page never does).
globalThis.slamLab = Object.freeze({ app });
