import { normalCdf, normalPdf } from '../../random/index.js';
import { lhsDesign } from '../designs.js';
import type { Config } from '../space.js';
import { GaussianProcess } from './gp.js';
import { Seen, type Observation, type Optimizer, type OptimizerContext, type Suggestion } from './types.js';

export interface GpEiOptions {
  /** Initial maximin-LHS points; default 2d + 2. */
  nInitial?: number;
  /** EI exploration margin ξ in standardized units; default 0.01. */
  xi?: number;
  /** Random candidates when the space is too large (or continuous) to score every point; default 5000. */
  nCandidates?: number;
}

/** Finite spaces up to this size score EI on every unevaluated configuration (exact, no inner optimizer). */
const EXHAUSTIVE_LIMIT = 50_000;

/**
 * Bayesian optimization with a Gaussian process and expected improvement (Jones et al. 1998):
 * a maximin Latin hypercube of 2d + 2 points, then each suggestion maximizes
 * log EI(x) + Σ_j log P(g_j(x) ≤ 0) (Gardner et al. 2014: one GP per constraint margin g_j, including
 * the `feasible` flag), over every unevaluated configuration of a finite space (exact) or random
 * candidates. Until a feasible point is seen it maximizes the probability of feasibility alone. Batches
 * use the constant liar (pending points told the best value seen, cl_min) so they spread out.
 * Minimizes the first objective.
 */
export class GpEi implements Optimizer {
  readonly name = 'gp';
  readonly #seen: Seen;
  readonly #obs: Observation[] = [];
  readonly #init: Config[];
  #nextInit = 0;
  readonly #o: Required<GpEiOptions>;
  #objGp: GaussianProcess;
  #conGps: GaussianProcess[] = [];
  readonly #conTheta: number[][] = [];
  #candidates: { config: Config; key: string; x: number[] }[] | undefined;
  #fits = 0;

  constructor(
    readonly ctx: OptimizerContext,
    options: GpEiOptions = {},
  ) {
    const d = ctx.space.dims;
    this.#seen = new Seen(ctx.space);
    this.#o = {
      nInitial: options.nInitial ?? 2 * d + 2,
      xi: options.xi ?? 0.01,
      nCandidates: options.nCandidates ?? 5000,
    };
    this.#init = lhsDesign(ctx.space, this.#o.nInitial, ctx.rng);
    this.#objGp = new GaussianProcess(d);
  }

  ask(n: number): Suggestion[] {
    const out: Suggestion[] = [];
    let model: { yBest: number | undefined; yMin: number } | undefined;
    for (let i = 0; i < n; i++) {
      let c: Config | undefined;
      if (this.#obs.length < this.#o.nInitial && this.#nextInit < this.#init.length) {
        c = this.#init[this.#nextInit++];
        if (c && this.#seen.has(this.ctx.space.key(c))) c = this.#seen.randomUnseen(this.ctx.rng);
      } else if (this.#obs.length < 2) {
        c = this.#seen.randomUnseen(this.ctx.rng);
      } else {
        model ??= this.#fit();
        c = this.#best(model);
      }
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

  /** Fits the objective and constraint GPs on the finished observations. */
  #fit() {
    const { space, rng } = this.ctx;
    const x = this.#obs.map((o) => space.toScaled(o.config));
    const y = finite(this.#obs.map((o) => o.values[0]!));
    // Full hyperparameter searches while the data are few and then every fourth refit; warm refinements between.
    const effort = this.#obs.length <= 20 || this.#fits % 4 === 0 ? 'full' : 'warm';
    this.#fits++;
    this.#objGp.fit(x, y, rng, effort);
    const nCon = this.#obs[0]?.margins.length ?? 0;
    this.#conGps = [];
    for (let j = 0; j < nCon; j++) {
      const m = finite(this.#obs.map((o) => o.margins[j]!));
      // A margin that never varied says nothing about where the boundary is: no model (and no penalty).
      if (m.every((v) => v === m[0])) continue;
      const gp = this.#conTheta[j]
        ? new GaussianProcess(space.dims, this.#conTheta[j])
        : new GaussianProcess(space.dims);
      gp.fit(x, m, rng, effort);
      this.#conTheta[j] = gp.theta;
      this.#conGps.push(gp);
    }
    const feasible = this.#obs
      .filter((o) => o.violation === 0)
      .map((o) => o.values[0]!)
      .filter((v) => !Number.isNaN(v));
    return { yBest: feasible.length > 0 ? Math.min(...feasible) : undefined, yMin: Math.min(...y) };
  }

  #candidateSet(): { config: Config; key: string; x: number[] }[] {
    const { space, rng } = this.ctx;
    if (Number.isFinite(space.size) && space.size <= EXHAUSTIVE_LIMIT) {
      this.#candidates ??= space
        .grid()
        .map((config) => ({ config, key: space.key(config), x: space.toScaled(config) }));
      return this.#candidates.filter((c) => !this.#seen.has(c.key));
    }
    const out: { config: Config; key: string; x: number[] }[] = [];
    for (let i = 0; i < this.#o.nCandidates; i++) {
      const config = space.random(rng);
      const key = space.key(config);
      if (!this.#seen.has(key)) out.push({ config, key, x: space.toScaled(config) });
    }
    return out;
  }

  #best(model: { yBest: number | undefined; yMin: number }): Config | undefined {
    const cands = this.#candidateSet();
    if (cands.length === 0) return undefined;
    const pts = cands.map((c) => c.x);
    // Constant liar: pending points are told the lowest value seen (objective GP only).
    const pending = [...this.#seen.pending.values()].map((c) => this.ctx.space.toScaled(c));
    const obj =
      pending.length > 0
        ? this.#objGp.withExtra(
            pending,
            pending.map(() => model.yMin),
          )
        : this.#objGp;
    const logPf = new Float64Array(pts.length);
    for (const gp of this.#conGps) {
      const { mu, sd } = gp.predict(pts);
      for (let i = 0; i < pts.length; i++)
        logPf[i]! += Math.log(Math.max(normalCdf(-mu[i]! / sd[i]!), 1e-300));
    }
    let best = -1;
    let bestScore = -Infinity;
    if (model.yBest === undefined) {
      for (let i = 0; i < pts.length; i++)
        if (logPf[i]! > bestScore) {
          bestScore = logPf[i]!;
          best = i;
        }
    } else {
      const { mu, sd } = obj.predict(pts);
      const scale = Math.max(1e-12, stdev(this.#obs.map((o) => o.values[0]!).filter(Number.isFinite)));
      const target = model.yBest - this.#o.xi * scale;
      for (let i = 0; i < pts.length; i++) {
        const s = sd[i]!;
        const imp = target - mu[i]!;
        const z = imp / s;
        const ei = s > 0 ? imp * normalCdf(z) + s * normalPdf(z) : Math.max(imp, 0);
        const score = Math.log(Math.max(ei, 1e-300)) + logPf[i]!;
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
    }
    return cands[best]?.config;
  }
}

/** NaN (a metric with no value) becomes the worst finite value, or 0. */
function finite(v: number[]): number[] {
  const f = v.filter(Number.isFinite);
  const worst = f.length > 0 ? Math.max(...f) : 0;
  return v.map((x) => (Number.isFinite(x) ? x : worst + Math.abs(worst) * 0.1 + 1));
}

function stdev(v: number[]): number {
  if (v.length < 2) return 1;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}
