import type { ResolvedScenario } from '../scenario/index.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import { readValue } from './field.js';
import { checkMetricKey } from './metrics.js';
import type { Constraint } from './objectives.js';
import type { Study } from './study.js';

/** The field that sets the load, and whether it takes integers (users, hosts) or reals (a rate). */
export interface LoadField {
  path: string;
  integer: boolean;
  current: number;
}

/**
 * The load field of a scenario: for the first service with a workload, the number of hosts
 * (`<layer>.<service>.quantity`) of a closed workload with one user per host, else its `workload.users`;
 * the arrival rate (`workload.ratePerS`) of an open workload. `path` overrides the choice.
 */
export function loadField(scenario: ResolvedScenario, path?: string): LoadField {
  if (path !== undefined) {
    const v = readValue(scenario, path);
    if (typeof v !== 'number')
      throw new ExploreError(
        ExploreErrorCode.BAD_PARAM,
        `--load ${path}: not a numeric field of the scenario`,
        { path },
        'e.g. edge.users.quantity, edge.users.workload.users or edge.phones.workload.ratePerS',
      );
    return { path, integer: Number.isInteger(v) && !/ratePerS$/.test(path), current: v };
  }
  for (const s of scenario.services) {
    const w = s.workload;
    if (!w) continue;
    const base = `${s.layer}.${s.name}`;
    if (w.kind === 'closed')
      return w.users === 1
        ? { path: `${base}.quantity`, integer: true, current: s.quantity }
        : { path: `${base}.workload.users`, integer: true, current: w.users };
    if (w.kind === 'open') return { path: `${base}.workload.ratePerS`, integer: false, current: w.ratePerS };
  }
  throw new ExploreError(
    ExploreErrorCode.BAD_PARAM,
    'no closed or open workload to scale',
    {},
    'give --load <field path>',
  );
}

export interface CapacityOptions {
  load: LoadField;
  /** The service-level objective, e.g. responseTime.p95 <= 3. */
  slo: Constraint;
  /** Overrides of the configuration being measured (outside the load field). */
  extra?: readonly string[];
  /** Search bracket; default [1 (or current/64 for rates), current], widened upwards until the SLO fails. */
  lo?: number;
  hi?: number;
  /** Replications per load, doubled while the CI straddles the bound, up to `maxReplications`. */
  replications: number;
  maxReplications: number;
  /** Stop when the bracket is this narrow: 1 for integer loads, else this fraction of the upper end (default 1 %). */
  tolerance?: number;
  /** Called each time a load is decided, with every step decided so far (for a page following the search). */
  onStep?: (steps: readonly CapacityStep[]) => void;
}

export type Verdict = 'meets' | 'fails' | 'meets (by mean)' | 'fails (by mean)';

export interface CapacityStep {
  load: number;
  replications: number;
  mean: number;
  halfWidth: number;
  throughput: number;
  verdict: Verdict;
}

export interface CapacityResult {
  load: LoadField;
  slo: Constraint;
  /** The largest load that meets the SLO (undefined when even the lowest fails). */
  capacity?: number;
  /** The smallest load that fails (undefined when the SLO held up to the search limit). */
  firstFailure?: number;
  /** Whether a step of the final bracket was decided by its mean (its CI straddled the bound at maxReplications). */
  uncertain: boolean;
  atCapacity?: CapacityStep;
  steps: CapacityStep[];
}

/**
 * What steps decided so far say of the capacity: the largest load that met the SLO and the smallest that
 * failed (the bracket the search narrows; once it ends, its answer), and whether either was decided by its
 * mean. Assumes, as the search does, that the metric grows with the load.
 */
export function bracketOf(steps: readonly CapacityStep[]): {
  capacity?: number;
  firstFailure?: number;
  uncertain: boolean;
  atCapacity?: CapacityStep;
} {
  let atCapacity: CapacityStep | undefined;
  let failing: CapacityStep | undefined;
  for (const st of steps)
    if (st.verdict.startsWith('meets')) {
      if (!atCapacity || st.load > atCapacity.load) atCapacity = st;
    } else if (!failing || st.load < failing.load) failing = st;
  return {
    ...(atCapacity ? { capacity: atCapacity.load, atCapacity } : {}),
    ...(failing ? { firstFailure: failing.load } : {}),
    uncertain: (atCapacity?.verdict ?? 'meets') !== 'meets' || (failing?.verdict ?? 'fails') !== 'fails',
  };
}

/**
 * The most load a configuration serves while a metric's mean stays within the SLO, by bisection on the
 * load field. At each load the replications (same seeds at every load: common random numbers) are
 * doubled while the 95 % CI of the metric straddles the bound; a load meets the SLO when the CI lies
 * within it, fails when the CI lies beyond it, and is decided by its mean (flagged) when the CI still
 * straddles the bound at `maxReplications`. Assumes the metric grows with the load.
 */
export async function capacity(study: Study, o: CapacityOptions): Promise<CapacityResult> {
  const { load, slo } = o;
  const steps: CapacityStep[] = [];
  const decided = new Map<number, CapacityStep>();
  const within = (x: number) =>
    slo.op === '<='
      ? x <= slo.bound
      : slo.op === '<'
        ? x < slo.bound
        : slo.op === '>='
          ? x >= slo.bound
          : x > slo.bound;
  const upper = slo.op === '<=' || slo.op === '<';
  const snap = (x: number) => (load.integer ? Math.max(1, Math.round(x)) : x);

  const judge = async (x: number): Promise<CapacityStep> => {
    const have = decided.get(x);
    if (have) return have;
    let reps = o.replications;
    for (;;) {
      const [e] = await study.evaluator.evaluate([
        { config: [x], replications: reps, ...(o.extra ? { extra: o.extra } : {}) },
      ]);
      checkMetricKey(slo.key, e!.summary.mean, 'SLO metric');
      const mean = e!.summary.mean[slo.key]!;
      const h = e!.summary.halfWidth[slo.key]!;
      const hw = Number.isFinite(h) ? h : Infinity;
      const best = upper ? mean - hw : mean + hw,
        worst = upper ? mean + hw : mean - hw;
      let verdict: Verdict | undefined;
      if (Number.isNaN(mean)) verdict = 'fails';
      else if (within(worst)) verdict = 'meets';
      else if (!within(best)) verdict = 'fails';
      else if (reps >= o.maxReplications) verdict = within(mean) ? 'meets (by mean)' : 'fails (by mean)';
      if (verdict) {
        const step = {
          load: x,
          replications: reps,
          mean,
          halfWidth: h,
          throughput: e!.summary.mean.throughput ?? NaN,
          verdict,
        };
        steps.push(step);
        decided.set(x, step);
        o.onStep?.(steps);
        return step;
      }
      reps = Math.min(o.maxReplications, reps * 2);
    }
  };
  const meets = (s: CapacityStep) => s.verdict.startsWith('meets');

  let hi = snap(o.hi ?? load.current);
  let lo = snap(o.lo ?? (load.integer ? 1 : load.current / 64));
  if (lo >= hi)
    throw new ExploreError(ExploreErrorCode.BAD_OPTION, `the load range ${lo}..${hi} is empty`, { lo, hi });
  let hiStep = await judge(hi);
  for (let k = 0; meets(hiStep) && k < 12; k++) {
    lo = hi;
    hi = snap(hi * 2);
    hiStep = await judge(hi);
  }
  if (meets(hiStep))
    return { load, slo, capacity: hi, uncertain: hiStep.verdict !== 'meets', atCapacity: hiStep, steps };
  let loStep = decided.get(lo) ?? (await judge(lo));
  if (!meets(loStep)) return { load, slo, firstFailure: lo, uncertain: loStep.verdict !== 'fails', steps };
  const tol = load.integer ? 1 : (o.tolerance ?? 0.01) * hi;
  while (hi - lo > tol) {
    const mid = load.integer ? Math.floor((lo + hi) / 2) : (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    const s = await judge(mid);
    if (meets(s)) {
      lo = mid;
      loStep = s;
    } else {
      hi = mid;
      hiStep = s;
    }
  }
  return {
    load,
    slo,
    capacity: lo,
    firstFailure: hi,
    uncertain: loStep.verdict !== 'meets' || hiStep.verdict !== 'fails',
    atCapacity: loStep,
    steps,
  };
}
