import { resolveFieldPath, type Explore, type ResolvedScenario } from '../scenario/index.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import { checkMetricKey, type FlatMetrics, type MetricSummary } from './metrics.js';

/**
 * A metric to minimize or maximize. `terms` makes it a weighted sum of metrics (`pools.http.size +
 * 10*pools.extract.size`), computed per replication as a derived metric whose key is the expression.
 */
export interface Objective {
  key: string;
  sense: 'min' | 'max';
  terms?: { weight: number; key: string }[];
}

/** A feasibility constraint on a metric's mean: `key op bound`. */
export interface Constraint {
  key: string;
  op: '<=' | '<' | '>=' | '>';
  bound: number;
  text: string;
}

const METRIC = /^[A-Za-z][\w.\->]*$/;

/**
 * Parses `responseTime.mean`, `min:responseTime.mean`, `max:throughput`, or a weighted sum of metrics
 * such as `min:pools.http.size+pools.simsearch.size+10*pools.extract.size`.
 */
export function parseObjective(text: string): Objective {
  const bad = () =>
    new ExploreError(
      ExploreErrorCode.BAD_METRIC,
      `objective "${text}" is not of the form [min:|max:]metric or a sum of w*metric terms`,
      { text },
      'e.g. --objective responseTime.mean, --objective max:throughput, --objective "pools.http.size+10*pools.extract.size"',
    );
  const m = /^\s*(?:(min|max|minimize|maximize)\s*:\s*)?(.+?)\s*$/.exec(text);
  if (!m) throw bad();
  const sense = m[1]?.startsWith('max') ? ('max' as const) : ('min' as const);
  const expr = m[2]!.replace(/\s+/g, '');
  if (METRIC.test(expr) && !expr.includes('+')) return { key: expr, sense };
  const terms = expr.split('+').map((t) => {
    const tm = /^(?:(\d+(?:\.\d+)?(?:e-?\d+)?)\*)?([A-Za-z][\w.\->]*)$/.exec(t);
    if (!tm) throw bad();
    return { weight: tm[1] !== undefined ? Number(tm[1]) : 1, key: tm[2]! };
  });
  return { key: expr, sense, terms };
}

/** Adds the value of weighted-sum objectives to flat metrics (a derived metric keyed by the expression). */
export function deriveMetrics(m: FlatMetrics, objectives: readonly Objective[]): FlatMetrics {
  const sums = objectives.filter((o) => o.terms);
  if (sums.length === 0) return m;
  const out = { ...m };
  for (const o of sums) out[o.key] = o.terms!.reduce((a, t) => a + t.weight * (m[t.key] ?? NaN), 0);
  return out;
}

/** Objectives from flags, else the scenario's `explore.objectives` / `explore.objective`, else the default. */
export function objectivesFrom(
  flags: readonly string[],
  explore: Explore | undefined,
  fallback = 'responseTime.mean',
): Objective[] {
  if (flags.length > 0) return flags.map(parseObjective);
  const fromDoc = explore?.objectives ?? (explore?.objective ? [explore.objective] : []);
  if (fromDoc.length > 0)
    return fromDoc.map((o) =>
      'minimize' in o
        ? { key: o.minimize, sense: 'min' as const }
        : { key: o.maximize, sense: 'max' as const },
    );
  return [{ key: fallback, sense: 'min' }];
}

/**
 * Parses `metric <= number` (also `<`, `>=`, `>`). The bound may be a scenario field path
 * (`cloud.engine.host.gpu.memoryGiB`), read from the resolved scenario.
 */
export function parseConstraint(text: string, scenario?: ResolvedScenario): Constraint {
  const m = /^\s*([A-Za-z][\w.\->]*?)\s*(<=|>=|<|>)\s*(\S+)\s*$/.exec(text);
  if (!m)
    throw new ExploreError(
      ExploreErrorCode.BAD_CONSTRAINT,
      `constraint "${text}" is not of the form "metric <= bound"`,
      { text },
      'e.g. --constraint "gpuMemoryPeakGiB <= 32" or --constraint "responseTime.p95 <= 3"',
    );
  const [, key, op, rhs] = m;
  let bound = Number(rhs);
  if (!Number.isFinite(bound)) {
    const value = scenario ? readField(scenario, rhs!) : undefined;
    if (typeof value !== 'number') {
      throw new ExploreError(
        ExploreErrorCode.BAD_CONSTRAINT,
        `constraint "${text}": the bound "${rhs}" is neither a number nor a numeric scenario field`,
        { text },
        'write a number, or a field path such as cloud.engine.host.gpu.memoryGiB',
      );
    }
    bound = value;
  }
  return { key: key!, op: op as Constraint['op'], bound, text: text.trim() };
}

function readField(scenario: ResolvedScenario, dotted: string): unknown {
  const r = resolveFieldPath(scenario, dotted);
  if ('error' in r) return undefined;
  return r.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], scenario);
}

/** Constraints from flags plus the scenario's `explore.constraints`. */
export function constraintsFrom(
  flags: readonly string[],
  explore: Explore | undefined,
  scenario?: ResolvedScenario,
): Constraint[] {
  return [...(explore?.constraints ?? []), ...flags].map((t) => parseConstraint(t, scenario));
}

/** Throws BAD_METRIC when an objective or constraint names a metric the simulations do not produce. */
export function checkKeys(
  sample: FlatMetrics,
  objectives: readonly Objective[],
  constraints: readonly Constraint[],
): void {
  for (const o of objectives)
    for (const k of o.terms ? o.terms.map((t) => t.key) : [o.key])
      checkMetricKey(k, sample, 'objective metric');
  for (const c of constraints) checkMetricKey(c.key, sample, `metric in constraint "${c.text}"`);
}

/**
 * Total violation of a summary (0 when feasible): for each constraint, by how much the mean misses
 * its bound relative to the bound (|bound| or 1), plus 1 if the configuration is infeasible
 * (`feasible: false`, e.g. GPU memory beyond the card) and 1 for a constrained metric that is NaN.
 */
export function violation(s: MetricSummary, constraints: readonly Constraint[]): number {
  let v = 0;
  if ((s.mean.feasible ?? 1) < 1) v += 1;
  for (const c of constraints) {
    const x = s.mean[c.key];
    if (x === undefined || Number.isNaN(x)) {
      v += 1;
      continue;
    }
    const scale = Math.abs(c.bound) > 0 ? Math.abs(c.bound) : 1;
    const miss = c.op === '<=' || c.op === '<' ? x - c.bound : c.bound - x;
    if (miss > 0 || (miss === 0 && (c.op === '<' || c.op === '>'))) v += Math.max(miss, 0) / scale + 1e-9;
  }
  return v;
}

/** The objective's value in minimization form (maximized metrics negated); NaN stays NaN. */
export function minimized(s: MetricSummary, o: Objective): number {
  const x = s.mean[o.key] ?? NaN;
  return o.sense === 'max' ? -x : x;
}

export const describeObjective = (o: Objective) => `${o.sense === 'max' ? 'maximize' : 'minimize'} ${o.key}`;

/**
 * Constraint margins g_j (≤ 0 when satisfied), relative to the bound, for optimizers that model
 * constraints; the first margin is the `feasible` flag's (−½ feasible, +½ infeasible). NaN gives +1.
 */
export function margins(s: MetricSummary, constraints: readonly Constraint[]): number[] {
  const out = [0.5 - (s.mean.feasible ?? 1)];
  for (const c of constraints) {
    const x = s.mean[c.key];
    const scale = Math.abs(c.bound) > 0 ? Math.abs(c.bound) : 1;
    out.push(
      x === undefined || Number.isNaN(x)
        ? 1
        : (c.op === '<=' || c.op === '<' ? x - c.bound : c.bound - x) / scale,
    );
  }
  return out;
}
