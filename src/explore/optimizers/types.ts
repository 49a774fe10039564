import type { Rng } from '../../random/index.js';
import type { Config, Space } from '../space.js';

/** A finished evaluation as an optimizer sees it (plain data). */
export interface Observation {
  config: Config;
  key: string;
  /** Objective values in minimization form (maximized metrics negated), one per objective. */
  values: number[];
  /** Total constraint violation; 0 means feasible. */
  violation: number;
  /** Constraint margins g_j (≤ 0 satisfied), for optimizers that model constraints. */
  margins: number[];
  /** Requests measured (multi-fidelity optimizers); 0 for the scenario's own run length. */
  fidelity: number;
}

/** What an optimizer proposes: a configuration, and for multi-fidelity methods the fidelity to run it at. */
export interface Suggestion {
  config: Config;
  fidelity?: number;
}

/**
 * An ask/tell optimizer. `ask(n)` returns up to n new suggestions, fewer (even none) when it has to wait
 * for results (a synchronous rung or generation) or when the space is exhausted; the caller evaluates them
 * and `tell`s every observation, in suggestion order. Pending suggestions (asked, not told) are taken into
 * account by the next `ask` (constant liar, pending counted as promoted …), so batches are not duplicates.
 * Deterministic: the same seed and the same observations give the same suggestions.
 */
export interface Optimizer {
  readonly name: string;
  ask(n: number): Suggestion[];
  tell(observations: readonly Observation[]): void;
}

export interface OptimizerContext {
  space: Space;
  rng: Rng;
  /** Number of objectives (single-objective methods minimize the first). */
  objectives: number;
  /** Evaluations the study may run (some designs size themselves from it). */
  budget: number;
}

/** Scalar order for single-objective methods: feasible by value, then infeasible by violation. NaN last. */
export function rankKey(o: Observation): [number, number] {
  if (o.violation > 0) return [1, o.violation];
  const v = o.values[0]!;
  return Number.isNaN(v) ? [2, 0] : [0, v];
}

export function compareObs(a: Observation, b: Observation): number {
  const [ca, va] = rankKey(a);
  const [cb, vb] = rankKey(b);
  return ca - cb || va - vb;
}

/**
 * Book-keeping shared by the optimizers: which configurations were evaluated or are pending, and how to
 * draw a random one not seen yet.
 */
export class Seen {
  readonly evaluated = new Set<string>();
  readonly pending = new Map<string, Config>();

  constructor(readonly space: Space) {}

  has(key: string): boolean {
    return this.evaluated.has(key) || this.pending.has(key);
  }

  /** Evaluated + pending configurations cover the whole (finite) space. */
  get exhausted(): boolean {
    return this.evaluated.size + this.pending.size >= this.space.size;
  }

  markPending(c: Config): void {
    this.pending.set(this.space.key(c), c);
  }

  markDone(key: string): void {
    this.pending.delete(key);
    this.evaluated.add(key);
  }

  /** A uniformly random configuration not evaluated nor pending (undefined when the space is exhausted). */
  randomUnseen(rng: Rng): Config | undefined {
    if (this.exhausted) return undefined;
    for (let i = 0; i < 1000; i++) {
      const c = this.space.random(rng);
      if (!this.has(this.space.key(c))) return c;
    }
    // Nearly exhausted finite space: enumerate the rest (rare; small spaces only).
    if (Number.isFinite(this.space.size) && this.space.size <= 2_000_000) {
      const rest = this.space.grid().filter((c) => !this.has(this.space.key(c)));
      return rest.length > 0 ? rest[Math.floor(rng() * rest.length)] : undefined;
    }
    return undefined;
  }
}
