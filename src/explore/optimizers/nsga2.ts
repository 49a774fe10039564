import { lhsDesign } from '../designs.js';
import { crowdingDistance, nonDominatedSort } from '../pareto.js';
import type { Config } from '../space.js';
import { Seen, type Observation, type Optimizer, type OptimizerContext, type Suggestion } from './types.js';

export interface Nsga2Options {
  /** Population size; default 24 (the reference's 24–50, sized for budgets of a few hundred). */
  populationSize?: number;
  /** Probability of uniform crossover; default 0.9. */
  crossoverProb?: number;
  /** Probability of taking each gene from the second parent; default 0.5. */
  swapProb?: number;
  /** Per-gene mutation probability; default 1/d. */
  mutationProb?: number;
}

/**
 * NSGA-II (Deb et al. 2002) for several objectives with constraints: a maximin-LHS first generation, then
 * generations of offspring by binary tournament on (front rank, crowding distance), uniform crossover and
 * per-gene mutation (half random reset, half a ±1 level step), never re-proposing a configuration already
 * evaluated; survival of the best `populationSize` of parents ∪ offspring by constrained domination (feasible
 * beats infeasible, infeasible compare by total violation) and crowding distance. Generations are
 * synchronous: `ask` returns nothing while a generation's offspring are still running.
 */
export class Nsga2 implements Optimizer {
  readonly name = 'nsga2';
  readonly #seen: Seen;
  readonly #o: Required<Nsga2Options>;
  #population: Observation[] = [];
  #rank = new Map<Observation, number>();
  #crowd = new Map<Observation, number>();
  #queue: Config[] = [];
  #outstanding = 0;
  #told: Observation[] = [];
  #generation = 0;

  constructor(
    readonly ctx: OptimizerContext,
    options: Nsga2Options = {},
  ) {
    this.#seen = new Seen(ctx.space);
    this.#o = {
      populationSize: options.populationSize ?? 24,
      crossoverProb: options.crossoverProb ?? 0.9,
      swapProb: options.swapProb ?? 0.5,
      mutationProb: options.mutationProb ?? 1 / ctx.space.dims,
    };
  }

  get generation(): number {
    return this.#generation;
  }

  ask(n: number): Suggestion[] {
    if (this.#queue.length === 0 && this.#outstanding === 0) this.#breed();
    const out: Suggestion[] = [];
    while (out.length < n && this.#queue.length > 0) {
      const c = this.#queue.shift()!;
      this.#seen.markPending(c);
      this.#outstanding++;
      out.push({ config: c });
    }
    return out;
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      this.#seen.markDone(o.key);
      this.#told.push(o);
      this.#outstanding--;
    }
    if (this.#outstanding === 0 && this.#queue.length === 0 && this.#told.length > 0) {
      this.#survive([...this.#population, ...this.#told]);
      this.#told = [];
      this.#generation++;
    }
  }

  #survive(all: Observation[]): void {
    const fronts = nonDominatedSort(all);
    const next: Observation[] = [];
    this.#rank = new Map();
    this.#crowd = new Map();
    fronts.forEach((front, r) => {
      const cd = crowdingDistance(all, front);
      for (const i of front) {
        this.#rank.set(all[i]!, r);
        this.#crowd.set(all[i]!, cd.get(i)!);
      }
      if (next.length >= this.#o.populationSize) return;
      if (next.length + front.length <= this.#o.populationSize) {
        next.push(...front.map((i) => all[i]!));
        return;
      }
      const byCrowd = [...front].sort((a, b) => cd.get(b)! - cd.get(a)! || a - b);
      next.push(...byCrowd.slice(0, this.#o.populationSize - next.length).map((i) => all[i]!));
    });
    this.#population = next;
  }

  #tournament(): Observation {
    const { rng } = this.ctx;
    const pop = this.#population;
    const a = pop[Math.floor(rng() * pop.length)]!;
    const b = pop[Math.floor(rng() * pop.length)]!;
    const ra = this.#rank.get(a)!,
      rb = this.#rank.get(b)!;
    if (ra !== rb) return ra < rb ? a : b;
    return this.#crowd.get(a)! >= this.#crowd.get(b)! ? a : b;
  }

  #breed(): void {
    const { space, rng } = this.ctx;
    const size = this.#o.populationSize;
    const inQueue = new Set<string>();
    const accept = (c: Config | undefined) => {
      if (!c) return false;
      const k = space.key(c);
      if (this.#seen.has(k) || inQueue.has(k)) return false;
      inQueue.add(k);
      this.#queue.push(c);
      return true;
    };
    if (this.#population.length === 0) {
      for (const c of lhsDesign(space, size, rng)) if (!accept(c)) accept(this.#seen.randomUnseen(rng));
      return;
    }
    const coords = space.coords();
    for (let i = 0; i < size; i++) {
      let ok = false;
      for (let attempt = 0; attempt < 20 && !ok; attempt++) {
        const p1 = this.#tournament().config,
          p2 = this.#tournament().config;
        let child = p1.slice();
        if (rng() < this.#o.crossoverProb) child = p1.map((v, j) => (rng() < this.#o.swapProb ? p2[j]! : v));
        const x = space.toCoord(child);
        for (let j = 0; j < x.length; j++) {
          if (rng() >= this.#o.mutationProb) continue;
          const c = coords[j]!;
          if (rng() < 0.5 || c.hi === c.lo)
            x[j] =
              c.categories !== undefined || c.step !== undefined
                ? c.lo + Math.floor(rng() * (c.hi - c.lo + 1))
                : c.lo + rng() * (c.hi - c.lo);
          else if (c.step !== undefined)
            x[j] = Math.min(c.hi, Math.max(c.lo, x[j]! + (rng() < 0.5 ? -1 : 1)));
          else x[j] = Math.min(c.hi, Math.max(c.lo, x[j]! + (rng() - 0.5) * 0.2 * (c.hi - c.lo)));
        }
        ok = accept(space.fromCoord(x));
      }
      if (!ok) accept(this.#seen.randomUnseen(rng));
    }
  }
}
