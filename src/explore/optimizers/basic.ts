import { lhsDesign } from '../designs.js';
import type { Config } from '../space.js';
import { Seen, type Observation, type Optimizer, type OptimizerContext, type Suggestion } from './types.js';

/** Random search: uniformly random configurations, never one already evaluated or pending. */
export class RandomSearch implements Optimizer {
  readonly name = 'random';
  readonly #seen: Seen;

  constructor(readonly ctx: OptimizerContext) {
    this.#seen = new Seen(ctx.space);
  }

  ask(n: number): Suggestion[] {
    const out: Suggestion[] = [];
    for (let i = 0; i < n; i++) {
      const c = this.#seen.randomUnseen(this.ctx.rng);
      if (!c) break;
      this.#seen.markPending(c);
      out.push({ config: c });
    }
    return out;
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) this.#seen.markDone(o.key);
  }
}

/**
 * Latin hypercube search: a maximin LHS of the whole budget (skopt's classic + maximin over 1000
 * designs), in order; a point that maps onto a configuration already seen (discrete levels collide) is
 * replaced by a random unseen one.
 */
export class LhsSearch implements Optimizer {
  readonly name = 'lhs';
  readonly #seen: Seen;
  readonly #design: Config[];
  #next = 0;

  constructor(readonly ctx: OptimizerContext) {
    this.#seen = new Seen(ctx.space);
    this.#design = lhsDesign(ctx.space, Math.max(1, Math.min(ctx.budget, 2000)), ctx.rng);
  }

  ask(n: number): Suggestion[] {
    const out: Suggestion[] = [];
    while (out.length < n) {
      let c: Config | undefined = this.#design[this.#next++];
      if (!c || this.#seen.has(this.ctx.space.key(c))) c = this.#seen.randomUnseen(this.ctx.rng);
      if (!c) break;
      this.#seen.markPending(c);
      out.push({ config: c });
    }
    return out;
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) this.#seen.markDone(o.key);
  }
}
