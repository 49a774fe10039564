import { ScenarioError, type FileRoots } from '../scenario/index.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import { summarize, type FlatMetrics, type MetricSummary } from './metrics.js';
import type { TrialRunner } from './runner.js';
import { trialSeed, type SeedMode } from './seeds.js';
import type { Config, Space } from './space.js';
import type { TrialKey, TrialStore } from './store.js';
import type { TrialTask } from './trial.js';

/** A configuration to evaluate, optionally at a fidelity (requests measured) and with its own replications. */
export interface EvalRequest {
  config: Config;
  /** Requests measured after the warm-up; 0 (default) runs the scenario's own `run` length. */
  fidelity?: number;
  /** Replications 0..n−1; default the study's. */
  replications?: number;
  /** Extra `path=value` overrides outside the space (e.g. the configuration compared by capacity); part of the trial's identity. */
  extra?: readonly string[];
}

/** A configuration's replications and their summary. */
export interface Evaluation {
  config: Config;
  key: string;
  fidelity: number;
  seed: number;
  reps: FlatMetrics[];
  summary: MetricSummary;
}

export interface EvaluatorOptions {
  runner: TrialRunner;
  store?: TrialStore;
  space: Space;
  /** Absolute path of the scenario file. */
  scenarioFile: string;
  scenarioText?: string;
  /**
   * Digest of the study's identity (the resolved scenario and the files it uses), passed with every task so
   * that a long-lived worker never reuses a scenario it resolved before one of those files changed.
   */
  inputsSha256?: string;
  /** Folders files named by the scenario may be read from; travels with every task. */
  roots?: FileRoots;
  /** The user's `--set` overrides, applied before the configuration's. */
  baseOverrides: readonly string[];
  rootSeed: number;
  seedMode: SeedMode;
  /** Replications per configuration (default of {@link EvalRequest.replications}). */
  replications: number;
  /** Overrides that set a fidelity; default `run.requests=f` with an unbounded duration. */
  fidelityOverrides?: (fidelity: number) => string[];
  /** Aborting stops starting trials, cancels those in flight and makes evaluate() throw INTERRUPTED. */
  signal?: AbortSignal;
  /**
   * Called after every trial, for progress: `simulated`, `resumed` (found in the store: finished by an
   * earlier run of the study) or `shared` (asked again in this run: the same point of a design twice);
   * the trial (configuration, replication, metrics) with the first two.
   */
  onTrial?: (info: { source: 'simulated' | 'resumed' | 'shared'; trial?: FinishedTrial }) => void;
}

/** A trial as it finishes, for progress displays. */
export interface FinishedTrial {
  config: Config;
  replication: number;
  metrics: FlatMetrics;
}

export const requestFidelity = (f: number): string[] => [`run.requests=${f}`, 'run.duration=1000000000'];

/**
 * Evaluates configurations through a {@link TrialRunner}: expands each into replications (seeds from
 * the root seed and the configuration, never from the worker or the order), reuses trials already in the
 * store, runs the others with at most `runner.concurrency` in flight, commits each to the store as it
 * finishes, and returns the evaluations in request order. Results are therefore identical whatever the
 * number of workers, and a rerun after an interruption redoes nothing that finished.
 */
export class Evaluator {
  /** Trials simulated by this evaluator, found in the store, and asked again in this run. */
  simulated = 0;
  resumed = 0;
  shared = 0;
  readonly #memo = new Map<string, Promise<FlatMetrics>>();
  readonly #queue: {
    config: Config;
    task: TrialTask;
    key: TrialKey;
    resolve: (m: FlatMetrics) => void;
    reject: (e: unknown) => void;
  }[] = [];
  #inFlight = 0;
  #failure: unknown;
  #derive: ((m: FlatMetrics) => FlatMetrics) | undefined;

  constructor(readonly options: EvaluatorOptions) {}

  /** Adds derived metrics (e.g. a weighted-sum objective) to every replication this evaluator returns. */
  derive(f: ((m: FlatMetrics) => FlatMetrics) | undefined): void {
    this.#derive = f;
  }

  get replications(): number {
    return this.options.replications;
  }

  seedOf(config: Config): number {
    return trialSeed(this.options.seedMode, this.options.rootSeed, this.options.space.key(config));
  }

  /** The task of one replication (what goes to a worker). */
  task(
    config: Config,
    fidelity: number,
    replication: number,
    extra: readonly string[] = [],
    seed = this.seedOf(config),
  ): TrialTask {
    const o = this.options;
    const overrides = [
      ...o.baseOverrides,
      ...extra,
      ...o.space.overrides(config),
      ...(fidelity > 0 ? (o.fidelityOverrides ?? requestFidelity)(fidelity) : []),
    ];
    return {
      scenarioFile: o.scenarioFile,
      ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
      ...(o.inputsSha256 !== undefined ? { inputsSha256: o.inputsSha256 } : {}),
      ...(o.roots ? { roots: o.roots } : {}),
      overrides,
      seed,
      replication,
    };
  }

  async evaluate(requests: readonly EvalRequest[]): Promise<Evaluation[]> {
    const pending = requests.map((r) => {
      const fidelity = r.fidelity ?? 0;
      const n = r.replications ?? this.options.replications;
      const extra = r.extra ?? [];
      const key =
        extra.length > 0
          ? `${this.options.space.key(r.config)}|${extra.join('|')}`
          : this.options.space.key(r.config);
      const seed = trialSeed(this.options.seedMode, this.options.rootSeed, key);
      const reps = Array.from({ length: n }, (_, rep) =>
        this.#trial(r.config, extra, { configKey: key, fidelity, replication: rep, seed }),
      );
      return { r, key, fidelity, seed, reps };
    });
    const out: Evaluation[] = [];
    for (const p of pending) {
      let reps = await Promise.all(p.reps);
      if (this.#derive) reps = reps.map(this.#derive);
      out.push({
        config: p.r.config,
        key: p.key,
        fidelity: p.fidelity,
        seed: p.seed,
        reps,
        summary: summarize(reps),
      });
    }
    return out;
  }

  #trial(config: Config, extra: readonly string[], key: TrialKey): Promise<FlatMetrics> {
    const id = `${key.configKey}|${key.fidelity}|${key.replication}|${key.seed}`;
    const memo = this.#memo.get(id);
    if (memo) {
      this.shared++;
      this.options.onTrial?.({ source: 'shared' });
      return memo;
    }
    const stored = this.options.store?.get(key);
    let p: Promise<FlatMetrics>;
    if (stored) {
      this.resumed++;
      this.options.onTrial?.({
        source: 'resumed',
        trial: { config, replication: key.replication, metrics: stored.metrics },
      });
      p = Promise.resolve(stored.metrics);
    } else {
      p = new Promise<FlatMetrics>((resolve, reject) => {
        this.#queue.push({
          config,
          task: this.task(config, key.fidelity, key.replication, extra, key.seed),
          key,
          resolve,
          reject,
        });
        this.#pump();
      });
    }
    // Failed trials are not memoized: a later request retries them.
    p.catch(() => this.#memo.delete(id));
    this.#memo.set(id, p);
    return p;
  }

  #pump(): void {
    const { runner, signal } = this.options;
    while (this.#inFlight < runner.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      if (this.#failure !== undefined || signal?.aborted) {
        job.reject(this.#failure ?? interrupted());
        continue;
      }
      this.#inFlight++;
      runner
        .run(job.task, signal)
        .then((out) => {
          if (out.ok) {
            this.options.store?.put({ ...job.key, metrics: out.metrics, wallMs: out.wallMs });
            this.simulated++;
            this.options.onTrial?.({
              source: 'simulated',
              trial: { config: job.config, replication: job.key.replication, metrics: out.metrics },
            });
            job.resolve(out.metrics);
            return;
          }
          throw 'issues' in out
            ? new ScenarioError(out.issues)
            : new ExploreError(
                ExploreErrorCode.TRIAL_FAILED,
                `a simulation failed: ${out.error.split('\n')[0]}`,
                { task: job.task, error: out.error },
              );
        })
        .catch((err: unknown) => {
          const e = signal?.aborted ? interrupted() : err;
          this.#failure ??= e;
          job.reject(e);
        })
        .finally(() => {
          this.#inFlight--;
          this.#pump();
        });
    }
    if (this.#failure !== undefined || signal?.aborted) {
      while (this.#queue.length > 0) this.#queue.shift()!.reject(this.#failure ?? interrupted());
    }
  }
}

function interrupted(): ExploreError {
  return new ExploreError(ExploreErrorCode.INTERRUPTED, 'interrupted');
}
