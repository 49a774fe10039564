import { Job, Queue, QueueEvents } from 'bullmq';
import { AbortFanout } from './abort-fanout.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import { inlineFiles } from './queue-files.js';
import { decodeReply, jobId, QUEUE_NAME, toJob, type TrialJob } from './queue-wire.js';
import { REDIS_CA_ENV, REDIS_PASSWORD_ENV, redisOptions, type RedisTarget } from './redis-url.js';
import type { TrialRunner } from './runner.js';
import type { TrialOutput, TrialTask } from './trial.js';

/** How long the first connection may take before the study is refused (exit 2): the whole check is ≤ 5 s. */
const CONNECT_WAIT_MS = 3500;
/** How often the coordinator refreshes the workers' count and looks after jobs whose event it may have missed. */
const TICK_MS = 1000;

export interface QueueRunnerOptions {
  target: RedisTarget;
  /** e2ctwin version written into every job (a worker of another version hands the job back). */
  version: string;
  /** How long Redis may stay unreachable during a study before it stops (default 60 s). */
  lostAfterMs?: number;
  /** Notices for people (workers of another version, Redis lost and back). */
  notice?: (line: string) => void;
}

interface Pending {
  job: TrialJob;
  resolve: (out: TrialOutput) => void;
  reject: (e: unknown) => void;
  promise: Promise<TrialOutput>;
}

/** Names workers give their connection: e2ctwin-<version>-c<concurrency> (see queue-worker.ts). */
export const workerName = (version: string, concurrency: number) => `e2ctwin-${version}-c${concurrency}`;

/**
 * Runs trials on a BullMQ queue in Redis, taken by `e2ctwin worker` processes on any machine. A job carries
 * the scenario text and every file it names, and its id is the digest of its content: a coordinator killed and
 * run again adds the same ids (BullMQ keeps one job per id) and collects jobs finished meanwhile. Results
 * come back through QueueEvents; a tick every second also looks up jobs whose event was missed (Redis
 * restarted) and adds again the ones Redis lost. Workers killed mid-trial are BullMQ's stalled jobs: another
 * worker takes them, and the first completion alone is ever seen here.
 */
export class QueueRunner implements TrialRunner {
  readonly #o: QueueRunnerOptions;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #pending = new Map<string, Pending>();
  readonly #aborts = new AbortFanout();
  readonly #files = new Map<
    string,
    TrialTask & { scenarioText: string; files: NonNullable<TrialTask['files']> }
  >();
  #slots = 0;
  #workers = 0;
  #others = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #lastEvent = Date.now();
  #downSince: number | undefined;
  #ticking = false;

  private constructor(o: QueueRunnerOptions, queue: Queue, events: QueueEvents) {
    this.#o = o;
    this.#queue = queue;
    this.#events = events;
  }

  /**
   * Connects (≤ 5 s) and checks that Redis answers.
   * @throws ExploreError BACKEND_UNREACHABLE when it does not (unreachable, wrong password, not Redis)
   */
  static async open(o: QueueRunnerOptions): Promise<QueueRunner> {
    const connection = redisOptions(o.target, { connectTimeoutMs: CONNECT_WAIT_MS });
    let lastError: Error | undefined;
    let failFast: ((e: Error) => void) | undefined;
    const onError = (e: Error) => {
      lastError = e;
      // Answers that retrying will not change: refused, unknown host, wrong password, a certificate not trusted.
      if (
        /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|WRONGPASS|NOAUTH|invalid password|NOPERM|certificate|CERT_|SSL/i.test(
          e.message,
        )
      )
        failFast?.(e);
    };
    const queue = new Queue(QUEUE_NAME, { connection });
    queue.on('error', onError);
    let timer: NodeJS.Timeout | undefined;
    const answered = queue.getJobCounts('wait');
    answered.catch(() => {}); // settled by the race below; a late rejection is not an unhandled one
    try {
      await Promise.race([
        answered,
        new Promise((_, reject) => {
          failFast = reject;
          timer = setTimeout(() => reject(lastError ?? new Error('no answer')), CONNECT_WAIT_MS);
        }),
      ]);
    } catch (err) {
      const why = lastError ?? (err as Error);
      // Bounded: a connection that never came up is dropped, not waited for. Dropping it rejects BullMQ's own
      // start-up promise afterwards, which it re-emits on its (protected) connection, listeners gone: listen.
      const conn = (queue as unknown as { connection: { on(e: 'error', f: () => void): void } }).connection;
      await Promise.race([queue.close().catch(() => {}), sleep(500)]);
      conn.on('error', () => {});
      throw new ExploreError(
        ExploreErrorCode.BACKEND_UNREACHABLE,
        `--backend ${o.target.display}: Redis did not answer: ${why.message}`,
        { url: o.target.display },
        /auth|password|NOPERM/i.test(why.message)
          ? `check the password in ${REDIS_PASSWORD_ENV}`
          : /certificate|CERT_|SSL/i.test(why.message)
            ? `a server certificate signed by a private CA needs that CA: set ${REDIS_CA_ENV} to its PEM file`
            : 'is redis-server running there, and is the port right?',
      );
    } finally {
      clearTimeout(timer);
    }
    // QueueEvents only once Redis answered (closing one that never connected does not settle).
    const events = new QueueEvents(QUEUE_NAME, { connection, autorun: false });
    events.on('error', () => {});
    const runner = new QueueRunner(o, queue, events);
    events.on('completed', ({ jobId: id, returnvalue }) => runner.#settle(id, decodeReply(returnvalue)));
    events.on('failed', ({ jobId: id, failedReason }) =>
      runner.#settle(id, { ok: false, error: `the queue failed the trial: ${failedReason}` }),
    );
    void events.run().catch(() => {});
    await events.waitUntilReady();
    await runner.#refreshWorkers();
    runner.#timer = setInterval(() => void runner.#tick(), TICK_MS);
    runner.#timer.unref();
    return runner;
  }

  /**
   * Trials to keep in flight: 8 per worker slot (at least 8), so that no worker waits for the next job while a
   * result travels back (a round trip is a few ms; short trials would otherwise leave workers idle).
   */
  get concurrency(): number {
    return 8 * Math.max(1, this.#slots);
  }

  /** The workers taking this version's trials. */
  get workers(): { processes: number; slots: number } {
    return { processes: this.#workers, slots: this.#slots };
  }

  get description(): string {
    return `queue ${this.#o.target.display}, ${this.#workers} worker${this.#workers === 1 ? '' : 's'} (${this.#slots} slot${this.#slots === 1 ? '' : 's'}) at start`;
  }

  run(task: TrialTask, signal?: AbortSignal): Promise<TrialOutput> {
    signal?.throwIfAborted();
    const cacheKey = `${task.scenarioFile}\0${task.inputsSha256 ?? ''}\0${task.scenarioText ?? ''}\0${task.overrides.join('\n')}\0${JSON.stringify(task.roots ?? {})}`;
    let inlined = this.#files.get(cacheKey);
    if (!inlined) {
      inlined = inlineFiles(task);
      if (this.#files.size >= 64) this.#files.delete(this.#files.keys().next().value!);
      this.#files.set(cacheKey, inlined);
    }
    const job = toJob(this.#o.version, { ...inlined, seed: task.seed, replication: task.replication });
    const id = jobId(job);
    let p = this.#pending.get(id);
    if (!p) {
      let resolve!: (out: TrialOutput) => void, reject!: (e: unknown) => void;
      const promise = new Promise<TrialOutput>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      p = { job, resolve, reject, promise };
      this.#pending.set(id, p);
      void this.#add(id, job);
    }
    return signal ? this.#aborts.race(p.promise, signal) : p.promise;
  }

  async #add(id: string, job: TrialJob): Promise<void> {
    try {
      // A job of this id that finished before (a coordinator killed and run again) is not added twice: BullMQ
      // keeps one job per id. Its result is collected by the tick, which looks up jobs that sent no event.
      await this.#queue.add('trial', job, {
        jobId: id,
        attempts: 1,
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      });
    } catch {
      // Redis away: the tick adds it again once it is back.
    }
  }

  #settle(id: string, out: TrialOutput): void {
    this.#lastEvent = Date.now();
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    p.resolve(out);
  }

  /** A job's state looked up directly: finished ones settle, lost ones (Redis restarted empty) are added again. */
  async #lookUp(id: string): Promise<void> {
    const job = await Job.fromId(this.#queue, id);
    if (!job) {
      const p = this.#pending.get(id);
      if (p) await this.#add(id, p.job);
      return;
    }
    if (job.finishedOn !== undefined && job.returnvalue !== undefined && job.returnvalue !== null)
      this.#settle(id, decodeReply(job.returnvalue));
    else if (job.failedReason && job.finishedOn !== undefined)
      this.#settle(id, { ok: false, error: `the queue failed the trial: ${job.failedReason}` });
  }

  async #refreshWorkers(): Promise<void> {
    const clients = await this.#queue.getWorkers();
    let processes = 0,
      slots = 0;
    const others = new Set<string>();
    for (const c of clients) {
      const m = /:w:e2ctwin-(.+)-c(\d+)$/.exec(c.rawname ?? c.name ?? '');
      if (!m) continue;
      if (m[1] !== this.#o.version) {
        others.add(m[1]!);
        continue;
      }
      processes++;
      slots += Number(m[2]);
    }
    for (const v of others)
      if (!this.#others.has(v))
        this.#o.notice?.(
          `workers of e2ctwin ${v} are connected to ${this.#o.target.display}; they hand these trials back (this study is e2ctwin ${this.#o.version})`,
        );
    this.#others = others;
    this.#workers = processes;
    this.#slots = slots;
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      await withTimeout(this.#refreshWorkers(), 3000);
      if (this.#downSince !== undefined) {
        this.#o.notice?.(`Redis at ${this.#o.target.display} answers again; the study goes on`);
        this.#downSince = undefined;
      }
      if (this.#pending.size > 0 && Date.now() - this.#lastEvent > 2 * TICK_MS) {
        const ids = [...this.#pending.keys()].slice(0, 500);
        await withTimeout(Promise.all(ids.map((id) => this.#lookUp(id))), 5000);
      }
    } catch (err) {
      const now = Date.now();
      if (this.#downSince === undefined) {
        this.#downSince = now;
        this.#o.notice?.(
          `Redis at ${this.#o.target.display} does not answer (${(err as Error).message}); waiting for it`,
        );
      } else if (now - this.#downSince > (this.#o.lostAfterMs ?? 60_000)) {
        const e = new ExploreError(
          ExploreErrorCode.BACKEND_LOST,
          `Redis at ${this.#o.target.display} did not answer for ${Math.round((now - this.#downSince) / 1000)} s`,
        );
        for (const [id, p] of this.#pending) {
          this.#pending.delete(id);
          p.reject(e);
        }
      }
    } finally {
      this.#ticking = false;
    }
  }

  /** Stops listening; trials still waiting in the queue are removed (a rerun adds them again). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const waiting = [...this.#pending.keys()];
    this.#pending.clear();
    const done = (async () => {
      for (const id of waiting) await this.#queue.remove(id).catch(() => 0);
      await this.#events.close();
      await this.#queue.close();
    })();
    await Promise.race([done.catch(() => {}), sleep(3000)]);
  }
}

const sleep = (ms: number) =>
  new Promise<void>((r) => {
    setTimeout(r, ms).unref();
  });

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
