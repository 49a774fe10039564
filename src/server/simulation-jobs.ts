import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ServerError, ServerErrorCode } from './errors.js';
import type { JobMessage, JobSpec } from './run-job.js';

/** A simulation job as the API shows it. */
export interface JobState {
  id: string;
  /** The run folder it writes (a run id of the runs folder). */
  runId: string;
  scenario: string;
  /** `failed` covers the budgets (error.code SIMULATION_TIMEOUT, SIMULATION_MEMORY) and crashes. */
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** Fraction of the whole study done (0..1), and the replication being run (0-based). */
  fraction: number;
  replication: number;
  replications: number;
  startedAt: string;
  wallSeconds?: number;
  files?: string[];
  error?: { message: string; code?: string };
}

/** Something a job subscriber hears: its state after each change. */
export type JobListener = (event: 'progress' | 'done' | 'failed' | 'cancelled', state: JobState) => void;

/**
 * What one simulation started from the page may use before it is stopped and reported as failed. The
 * memory budget is the worker's V8 heap (`resourceLimits.maxOldGenerationSizeMb`): it bounds what a
 * runaway scenario can pile up in JavaScript objects; buffers outside the heap are not counted.
 */
export interface SimulationBudget {
  /** Wall-clock seconds from start to run folder written. */
  wallSeconds: number;
  /** MiB of worker heap. */
  memoryMiB: number;
}

/** Ten minutes and 1 GiB: far above what the shipped scenarios need from the page (seconds, < 200 MiB). */
export const DEFAULT_BUDGET: Readonly<SimulationBudget> = Object.freeze({
  wallSeconds: 600,
  memoryMiB: 1024,
});

export interface SimulationJobsOptions {
  /** Jobs running at once; more are refused with BUSY. */
  maxRunning: number;
  budget?: Partial<SimulationBudget>;
}

interface Job {
  state: JobState;
  listeners: Set<JobListener>;
  worker: Worker | null;
  /** Its run folder (created for it by the server). */
  dir: string;
  /** The wall-time budget's timer. */
  timer?: NodeJS.Timeout;
}

const KEEP_FINISHED = 100;

/**
 * Simulations started from the page, each in its own worker thread so that the server keeps answering
 * (and streaming progress) while it runs. At most `maxRunning` run at once; finished jobs are kept for
 * a while so that a page that subscribes late still gets the outcome. A job past its budget, or
 * cancelled, has its worker terminated and its run folder removed; its slot is free at once.
 */
export class SimulationJobs {
  readonly maxRunning: number;
  readonly budget: Readonly<SimulationBudget>;
  #jobs = new Map<string, Job>();
  #cleanups = new Set<Promise<void>>();

  constructor(options: SimulationJobsOptions) {
    this.maxRunning = options.maxRunning;
    this.budget = Object.freeze({ ...DEFAULT_BUDGET, ...options.budget });
  }

  get running(): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.state.status === 'running') n++;
    return n;
  }

  /** Refuses with BUSY when `maxRunning` jobs are running. */
  assertCapacity(): void {
    if (this.running >= this.maxRunning) {
      throw new ServerError(
        ServerErrorCode.BUSY,
        `${this.running} simulations are running (at most ${this.maxRunning} at once); try again when one finishes`,
        { running: this.running, maxRunning: this.maxRunning },
      );
    }
  }

  start(spec: JobSpec, meta: { runId: string; scenario: string; replications: number }): JobState {
    this.assertCapacity();
    const state: JobState = {
      id: randomUUID(),
      runId: meta.runId,
      scenario: meta.scenario,
      status: 'running',
      fraction: 0,
      replication: 0,
      replications: meta.replications,
      startedAt: new Date().toISOString(),
    };
    const { wallSeconds, memoryMiB } = this.budget;
    const worker = spawnWorker(spec, { maxOldGenerationSizeMb: memoryMiB });
    const job: Job = { state, listeners: new Set<JobListener>(), worker, dir: spec.dir };
    this.#jobs.set(state.id, job);
    job.timer = setTimeout(
      () => {
        this.#finish(job, 'failed', {
          error: {
            code: ServerErrorCode.SIMULATION_TIMEOUT,
            message: `the simulation ran longer than ${wallSeconds} s of wall time (the server's budget per simulation, serve --max-wall-seconds) and was stopped`,
          },
        });
      },
      Math.min(wallSeconds * 1000, 2 ** 31 - 1),
    );
    job.timer.unref();
    const finish = (status: 'done' | 'failed', extra: Partial<JobState>) => this.#finish(job, status, extra);
    worker.on('message', (m: JobMessage) => {
      if (job.state.status !== 'running') return;
      if (m.type === 'progress') {
        job.state = { ...job.state, fraction: m.fraction, replication: m.replication };
        for (const l of job.listeners) l('progress', job.state);
      } else if (m.type === 'done') {
        finish('done', { files: m.files, wallSeconds: m.wallSeconds });
      } else {
        finish('failed', { error: { message: m.message, ...(m.code ? { code: m.code } : {}) } });
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      finish(
        'failed',
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? {
              error: {
                code: ServerErrorCode.SIMULATION_MEMORY,
                message: `the simulation needed more than ${memoryMiB} MiB of memory (the server's budget per simulation, serve --max-memory-mib) and was stopped`,
              },
            }
          : {
              error: {
                code: ServerErrorCode.SIMULATION_CRASHED,
                message: `the simulation worker failed: ${err.message}`,
              },
            },
      );
    });
    worker.on('exit', (code) =>
      finish('failed', {
        error: {
          code: ServerErrorCode.SIMULATION_CRASHED,
          message: `the simulation worker stopped (exit code ${code}) before finishing`,
        },
      }),
    );
    return state;
  }

  /**
   * Stops a running job (status `cancelled`) and frees its slot at once; a finished job is answered as
   * it is. SIMULATION_NOT_FOUND for an unknown id.
   */
  cancel(id: string): JobState {
    const job = this.#job(id);
    if (job.state.status === 'running') {
      this.#finish(job, 'cancelled', {
        error: {
          code: ServerErrorCode.SIMULATION_CANCELLED,
          message: 'the simulation was cancelled (DELETE /api/simulations/:id)',
        },
      });
    }
    return job.state;
  }

  get(id: string): JobState {
    return this.#job(id).state;
  }

  /** Calls `listener` on each change until the job ends; returns the unsubscribe function. */
  subscribe(id: string, listener: JobListener): () => void {
    const job = this.#job(id);
    if (job.state.status !== 'running') return () => {};
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  /** Stops every running worker (the server is closing) and waits until stopped jobs are cleaned up. */
  async close(): Promise<void> {
    for (const job of this.#jobs.values()) {
      if (job.state.status === 'running') {
        this.#finish(job, 'cancelled', {
          error: {
            code: ServerErrorCode.SIMULATION_CANCELLED,
            message: 'the server closed before the simulation finished',
          },
        });
      }
    }
    await Promise.all([...this.#cleanups]);
  }

  /**
   * Ends a running job once: records the outcome, tells the subscribers. A job that did not finish has
   * its worker terminated and its run folder (created for it by the server, maybe half written) removed.
   */
  #finish(job: Job, status: 'done' | 'failed' | 'cancelled', extra: Partial<JobState>): void {
    if (job.state.status !== 'running') return;
    clearTimeout(job.timer);
    job.state = { ...job.state, ...extra, status, ...(status === 'done' ? { fraction: 1 } : {}) };
    const worker = job.worker;
    job.worker = null;
    if (status !== 'done') {
      const cleanup = (async () => {
        await worker?.terminate().catch(() => {});
        rmSync(job.dir, { recursive: true, force: true });
      })();
      this.#cleanups.add(cleanup);
      void cleanup.finally(() => this.#cleanups.delete(cleanup));
    }
    for (const l of job.listeners) l(status, job.state);
    job.listeners.clear();
    this.#forgetOld();
  }

  #job(id: string) {
    const job = this.#jobs.get(id);
    if (!job)
      throw new ServerError(
        ServerErrorCode.SIMULATION_NOT_FOUND,
        `no simulation "${String(id).slice(0, 100)}"`,
        { id: String(id).slice(0, 100) },
      );
    return job;
  }

  #forgetOld(): void {
    const finished = [...this.#jobs.entries()].filter(([, j]) => j.state.status !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.#jobs.delete(id);
  }
}

/**
 * The worker runs dist/server/sim-worker.js next to the bundled CLI; when the server runs from source
 * (tests), the TypeScript entry is loaded through tsx.
 */
function spawnWorker(spec: JobSpec, resourceLimits: ResourceLimits): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts'))
    return new Worker(new URL('../server/sim-worker.js', here), { workerData: spec, resourceLimits });
  // tsx's ESM API entry (require.resolve finds its CommonJS twin, which cannot load the ESM part).
  const cjs = createRequire(here).resolve('tsx/esm/api');
  const tsx = pathToFileURL(
    existsSync(cjs.replace(/\.cjs$/, '.mjs')) ? cjs.replace(/\.cjs$/, '.mjs') : cjs,
  ).href;
  const entry = new URL('./sim-worker.ts', here).href;
  const boot = `const api = await import(${JSON.stringify(tsx)}); (api.register ?? api.default.register)(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: spec,
    resourceLimits,
  });
}
