import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import { levelMean } from '../metrics/index.js';
import { checkOption, ResourceError, ResourceErrorCode } from './errors.js';
import { JobHeap } from './job-heap.js';
import { numberSlot } from './number-slots.js';

// A server's numbers in its slot (number-slots.ts), not fields: a number field is a box of its own, one
// more cache miss each with thousands of servers (a gateway's CPU per frame, in the IoT scenario ×100).
const VIRTUAL = 0; // virtual time V
const LAST_UPDATE = 1; // when V was last brought up to date
const LEVEL_AT = 2; // when the levels last changed
const STATS_FROM = 3; // start of the statistics window
const JOB_AREA = 4; // job-seconds since STATS_FROM, up to LEVEL_AT
const BUSY_AREA = 5; // busy seconds since STATS_FROM, up to LEVEL_AT
const BUSY = 6; // busy fraction since LEVEL_AT
const RATES = 7; // per-job rate with n jobs, n < RATE_SLOTS, at RATES + n (0 = not computed yet)
const RATE_SLOTS = 16;
const NUMBERS = RATES + RATE_SLOTS;

/** Options of a {@link PsServer}: give either `cores` or a `rate` curve. */
export interface PsServerOptions {
  /** k cores: with n jobs each is served at rate min(1, k/n). */
  cores?: number | undefined;
  /**
   * Total service rate with n ≥ 1 jobs in service (a concurrency curve, e.g. a GPU's throughput
   * versus batch size); each job gets rate(n)/n. Must be pure and return a finite number > 0.
   */
  rate?: ((n: number) => number) | undefined;
  /** Name used in error messages. */
  name?: string | undefined;
  /**
   * Direct jobs (default true): with `cores` and at most that many jobs, each job gets its own completion
   * event. The model decides it (src/model/shortcuts.ts, ps-direct).
   */
  direct?: boolean | undefined;
  /**
   * Keep the pending completion event on an arrival that leaves it exact (default true). The model decides
   * it (src/model/shortcuts.ts, ps-keep-completion).
   */
  keepCompletion?: boolean | undefined;
}

// The completion handlers, bound to the class's private completion logic in its static block.
let complete: (server: PsServer) => void;
let directDone: (job: DirectJob) => void;

/** A job running at full rate on its own core, with its own completion event. */
interface DirectJob {
  server: PsServer;
  fn: Handler;
  arg: unknown;
  /** When it completes, and its kernel event. */
  end: number;
  id: number;
  /** Position in the server's list of direct jobs. */
  index: number;
}

/**
 * A processor-sharing server (egalitarian PS): all jobs present are served at once, each at rate
 * min(1, k/n) with `cores: k`, or rate(n)/n with a `rate` curve. `work` is in seconds at rate 1.
 *
 * Implementation: virtual time V advances at the per-job rate, dV/dt = rate(n)/n. A job arriving
 * at V₀ with work w finishes when V reaches its tag V₀ + w, so jobs sit in a heap by tag and only
 * the smallest tag has a scheduled completion event, rescheduled (cancel + schedule) on each arrival
 * and departure: O(log n) per job, one pending kernel event per server.
 *
 * Utilization: with `cores`, the time-weighted mean of min(n, k)/k; with a `rate` curve, the
 * fraction of time with at least one job (see also `meanConcurrency`).
 */
export class PsServer {
  readonly env: Env;
  readonly name: string;
  /** Number of cores, or `undefined` for a rate curve. */
  readonly cores: number | undefined;
  #rate: (n: number) => number;
  readonly #v: Float64Array;
  readonly #o: number;
  // Per-job rates with n ≥ RATE_SLOTS jobs (0 = not computed yet), when such n come.
  #moreRates = new Float64Array(0);
  #jobs = new JobHeap();
  #completion = 0; // kernel event id of the next completion, 0 if none
  // Time-weighted statistics of the number of jobs and of the busy fraction, kept here rather than in two
  // TimeWeighted objects: they change twice per job.
  #inService = 0; // jobs in service since LEVEL_AT
  #completed = 0;
  #done: unknown[] = []; // reused by #complete: (fn, arg) pairs of the jobs leaving now
  // With k cores and at most k jobs, every job runs at rate 1 and its end is known when it starts: such
  // jobs get one kernel event each ("direct" jobs) instead of a place in the tag heap and a shared,
  // constantly moved completion event. The first job beyond k cores turns them into tagged jobs (with
  // the work they have left); the server goes back to direct jobs once it is empty.
  #directMode: boolean;
  readonly #directAllowed: boolean;
  readonly #keepCompletion: boolean;
  #direct: DirectJob[] = [];
  #spare: DirectJob[] = [];

  constructor(env: Env, options: PsServerOptions) {
    const name = options.name ?? 'ps-server';
    const { cores, rate } = options;
    checkOption(
      name,
      'cores|rate',
      cores,
      (cores === undefined) !== (rate === undefined),
      'give exactly one',
    );
    if (cores !== undefined) checkOption(name, 'cores', cores, cores > 0 && cores < Infinity, 'must be > 0');
    this.env = env;
    this.name = name;
    this.cores = cores;
    this.#rate = rate ?? ((n: number) => Math.min(n, cores as number));
    this.#directAllowed = cores !== undefined && options.direct !== false;
    this.#keepCompletion = options.keepCompletion !== false;
    this.#directMode = this.#directAllowed;
    [this.#v, this.#o] = numberSlot(NUMBERS);
    const v = this.#v;
    const o = this.#o;
    v[o + LAST_UPDATE] = v[o + LEVEL_AT] = v[o + STATS_FROM] = env.now;
  }

  /**
   * Start a job of `work` seconds (at rate 1); `onDone(arg)` runs when it completes.
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_AMOUNT` if work is negative, NaN or infinite
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_RATE` if the rate curve returns a bad value
   */
  serve(work: number, onDone: Handler, arg?: unknown): void {
    if (!(work >= 0 && work < Infinity)) {
      throw new ResourceError(
        ResourceErrorCode.BAD_AMOUNT,
        `${this.name}: work ${work} is not a finite number ≥ 0`,
        {
          server: this.name,
          work,
        },
      );
    }
    if (this.#directMode) {
      const direct = this.#direct;
      if (direct.length < (this.cores as number)) {
        const job = this.#spare.pop() ?? { server: this, fn: onDone, arg, end: 0, id: 0, index: 0 };
        job.fn = onDone;
        job.arg = arg;
        job.end = this.env.now + work;
        job.index = direct.length;
        job.id = this.env.schedule(work, directDone, job);
        direct.push(job);
        this.#levelsChanged();
        return;
      }
      this.#toTagged();
    }
    const before = this.#jobs.size;
    this.#advance();
    const tag = this.#v[this.#o + VIRTUAL]! + work;
    const jobs = this.#jobs;
    const oldMin = jobs.minTag;
    jobs.push(tag, onDone, arg);
    this.#levelsChanged();
    // While the per-job rate stays the same (k cores with at most k jobs) and the newcomer does not
    // finish first, the pending completion event is still exact: keep it (no cancel, no new event).
    if (
      this.#keepCompletion &&
      this.#completion !== 0 &&
      tag >= oldMin &&
      this.#perJob(before + 1) === this.#perJob(before)
    )
      return;
    this.#reschedule();
  }

  /** Generator-friendly form of `serve()`: an event that succeeds when the job completes. */
  serveEvent(work: number): SimEvent<undefined> {
    const event = new SimEvent<undefined>(this.env);
    this.serve(work, succeedEvent, event);
    return event;
  }

  /** Jobs in service now. */
  get active(): number {
    return this.#jobs.size + this.#direct.length;
  }

  /** Jobs completed since construction or `resetStats()`. */
  get completed(): number {
    return this.#completed;
  }

  /** Time-weighted utilization up to `now` (see the class description). */
  utilization(now = this.env.now): number {
    const v = this.#v;
    const o = this.#o;
    return levelMean(now, v[o + STATS_FROM]!, v[o + BUSY_AREA]!, v[o + BUSY]!, v[o + LEVEL_AT]!);
  }

  /** Time-weighted mean number of jobs in service. */
  meanConcurrency(now = this.env.now): number {
    const v = this.#v;
    const o = this.#o;
    return levelMean(now, v[o + STATS_FROM]!, v[o + JOB_AREA]!, this.#inService, v[o + LEVEL_AT]!);
  }

  /** Start a new statistics window now (after warm-up). */
  resetStats(): void {
    this.#settleLevels(this.env.now);
    const v = this.#v;
    const o = this.#o;
    v[o + STATS_FROM] = this.env.now;
    v[o + JOB_AREA] = v[o + BUSY_AREA] = 0;
    this.#completed = 0;
  }

  // Bring virtual time up to now at the rate in force since the last change.
  #advance(): void {
    const now = this.env.now;
    const n = this.#jobs.size;
    const v = this.#v;
    const o = this.#o;
    if (n > 0) v[o + VIRTUAL]! += this.#perJob(n) * (now - v[o + LAST_UPDATE]!);
    v[o + LAST_UPDATE] = now;
  }

  #reschedule(): void {
    const n = this.#jobs.size;
    if (n === 0) {
      if (this.#completion !== 0) this.env.cancel(this.#completion);
      this.#completion = 0;
      this.#v[this.#o + VIRTUAL] = 0; // nothing is tagged: restart V at 0 so it never drifts far from 0
      this.#directMode = this.#directAllowed;
      return;
    }
    const delay = Math.max(0, (this.#jobs.minTag - this.#v[this.#o + VIRTUAL]!) / this.#perJob(n));
    // Move the pending completion rather than cancel it and schedule another (same order, no garbage).
    const moved = this.#completion !== 0 ? this.env.reschedule(this.#completion, delay) : 0;
    this.#completion = moved !== 0 ? moved : this.env.schedule(delay, complete, this);
  }

  // Completion event: every job whose tag V has reached leaves (jobs with equal tags leave
  // together, in arrival order). State is settled before callbacks run, so they may call serve().
  static #complete(server: PsServer): void {
    server.#completion = 0;
    server.#advance();
    const jobs = server.#jobs;
    // The event was scheduled for the smallest tag: that job is done even if rounding left V a
    // hair short of it. Others leave if their tag is within rounding distance.
    const v = server.#v;
    const at = server.#o + VIRTUAL;
    const top = jobs.minTag;
    if (top > v[at]!) v[at] = top;
    const virtual = v[at]!;
    const limit = virtual + 1e-12 * Math.max(1, virtual);
    jobs.pop();
    const fn = jobs.fn as Handler;
    const arg = jobs.arg;
    if (jobs.size === 0 || jobs.minTag > limit) {
      // The common case: one job leaves.
      server.#completed++;
      server.#levelsChanged();
      server.#reschedule();
      fn(arg);
      return;
    }
    const done = server.#done;
    let k = 0;
    done[k++] = fn;
    done[k++] = arg;
    do {
      jobs.pop();
      done[k++] = jobs.fn;
      done[k++] = jobs.arg;
    } while (jobs.size > 0 && jobs.minTag <= limit);
    server.#completed += k / 2;
    server.#levelsChanged();
    server.#reschedule();
    for (let i = 0; i < k; i += 2) {
      const f = done[i] as Handler;
      const a = done[i + 1];
      done[i] = done[i + 1] = undefined;
      f(a);
    }
  }

  // A direct job's event: it is done.
  static #directDone(job: DirectJob): void {
    const server = job.server;
    const direct = server.#direct;
    const last = direct.pop()!;
    if (last !== job) {
      direct[job.index] = last;
      last.index = job.index;
    }
    server.#completed++;
    server.#levelsChanged();
    const { fn, arg } = job;
    job.arg = undefined;
    server.#spare.push(job);
    fn(arg);
  }

  // More jobs than cores: the direct jobs become tagged jobs with the work they have left, and share
  // the single completion event.
  #toTagged(): void {
    const now = this.env.now;
    const direct = this.#direct;
    this.#directMode = false;
    this.#v[this.#o + VIRTUAL] = 0;
    this.#v[this.#o + LAST_UPDATE] = now;
    for (const job of direct) {
      this.env.cancel(job.id);
      this.#jobs.push(job.end - now, job.fn, job.arg);
      job.arg = undefined;
      this.#spare.push(job);
    }
    direct.length = 0;
    this.#reschedule();
  }

  static {
    complete = (server: PsServer) => PsServer.#complete(server);
    directDone = (job: DirectJob) => PsServer.#directDone(job);
  }

  #levelsChanged(): void {
    const n = this.#jobs.size + this.#direct.length;
    const now = this.env.now;
    this.#settleLevels(now);
    this.#inService = n;
    const cores = this.cores;
    this.#v[this.#o + BUSY] = cores === undefined ? (n > 0 ? 1 : 0) : Math.min(n, cores) / cores;
  }

  // The areas under both levels up to `now` (not before the last change: the kernel's clock only advances).
  #settleLevels(now: number): void {
    const v = this.#v;
    const o = this.#o;
    const dt = now - v[o + LEVEL_AT]!;
    v[o + JOB_AREA]! += this.#inService * dt;
    v[o + BUSY_AREA]! += v[o + BUSY]! * dt;
    v[o + LEVEL_AT] = now;
  }

  // Per-job rate with n jobs, from a cache (the slot's for n < RATE_SLOTS, #moreRates beyond); small enough
  // to be inlined (see #perJobFirst).
  #perJob(n: number): number {
    const more = n - RATE_SLOTS;
    const r =
      more < 0
        ? (this.#v[this.#o + RATES + n] as number)
        : more < this.#moreRates.length
          ? (this.#moreRates[more] as number)
          : 0;
    return r !== 0 ? r : this.#perJobFirst(n);
  }

  // The first time with n jobs: compute (and check) the rate, and cache it.
  #perJobFirst(n: number): number {
    const r = this.#rateOf(n);
    const more = n - RATE_SLOTS;
    if (more < 0) {
      this.#v[this.#o + RATES + n] = r;
      return r;
    }
    if (more >= this.#moreRates.length) {
      const grown = new Float64Array(Math.max(more + 1, 2 * this.#moreRates.length));
      grown.set(this.#moreRates);
      this.#moreRates = grown;
    }
    this.#moreRates[more] = r;
    return r;
  }

  // The per-job rate with n jobs, checked.
  #rateOf(n: number): number {
    const total = this.#rate(n);
    if (!(total > 0 && total < Infinity)) {
      throw new ResourceError(
        ResourceErrorCode.BAD_RATE,
        `${this.name}: rate(${n}) = ${total} is not a finite number > 0`,
        {
          server: this.name,
          n,
          rate: total,
        },
      );
    }
    return total / n;
  }
}

function succeedEvent(event: SimEvent<undefined>): void {
  event.succeed();
}
