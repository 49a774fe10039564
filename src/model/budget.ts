import { getHeapStatistics } from 'node:v8';
import type { Env } from '../kernel/index.js';
import { BudgetExceededError, type BudgetStop } from './errors.js';

/** What a simulation may use (SimulateOptions.maxEvents, maxMemoryMiB); a missing bound is no bound. */
export interface BudgetLimits {
  /** Most events over all replications. */
  maxEvents?: number | undefined;
  /** Most resident memory of the process, MiB (read every {@link CHECK_EVERY} events). */
  maxMemoryMiB?: number | undefined;
}

/**
 * Events between two looks at the budget. A look costs a return from the kernel's loop and one read of the
 * resident set size (~a microsecond), ~30 times a second at 2 M events/s: nothing next to the events. Few
 * handlers allocate more than a few hundred bytes, so the memory can overshoot the budget by some tens of
 * MiB at most between two looks (the scenario limits bound what one event may create).
 */
export const CHECK_EVERY = 65_536;

/** The memory budget by default: half of V8's heap limit, at most 2 GiB, so the budget stops a run first. */
export function defaultMaxMemoryMiB(): number {
  return Math.min(2048, Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20 / 2));
}

/** The most memory a budget may allow: 3/4 of V8's heap limit (beyond, V8 itself gives up first). */
export function maxMemoryCeilingMiB(): number {
  return Math.floor((getHeapStatistics().heap_size_limit / 2 ** 20) * 0.75);
}

/** The events by default: 10⁹ (minutes of simulation at 2 M events/s; the benchmarks use < 10⁸). */
export const DEFAULT_MAX_EVENTS = 1_000_000_000;

const residentMiB = (): number => process.memoryUsage.rss() / 2 ** 20;

/** The budget of one simulate() call, over its replications. */
export class Budget {
  /** Events of the replications that have finished. */
  #eventsBefore = 0;
  constructor(
    readonly limits: BudgetLimits,
    readonly replications: number,
    readonly memoryMiB: () => number = residentMiB,
  ) {}

  get bounded(): boolean {
    return this.limits.maxEvents !== undefined || this.limits.maxMemoryMiB !== undefined;
  }

  /** Events the replication may process before the next look. */
  nextSlice(env: Env): number {
    const left = (this.limits.maxEvents ?? Infinity) - this.#eventsBefore - env.eventsProcessed;
    return Math.max(0, Math.min(CHECK_EVERY, left));
  }

  /**
   * Stops the run (throws) if it is over a budget.
   * @throws BudgetExceededError naming the budget and how far the run got
   */
  check(at: Omit<BudgetStop, 'budget' | 'limit' | 'used' | 'events' | 'replications'> & { env: Env }): void {
    const { env, ...where } = at;
    const events = this.#eventsBefore + env.eventsProcessed;
    const stop = { ...where, events, replications: this.replications };
    const { maxEvents, maxMemoryMiB } = this.limits;
    if (maxEvents !== undefined && events >= maxEvents)
      throw new BudgetExceededError({ ...stop, budget: 'events', limit: maxEvents, used: events });
    if (maxMemoryMiB !== undefined) {
      const used = this.memoryMiB();
      if (used > maxMemoryMiB)
        throw new BudgetExceededError({ ...stop, budget: 'memory', limit: maxMemoryMiB, used });
    }
  }

  /** Counts a finished replication's events. */
  finished(env: Env): void {
    this.#eventsBefore += env.eventsProcessed;
  }
}
