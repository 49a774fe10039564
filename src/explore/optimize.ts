import { ci95 } from '../metrics/index.js';
import type { Evaluation } from './evaluator.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import {
  checkKeys,
  deriveMetrics,
  margins,
  minimized,
  violation,
  type Constraint,
  type Objective,
} from './objectives.js';
import {
  compareObs,
  makeOptimizer,
  MULTI_FIDELITY,
  type Algorithm,
  type FidelityOptions,
  type Observation,
} from './optimizers/index.js';
import { paretoFront } from './pareto.js';
import type { Config } from './space.js';
import type { Study } from './study.js';

export interface OptimizeOptions {
  algorithm: Algorithm;
  /** Evaluations to spend (configurations × fidelity: full-fidelity equivalents for sha/asha). */
  budget: number;
  /** Suggestions evaluated together (results told in suggestion order): the concurrency of the search. Default 4. */
  batch?: number;
  /** Seed of the optimizer; default the study's root seed. */
  seed?: number;
  objectives: Objective[];
  constraints: Constraint[];
  /** Requests measured at the lowest and highest rung and the reduction factor (sha/asha). */
  fidelity?: FidelityOptions;
  /**
   * Fidelity (requests measured) of single-fidelity algorithms; 0 (default) runs the scenario's own run
   * length. With sha/asha the top rung is the full fidelity.
   */
  fullFidelity?: number;
  /** Re-evaluate the best `top` configurations with `replications` replications to state the best with a CI. */
  confirm?: { top: number; replications: number };
  /** Stops the search early (benchmarks: once within 1 % of a known optimum). */
  stop?: (incumbent: HistoryRow) => boolean;
  /**
   * Called after every batch with its rows and the search so far (everything evaluated, its Pareto front;
   * no best: that comes from the confirmation at the end), for pages that follow a running search.
   */
  onBatch?: (rows: readonly HistoryRow[], soFar: OptimizeResult) => void;
}

/** One evaluation of the search, in order, with the incumbent after it (the convergence history). */
export interface HistoryRow {
  index: number;
  config: Config;
  fidelity: number;
  values: number[];
  violation: number;
  /** Full-fidelity equivalents spent so far. */
  cost: number;
  /** The incumbent after this evaluation: the best full-fidelity configuration so far (undefined before one). */
  best?: { config: Config; values: number[]; violation: number };
}

export interface BestConfig {
  config: Config;
  evaluation: Evaluation;
  /** First objective: mean and 95 % half-width over the confirmation replications. */
  mean: number;
  halfWidth: number;
  /** Paired (common random numbers) difference to the runner-up of the confirmation, when there is one. */
  vsRunnerUp?: { config: Config; meanDifference: number; halfWidth: number };
  feasible: boolean;
}

export interface OptimizeResult {
  algorithm: Algorithm;
  history: HistoryRow[];
  evaluations: Evaluation[];
  /** Configurations evaluated (each with the study's replications) and full-fidelity equivalents. */
  simulations: number;
  cost: number;
  best?: BestConfig;
  /** Feasible non-dominated full-fidelity evaluations (several objectives), sorted by the first. */
  pareto: Evaluation[];
  /** The rung fidelities (sha/asha). */
  rungs?: number[];
}

/**
 * Runs an ask/tell optimizer on a study: asks a batch, evaluates it (in parallel, seeds independent of
 * workers and order), tells the results in suggestion order. Deterministic for a seed: the same
 * suggestions, results and best configuration whatever the number of workers.
 */
export async function optimize(study: Study, o: OptimizeOptions): Promise<OptimizeResult> {
  const batch = o.batch ?? 4;
  const mf = MULTI_FIDELITY.has(o.algorithm);
  if (mf && !o.fidelity)
    throw new ExploreError(
      ExploreErrorCode.BAD_OPTION,
      `${o.algorithm} needs a fidelity range`,
      {},
      'give --fidelity min..max (requests measured per replication)',
    );
  if (!(o.budget >= 1))
    throw new ExploreError(ExploreErrorCode.BAD_OPTION, 'the budget must be at least 1 evaluation', {
      budget: o.budget,
    });
  const full = mf ? o.fidelity!.max : (o.fullFidelity ?? 0);
  const costOf = (f: number) => (mf ? f / o.fidelity!.max : 1);
  study.evaluator.derive(
    o.objectives.some((ob) => ob.terms) ? (m) => deriveMetrics(m, o.objectives) : undefined,
  );
  const opt = makeOptimizer(o.algorithm, {
    space: study.space,
    seed: o.seed ?? study.rootSeed,
    objectives: o.objectives.length,
    budget: o.budget,
    ...(o.fidelity ? { fidelity: o.fidelity } : {}),
  });
  const history: HistoryRow[] = [];
  const evaluations: Evaluation[] = [];
  let spent = 0;
  let incumbent: Observation | undefined;
  let checked = false;
  while (spent < o.budget - 1e-9) {
    const room = mf ? batch : Math.min(batch, Math.ceil(o.budget - spent - 1e-9));
    const asks = opt.ask(room);
    if (asks.length === 0) break;
    const evals = await study.evaluator.evaluate(
      asks.map((s) => ({ config: s.config, fidelity: s.fidelity ?? full })),
    );
    if (!checked) {
      checkKeys(
        evals[0]!.summary.mean,
        o.objectives.filter((ob) => !ob.terms),
        o.constraints,
      );
      checkKeys(
        evals[0]!.reps[0]!,
        o.objectives.filter((ob) => ob.terms),
        [],
      );
      checked = true;
    }
    const obs = evals.map(
      (e): Observation => ({
        config: e.config,
        key: e.key,
        fidelity: e.fidelity,
        values: o.objectives.map((ob) => minimized(e.summary, ob)),
        violation: violation(e.summary, o.constraints),
        margins: margins(e.summary, o.constraints),
      }),
    );
    opt.tell(obs);
    const rows: HistoryRow[] = [];
    for (const [i, ob] of obs.entries()) {
      evaluations.push(evals[i]!);
      spent += costOf(ob.fidelity);
      if (ob.fidelity === full && (!incumbent || compareObs(ob, incumbent) < 0)) incumbent = ob;
      rows.push({
        index: history.length + 1,
        config: ob.config,
        fidelity: ob.fidelity,
        values: ob.values,
        violation: ob.violation,
        cost: spent,
        ...(incumbent
          ? { best: { config: incumbent.config, values: incumbent.values, violation: incumbent.violation } }
          : {}),
      });
      history.push(rows.at(-1)!);
    }
    if (o.onBatch)
      o.onBatch(rows, {
        algorithm: o.algorithm,
        history: [...history],
        evaluations: [...evaluations],
        simulations: evaluations.length,
        cost: spent,
        pareto: front(evaluations, o, full),
        ...(mf ? { rungs: (opt as unknown as { rungs: number[] }).rungs } : {}),
      });
    if (o.stop && rows.some((r) => o.stop!(r))) break;
  }
  const fullEvals = evaluations.filter((e) => e.fidelity === full);
  const pareto = front(evaluations, o, full);
  const best = o.confirm ? await confirmBest(study, fullEvals, o, full) : undefined;
  return {
    algorithm: o.algorithm,
    history,
    evaluations,
    simulations: evaluations.length,
    cost: spent,
    ...(best ? { best } : {}),
    pareto,
    ...(mf ? { rungs: (opt as unknown as { rungs: number[] }).rungs } : {}),
  };
}

/** The feasible non-dominated full-fidelity evaluations (several objectives; none for one). */
function front(evaluations: readonly Evaluation[], o: OptimizeOptions, full: number): Evaluation[] {
  if (o.objectives.length < 2) return [];
  const fullEvals = evaluations.filter((e) => e.fidelity === full);
  const scored = fullEvals.map((e) => ({
    values: o.objectives.map((ob) => minimized(e.summary, ob)),
    violation: violation(e.summary, o.constraints),
  }));
  return paretoFront(scored).map((i) => fullEvals[i]!);
}

/**
 * Re-evaluates the best `top` distinct full-fidelity configurations (feasible first) with more
 * replications (the first ones are reused) and returns the best by its confirmed mean, with its 95 % CI
 * and the paired difference to the runner-up (common random numbers make the pairs).
 */
async function confirmBest(
  study: Study,
  fullEvals: readonly Evaluation[],
  o: OptimizeOptions,
  full: number,
): Promise<BestConfig | undefined> {
  if (fullEvals.length === 0) return undefined;
  const obj = o.objectives[0]!;
  const byKey = new Map<string, Evaluation>();
  for (const e of fullEvals) if (!byKey.has(e.key)) byKey.set(e.key, e);
  const order = [...byKey.values()].sort((a, b) =>
    compareObs(
      {
        config: a.config,
        key: a.key,
        fidelity: full,
        values: [minimized(a.summary, obj)],
        violation: violation(a.summary, o.constraints),
        margins: [],
      },
      {
        config: b.config,
        key: b.key,
        fidelity: full,
        values: [minimized(b.summary, obj)],
        violation: violation(b.summary, o.constraints),
        margins: [],
      },
    ),
  );
  const top = order.slice(0, Math.max(1, o.confirm!.top));
  const reps = Math.max(o.confirm!.replications, study.replications);
  const confirmed = await study.evaluator.evaluate(
    top.map((e) => ({ config: e.config, fidelity: full, replications: reps })),
  );
  const ranked = confirmed
    .map((e) => ({ e, v: violation(e.summary, o.constraints), m: minimized(e.summary, obj) }))
    .sort((a, b) => (a.v > 0 ? 1 : 0) - (b.v > 0 ? 1 : 0) || a.v - b.v || a.m - b.m);
  const first = ranked[0]!;
  const sign = obj.sense === 'max' ? -1 : 1;
  const own = ci95(first.e.reps.map((r) => r[obj.key] ?? NaN));
  const runner = ranked[1];
  let vsRunnerUp: BestConfig['vsRunnerUp'];
  if (runner) {
    const d = ci95(
      first.e.reps.map((r, i) => sign * ((r[obj.key] ?? NaN) - (runner.e.reps[i]?.[obj.key] ?? NaN))),
    );
    vsRunnerUp = { config: runner.e.config, meanDifference: sign * d.mean, halfWidth: d.halfWidth };
  }
  return {
    config: first.e.config,
    evaluation: first.e,
    mean: own.mean,
    halfWidth: own.halfWidth,
    feasible: first.v === 0,
    ...(vsRunnerUp ? { vsRunnerUp } : {}),
  };
}
