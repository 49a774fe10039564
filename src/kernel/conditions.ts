import type { Env } from './env.js';
import { KernelErrorCode, SimulationError } from './errors.js';
import { SimEvent, trigger } from './event.js';

/** Value of a condition: the events that had succeeded when it triggered, in the given order. */
export type ConditionValue = Map<SimEvent<unknown>, unknown>;

/**
 * An event that waits on other events (SimPy's `Condition`): it succeeds when `evaluate` holds
 * over the processed ones, and fails as soon as one of them fails (defusing that failure, which is
 * handed on to whoever waits on the condition).
 */
export class Condition extends SimEvent<ConditionValue> {
  readonly #events: readonly SimEvent<unknown>[];
  readonly #evaluate: (done: number, total: number) => boolean;
  readonly #kind: string;
  #done = 0;

  constructor(
    env: Env,
    kind: string,
    evaluate: (done: number, total: number) => boolean,
    events: readonly SimEvent<unknown>[],
  ) {
    super(env);
    this.#kind = kind;
    this.#evaluate = evaluate;
    this.#events = [...events];
    for (const event of this.#events) {
      if (event.env !== env) {
        throw new SimulationError(
          KernelErrorCode.FOREIGN_EVENT,
          `${kind}() was given an event of another env`,
          env.now,
          { condition: kind },
        );
      }
    }
    if (this.#events.length === 0 || evaluate(0, this.#events.length)) {
      trigger(this, true, new Map());
      return;
    }
    const check = (event: SimEvent<unknown>): void => this.#check(event);
    for (const event of this.#events) {
      if (!event.addCallback(check)) this.#check(event);
      if (this.triggered) break;
    }
  }

  override toString(): string {
    return `${this.#kind}(${this.#events.length} events)`;
  }

  #check(event: SimEvent<unknown>): void {
    if (this.triggered) return;
    this.#done++;
    if (!event.ok) {
      event.defused = true;
      trigger(this, false, event.value);
    } else if (this.#evaluate(this.#done, this.#events.length)) {
      const value: ConditionValue = new Map();
      for (const e of this.#events) if (e.processed && e.ok) value.set(e, e.value);
      trigger(this, true, value);
    }
  }
}

/** @internal Implementation of `env.allOf()`. */
export function allOf(env: Env, events: readonly SimEvent<unknown>[]): Condition {
  return new Condition(env, 'allOf', (done, total) => done === total, events);
}

/** @internal Implementation of `env.anyOf()`. */
export function anyOf(env: Env, events: readonly SimEvent<unknown>[]): Condition {
  return new Condition(env, 'anyOf', (done, total) => done > 0 || total === 0, events);
}
