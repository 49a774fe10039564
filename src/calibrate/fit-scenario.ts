import { numericLeaves, simulate } from '../model/index.js';
import {
  loadScenarioOrThrow,
  ScenarioError,
  ScenarioErrorCode,
  scenarioIssueAt,
  suggest,
  type FileRoots,
  type ResolvedScenario,
} from '../scenario/index.js';
import { CalibrateError, CalibrateErrorCode } from './errors.js';
import { nelderMead } from './nelder-mead.js';

export interface ScenarioFit {
  /** Fitted value of each free parameter, by field path. */
  values: Record<string, number>;
  /** Each target with the value the fitted scenario gives. */
  targets: Record<string, { measured: number; simulated: number; relativeError: number }>;
  /** Sum of squared relative errors at the optimum. */
  loss: number;
  evaluations: number;
  history: { values: Record<string, number>; loss: number }[];
}

/**
 * Fits the parameters a scenario marks as calibratable (`calibrate.params`) so that it reproduces the
 * measured `calibrate.targets`: minimizes Σ ((simulated − measured)/measured)² with Nelder–Mead in the
 * unit box (log scale where asked), every evaluation simulated with the scenario's seed and replications
 * (common random numbers make the loss deterministic).
 */
export function fitScenario(
  file: string,
  base: ResolvedScenario,
  options: {
    overrides?: readonly string[];
    roots?: FileRoots;
    maxEvaluations?: number;
    onEvaluation?: (n: number, loss: number) => void;
  } = {},
): ScenarioFit {
  const cal = base.calibrate;
  if (!cal || Object.keys(cal.params).length === 0) {
    throw new CalibrateError(
      CalibrateErrorCode.NOTHING,
      `${file} marks no calibratable parameters (add a calibrate: section with params and targets)`,
      { file },
    );
  }
  const keys = Object.keys(cal.params);
  const toValue = (u: number, k: string) => {
    const r = cal.params[k]!;
    const t = Math.min(1, Math.max(0, u));
    return r.log
      ? Math.exp(Math.log(r.min) + t * (Math.log(r.max) - Math.log(r.min)))
      : r.min + t * (r.max - r.min);
  };
  const history: ScenarioFit['history'] = [];
  const cache = new Map<string, { loss: number; metrics: Map<string, number> }>();
  const evaluate = (u: number[]) => {
    const values = Object.fromEntries(keys.map((k, i) => [k, toValue(u[i]!, k)]));
    const id = JSON.stringify(values);
    let hit = cache.get(id);
    if (!hit) {
      const scenario = loadScenarioOrThrow(file, {
        overrides: [...(options.overrides ?? []), ...keys.map((k) => `${k}=${values[k]}`)],
        ...options.roots,
      });
      const metrics = numericLeaves(simulate(scenario).result);
      if (history.length === 0) checkTargets(file, Object.keys(cal.targets), metrics);
      let loss = 0;
      for (const [key, measured] of Object.entries(cal.targets))
        loss += ((metrics.get(key) ?? NaN) - measured) ** 2 / measured ** 2;
      // Outside the box the loss grows with the distance, so the simplex comes back in.
      loss += u.reduce((a, x) => a + (x < 0 ? -x : x > 1 ? x - 1 : 0), 0) * 10;
      hit = { loss: Number.isFinite(loss) ? loss : 1e9, metrics };
      cache.set(id, hit);
      history.push({ values, loss: hit.loss });
      options.onEvaluation?.(history.length, hit.loss);
    }
    return hit.loss;
  };
  const start = keys.map(() => 0.5);
  const r = nelderMead(evaluate, start, {
    step: keys.map(() => 0.25),
    tolerance: 1e-8,
    maxEvaluations: options.maxEvaluations ?? 60,
  });
  const values = Object.fromEntries(keys.map((k, i) => [k, toValue(r.x[i]!, k)]));
  const best = cache.get(JSON.stringify(values))!;
  const targets: ScenarioFit['targets'] = {};
  for (const [key, measured] of Object.entries(cal.targets)) {
    const simulated = best.metrics.get(key) ?? NaN;
    targets[key] = { measured, simulated, relativeError: (simulated - measured) / measured };
  }
  return { values, targets, loss: best.loss, evaluations: history.length, history };
}

/**
 * Every target must be a metric the simulations produce (checked on the first one, before the search):
 * an unknown key would make the loss NaN at every point and the "fit" meaningless.
 * @throws ScenarioError located at each unknown key of `calibrate.targets`
 */
function checkTargets(file: string, keys: readonly string[], metrics: ReadonlyMap<string, number>): void {
  const known = [...metrics.keys()];
  const issues = keys
    .filter((k) => !metrics.has(k))
    .map((k) =>
      scenarioIssueAt(
        file,
        ['calibrate', 'targets', k],
        ScenarioErrorCode.DANGLING_REFERENCE,
        `no metric "${k}" in the simulation results`,
        { key: true, ...hintFor(k, known) },
      ),
    );
  if (issues.length > 0) throw new ScenarioError(issues);
}

function hintFor(key: string, known: string[]): { hint?: string } {
  const h = suggest(key, known);
  return h !== undefined ? { hint: h } : {};
}
