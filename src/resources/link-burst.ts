import type { Env } from '../kernel/index.js';
import {
  BURST_AREA,
  BURST_BUSY,
  BURST_END_SUM,
  BURST_FROM,
  BURST_LAST,
  BURST_START,
} from './link-numbers.js';
import type { PendingTransfer } from './transfer-record.js';

/** Transfers in one burst beyond which newcomers share through the wire (rescheduling is O(n) per arrival). */
export const MAX_BURST = 8;

/**
 * @internal The transfers that started at one instant on a link's idle wire (a burst: one image alone, or the
 * images of one request fetched together). They are not put on the processor-sharing wire: their finish
 * times under fair sharing are known in closed form, so each gets one kernel event (bytes out, then its
 * delay). When a transfer arrives later while some of their bytes are still going out, those join the wire
 * with the work they have left, so the result is the same as sharing through the wire from the start.
 *
 * The members are `members[0 .. n)`; the array is made once (MAX_BURST slots) and emptied in place, so a
 * burst allocates nothing beyond its transfers' records. The burst's times and statistics are the link's
 * numbers (BURST_* in link-numbers.ts), passed in as `v`, `o`.
 */
export class Burst {
  n = 0;
  readonly members: (PendingTransfer | null)[];

  constructor(slots: number) {
    this.members = new Array<PendingTransfer | null>(slots).fill(null);
  }

  /** Starts a burst at `now` with `p` alone (the link's wire is idle). */
  start(v: Float64Array, o: number, now: number, p: PendingTransfer): void {
    v[o + BURST_START] = v[o + BURST_FROM] = now;
    this.members[0] = p;
    this.n = 1;
  }

  /** Whether `p` may join the burst at `now`: the burst started now and has room. */
  takes(v: Float64Array, o: number, now: number): boolean {
    return now === v[o + BURST_START]! && this.n < MAX_BURST;
  }

  /** Adds `p` to the burst (see {@link takes}). */
  add(p: PendingTransfer): void {
    this.members[this.n++] = p;
  }

  /**
   * Schedules (or moves) the arrival of every transfer of the burst started now: sorted by work
   * w₁ ≤ … ≤ wₙ, the i-th finishes its bytes at Σ_{j<i} wⱼ + (n − i + 1)·wᵢ under fair sharing.
   * `arrived(p)` runs at a member's arrival.
   */
  schedule(env: Env, v: Float64Array, o: number, now: number, arrived: (p: PendingTransfer) => void): void {
    const burst = this.members as PendingTransfer[];
    const n = this.n;
    // Insertion sort: bursts are a handful of transfers, and all but the newcomer are sorted already.
    for (let i = n - 1; i > 0 && burst[i - 1]!.work > burst[i]!.work; i--) {
      const t = burst[i]!;
      burst[i] = burst[i - 1]!;
      burst[i - 1] = t;
    }
    let before = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = burst[i]!;
      const end = now + before + (n - i) * p.work;
      before += p.work;
      sum += end;
      if (p.id !== 0 && end === p.bytesEnd) continue;
      p.bytesEnd = end;
      const moved = p.id !== 0 ? env.reschedule(p.id, end - now + p.delay) : 0;
      p.id = moved !== 0 ? moved : env.schedule(end - now + p.delay, arrived, p);
    }
    // The largest work finishes last: when the wire falls idle.
    v[o + BURST_LAST] = burst[n - 1]!.bytesEnd;
    v[o + BURST_END_SUM] = sum;
  }

  /** Empties the burst in place (its members are no longer referenced from the link). */
  clear(): void {
    const burst = this.members;
    for (let i = 0; i < this.n; i++) burst[i] = null;
    this.n = 0;
  }

  /**
   * Closes the burst at `now`: its statistics are banked, and transfers whose bytes are still going out
   * move to the wire with the work they have left (their arrival events are cancelled): `toWire(p, work)`.
   */
  end(
    env: Env,
    v: Float64Array,
    o: number,
    now: number,
    toWire: (p: PendingTransfer, work: number) => void,
  ): void {
    const burst = this.members as PendingTransfer[];
    const n = this.n;
    if (now >= v[o + BURST_LAST]! && v[o + BURST_FROM]! === v[o + BURST_START]!) {
      // The usual case: the burst is over (its bytes are out); bank its statistics.
      v[o + BURST_BUSY]! += v[o + BURST_LAST]! - v[o + BURST_START]!;
      v[o + BURST_AREA]! += v[o + BURST_END_SUM]! - n * v[o + BURST_START]!;
      this.clear();
      return;
    }
    const from = v[o + BURST_FROM]!;
    let last = from;
    for (let i = 0; i < n; i++) {
      const end = Math.min(now, burst[i]!.bytesEnd);
      if (end > from) v[o + BURST_AREA]! += end - from;
      if (end > last) last = end;
    }
    v[o + BURST_BUSY]! += last - from;
    // Work done per transfer (sharing fairly) by `now`: phases end when each transfer in turn finishes.
    let done = 0; // work every unfinished transfer has received
    let t = v[o + BURST_START]!;
    for (let i = 0; i < n; i++) {
      const p = burst[i]!;
      if (p.bytesEnd <= now) {
        done = p.work;
        t = p.bytesEnd;
        continue;
      }
      done += (now - t) / (n - i);
      t = now;
      env.cancel(p.id);
      p.id = 0;
      toWire(p, Math.max(0, p.work - done));
    }
    this.clear();
  }

  /**
   * Member `p` arrived at `now`: returns whether it is still a member of an unfinished burst (then the
   * burst's reckoning needs its record). Once the burst's bytes are all out, the burst is closed now rather
   * than at the link's next transfer: a link per device may see its next transfer much later, and holding
   * on to the burst would keep each request alive (and promoted by the garbage collector) until then.
   */
  arrived(
    p: PendingTransfer,
    env: Env,
    v: Float64Array,
    o: number,
    toWire: (p: PendingTransfer, work: number) => void,
  ): boolean {
    if (this.n > 0 && env.now >= v[o + BURST_LAST]! && this.has(p)) this.end(env, v, o, env.now, toWire);
    return this.n > 0 && this.has(p);
  }

  /** Whether `p` is a member of the burst. */
  has(p: PendingTransfer): boolean {
    for (let i = 0; i < this.n; i++) if (this.members[i] === p) return true;
    return false;
  }

  /** Members whose bytes are still going out at `now`. */
  sendingAt(now: number): number {
    let n = 0;
    for (let i = 0; i < this.n; i++) if (this.members[i]!.bytesEnd > now) n++;
    return n;
  }
}

/** The burst of a link that has never had one (it takes no member: the link makes its own first). */
export const NO_BURST = new Burst(0);
