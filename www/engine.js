// Main-thread side of the worker protocol (every message is listed in worker/protocol.js).

/** How often a worker is asked whether it is still there, and how long an unanswered question may wait. */
const PING_MS = 500;
const DEAD_MS = 3000;

/**
 * Notices a worker that stopped without a word (closed, or killed by the browser under memory
 * pressure): it is pinged every second and answers between its slices of work; inside a long engine
 * call it beats instead (worker/slices.js), so a worker that neither answers nor beats for DEAD_MS
 * is gone, whatever call it was in. Timers of a hidden tab may run late; only a ping actually sent
 * and left unanswered counts, so they cannot cause a false alarm.
 */
export class Heartbeat {
  constructor(worker, onDead, { pingMs = PING_MS, deadMs = DEAD_MS } = {}) {
    this.worker = worker;
    this.onDead = onDead;
    this.deadMs = deadMs;
    this.waiting = null; // {id, sentAt} of the unanswered ping
    this.lastHeard = performance.now();
    this.nextId = 1;
    this.timer = setInterval(() => this.check(), pingMs);
  }

  /** Every message from the worker (a beat from inside a long call too): it is alive. */
  heard(msg) {
    this.lastHeard = performance.now();
    if (msg.type === 'pong' && this.waiting?.id === msg.id) this.waiting = null;
  }

  check() {
    const now = performance.now();
    if (this.waiting) {
      // Silent since the ping was sent, or since the last beat of a long call.
      const since = Math.max(this.waiting.sentAt, this.lastHeard);
      if (now - since > this.deadMs) {
        this.stop();
        this.onDead(Math.round((now - since) / 1000));
      }
      return;
    }
    this.waiting = { id: this.nextId++, sentAt: now };
    this.worker.postMessage({ type: 'ping', id: this.waiting.id });
  }

  stop() {
    clearInterval(this.timer);
  }
}

/** The interactive engine: one module worker holding the training session. */
export class EngineClient {
  constructor(url) {
    this.url = url;
    this.worker = null;
    this.handlers = new Map();
    this.pending = new Map(); // id -> {msg, resolve, reject}: summaries asked of the worker
    this.nextId = 1;
  }

  on(type, fn) {
    this.handlers.set(type, fn);
  }

  emit(type, msg) {
    const fn = this.handlers.get(type);
    if (fn) fn(msg);
  }

  /** Starts the worker, or adopts `boot` ({worker, early}: the one boot.js started, and its events so far). */
  start(boot = null) {
    this.worker = boot ? boot.worker : new Worker(this.url, { type: 'module' });
    const worker = this.worker;
    this.heartbeat?.stop();
    this.heartbeat = null;
    const onMessage = (event) => {
      const msg = event.data;
      this.heartbeat?.heard(msg);
      if (msg.type === 'ready') {
        // Watched from the moment it is up (loading the engine is one long step of its own).
        this.heartbeat = new Heartbeat(worker, (seconds) => {
          if (this.worker === worker) this.emit('worker-dead', { seconds });
        });
      }
      if (msg.type === 'summary' || msg.type === 'summary-error') this.settle(msg);
      else if (msg.type !== 'pong' && msg.type !== 'beat') this.emit(msg.type, msg);
    };
    const onError = (event) => {
      event.preventDefault();
      this.emit('worker-error', { message: event.message || '' });
    };
    this.worker.onmessage = onMessage;
    this.worker.onerror = onError;
    for (const [kind, event] of boot?.early ?? []) (kind === 'message' ? onMessage : onError)(event);
    // Summaries asked of a worker that crashed are asked again of the new one; a question about the
    // lost session (slow motion) has no answer any more.
    for (const [id, p] of this.pending) {
      if (p.resend) this.worker.postMessage(p.msg);
      else {
        this.pending.delete(id);
        p.reject(new Error('the engine was restarted before it answered'));
      }
    }
  }

  restart() {
    this.heartbeat?.stop();
    this.heartbeat = null;
    if (this.worker) this.worker.terminate();
    this.start();
  }

  send(msg) {
    if (this.worker) this.worker.postMessage(msg);
  }

  /**
   * The report over per-seed results (JSON texts) of `request`: summariseSeeds in the engine worker.
   * Resolves to the report object; rejects with the engine's message.
   */
  summarise({ request, csv, needsPool }, results) {
    return this.ask({ type: 'summarise', request, csv, needsPool, results });
  }

  /** A sweep's report: `results[v]` are the JSON texts of value `v`'s seeds (summariseSweep). */
  summariseSweep({ request, csv, needsPool }, key, values, results) {
    return this.ask({ type: 'summarise-sweep', request, csv, needsPool, key, values, results });
  }

  /** A sweep's values (`"50,100,200"`) read and checked by the engine; rejects naming the bad value. */
  sweepValues({ request, csv }, key, text) {
    return this.ask({ type: 'sweep-values', request, csv, key, text });
  }

  /** Method `method`'s next minibatch taken apart and trained (the engine's SlowStep), or null past the last epoch. */
  explainStep(method) {
    return this.ask({ type: 'explain', method }, { resend: false });
  }

  /**
   * Sends `msg` with a fresh id; resolves with the worker's 'summary' answer, rejects on
   * 'summary-error'. `resend`: asked again of a restarted worker (else rejected then).
   */
  ask(fields, { resend = true } = {}) {
    const id = this.nextId++;
    const msg = { ...fields, id };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { msg, resolve, reject, resend });
      this.send(msg);
    });
  }

  settle(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.type === 'summary') p.resolve(msg.report);
    else p.reject(new Error(msg.message));
  }
}

/** How many pool workers a run of `n` seeds gets: one per core, at most 8, never more than seeds. */
export function poolSize(n, cores = navigator.hardwareConcurrency) {
  return Math.max(1, Math.min(cores || 2, n, 8));
}

/** The pool's worker script. */
const SEEDS_WORKER = new URL('./seeds-worker.js', import.meta.url);
/** Workers that fail to start, one after another, before a run gives up (offline, say). */
const START_FAILURES = 2;

/**
 * A multi-seed run spread over a pool of workers (seeds-worker.js), each pulling the next seed index
 * from a queue, so the page's own session keeps training and drawing meanwhile. Results come back as
 * JSON text; `summarise(results)` (the page's engine worker, summariseSeeds) turns them into the
 * report, in seed order whatever order they finished in. `close()` terminates every worker at once,
 * even in the middle of a seed.
 *
 * A worker that stops answering (or dies) is replaced and its seed runs again on the new one; a seed
 * whose worker dies three times fails the run (it is the seed, not bad luck). Workers that cannot
 * start at all (the page is offline and not saved for offline use, say) fail the run at once with
 * that reason, rather than being replaced forever.
 *
 * msg: {request, csv, needsPool, total, jobs?}; `jobs` ([{request, index}], a sweep: one per value
 * and seed) replaces the seed indices 0..total-1 of `request`. hooks: onSeed(done, total, results),
 * onDone(results), onError(message), onNotice(message), onProgress(fraction). `results` is the array
 * of JSON texts finished so far, and `byJob[j]` job j's text.
 */
export class SeedPool {
  constructor(msg, { workers, onSeed, onDone, onError, onNotice = () => {}, onProgress = () => {} }) {
    this.msg = msg;
    this.jobs = msg.jobs ?? Array.from({ length: msg.total }, (_, index) => ({ request: msg.request, index }));
    this.total = this.jobs.length;
    this.queue = Array.from({ length: this.total }, (_, j) => j);
    this.results = [];
    this.byJob = new Array(this.total).fill(null);
    this.deaths = new Array(this.total).fill(0);
    this.partial = new Map(); // job -> fraction of it done, for the progress bar
    this.finished = false;
    this.hooks = { onSeed, onDone, onError, onNotice, onProgress };
    this.running = new Map(); // worker -> the job it is running
    this.beats = new Map(); // worker -> its Heartbeat, once it is up
    this.startFailures = 0; // workers in a row that never came up
    this.size = workers;
    this.workers = [];
    for (let k = 0; k < workers; k++) this.spawn();
  }

  spawn() {
    const w = new Worker(SEEDS_WORKER, { type: 'module', name: 'seeds' });
    w.onmessage = (event) => this.onMessage(w, event.data);
    w.onerror = (event) => {
      event.preventDefault();
      this.lost(w, `stopped with an error${event.message ? ` (${event.message})` : ''}`);
    };
    this.workers.push(w);
    return w;
  }

  /** Worker `w` is gone: a new one takes its place and its seed goes back to the front of the queue. */
  lost(w, why) {
    if (this.finished || !this.workers.includes(w)) return;
    const wasUp = this.beats.has(w);
    this.beats.get(w)?.stop();
    this.beats.delete(w);
    w.terminate();
    this.workers = this.workers.filter((x) => x !== w);
    if (!wasUp) {
      this.startFailures += 1;
      if (this.startFailures >= START_FAILURES) {
        this.fail(`the seeds' workers could not start (a worker ${why}): the page may be offline before it was saved for offline use; the seeds done so far are kept`);
        return;
      }
    }
    const job = this.running.get(w);
    this.running.delete(w);
    if (job !== undefined) {
      this.partial.delete(job);
      this.deaths[job] += 1;
      const { index } = this.jobs[job];
      if (this.deaths[job] >= 3) {
        this.fail(`seed ${index}: its worker ${why}, three times; the run stops here (the seeds done so far are kept)`);
        return;
      }
      this.queue.unshift(job);
      this.hooks.onNotice(`A seeds worker ${why} during seed ${index}; a new worker runs that seed again.`);
    }
    this.spawn();
  }

  /** Gives worker `w` the next seed index, if any is left. */
  feed(w) {
    if (this.finished || !this.queue.length) return;
    const job = this.queue.shift();
    const { csv, needsPool } = this.msg;
    const { request, index } = this.jobs[job];
    this.running.set(w, job);
    w.postMessage({ type: 'seed', request, csv, needsPool, index });
  }

  onMessage(w, msg) {
    if (this.finished) return;
    this.beats.get(w)?.heard(msg);
    if (msg.type === 'pool-ready') {
      this.startFailures = 0;
      this.beats.set(w, new Heartbeat(w, (seconds) => this.lost(w, `stopped answering for ${seconds} s`)));
      this.feed(w);
    }
    else if (msg.type === 'seed-progress') {
      const job = this.running.get(w);
      if (job !== undefined && msg.total > 0) this.partial.set(job, msg.done / msg.total);
      this.hooks.onProgress((this.results.length + [...this.partial.values()].reduce((a, b) => a + b, 0)) / this.total);
    } else if (msg.type === 'seed-done') {
      const job = this.running.get(w);
      this.running.delete(w);
      this.partial.delete(job);
      this.results.push(msg.result);
      this.byJob[job] = msg.result;
      this.feed(w);
      const done = this.results.length;
      this.hooks.onSeed(done, this.total, this.results.slice());
      if (done === this.total) {
        this.close();
        this.hooks.onDone(this.results.slice());
      }
    } else if (msg.type === 'seed-error') this.fail(`seed ${msg.index}: ${msg.message}`);
    else if (msg.type === 'fatal') this.fail(msg.message);
  }

  fail(message) {
    if (this.finished) return;
    this.close();
    this.hooks.onError(message);
  }

  close() {
    if (this.finished) return;
    this.finished = true;
    for (const b of this.beats.values()) b.stop();
    for (const w of this.workers) w.terminate();
  }
}
