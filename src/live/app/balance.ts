import { BALANCE_POLICY_CODES, type BalanceChooser, chooseInstance } from '../../model/balance-choice.js';
import type { BalancePolicy } from '../../scenario/index.js';

/**
 * The live driver's instance choice: the scenario's `balance` policy applied per request among the
 * target's instances the driver holds up, as the simulator's InstanceSet.pick does (same policies, same
 * order of the instances up, same draws per choice, lowest index on ties), so that a simulated and a live
 * run split their requests alike.
 *
 * What the driver cannot know as the simulator does is which instances are up: it learns it itself,
 * as a client-side balancer with passive health checks does (nginx's max_fails, Envoy's outlier
 * detection). A request whose connection fails (refused, reset, unreachable) marks its instance down
 * ({@link markDown}); the driver then probes the instance's health until it answers and marks it up again
 * ({@link markUp}). The controller's events are not sent to the drivers: the driver learns a stop from
 * the failure it causes, whichever way the instance died (an event, a crash), and needs no channel from
 * the controller into the testbed. The cost: the requests in progress on a stopped instance fail (as in
 * the simulator), and so may those sent to it before its first failure came back.
 *
 * Outstanding requests are this driver's own (least-outstanding and power-of-two compare them): several
 * driver processes each balance their own requests, where the simulator compares all of an instance's.
 *
 * `static` keeps the behaviour without `balance`: the client's own instance (`hint` mod n), up or not.
 */
export class Balancer {
  readonly policy: BalancePolicy;
  readonly #n: number;
  /** What the shared choice reads (src/model/balance-choice.ts): draws, cursor, this driver's outstanding, weights. */
  readonly #chooser: BalanceChooser<number>;
  /** Instances up, by index (ascending, as the simulator keeps them). */
  readonly #up: number[];
  readonly #outstanding: Int32Array;
  /** Instances at this index and above are out of the balance (scaled in, or not yet scaled out). */
  #limit: number;

  constructor(o: {
    policy: BalancePolicy;
    instances: number;
    weights?: readonly number[];
    rng: () => number;
  }) {
    this.policy = o.policy;
    this.#n = o.instances;
    const weights = Float64Array.from({ length: o.instances }, (_, i) => o.weights?.[i] ?? 1);
    this.#up = Array.from({ length: o.instances }, (_, i) => i);
    this.#limit = o.instances;
    const outstanding = new Int32Array(o.instances);
    this.#outstanding = outstanding;
    this.#chooser = {
      rng: o.rng,
      cursor: { rr: 0 },
      outstanding: (i) => outstanding[i]!,
      weight: (i) => weights[i]!,
    };
  }

  /** The instance the next request goes to (`hint`: the client's own index, for `static`); −1 when none is up. */
  pick(hint: number): number {
    if (this.policy === 'static') return this.#n > 0 ? hint % this.#n : -1;
    return chooseInstance(BALANCE_POLICY_CODES[this.policy], this.#up, this.#chooser) ?? -1;
  }

  /** A request to instance `i` is sent (counted until {@link end}). */
  begin(i: number): void {
    this.#outstanding[i]!++;
  }

  /** A request to instance `i` is over (answered, refused, failed or abandoned). */
  end(i: number): void {
    this.#outstanding[i]!--;
  }

  /** Requests in progress on instance `i` (this driver's). */
  outstanding(i: number): number {
    return this.#outstanding[i]!;
  }

  isUp(i: number): boolean {
    return this.#up.includes(i);
  }

  /** Instances up, ascending. */
  get up(): readonly number[] {
    return this.#up;
  }

  /** Instance `i` failed a connection: no request goes to it until {@link markUp}. Returns whether it was up. */
  markDown(i: number): boolean {
    const k = this.#up.indexOf(i);
    if (k < 0) return false;
    this.#up.splice(k, 1);
    return true;
  }

  /**
   * A scale of the target to `k` instances: those at index `k` and above leave the balance (no new
   * request; those in progress go on), those below `k` take requests once marked up. Returns the
   * previous count. The simulator's scale keeps the lowest indexes too (InstanceSet.scaleTo).
   */
  limit(k: number): number {
    const prev = this.#limit;
    this.#limit = Math.min(k, this.#n);
    for (let j = this.#up.length - 1; j >= 0 && this.#up[j]! >= this.#limit; j--) this.#up.pop();
    return prev;
  }

  /** Instance `i` answers again: it takes requests (in index order among those up) unless scaled out of the balance. */
  markUp(i: number): void {
    if (i < 0 || i >= this.#limit || this.#up.includes(i)) return;
    let k = this.#up.length;
    while (k > 0 && this.#up[k - 1]! > i) k--;
    this.#up.splice(k, 0, i);
  }
}
