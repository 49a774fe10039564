import type { Config } from '../space.js';
import {
  compareObs,
  Seen,
  type Observation,
  type Optimizer,
  type OptimizerContext,
  type Suggestion,
} from './types.js';

/** Fidelity = requests measured per replication; rungs r_min·η^k up to (and ending at) r_max. */
export interface FidelityOptions {
  min: number;
  max: number;
  eta: number;
}

/** The rung fidelities: min, min·η, min·η², … below max, then max. */
export function rungs(f: FidelityOptions): number[] {
  const out: number[] = [];
  for (let r = f.min; r < f.max * (1 - 1e-9); r *= f.eta) out.push(Math.round(r));
  out.push(f.max);
  return out;
}

interface RungEntry {
  obs: Observation;
  promoted: boolean;
}

/**
 * Asynchronous successive halving (ASHA; Li et al., MLSys 2020) with the number of simulated requests as
 * fidelity: whenever a slot is free, promote a configuration that is in the top 1/η of its rung and not yet
 * promoted (highest rung first), else start a new random configuration at the lowest rung. A promoted
 * configuration is re-run from t = 0 at the higher fidelity with the same seeds (common random numbers: the
 * shorter run is a prefix of the longer one).
 */
export class Asha implements Optimizer {
  readonly name: string = 'asha';
  readonly rungs: number[];
  protected readonly seen: Seen;
  protected readonly entries: RungEntry[][];
  protected readonly pendingPromotions: Set<string>[];

  constructor(
    readonly ctx: OptimizerContext,
    readonly fidelity: FidelityOptions,
  ) {
    this.rungs = rungs(fidelity);
    this.seen = new Seen(ctx.space);
    this.entries = this.rungs.map(() => []);
    this.pendingPromotions = this.rungs.map(() => new Set());
  }

  ask(n: number): Suggestion[] {
    const out: Suggestion[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.#promotion() ?? this.#fresh();
      if (!s) break;
      out.push(s);
    }
    return out;
  }

  #promotion(): Suggestion | undefined {
    for (let k = this.rungs.length - 2; k >= 0; k--) {
      const rung = this.entries[k]!;
      const top = Math.floor(rung.length / this.fidelity.eta);
      const sorted = [...rung].sort((a, b) => compareObs(a.obs, b.obs));
      for (const e of sorted.slice(0, top)) {
        if (!e.promoted) {
          e.promoted = true;
          this.pendingPromotions[k + 1]!.add(e.obs.key);
          return { config: e.obs.config, fidelity: this.rungs[k + 1]! };
        }
      }
    }
    return undefined;
  }

  #fresh(): Suggestion | undefined {
    const c = this.seen.randomUnseen(this.ctx.rng);
    if (!c) return undefined;
    this.seen.markPending(c);
    return { config: c, fidelity: this.rungs[0]! };
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      const k = this.rungs.indexOf(o.fidelity);
      if (k < 0) continue;
      if (k === 0) this.seen.markDone(o.key);
      this.pendingPromotions[k]!.delete(o.key);
      this.entries[k]!.push({ obs: o, promoted: false });
    }
  }
}

/**
 * Synchronous successive halving (Jamieson & Talwalkar 2016): brackets of η^K random configurations at
 * the lowest rung; when a rung is complete its top 1/η go to the next rung; when the top rung is done a
 * new bracket starts. `ask` returns nothing while a rung is still running.
 */
export class SuccessiveHalving implements Optimizer {
  readonly name = 'sha';
  readonly rungs: number[];
  readonly #seen: Seen;
  #rung = 0;
  #queue: Suggestion[] = [];
  #outstanding = 0;
  #results: Observation[] = [];

  constructor(
    readonly ctx: OptimizerContext,
    readonly fidelity: FidelityOptions,
  ) {
    this.rungs = rungs(fidelity);
    this.#seen = new Seen(ctx.space);
  }

  /** Configurations at the lowest rung of a bracket: η^K, so that one reaches the top. */
  get bracketSize(): number {
    return this.fidelity.eta ** (this.rungs.length - 1);
  }

  ask(n: number): Suggestion[] {
    if (this.#queue.length === 0 && this.#outstanding === 0) this.#advance();
    const out = this.#queue.splice(0, n);
    this.#outstanding += out.length;
    return out;
  }

  #advance(): void {
    if (this.#results.length > 0 && this.#rung < this.rungs.length - 1) {
      const keep = Math.max(1, Math.floor(this.#results.length / this.fidelity.eta));
      const best = [...this.#results].sort(compareObs).slice(0, keep);
      this.#rung++;
      this.#queue = best.map((o) => ({ config: o.config, fidelity: this.rungs[this.#rung]! }));
      this.#results = [];
      return;
    }
    // New bracket.
    this.#rung = 0;
    this.#results = [];
    const fresh: Config[] = [];
    for (let i = 0; i < this.bracketSize; i++) {
      const c = this.#seen.randomUnseen(this.ctx.rng);
      if (!c) break;
      this.#seen.markPending(c);
      fresh.push(c);
    }
    this.#queue = fresh.map((config) => ({ config, fidelity: this.rungs[0]! }));
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      if (o.fidelity === this.rungs[0]) this.#seen.markDone(o.key);
      this.#results.push(o);
      this.#outstanding--;
    }
  }
}
