import { normalCdf, normalQuantile, type Rng } from '../../random/index.js';
import type { Config, Coord } from '../space.js';
import {
  compareObs,
  Seen,
  type Observation,
  type Optimizer,
  type OptimizerContext,
  type Suggestion,
} from './types.js';

/** Optuna's TPE defaults (v4.9 `TPESampler`; multivariate and constant liar as recommended for the twin). */
export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  nStartup?: number;
  /** Candidates drawn from l(x) per suggestion. Default 24. */
  nCandidates?: number;
  /** Weight of the prior component. Default 1. */
  priorWeight?: number;
}

/** γ(n) = min(⌈0.1·n⌉, 25): the size of the "good" group (Optuna's default_gamma). */
export const tpeGamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Optuna's default_weights: 1 for n < 25, else a ramp from 1/n to 1 over the oldest n − 25, then 25 ones. */
export function tpeWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return Array.from({ length: n }, () => 1);
  const ramp = Array.from({ length: n - 25 }, (_, i) =>
    n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 25 - 1),
  );
  return [...ramp, ...Array.from({ length: 25 }, () => 1)];
}

/**
 * A multivariate Parzen estimator over the space's coordinates (Optuna's `_ParzenEstimator` with
 * multivariate=True, consider_magic_clip=True): one kernel per observation plus a prior kernel centred on
 * the range with σ = range; numeric kernels are truncated normals with σ = 0.2·n^(−1/(d+4))·range
 * clipped to [range/min(100, 1+kernels), range]; integer-step coordinates widen their bounds by ±½ step and
 * use discretised probabilities; categorical coordinates use per-kernel category weights.
 */
export class ParzenEstimator {
  readonly #logWeights: number[];
  readonly #mus: number[][] = [];
  readonly #sigmas: number[] = [];
  readonly #cat: number[][][] = [];
  /** log of each numeric kernel's truncation mass, [dim][kernel]. */
  readonly #logZ: number[][] = [];

  constructor(
    readonly coords: readonly Coord[],
    points: readonly number[][],
    weights: readonly number[],
    priorWeight: number,
  ) {
    const d = coords.length;
    const m = points.length;
    const nKernels = m + 1;
    const w = [...weights, priorWeight];
    const sum = w.reduce((a, b) => a + b, 0);
    this.#logWeights = w.map((x) => Math.log(x / sum));
    for (let j = 0; j < d; j++) {
      const c = coords[j]!;
      if (c.categories !== undefined) {
        const rows = points.map((p) => {
          const row = Array.from({ length: c.categories! }, () => priorWeight / nKernels);
          row[Math.round(p[j]!)]! += 1;
          const s = row.reduce((a, b) => a + b, 0);
          return row.map((x) => x / s);
        });
        rows.push(Array.from({ length: c.categories }, () => 1 / c.categories!));
        this.#cat[j] = rows;
        this.#mus[j] = [];
        this.#sigmas[j] = 0;
        continue;
      }
      const [low, high] = bounds(c);
      const range = high - low;
      this.#mus[j] = [...points.map((p) => p[j]!), (low + high) / 2];
      const sigma = 0.2 * Math.max(m, 1) ** (-1 / (d + 4)) * range;
      const minSigma = range / Math.min(100, 1 + nKernels);
      this.#sigmas[j] = Math.min(range, Math.max(minSigma, sigma));
      this.#logZ[j] = this.#mus[j]!.map((mu, k) => {
        const sg = k === m ? range : this.#sigmas[j]!;
        return Math.log(Math.max(normalCdf((high - mu) / sg) - normalCdf((low - mu) / sg), 1e-300));
      });
    }
  }

  /** Draws a point (coordinates; integer-step ones rounded to their grid). */
  sample(rng: Rng): number[] {
    let u = rng();
    let k = this.#logWeights.length - 1;
    for (let i = 0; i < this.#logWeights.length; i++) {
      u -= Math.exp(this.#logWeights[i]!);
      if (u < 0) {
        k = i;
        break;
      }
    }
    const prior = k === this.#logWeights.length - 1;
    return this.coords.map((c, j) => {
      if (c.categories !== undefined) {
        const row = this.#cat[j]![k]!;
        let v = rng();
        for (let i = 0; i < row.length; i++) {
          v -= row[i]!;
          if (v < 0) return i;
        }
        return row.length - 1;
      }
      const [low, high] = bounds(c);
      const sigma = prior ? high - low : this.#sigmas[j]!;
      const x = truncatedNormal(rng, this.#mus[j]![k]!, sigma, low, high);
      return c.step !== undefined
        ? Math.min(c.hi, Math.max(c.lo, c.lo + Math.round((x - c.lo) / c.step) * c.step))
        : x;
    });
  }

  /** log density (or log probability for discrete coordinates) of a point under the mixture. */
  logPdf(x: readonly number[]): number {
    const K = this.#logWeights.length;
    const terms = new Array<number>(K);
    for (let k = 0; k < K; k++) {
      const prior = k === K - 1;
      let s = this.#logWeights[k]!;
      for (let j = 0; j < this.coords.length; j++) {
        const c = this.coords[j]!;
        if (c.categories !== undefined) {
          s += Math.log(this.#cat[j]![k]![Math.round(x[j]!)]!);
          continue;
        }
        const mu = this.#mus[j]![k]!;
        const sigma = prior ? bounds(c)[1] - bounds(c)[0] : this.#sigmas[j]!;
        if (c.step !== undefined) {
          const p =
            normalCdf((x[j]! + c.step / 2 - mu) / sigma) - normalCdf((x[j]! - c.step / 2 - mu) / sigma);
          s += Math.log(Math.max(p, 1e-300)) - this.#logZ[j]![k]!;
        } else {
          const t = (x[j]! - mu) / sigma;
          s += -0.5 * t * t - Math.log(sigma * Math.sqrt(2 * Math.PI)) - this.#logZ[j]![k]!;
        }
      }
      terms[k] = s;
    }
    const max = Math.max(...terms);
    return max + Math.log(terms.reduce((a, t) => a + Math.exp(t - max), 0));
  }
}

function bounds(c: Coord): [number, number] {
  return c.step !== undefined
    ? [c.lo - c.step / 2, c.hi + c.step / 2]
    : c.hi > c.lo
      ? [c.lo, c.hi]
      : [c.lo - 0.5, c.hi + 0.5];
}

/** A normal draw truncated to [low, high], by inversion (mirrored in the upper tail for precision). */
export function truncatedNormal(rng: Rng, mu: number, sigma: number, low: number, high: number): number {
  let a = (low - mu) / sigma,
    b = (high - mu) / sigma;
  const flip = a > 0;
  if (flip) [a, b] = [-b, -a];
  const pa = normalCdf(a),
    pb = normalCdf(b);
  let z: number;
  if (pb - pa < 1e-12) z = a + rng() * (b - a);
  else z = normalQuantile(Math.min(1 - 1e-16, Math.max(1e-300, pa + rng() * (pb - pa))));
  z = Math.min(b, Math.max(a, z));
  return mu + sigma * (flip ? -z : z);
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna semantics): after `nStartup` random
 * trials, split the finished trials into the best γ(n) ("below": feasible by value, then infeasible by
 * total violation) and the rest ("above", plus the pending trials: constant liar), fit a Parzen estimator
 * l to the first and g to the second, draw 24 candidates from l and propose the one maximizing
 * log l − log g that has not been evaluated yet. Minimizes the first objective.
 */
export class Tpe implements Optimizer {
  readonly name = 'tpe';
  readonly #seen: Seen;
  readonly #obs: Observation[] = [];
  readonly #coords: Coord[];
  readonly #o: Required<TpeOptions>;

  constructor(
    readonly ctx: OptimizerContext,
    options: TpeOptions = {},
  ) {
    this.#seen = new Seen(ctx.space);
    this.#coords = ctx.space.coords();
    this.#o = {
      nStartup: options.nStartup ?? 10,
      nCandidates: options.nCandidates ?? 24,
      priorWeight: options.priorWeight ?? 1,
    };
  }

  ask(n: number): Suggestion[] {
    const out: Suggestion[] = [];
    for (let i = 0; i < n; i++) {
      const c = this.#askOne();
      if (!c) break;
      this.#seen.markPending(c);
      out.push({ config: c });
    }
    return out;
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      this.#seen.markDone(o.key);
      this.#obs.push(o);
    }
  }

  #askOne(): Config | undefined {
    const { space, rng } = this.ctx;
    const n = this.#obs.length;
    if (n < this.#o.nStartup) return this.#seen.randomUnseen(rng);
    const order = this.#obs.map((o, i) => ({ o, i })).sort((a, b) => compareObs(a.o, b.o) || a.i - b.i);
    const nBelow = Math.max(1, tpeGamma(n));
    const belowIdx = new Set(order.slice(0, nBelow).map((x) => x.i));
    const below = this.#obs.filter((_, i) => belowIdx.has(i)).map((o) => space.toCoord(o.config));
    const above = [
      ...this.#obs.filter((_, i) => !belowIdx.has(i)).map((o) => space.toCoord(o.config)),
      ...[...this.#seen.pending.values()].map((c) => space.toCoord(c)),
    ];
    const l = new ParzenEstimator(this.#coords, below, tpeWeights(below.length), this.#o.priorWeight);
    const g = new ParzenEstimator(this.#coords, above, tpeWeights(above.length), this.#o.priorWeight);
    for (let round = 0; round < 10; round++) {
      let best: Config | undefined;
      let bestScore = -Infinity;
      for (let k = 0; k < this.#o.nCandidates; k++) {
        const x = l.sample(rng);
        const c = space.fromCoord(x);
        if (this.#seen.has(space.key(c))) continue;
        const xc = space.toCoord(c);
        const score = l.logPdf(xc) - g.logPdf(xc);
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      if (best) return best;
    }
    return this.#seen.randomUnseen(rng);
  }
}
