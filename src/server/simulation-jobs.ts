import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ServerError, ServerErrorCode } from './errors.js';
import type { JobMessage, JobSpec } from './run-job.js';

/** A simulation job as the API shows it. */
export interface JobState {
  id: string;
  /** The run folder it writes (a run id of the runs folder). */
  runId: string;
  scenario: string;
  status: 'running' | 'done' | 'failed';
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
export type JobListener = (event: 'progress' | 'done' | 'failed', state: JobState) => void;

const KEEP_FINISHED = 100;

/**
 * Simulations started from the page, each in its own worker thread so that the server keeps answering
 * (and streaming progress) while it runs. At most `maxRunning` run at once; finished jobs are kept for
 * a while so that a page that subscribes late still gets the outcome.
 */
export class SimulationJobs {
  readonly maxRunning: number;
  #jobs = new Map<string, { state: JobState; listeners: Set<JobListener>; worker: Worker | null }>();

  constructor(maxRunning: number) {
    this.maxRunning = maxRunning;
  }

  get running(): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.state.status === 'running') n++;
    return n;
  }

  /** Refuses with BUSY when `maxRunning` jobs are running. */
  assertCapacity(): void {
    if (this.running >= this.maxRunning) {
      throw new ServerError(ServerErrorCode.BUSY, `${this.running} simulations are running (at most ${this.maxRunning} at once); try again when one finishes`, { running: this.running, maxRunning: this.maxRunning });
    }
  }

  start(spec: JobSpec, meta: { runId: string; scenario: string; replications: number }): JobState {
    this.assertCapacity();
    const state: JobState = {
      id: randomUUID(), runId: meta.runId, scenario: meta.scenario, status: 'running',
      fraction: 0, replication: 0, replications: meta.replications, startedAt: new Date().toISOString(),
    };
    const worker = spawnWorker(spec);
    const job = { state, listeners: new Set<JobListener>(), worker: worker as Worker | null };
    this.#jobs.set(state.id, job);
    const finish = (status: 'done' | 'failed', extra: Partial<JobState>) => {
      if (job.state.status !== 'running') return;
      job.state = { ...job.state, ...extra, status, ...(status === 'done' ? { fraction: 1 } : {}) };
      job.worker = null;
      for (const l of job.listeners) l(status, job.state);
      job.listeners.clear();
      this.#forgetOld();
    };
    worker.on('message', (m: JobMessage) => {
      if (m.type === 'progress') {
        job.state = { ...job.state, fraction: m.fraction, replication: m.replication };
        for (const l of job.listeners) l('progress', job.state);
      } else if (m.type === 'done') {
        finish('done', { files: m.files, wallSeconds: m.wallSeconds });
      } else {
        finish('failed', { error: { message: m.message, ...(m.code ? { code: m.code } : {}) } });
      }
    });
    worker.on('error', (err) => finish('failed', { error: { message: err.message } }));
    worker.on('exit', (code) => finish('failed', { error: { message: `the simulation worker stopped (exit code ${code}) before finishing` } }));
    return state;
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

  /** Stops every running worker (the server is closing). */
  async close(): Promise<void> {
    const workers = [...this.#jobs.values()].flatMap((j) => (j.worker ? [j.worker] : []));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  #job(id: string) {
    const job = this.#jobs.get(id);
    if (!job) throw new ServerError(ServerErrorCode.SIMULATION_NOT_FOUND, `no simulation "${String(id).slice(0, 100)}"`, { id: String(id).slice(0, 100) });
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
function spawnWorker(spec: JobSpec): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('../server/sim-worker.js', here), { workerData: spec });
  // tsx's ESM API entry (require.resolve finds its CommonJS twin, which cannot load the ESM part).
  const cjs = createRequire(here).resolve('tsx/esm/api');
  const tsx = pathToFileURL(existsSync(cjs.replace(/\.cjs$/, '.mjs')) ? cjs.replace(/\.cjs$/, '.mjs') : cjs).href;
  const entry = new URL('./sim-worker.ts', here).href;
  const boot = `const api = await import(${JSON.stringify(tsx)}); (api.register ?? api.default.register)(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: spec });
}
