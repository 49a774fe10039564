/**
 * The time-weighted number of items present (requests in a system), kept from each item's entry and
 * exit times rather than from level changes in time order: ∫ n(t) dt over the window is the sum of
 * each item's time inside it. An item may be entered or left after the fact — with a start or an end
 * earlier or later than the current time — so a model can account for a request when it knows both
 * ends (e.g. an answer whose arrival time is already known) without an event at each instant.
 *
 * Reads at time `now` are exact provided every item that entered by `now` has been entered and no item
 * was left with an end after `now`.
 */
export class Occupancy {
  #from: number;
  #present = 0;
  /** Σ max(start, from) over the items present. */
  #starts = 0;
  /** ∫ over the window of the items that have left. */
  #area = 0;

  constructor(now = 0) {
    this.#from = now;
  }

  /** Items present (entered and not left). */
  get present(): number {
    return this.#present;
  }

  /** An item entered at `start`. */
  enter(start: number): void {
    this.#present++;
    this.#starts += Math.max(start, this.#from);
  }

  /** The item that entered at `start` leaves at `end`. */
  leave(start: number, end: number): void {
    const s = Math.max(start, this.#from);
    this.#present--;
    this.#starts -= s;
    if (end > s) this.#area += end - s;
  }

  /** ∫ n dt from the start of the window to `now`. */
  integral(now: number): number {
    return this.#area + this.#present * now - this.#starts;
  }

  /** Time-weighted mean number present since the start of the window; the number present if no time has passed. */
  mean(now: number): number {
    const elapsed = now - this.#from;
    return elapsed > 0 ? this.integral(now) / elapsed : this.#present;
  }

  /** A new window from `now`: the items present count from now on. */
  reset(now: number): void {
    this.#from = now;
    this.#area = 0;
    this.#starts = this.#present * now;
  }
}
