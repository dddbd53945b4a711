// The transport bar: play / pause / step / reset / new init, the speed, the Space key, and the status
// read-out that says what the engine is doing (and enables the buttons that make sense then).

import { $, byTestId, setText } from '../dom.js';
import { SPEEDS } from '../state.js';

/** Adds app.play, app.pause, app.updateStatus and app.sendSpeed; `speedSelect` follows app.state.speed. */
export function installTransport(app, engine) {
  const buttons = {
    play: byTestId('play'),
    pause: byTestId('pause'),
    step: byTestId('step'),
    reset: byTestId('reset'),
    newInit: byTestId('new-init'),
  };

  app.play = () => {
    // Before the engine is up or while a build is pending, Play waits for the session and then plays.
    if (!app.engineReady || app.buildPending()) {
      app.pendingAutoplay = true;
      app.updateStatus();
      return;
    }
    engine.send({ type: 'play' });
    // Show it at once; the worker's snapshot confirms.
    if (app.snap) app.snap = { ...app.snap, playing: true };
    app.updateStatus();
  };
  app.pause = () => {
    app.pendingAutoplay = false;
    engine.send({ type: 'pause' });
  };
  buttons.play.addEventListener('click', app.play);
  buttons.pause.addEventListener('click', app.pause);
  buttons.step.addEventListener('click', () => engine.send({ type: 'step' }));
  buttons.reset.addEventListener('click', () => engine.send({ type: 'reset' }));
  buttons.newInit.addEventListener('click', () => engine.send({ type: 'new-init' }));
  const cancelBuild = byTestId('cancel-build');
  cancelBuild.addEventListener('click', () => app.cancelBuild());
  const buildProgress = byTestId('build-progress');

  const speedSelect = byTestId('speed');
  SPEEDS.forEach((s, i) => speedSelect.append(new Option(s.label, String(i + 1), false, i + 1 === app.state.speed)));
  speedSelect.addEventListener('change', () => {
    const speed = Number(speedSelect.value);
    app.setPageKey('speed', speed);
  });
  app.sendSpeed = function sendSpeed() {
    const s = SPEEDS[app.state.speed - 1] ?? SPEEDS[3];
    engine.send({ type: 'speed', eps: Number.isFinite(s.eps) ? s.eps : null });
  }

  document.addEventListener('keydown', (event) => {
    if (event.code !== 'Space' || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
    const t = event.target;
    if (t instanceof HTMLElement && t.closest('input, select, textarea, button, a, summary, [contenteditable], canvas')) return;
    event.preventDefault();
    if (app.snap?.playing || app.pendingAutoplay) app.pause();
    else app.play();
  });

  app.updateStatus = function updateStatus(forced) {
    let status;
    if (forced) status = forced;
    else if (!app.engineReady) status = app.status === 'error' ? 'error' : 'loading';
    else if (app.buildPending()) status = 'building';
    else if (!app.snap) status = app.view ? 'ready' : 'building';
    else if (app.snap.playing) status = 'training';
    else if (app.snap.pausing) status = 'pausing';
    else if (app.snap.stepping !== null && app.snap.stepping !== undefined) status = 'stepping';
    else if (app.snap.finished) status = 'finished';
    else if (app.snap.epoch === 0) status = 'ready';
    else status = 'paused';
    const was = app.status;
    app.status = status;
    // A run that paused, ended or was reset: panels describe where it is (not every frame).
    if (was !== status && ['ready', 'paused', 'finished'].includes(status)) for (const p of app.panels) p.onSettled?.(app.snap);
    const node = byTestId('status');
    setText(node, statusText(status));
    node.dataset.state = status;
    const focused = document.activeElement;
    const live = app.engineReady && app.view !== null;
    const playing = status === 'training' || app.pendingAutoplay;
    buttons.play.disabled = !live || playing;
    buttons.pause.disabled = !live || !playing;
    buttons.step.disabled = !live || status === 'building' || Boolean(app.snap?.finished);
    buttons.reset.disabled = !live || status === 'building';
    buttons.newInit.disabled = !live || status === 'building';
    buttons.play.querySelector('.label').textContent = app.snap?.finished ? 'Replay' : 'Play';
    keepFocus(focused);
    setText(byTestId('epoch'), app.snap ? app.snap.epoch : 0);
    setText($('#epoch-total'), app.view ? ` / ${app.view.overview.epochs}` : '');
    const sps = app.snap?.playing ? app.snap.stepsPerSec : 0;
    // A network so large that one step takes seconds: say so, since Pause waits for the step under way.
    const slow = app.slowStep && app.slowStep > 1000 && playing ? ` (one step takes about ${Math.round(app.slowStep / 1000)} s)` : '';
    setText($('#steps-per-sec'), sps > 0 ? `${sps >= 10 ? Math.round(sps) : sps.toFixed(1)} steps/s${slow}` : slow);
    showLoad(status === 'loading' ? app.loadProgress : null);
    const building = status === 'building' && app.engineReady;
    cancelBuild.hidden = !building;
    cancelBuild.disabled = Boolean(app.cancelPending?.());
    buildProgress.hidden = !building;
    setText(buildProgress, building ? buildText(app.buildProgress, app.cancelPending?.()) : '');
    for (const p of app.panels) p.onStatus?.(status);
  }
  /**
   * A transport button disabled under the keyboard's focus would drop it to the page: Play hands it
   * to Pause and back; any other goes to the first button still enabled (else the bar itself).
   */
  function keepFocus(focused) {
    const all = Object.values(buttons);
    if (!all.includes(focused) || !focused.disabled) return;
    const twin = focused === buttons.play ? buttons.pause : focused === buttons.pause ? buttons.play : null;
    const to = twin && !twin.disabled ? twin : all.find((b) => !b.disabled);
    if (to) to.focus({ preventScroll: true });
    else {
      const bar = $('#transport');
      bar.tabIndex = -1;
      bar.focus({ preventScroll: true });
    }
  }

  /**
   * The status word with what it is waiting for: "stepping to epoch 7", "paused between epochs"
   * when the maps are a little ahead of the numbers (a Pause that could not wait for the epoch's end).
   */
  function statusText(status) {
    const snap = app.snap;
    if (status === 'stepping') return `stepping to epoch ${snap.stepping}`;
    if (status === 'paused' && snap?.between) return `paused in epoch ${snap.epoch + 1} (numbers: epoch ${snap.epoch})`;
    if (status === 'loading' && app.pendingAutoplay) return 'loading (Play is queued)';
    return status;
  }

  const load = $('#load');
  const loadBar = byTestId('load-progress');
  const loadText = byTestId('load-text');
  /** The download under way before the engine is up: bytes of the total. */
  function showLoad(p) {
    load.hidden = !p;
    if (!p) return;
    const total = p.total || 0;
    loadBar.max = total || 1;
    loadBar.value = total ? Math.min(p.done, total) : 0;
    if (!total) loadBar.removeAttribute('value');
    setText(loadText, `downloading ${p.what === 'engine' ? 'the engine' : 'the MNIST digits'}: ${bytesText(p.done, total)}`);
  }

  /** "120 of 337 KB", "1.2 of 2.0 MB", "120 KB" when the total is unknown. */
  function bytesText(done, total) {
    const mb = Math.max(done, total) >= 1e6;
    const f = (v) => (mb ? (v / 1e6).toFixed(1) : Math.round(v / 1e3).toLocaleString('en'));
    const unit = mb ? 'MB' : 'KB';
    return total ? `${f(done)} of ${f(total)} ${unit}` : `${f(done)} ${unit}`;
  }

  /** "teacher epoch 120 / 10,000", "teacher labels 50,000 / 200,000 points", ... */
  function buildText(p, cancelling) {
    if (cancelling) return 'cancelling…';
    const l = app.loadProgress;
    if (l?.what === 'mnist' && l.done < l.total) return `downloading the MNIST digits: ${bytesText(l.done, l.total)}`;
    const n = (v) => v.toLocaleString('en');
    if (p?.stage === 'teacher_epochs') return `training the teacher: epoch ${n(p.done)} / ${n(p.total)}`;
    if (p?.stage === 'teacher_labels') return `the teacher labels the data: ${n(p.done)} / ${n(p.total)} points`;
    return 'preparing the data';
  }

  // Speed follows the state (the URL may set it).
  app.panels.push({
    syncState(state) {
      speedSelect.value = String(state.speed);
      app.sendSpeed();
    },
  });
}
