import { runTrial, type TrialOutput, type TrialTask } from './trial.js';

/**
 * Runs trials. The samplers and studies only see this interface, so a distributed backend (a queue of
 * hosts) can be added without touching them. `concurrency` is how many trials the caller should keep in
 * flight; `run` may be called more often, extra calls wait.
 */
export interface TrialRunner {
  readonly concurrency: number;
  /** A description for logs (`piscina, 2 workers`). */
  readonly description: string;
  run(task: TrialTask, signal?: AbortSignal): Promise<TrialOutput>;
  close(): Promise<void>;
}

/** Runs trials one at a time on the calling thread (tests, debugging, tiny studies). */
export class InProcessRunner implements TrialRunner {
  readonly concurrency = 1;
  readonly description = 'in-process';
  /** Tasks run so far (tests use it to check that finished trials are not redone). */
  runs = 0;

  async run(task: TrialTask, signal?: AbortSignal): Promise<TrialOutput> {
    // Yield first so that an abort requested meanwhile (Ctrl-C) is seen before the next simulation.
    await new Promise((r) => setImmediate(r));
    signal?.throwIfAborted();
    this.runs++;
    return runTrial(task);
  }

  async close(): Promise<void> {}
}
