import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { TrialRunner } from './runner.js';
import type { TrialOutput, TrialTask } from './trial.js';

/**
 * The bundled worker file. From the bundled CLI (dist/cli/main.js) it is ../explore/worker.js; from the
 * sources (tests, benchmarks run with tsx) it is dist/explore/worker.js at the repository root, built by
 * `npm run build` (the test suite builds it first).
 */
export function workerFile(): string {
  // bin/e2ctwin.js names the worker that loads its own bundle with V8's code cache when the study-worker-cache
  // start-up path applies (bin/start-up-paths.js).
  const cached = (globalThis as { __e2cStudyWorker?: unknown }).__e2cStudyWorker;
  if (typeof cached === 'string') return cached;
  const candidates = [
    new URL('../explore/worker.js', import.meta.url),
    new URL('../../dist/explore/worker.js', import.meta.url),
  ];
  for (const c of candidates) {
    const f = fileURLToPath(c);
    if (existsSync(f)) return f;
  }
  throw new Error('dist/explore/worker.js is missing; run `npm run build` first');
}

/** Default number of worker threads: the cores available to this process. */
export const defaultWorkers = (): number => os.availableParallelism();

/**
 * Runs trials in a pool of worker threads (piscina): `workers` threads, one task per thread at a time
 * (simulations are CPU-bound), tasks and results as plain data.
 */
/** The longest {@link PiscinaRunner.close} waits for the pool's threads to stop. */
const CLOSE_WAIT_MS = 5000;

export class PiscinaRunner implements TrialRunner {
  readonly concurrency: number;
  readonly description: string;
  readonly #pool: Piscina;

  constructor(workers = defaultWorkers(), filename = workerFile()) {
    this.concurrency = Math.max(1, workers);
    this.description = `${this.concurrency} worker thread${this.concurrency === 1 ? '' : 's'}`;
    // execArgv: [] — the worker file is bundled JavaScript and needs no loader; without it, workers would
    // inherit the parent's flags, e.g. tsx's loader hooks under the tests and benchmarks, which start an
    // esbuild service in every worker (~0.8 s each, measured).
    this.#pool = new Piscina({
      filename,
      minThreads: this.concurrency,
      maxThreads: this.concurrency,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      execArgv: [],
    });
  }

  run(task: TrialTask, signal?: AbortSignal): Promise<TrialOutput> {
    return this.#pool.run(task, signal ? { signal } : {}) as Promise<TrialOutput>;
  }

  /**
   * Destroys the pool. Bounded: a pool closed while its threads are still starting (a study refused as bad
   * input right after it opened) was seen not to settle in CI; after CLOSE_WAIT_MS the caller goes on and the
   * threads end with the process.
   */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#pool.destroy(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
