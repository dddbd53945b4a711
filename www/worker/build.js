// Building a session, a slice at a time. Only the newest request is built: a newer one, or a Cancel,
// abandons the build under way, and the session on screen stays until the new one is ready.

import { provideData } from '../datasets.js';
import { Cost, SLICE_MS, advanceFor, nextTask, messageOf, isCrash } from './slices.js';
import { mnistBytes } from './load.js';

/** Build progress is posted at most this often. */
const PROGRESS_MS = 100;

/**
 * The request's inputs: the uploaded CSV (kept across builds, so a rebuild need not resend it) and
 * the MNIST subset's bytes when the request needs them.
 */
export class Inputs {
  constructor(slam, post) {
    this.slam = slam;
    this.post = post;
    this.csv = null; // {name, text} of the uploaded CSV
  }

  /** `request` with the CSV a build message names (`csv`: null | 'keep' | {name, text}). */
  withCsv(request, csv) {
    if (csv && csv !== 'keep') this.csv = { name: csv.name, text: csv.text };
    if (csv === null || csv === undefined) return request;
    if (!this.csv) throw new Error('the uploaded CSV is no longer available: upload it again');
    return { ...request, csv: this.csv.text, csv_name: this.csv.name };
  }

  /** The MNIST bytes when `needsPool` and no CSV, after any built-in dataset file the request needs. */
  async resolve(request, needsPool) {
    const bytes = needsPool && !request.csv ? await mnistBytes(this.post) : undefined;
    await provideData(this.slam, request);
    return bytes;
  }
}

/**
 * The builds of the page's engine worker. `install(session, msg, prebuilt)` takes a finished
 * session; `onStart()` is called as a build begins (training on screen pauses) and `onIdle()` once
 * no build is left (built, failed or cancelled).
 */
export class Builds {
  constructor({ slam, post, inputs, install, onStart, onIdle }) {
    Object.assign(this, { slam, post, inputs, install, onStart, onIdle });
    this.current = null; // {msg, abandoned}
    this.pending = null;
    this.prebuilt = null; // {key, session}: built ahead of the page's first request (boot.js)
    this.cost = { teacher_epochs: new Cost(), teacher_labels: new Cost() };
  }

  /** Whether a build is under way or waiting. */
  get busy() {
    return this.current !== null || this.pending !== null;
  }

  queue(msg) {
    this.pending = msg;
    if (this.current) this.current.abandoned = true;
    else this.run();
  }

  /** Abandons build `gen` if it is waiting or under way; says so at once when nothing is. */
  cancel(gen) {
    if (this.pending?.gen === gen) this.pending = null;
    if (this.current?.msg.gen === gen) this.current.abandoned = true;
    else this.post({ type: 'build-cancelled', gen });
  }

  /** Builds `msg`'s session now, in one go, before the page asks (a plain visit's first request). */
  prebuild(msg, hasSession) {
    if (hasSession || this.prebuilt) return;
    try {
      this.prebuilt = { key: buildKey(msg), session: new this.slam.Session(msg.request) };
    } catch {
      this.prebuilt = null; // the real request will report whatever is wrong
    }
  }

  async run() {
    while (this.pending) {
      const msg = this.pending;
      this.pending = null;
      this.current = { msg, abandoned: false };
      this.onStart();
      try {
        await this.build(this.current);
      } finally {
        this.current = null;
      }
    }
    this.onIdle();
  }

  /** The prebuilt session if `msg` asks for exactly it; any other prebuilt session is dropped. */
  takePrebuilt(msg) {
    const p = this.prebuilt;
    this.prebuilt = null;
    if (p && p.key === buildKey(msg)) return p.session;
    if (p) p.session.free();
    return null;
  }

  async build(job) {
    const { msg } = job;
    const prebuilt = this.takePrebuilt(msg);
    if (prebuilt) {
      this.install(prebuilt, msg, true);
      return;
    }
    let builder = null;
    let session = null;
    try {
      const request = this.inputs.withCsv(msg.request, msg.csv);
      const bytes = await this.inputs.resolve(request, msg.needsPool);
      if (job.abandoned) return this.abandon(job);
      builder = bytes ? new this.slam.SessionBuilder(request, bytes) : new this.slam.SessionBuilder(request);
      let lastReport = -Infinity;
      for (;;) {
        const p = builder.progress();
        const now = performance.now();
        if (now - lastReport > PROGRESS_MS) {
          this.post({ type: 'build-progress', gen: msg.gen, ...p });
          lastReport = now;
        }
        if (p.stage === 'ready') break;
        // Each stage has its own cost per unit (a teacher minibatch, a block of labels).
        advanceFor(this.cost[p.stage], (units) => builder.advance(units), now + SLICE_MS, () => builder.progress().stage !== p.stage);
        await nextTask();
        if (job.abandoned) return this.abandon(job, builder);
      }
      const b = builder;
      builder = null;
      session = b.finish(); // consumes the builder
    } catch (e) {
      builder?.free();
      this.post({ type: 'build-error', gen: msg.gen, message: messageOf(e), field: typeof e?.field === 'string' ? e.field : null, crashed: isCrash(e) });
      return;
    }
    this.install(session, msg, false);
  }

  abandon(job, builder = null) {
    builder?.free();
    if (!this.pending) this.post({ type: 'build-cancelled', gen: job.msg.gen });
  }
}

/** The key of a build request: a prebuilt session is used only for exactly the request it was built for. */
const buildKey = (msg) => JSON.stringify([msg.request, msg.csv ?? null, Boolean(msg.needsPool)]);
