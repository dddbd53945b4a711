// Training the session on screen: Play, Pause, Step, Reset, New init and the speed, on the engine's
// one clock (Session.advance: methods take turns and none starts an epoch before all finished the
// last), in slices between which the worker reads its messages; snapshots of the metrics as epochs
// end, and frames (maps or predictions) as the page draws them.

import { Cost, SLICE_MS, CALL_MS, messageOf, isCrash, nextTask } from './slices.js';
import { Frames, gridResolution } from './frames.js';

/** Paced speeds tick this often. */
const TICK_MS = 16;
/**
 * Pause lets the epoch under way finish when that takes at most this long, so what the maps show is
 * the epoch the numbers beside them are from; a longer epoch stops where it is, and says so.
 */
const PAUSE_FINISH_MS = 250;
/** A call expected to take longer than this is announced, so the page can say why Pause waits. */
const SLOW_CALL_MS = 1500;

export class Trainer {
  /** `querying`: names of the methods that ask the teacher about a budget of points (their rows are sent with frames). */
  constructor({ post, querying }) {
    this.post = post;
    this.querying = querying;
    this.session = null;
    this.gen = 0;
    this.held = false; // a build is under way: the session on screen does not train
    this.playing = false;
    /** A Step or a Pause finishing its epoch: {target} or {target, deadline}. */
    this.stepping = null;
    this.speedEps = 5;
    this.owed = 0; // units owed at a paced speed
    this.lastTick = 0;
    this.scheduled = false;
    this.stepWindow = []; // [time, units] for steps per second
  }

  // -------------------------------------------------------------------------------------------
  // The session.

  /** Takes a newly built session (the old one is freed) and sends the page everything static about it. */
  install(session, msg, prebuilt) {
    this.stop();
    this.session?.free();
    const s = session;
    this.session = s;
    this.gen = msg.gen;
    const overview = s.overview();
    const config = s.config();
    this.methods = overview.methods.length;
    this.epochs = config.student.epochs;
    this.unitsPerEpoch = s.unitsPerEpoch();
    this.methodCost = Array.from({ length: this.methods }, () => new Cost());
    this.twoD = !overview.projected;
    const queried = overview.methods.flatMap((m, i) => (this.querying.has(m) ? [i] : []));
    this.frames = new Frames(s, {
      methods: this.methods,
      twoD: this.twoD,
      classes: overview.class_names.length,
      rows: s.rowCount(),
      send: (part, transfer) => {
        const out = { ...this.transportState(), ...part };
        if (queried.length) {
          out.queried = {};
          for (const q of queried) {
            out.queried[q] = s.queried(q);
            transfer.push(out.queried[q].buffer);
          }
        }
        this.post(out, transfer);
      },
    });
    this.restartHistory();
    const arrays = {
      points: s.points(),
      labels: s.labels(),
      teacherLabels: s.teacherLabels(),
      teacherConfidence: s.teacherConfidence(),
      teacherProbs: s.teacherProbs(),
      alpha: s.alpha(),
      alphaRaw: s.alphaRaw(),
      alphaTrue: s.alphaTrue(),
      roles: s.roles(),
    };
    const bounds = Array.from(s.bounds());
    this.post({ type: 'built', gen: this.gen, overview, config, arrays, bounds, prebuilt }, Object.values(arrays).map((a) => a.buffer));
    this.snapshot({ metrics: true, frame: true });
    if (msg.autoplay) this.play();
  }

  /** A build began: the session on screen stops and waits. */
  hold() {
    this.held = true;
    if (this.playing || this.stepping) {
      this.stop();
      if (this.session) this.snapshot({ metrics: true });
    }
  }

  /** The build ended (installed, failed or cancelled): the session on screen may go on. */
  release() {
    this.held = false;
    this.schedule(0);
  }

  // -------------------------------------------------------------------------------------------
  // The page's actions.

  play() {
    const s = this.session;
    if (s.finished()) this.restart(() => s.reset());
    this.playing = true;
    this.stepping = null;
    this.lastTick = performance.now();
    this.owed = 0;
    this.snapshot({ metrics: true });
    this.schedule(0);
  }

  /** Stops training; the epoch under way finishes first when it can within PAUSE_FINISH_MS. */
  pause() {
    const s = this.session;
    const wasRunning = this.playing || this.stepping !== null;
    this.playing = false;
    this.stepping = wasRunning && s.betweenEpochs() && !s.finished() ? { target: s.epoch() + 1, deadline: performance.now() + PAUSE_FINISH_MS } : null;
    this.snapshot({ metrics: true, frame: !this.stepping && !this.frames.busy });
    this.schedule(0);
  }

  /** One more epoch; each Step adds one to those already asked for, none is lost. */
  step() {
    const s = this.session;
    if (s.finished()) this.restart(() => s.reset());
    const queued = this.stepping && !this.stepping.deadline ? this.stepping.target : s.epoch();
    this.playing = false;
    this.stepping = { target: Math.min(queued + 1, this.epochs) };
    this.snapshot({ metrics: true });
    this.schedule(0);
  }

  reset() {
    this.stop();
    this.restart(() => this.session.reset());
    this.snapshot({ metrics: true, frame: true });
  }

  newInit() {
    this.stop();
    this.restart(() => this.session.newInit());
    this.snapshot({ metrics: true, frame: true });
  }

  setSpeed(eps) {
    this.speedEps = eps === null || eps === undefined ? Infinity : eps;
    this.owed = 0;
  }

  /** Follow dataset row `row` (null or -1: none); the engine records its class at every epoch. */
  follow(row) {
    this.session.follow(Number.isInteger(row) ? row : -1);
    this.post({ type: 'point', gen: this.gen, point: this.session.followed() });
  }

  /** The page drew the last frame. */
  ack() {
    this.frames?.ack();
  }

  /**
   * Slow motion: method `msg.method`'s next minibatch taken apart and trained (the step it takes
   * next anyway, so the run goes on from there with the same numbers), with its map before and
   * after at the resolution the page draws it. Training stops first; the page then gets the new state.
   */
  explain(msg) {
    this.stop();
    let step;
    try {
      const s = this.session;
      step = s.explainStep(msg.method, this.twoD ? gridResolution(s, msg.method) : 8);
    } catch (e) {
      if (isCrash(e)) this.post({ type: 'crash', message: messageOf(e) });
      this.post({ type: 'summary-error', id: msg.id, message: messageOf(e) });
      return;
    }
    this.post({ type: 'summary', id: msg.id, report: step });
    this.snapshot({ metrics: true, frame: true });
  }

  // -------------------------------------------------------------------------------------------
  // Slices.

  stop() {
    this.playing = false;
    this.stepping = null;
  }

  /** The session's history starts over (a new session, reset, new init): the page gets it whole. */
  restartHistory() {
    this.metricsBase = 0;
    this.lastMetricsEpoch = -1;
    this.frames.reset();
    this.stepWindow.length = 0;
  }

  restart(fn) {
    fn();
    this.restartHistory();
  }

  /** The epoch training stops at: the configured last, or a Step's (or a Pause's). */
  limit() {
    return this.stepping ? this.stepping.target : this.epochs;
  }

  schedule(delay) {
    if (this.scheduled || !this.session || this.held) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.slice();
    };
    if (delay > 0) setTimeout(run, delay);
    else nextTask().then(run);
  }

  slice() {
    if (!this.session || this.held) return;
    const start = performance.now();
    try {
      if (this.playing || this.stepping) {
        // Training gets most of a slice; a frame under way gets the rest.
        const more = this.train(start + (this.frames.busy ? SLICE_MS * 0.6 : SLICE_MS));
        const overdue = this.stepping?.deadline !== undefined && performance.now() >= this.stepping.deadline;
        if (!more || overdue) {
          this.stop();
          this.snapshot({ metrics: true, frame: true });
        } else {
          this.snapshot({});
        }
      }
      // A frame gets its share even when one training call overruns the slice (a large network's
      // minibatch can take 100 ms): at least two thirds of the time training took.
      if (this.frames.busy) this.frames.advance(Math.max(start + SLICE_MS, performance.now() + (performance.now() - start) * (2 / 3)));
    } catch (e) {
      this.stop();
      if (isCrash(e)) this.post({ type: 'crash', message: messageOf(e) });
      else this.post({ type: 'error', gen: this.gen, message: messageOf(e) });
      return;
    }
    const paced = Number.isFinite(this.speedEps) && !this.stepping;
    if (this.playing) this.schedule(paced && this.owed < 1 && !this.frames.busy ? TICK_MS : 0);
    else if (this.frames.busy || this.stepping) this.schedule(0);
  }

  /**
   * Trains until `deadline` (or the units owed at a paced speed are paid, or the limit is reached),
   * one method's share at a time in the engine's turns; false once every method is at the limit.
   */
  train(deadline) {
    const s = this.session;
    const end = this.limit();
    const paced = Number.isFinite(this.speedEps) && !this.stepping;
    const perSecond = this.speedEps * this.unitsPerEpoch * this.methods;
    if (paced) {
      const now = performance.now();
      this.owed += (perSecond * Math.min(250, now - this.lastTick)) / 1000;
      this.lastTick = now;
    }
    let trained = 0;
    while (performance.now() < deadline) {
      const m = s.nextInTurn(end);
      if (m < 0) break;
      let units = this.methodCost[m].fit(CALL_MS);
      if (paced) {
        units = Math.min(units, Math.floor(this.owed));
        if (units < 1) break;
        this.owed -= units;
      }
      const cost = this.methodCost[m];
      if (cost.ms !== null && cost.ms * units > SLOW_CALL_MS) this.post({ type: 'busy', ms: Math.round(cost.ms * units) });
      const t0 = performance.now();
      s.advance(units, end);
      cost.add(performance.now() - t0, units);
      trained += units;
    }
    // A machine that cannot keep the pace does not build up a debt.
    if (paced) this.owed = Math.min(this.owed, (perSecond * 250) / 1000);
    this.countSteps(trained / Math.max(1, this.methods));
    return s.nextInTurn(end) >= 0;
  }

  countSteps(n) {
    const now = performance.now();
    this.stepWindow.push([now, n]);
    while (this.stepWindow.length && now - this.stepWindow[0][0] > 1000) this.stepWindow.shift();
  }

  stepsPerSecond() {
    const w = this.stepWindow;
    if (!this.playing || w.length < 2) return 0;
    const span = (w[w.length - 1][0] - w[0][0]) / 1000;
    const total = w.slice(1).reduce((a, [, n]) => a + n, 0);
    return span > 0 ? total / span : 0;
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots: metrics go out whenever the clock ticks; a frame is computed a few rows at a time
  // while training goes on, and only once the page has drawn the last one.

  /** What every snapshot carries: the clock, the transport and whether the maps are ahead of it. */
  transportState() {
    const s = this.session;
    return {
      type: 'snapshot',
      gen: this.gen,
      epoch: s.epoch(),
      finished: s.finished(),
      playing: this.playing,
      stepping: this.stepping && !this.stepping.deadline ? this.stepping.target : null,
      pausing: Boolean(this.stepping?.deadline),
      between: s.betweenEpochs(),
      stepsPerSec: this.stepsPerSecond(),
    };
  }

  /** Posts the transport state with new metrics (`metrics`: even if the clock did not tick), and starts a frame (`frame`: now). */
  snapshot({ metrics = false, frame = false }) {
    const s = this.session;
    if (!s) return;
    const epoch = s.epoch();
    if (epoch !== this.lastMetricsEpoch || metrics) {
      const msg = this.transportState();
      // Only the epochs the page does not have yet (it keeps the rest): `metricsFrom` is where they start.
      msg.metricsFrom = Math.min(this.metricsBase, epoch);
      msg.metrics = s.metricsFrom(msg.metricsFrom);
      this.metricsBase = epoch;
      msg.warnings = epoch > 0 ? s.warnings() : [];
      const point = s.followed();
      if (point) msg.point = point;
      this.lastMetricsEpoch = epoch;
      this.post(msg);
    }
    if (frame || ((this.playing || this.stepping) && this.frames.due())) {
      this.frames.start();
      this.schedule(0);
    }
  }
}
