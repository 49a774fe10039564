import { createStream, normalQuantile, type Rng } from '../random/index.js';
import { ExploreError, ExploreErrorCode } from './errors.js';
import type { Evaluation } from './evaluator.js';
import { checkMetricKey } from './metrics.js';
import { sobolPoints } from './sobol.js';
import type { Config, Param, Space, Value } from './space.js';
import type { Study } from './study.js';

/** A metric's mean and 95 % half-width over a configuration's replications. */
export interface Point {
  config: Config;
  mean: number;
  halfWidth: number;
  feasible: boolean;
}

// ---------------------------------------------------------------- one at a time

export interface OatResult {
  center: Config;
  /** Per parameter: the metric at each level, the others at the centre. */
  /** `bestLevel` is the best feasible level. */
  curves: { param: Param; points: Point[]; range: number; bestLevel: Value | undefined }[];
}

/**
 * One-at-a-time analysis around `center`: each parameter over its levels (continuous ones over `levels`
 * evenly spaced values) with the others at the centre, all with the same seeds (common random numbers).
 */
export async function oat(
  study: Study,
  o: {
    center: Config;
    metrics: string[];
    levels?: number;
    sense?: 'min' | 'max';
    /**
     * Called each time a point of the curves is simulated (all its replications), with the curves over
     * the points simulated so far (by {@link oatCurves}, as the final ones: with all of them, the same).
     */
    onPoint?: (soFar: OatSoFar) => void;
  },
): Promise<{ results: Record<string, OatResult>; evaluations: Evaluation[] }> {
  const { space } = study;
  const plans = space.params.map((_, i) =>
    space.gridLevels(i, o.levels ?? 5).map((v) => o.center.map((c, j) => (j === i ? v : c))),
  );
  const flat = plans.flat();
  const onPoint = o.onPoint;
  let evaluations: Evaluation[];
  if (onPoint) {
    // One request per point (queued in the same order as one request of them all): each reports when in.
    const got: (Evaluation | undefined)[] = flat.map(() => undefined);
    let done = 0;
    evaluations = (
      await Promise.all(
        flat.map((config, k) =>
          study.evaluator.evaluate([{ config }]).then(([e]) => {
            got[k] = e;
            done++;
            onPoint({
              done,
              of: flat.length,
              results: Object.fromEntries(
                o.metrics.map((m) => [
                  m,
                  oatCurves({ space, center: o.center, plans, evaluations: got, metric: m, sense: o.sense }),
                ]),
              ),
            });
            return e!;
          }),
        ),
      )
    ).flat();
  } else evaluations = await study.evaluator.evaluate(flat.map((config) => ({ config })));
  const results: Record<string, OatResult> = {};
  for (const metric of o.metrics) {
    checkMetricKey(metric, evaluations[0]!.summary.mean);
    results[metric] = oatCurves({ space, center: o.center, plans, evaluations, metric, sense: o.sense });
  }
  return { results, evaluations };
}

/** One-at-a-time curves over the points simulated so far, for a page that follows a running study. */
export interface OatSoFar {
  /** Points of the curves simulated, and how many they have. */
  done: number;
  of: number;
  /** Per metric, the curves over those points alone (a curve without any yet has none). */
  results: Record<string, OatResult>;
}

/**
 * The curves of `metric` from the evaluations of the points `plans` lists (curve after curve, in order);
 * a point not simulated yet (`undefined`) is left out of its curve, whose range and best level are over
 * the points it has (NaN and undefined without any).
 */
export function oatCurves(o: {
  space: Space;
  center: Config;
  plans: readonly (readonly Config[])[];
  evaluations: readonly (Evaluation | undefined)[];
  metric: string;
  sense?: 'min' | 'max' | undefined;
}): OatResult {
  const { space, center, plans, evaluations, metric, sense } = o;
  let at = 0;
  const curves = space.params.map((param, i) => {
    const points = plans[i]!.flatMap((config) => {
      const e = evaluations[at++];
      return e ? [point(e, metric, config)] : [];
    });
    const means = points.map((p) => p.mean).filter(Number.isFinite);
    // The best level among feasible ones (a level beyond the GPU memory is not a recommendation).
    const feasible = points.filter((p) => p.feasible && Number.isFinite(p.mean));
    const best = feasible.reduce<Point | undefined>(
      (b, p) => (b && !(sense === 'max' ? p.mean > b.mean : p.mean < b.mean) ? b : p),
      feasible[0] ?? points[0],
    );
    return {
      param,
      points,
      range: means.length > 0 ? Math.max(...means) - Math.min(...means) : NaN,
      bestLevel: best?.config[i],
    };
  });
  return { center, curves };
}

function point(e: Evaluation, metric: string, config: Config): Point {
  return {
    config,
    mean: e.summary.mean[metric] ?? NaN,
    halfWidth: e.summary.halfWidth[metric] ?? NaN,
    feasible: (e.summary.mean.feasible ?? 1) >= 1,
  };
}

// ---------------------------------------------------------------- Morris

export interface MorrisIndex {
  param: Param;
  muStar: number;
  muStarCi: number;
  mu: number;
  sigma: number;
  effects: number;
}

/**
 * Morris trajectories (Morris 1991; SALib's sampler): `p` levels per factor in unit space, step
 * Δ = p/(2(p−1)); each trajectory starts at a random grid point from which every factor can move by its
 * random direction ±Δ, then moves the factors one at a time in a random order: k + 1 points.
 */
export function morrisTrajectories(
  dims: number,
  r: number,
  p: number,
  rng: Rng,
): { points: number[][]; order: number[]; dirs: number[] }[] {
  const delta = p / (2 * (p - 1));
  const grid = Array.from({ length: p }, (_, i) => i / (p - 1));
  const out: { points: number[][]; order: number[]; dirs: number[] }[] = [];
  for (let t = 0; t < r; t++) {
    const dirs = Array.from({ length: dims }, () => (rng() < 0.5 ? 1 : -1));
    const base = dirs.map((d) => {
      const ok = grid.filter((g) => (d > 0 ? g + delta <= 1 + 1e-12 : g - delta >= -1e-12));
      return ok[Math.floor(rng() * ok.length)]!;
    });
    const order = Array.from({ length: dims }, (_, i) => i);
    for (let i = dims - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const points = [base.slice()];
    let x = base.slice();
    for (const i of order) {
      x = x.slice();
      x[i] = Math.min(1, Math.max(0, x[i]! + dirs[i]! * delta));
      points.push(x);
    }
    out.push({ points, order, dirs });
  }
  return out;
}

/** A unit-space Morris level mapped to a parameter value: level index round(u·(L−1)) for discrete ones. */
export function morrisValue(p: Param, u: number): Value {
  if (p.levels) return p.levels[Math.round(u * (p.levels.length - 1))]!;
  return p.log
    ? Math.exp(Math.log(p.min!) + u * (Math.log(p.max!) - Math.log(p.min!)))
    : p.min! + u * (p.max! - p.min!);
}

/** The bootstrap of an index's 95 % interval: its stream and number of resamples (default 1000). */
export interface Bootstrap {
  rng: Rng;
  resamples?: number;
}

/**
 * Elementary effects EE_i = ±[f(x ± Δe_i) − f(x)]/Δ (sign-adjusted for the step's direction; in metric
 * units per unit of the factor's normalized range), then μ = mean EE, μ* = mean |EE| (Campolongo et al.
 * 2007) with a bootstrap 95 % interval, σ = sd EE.
 */
export function morrisIndices(
  space: Space,
  trajectories: ReturnType<typeof morrisTrajectories>,
  values: readonly number[][],
  p: number,
  bootstrap: Bootstrap,
): MorrisIndex[] {
  const { rng, resamples = 1000 } = bootstrap;
  const delta = p / (2 * (p - 1));
  const ee: number[][] = space.params.map(() => []);
  trajectories.forEach((t, ti) => {
    const f = values[ti]!;
    t.order.forEach((i, step) => {
      // The effective step after mapping to discrete levels may differ from Δ; use the unit-space step.
      ee[i]!.push((t.dirs[i]! * (f[step + 1]! - f[step]!)) / delta);
    });
  });
  const z = normalQuantile(0.975);
  return space.params.map((param, i) => {
    const e = ee[i]!.filter(Number.isFinite);
    const abs = e.map(Math.abs);
    const muStar = mean(abs);
    const boots = Array.from({ length: resamples }, () =>
      mean(Array.from({ length: abs.length }, () => abs[Math.floor(rng() * abs.length)]!)),
    );
    return { param, muStar, muStarCi: z * sd(boots), mu: mean(e), sigma: sd(e), effects: e.length };
  });
}

/** Morris indices over the trajectories complete so far, for a page that follows a running study. */
export interface MorrisSoFar {
  /** Trajectories whose k + 1 points are all simulated, and how many the design has. */
  trajectories: number;
  of: number;
  /**
   * Which ones, by their index in the design (they need not complete in order: a point two trajectories
   * share is simulated once, for the first that asks).
   */
  complete: number[];
  /** Per metric, the indices computed as at the end, over those trajectories alone. */
  indices: Record<string, MorrisIndex[]>;
}

export async function morris(
  study: Study,
  o: {
    metrics: string[];
    trajectories?: number;
    levels?: number;
    seed?: number;
    /**
     * Called each time a trajectory's points are all simulated, with the indices over the trajectories
     * complete so far (by {@link morrisIndices}, as the final ones: with all of them, the same numbers).
     */
    onTrajectory?: (soFar: MorrisSoFar) => void;
  },
): Promise<{ indices: Record<string, MorrisIndex[]>; evaluations: Evaluation[]; runs: number }> {
  const { space } = study;
  const r = o.trajectories ?? 20;
  const p = o.levels ?? 4;
  if (p < 2 || p % 2 !== 0)
    throw new ExploreError(
      ExploreErrorCode.BAD_OPTION,
      `Morris needs an even number of levels ≥ 2 (got ${p})`,
      { levels: p },
    );
  const seed = o.seed ?? study.rootSeed;
  const rng = createStream(seed, 'explore.sensitivity.morris', 0);
  const traj = morrisTrajectories(space.dims, r, p, rng);
  const configs = traj.flatMap((t) =>
    t.points.map((u) => space.params.map((param, i) => morrisValue(param, u[i]!))),
  );
  // The indices of `metric` over the trajectories `which` (in the design's order), each bootstrap from
  // its own fresh stream: the same numbers whenever they are computed over the same trajectories.
  const indicesOf = (m: string, which: readonly number[], evals: readonly (Evaluation[] | undefined)[]) =>
    morrisIndices(
      space,
      which.map((ti) => traj[ti]!),
      which.map((ti) => evals[ti]!.map((e) => e.summary.mean[m] ?? NaN)),
      p,
      { rng: createStream(seed, `explore.sensitivity.morris.bootstrap.${m}`, 0) },
    );
  // One request per trajectory, all asked at once (the trials queue in the same order as one request of
  // every point would): each reports when its points are in.
  const perTrajectory: (Evaluation[] | undefined)[] = traj.map(() => undefined);
  const dims = space.dims;
  const done = await Promise.all(
    traj.map((_, ti) =>
      study.evaluator
        .evaluate(configs.slice(ti * (dims + 1), (ti + 1) * (dims + 1)).map((config) => ({ config })))
        .then((evals) => {
          perTrajectory[ti] = evals;
          if (o.onTrajectory) {
            const which = traj.flatMap((__, j) => (perTrajectory[j] ? [j] : []));
            // A metric the scenario lacks is reported at the end, as before (checkMetricKey below).
            const known = o.metrics.filter((m) => evals[0]!.summary.mean[m] !== undefined);
            o.onTrajectory({
              trajectories: which.length,
              of: r,
              complete: which,
              indices: Object.fromEntries(known.map((m) => [m, indicesOf(m, which, perTrajectory)])),
            });
          }
          return evals;
        }),
    ),
  );
  const evaluations = done.flat();
  for (const m of o.metrics) checkMetricKey(m, evaluations[0]!.summary.mean);
  const all = traj.map((_, ti) => ti);
  const indices: Record<string, MorrisIndex[]> = {};
  for (const m of o.metrics) indices[m] = indicesOf(m, all, done);
  return { indices, evaluations, runs: configs.length };
}

// ---------------------------------------------------------------- Sobol (Saltelli)

export interface SobolIndex {
  param: Param;
  S1: number;
  S1Ci: number;
  ST: number;
  STCi: number;
}

/**
 * Saltelli's design: two N×k matrices A and B from a digitally shifted 2k-dimensional Sobol sequence, and
 * for each factor i the matrix A_B⁽ⁱ⁾ (A with column i from B): N·(k + 2) points, in the order
 * A, B, A_B⁽¹⁾ … A_B⁽ᵏ⁾.
 */
export function saltelliDesign(
  dims: number,
  n: number,
  rng: Rng,
): { A: number[][]; B: number[][]; AB: number[][][] } {
  const pts = sobolPoints(n, 2 * dims, rng);
  const A = pts.map((p) => p.slice(0, dims));
  const B = pts.map((p) => p.slice(dims));
  const AB = Array.from({ length: dims }, (_, i) =>
    A.map((a, j) => a.map((v, c) => (c === i ? B[j]![c]! : v))),
  );
  return { A, B, AB };
}

/**
 * First-order and total indices (Saltelli et al. 2010 for S_i, Jansen 1999 for ST_i, as in SALib):
 * S_i = mean(f(B)·(f(A_B⁽ⁱ⁾) − f(A)))/V, ST_i = ½·mean((f(A) − f(A_B⁽ⁱ⁾))²)/V, V the variance of f over A
 * and B; 95 % intervals from `resamples` bootstrap resamples of the N rows (1.96 × their sd, as SALib).
 */
export function sobolIndices(
  space: Space,
  fA: readonly number[],
  fB: readonly number[],
  fAB: readonly (readonly number[])[],
  bootstrap: Bootstrap,
): SobolIndex[] {
  const { rng, resamples = 1000 } = bootstrap;
  const n = fA.length;
  const estimate = (idx: readonly number[], i: number) => {
    const a = idx.map((j) => fA[j]!),
      b = idx.map((j) => fB[j]!),
      ab = idx.map((j) => fAB[i]![j]!);
    const all = [...a, ...b];
    const m = mean(all);
    const v = all.reduce((s, x) => s + (x - m) ** 2, 0) / all.length;
    const s1 = mean(b.map((bj, j) => bj * (ab[j]! - a[j]!))) / v;
    const st = (0.5 * mean(a.map((aj, j) => (aj - ab[j]!) ** 2))) / v;
    return [s1, st] as const;
  };
  const all = Array.from({ length: n }, (_, j) => j);
  const z = normalQuantile(0.975);
  return space.params.map((param, i) => {
    const [S1, ST] = estimate(all, i);
    const boot = Array.from({ length: resamples }, () =>
      estimate(
        Array.from({ length: n }, () => Math.floor(rng() * n)),
        i,
      ),
    );
    return { param, S1, ST, S1Ci: z * sd(boot.map((b) => b[0])), STCi: z * sd(boot.map((b) => b[1])) };
  });
}

export async function sobol(
  study: Study,
  o: {
    metrics: string[];
    n?: number;
    seed?: number;
    /** Called each time a point of the design is simulated (all its replications), for progress. */
    onPoint?: () => void;
  },
): Promise<{
  indices: Record<string, SobolIndex[]>;
  variance: Record<string, number>;
  evaluations: Evaluation[];
  runs: number;
}> {
  const { space } = study;
  const n = o.n ?? 256;
  if (!Number.isInteger(Math.log2(n)) || n < 4)
    throw new ExploreError(ExploreErrorCode.BAD_OPTION, `Sobol indices need N a power of 2, ≥ 4 (got ${n})`, {
      n,
    });
  const seed = o.seed ?? study.rootSeed;
  const d = saltelliDesign(space.dims, n, createStream(seed, 'explore.sensitivity.sobol', 0));
  const units = [...d.A, ...d.B, ...d.AB.flat()];
  const configs = units.map((u) => space.fromUnit(u));
  // One request per point when they are counted (queued in the same order as one request of them all).
  const onPoint = o.onPoint;
  const evaluations = onPoint
    ? (
        await Promise.all(
          configs.map((config) =>
            study.evaluator.evaluate([{ config }]).then((e) => {
              onPoint();
              return e;
            }),
          ),
        )
      ).flat()
    : await study.evaluator.evaluate(configs.map((config) => ({ config })));
  for (const m of o.metrics) checkMetricKey(m, evaluations[0]!.summary.mean);
  const indices: Record<string, SobolIndex[]> = {};
  const variance: Record<string, number> = {};
  for (const m of o.metrics) {
    const f = evaluations.map((e) => e.summary.mean[m] ?? NaN);
    const fA = f.slice(0, n),
      fB = f.slice(n, 2 * n);
    const fAB = space.params.map((_, i) => f.slice((2 + i) * n, (3 + i) * n));
    indices[m] = sobolIndices(space, fA, fB, fAB, {
      rng: createStream(seed, `explore.sensitivity.sobol.bootstrap.${m}`, 0),
    });
    const all = [...fA, ...fB];
    const mu = mean(all);
    variance[m] = all.reduce((s, x) => s + (x - mu) ** 2, 0) / all.length;
  }
  return { indices, variance, evaluations, runs: configs.length };
}

function mean(v: readonly number[]): number {
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function sd(v: readonly number[]): number {
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}
