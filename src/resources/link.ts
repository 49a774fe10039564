import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import { aleaSeed, type Rng } from '../random/index.js';
import { checkOption, ResourceError, ResourceErrorCode } from './errors.js';
import {
  BOOKED,
  BOOKED_BYTES,
  BOOKED_STALL,
  BURST_AREA,
  BURST_BUSY,
  BURST_END_SUM,
  BURST_FROM,
  BURST_LAST,
  BURST_START,
  BYTES,
  DELAY_S,
  DRAWS,
  FIELDS,
  KEEP,
  LOG_KEEP,
  MSS,
  NO_DRAWS,
  OWN_DRAWS,
  RNG_DRAWS,
  RTO_S,
  SECONDS_PER_BYTE,
  STALLS,
  STATS_START,
  STREAM,
  TRANSFERS,
  WIRE_BYTES,
  WIRE_FROM,
} from './link-numbers.js';
import { PsServer, type PsServerOptions } from './ps-server.js';
import { numberSlot } from './number-slots.js';
import { giveBack, takeRecord, type PendingTransfer } from './transfer-record.js';
import { badAmount, bookIdle, closeBooked, stalledIn } from './link-booking.js';

// The arrival handler of burst members, bound to the class's private logic in its static block.
let burstArrived: (p: PendingTransfer) => void;
let numbersOf: (link: Link) => [Float64Array, number];

/**
 * @internal A link's numbers: its chunk and its first slot in it (see link-numbers.ts), for the code of
 * this folder that books them directly (LinkRoster). Not exported from the resources' index.
 */
export function linkNumbers(link: Link): [Float64Array, number] {
  return numbersOf(link);
}

/** Options of a {@link Link}. */
export interface LinkOptions {
  /** Bandwidth in megabits per second (10⁶ bit/s), shared fairly by concurrent transfers. */
  rateMbps: number;
  /** One-way propagation delay in milliseconds, added once per transfer. Default 0. */
  delayMs?: number | undefined;
  /** Packet loss in percent, in [0, 100). Default 0. */
  lossPercent?: number | undefined;
  /**
   * Retransmission timeout stall in milliseconds, paid at most once per transfer that loses a
   * packet. Default 0 (no stalls). Needs `rng` when `lossPercent > 0`.
   */
  rtoMs?: number | undefined;
  /** Segment size in bytes, to count a transfer's packets for the stall draw. Default 1460. */
  mssBytes?: number | undefined;
  /** Uniform stream drawn once per transfer for the stall (only when `rtoMs > 0` and loss > 0). */
  rng?: Rng | undefined;
  /**
   * Instead of `rng`: the seed string of the stall stream (see random's streamSeed). The link keeps the
   * generator's state with its other numbers — one cache line fewer per transfer than a generator of its
   * own when a scenario has a link per device — and draws the same numbers as `createStream` would.
   */
  stream?: string | undefined;
  /** Name used in error messages. */
  name?: string | undefined;
  /**
   * Closed-form bursts (default true): transfers started at one instant on an idle link get their finish
   * times under fair sharing without the wire. The model decides it (src/model/shortcuts.ts, link-bursts).
   */
  bursts?: boolean | undefined;
  /** Shortcuts of the link's processor-sharing wire (see PsServerOptions). */
  wire?: Pick<PsServerOptions, 'direct' | 'keepCompletion'> | undefined;
}

/**
 * A network link (flow level, like SimGrid's): concurrent transfers share `rateMbps` fairly (each
 * of n gets rateMbps/n, processor sharing on bits), then each waits the propagation `delayMs`,
 * which is not shared.
 *
 * Loss model, deterministic in its mean part: with packet loss p, every packet is retransmitted
 * until delivered (a geometric number of sends, mean 1/(1 − p)), so a transfer of `sizeBytes`
 * puts `sizeBytes/(1 − p)` bytes on the wire. Optionally (`rtoMs > 0`), a transfer of m packets
 * loses at least one with probability 1 − (1 − p)^m; one uniform is drawn from `rng` per transfer
 * and, if it falls below that probability, the transfer stalls `rtoMs` once (a crude model of a
 * TCP retransmission timeout; the stall holds no bandwidth).
 */
export class Link {
  // Field order matters: V8 lays fields out in the order they are defined, and a large scenario (a link per
  // device) misses the cache on every link it touches, so what a transfer reads comes first, in one line.
  // The link's numbers: as object fields each would sit in its own heap box. Slot k is #v[#o + k].
  readonly #v: Float64Array;
  readonly #o: number;
  readonly env: Env;
  #delayMs: number;
  #burstN = 0;
  readonly #bursts: boolean;
  // The shared wire, made when first needed: most links (one per pair of hosts) only ever see bursts.
  #wire: PsServer | null = null;
  // Transfers that started at one instant on an idle wire (a burst: one image alone, or the images of one
  // request fetched together) are not put on the processor-sharing wire: their finish times under fair
  // sharing are known in closed form, so each gets one kernel event (bytes out, then its delay). When a
  // transfer arrives later while some of their bytes are still going out, those join the wire with the
  // work they have left, so the result is the same as sharing through the wire from the start.
  // The members are #burst[0 .. #burstN); the array is made once (MAX_BURST slots) and emptied in place,
  // so a burst allocates nothing beyond its transfers' records.
  #burst: (PendingTransfer | null)[] = EMPTY;
  readonly mssBytes: number;
  readonly rtoMs: number;
  #rng: Rng | undefined;
  readonly name: string;
  #rateMbps: number;
  #lossPercent: number;
  readonly #wireOptions: Pick<PsServerOptions, 'direct' | 'keepCompletion'>;

  constructor(env: Env, options: LinkOptions) {
    const name = options.name ?? 'link';
    const { rateMbps } = options;
    const delayMs = options.delayMs ?? 0;
    const lossPercent = options.lossPercent ?? 0;
    const rtoMs = options.rtoMs ?? 0;
    const mssBytes = options.mssBytes ?? 1460;
    checkOption(
      name,
      'rateMbps',
      rateMbps,
      rateMbps > 0 && rateMbps < Infinity,
      'must be a finite number > 0',
    );
    checkOption(name, 'delayMs', delayMs, delayMs >= 0 && delayMs < Infinity, 'must be a finite number ≥ 0');
    checkOption(
      name,
      'lossPercent',
      lossPercent,
      lossPercent >= 0 && lossPercent < 100,
      'must be in [0, 100)',
    );
    checkOption(name, 'rtoMs', rtoMs, rtoMs >= 0 && rtoMs < Infinity, 'must be a finite number ≥ 0');
    checkOption(name, 'mssBytes', mssBytes, mssBytes >= 1, 'must be ≥ 1');
    // A link whose loss may change later (setConditions) is given its stall stream up front: it draws then.
    const stalls = rtoMs > 0 && (lossPercent > 0 || options.stream !== undefined);
    checkOption(
      name,
      'rng',
      options.rng,
      !stalls || options.rng !== undefined || options.stream !== undefined,
      'or stream is required when rtoMs > 0 and lossPercent > 0',
    );
    this.env = env;
    this.name = name;
    this.#rateMbps = rateMbps;
    this.#delayMs = delayMs;
    this.#lossPercent = lossPercent;
    this.rtoMs = rtoMs;
    this.mssBytes = mssBytes;
    this.#bursts = options.bursts !== false;
    this.#wireOptions = options.wire ?? {};
    [this.#v, this.#o] = numberSlot(FIELDS);
    this.#rng = stalls ? options.rng : undefined;
    const draws = !stalls ? NO_DRAWS : options.rng !== undefined ? RNG_DRAWS : OWN_DRAWS;
    this.#v[this.#o + DRAWS] = draws;
    if (draws === OWN_DRAWS) aleaSeed(options.stream!, this.#v, this.#o + STREAM);
    this.#v[this.#o + RTO_S] = rtoMs / 1000;
    this.#v[this.#o + MSS] = mssBytes;
    this.#v[this.#o + DELAY_S] = delayMs / 1000;
    this.#v[this.#o + KEEP] = 1 - lossPercent / 100;
    this.#v[this.#o + LOG_KEEP] = Math.log(1 - lossPercent / 100);
    this.#v[this.#o + SECONDS_PER_BYTE] = 8 / (rateMbps * 1e6);
    this.#v[this.#o + STATS_START] = env.now;
  }

  /** One-way propagation delay, milliseconds (as set last). */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** Bandwidth, megabits per second (as set last). */
  get rateMbps(): number {
    return this.#rateMbps;
  }

  /** Packet loss, percent (as set last). */
  get lossPercent(): number {
    return this.#lossPercent;
  }

  /**
   * Changes the link's delay, rate and loss now (a timed event of the scenario: a degraded or restored
   * path). They apply to transfers that start from now on; transfers under way finish as they started
   * (their bytes, delay and share were fixed when they began). Stalls on loss need the link to have been
   * made with its stall stream (`stream` or `rng`).
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_OPTION` for a value out of range, or loss with stalls on a
   *   link made without a stall stream
   */
  setConditions(c: { delayMs: number; rateMbps: number; lossPercent: number }): void {
    const name = this.name;
    checkOption(
      name,
      'rateMbps',
      c.rateMbps,
      c.rateMbps > 0 && c.rateMbps < Infinity,
      'must be a finite number > 0',
    );
    checkOption(
      name,
      'delayMs',
      c.delayMs,
      c.delayMs >= 0 && c.delayMs < Infinity,
      'must be a finite number ≥ 0',
    );
    checkOption(
      name,
      'lossPercent',
      c.lossPercent,
      c.lossPercent >= 0 && c.lossPercent < 100,
      'must be in [0, 100)',
    );
    const v = this.#v;
    const o = this.#o;
    checkOption(
      name,
      'lossPercent',
      c.lossPercent,
      c.lossPercent === 0 || this.rtoMs === 0 || v[o + DRAWS] !== NO_DRAWS,
      'needs a link made with a stall stream (stream or rng)',
    );
    this.#delayMs = c.delayMs;
    this.#rateMbps = c.rateMbps;
    this.#lossPercent = c.lossPercent;
    v[o + DELAY_S] = c.delayMs / 1000;
    v[o + KEEP] = 1 - c.lossPercent / 100;
    v[o + LOG_KEEP] = Math.log(1 - c.lossPercent / 100);
    v[o + SECONDS_PER_BYTE] = 8 / (c.rateMbps * 1e6);
  }

  /**
   * Send `sizeBytes`; `onDone(arg)` runs when the last byte has arrived. `leadS` is extra latency paid
   * before delivery, e.g. the one-way delay of the request that asked for these bytes: it is added to the
   * propagation delay rather than delaying the bytes' start, which is exact for a transfer alone on the
   * link and for transfers asked at the same instant or with the same lead (the wire's sharing is then the
   * same, shifted in time) and saves one kernel event per transfer.
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_AMOUNT` if sizeBytes is negative, NaN or infinite
   */
  transfer(sizeBytes: number, onDone: Handler, arg?: unknown, leadS = 0): void {
    if (!(sizeBytes >= 0 && sizeBytes < Infinity)) badAmount(this.name, sizeBytes);
    const v = this.#v;
    const o = this.#o;
    const wireBytes = sizeBytes / v[o + KEEP]!;
    let delay = v[o + DELAY_S]! + leadS;
    if (v[o + DRAWS] !== NO_DRAWS && sizeBytes > 0 && stalledIn(v, o, sizeBytes, this.#rng)) {
      delay += v[o + RTO_S]!;
      v[o + STALLS]!++;
    }
    v[o + BYTES]! += sizeBytes;
    v[o + WIRE_BYTES]! += wireBytes;
    v[o + TRANSFERS]!++;
    const work = wireBytes * v[o + SECONDS_PER_BYTE]!;
    const env = this.env;
    if (work === 0) {
      // Nothing to put on the wire (e.g. an empty answer): only the delay.
      if (delay > 0) env.schedule(delay, onDone, arg);
      else onDone(arg);
      return;
    }
    // One small record per transfer carries the callback through the wire and the propagation delay.
    const pending = takeRecord(this, delay, onDone, arg, work);
    const now = env.now;
    if (v[o + BOOKED] !== 0) this.#endBooked(now);
    if (this.#burstN > 0) {
      if (now === v[o + BURST_START]! && this.#burstN < MAX_BURST) {
        this.#burst[this.#burstN++] = pending;
        this.#scheduleBurst(now);
        return;
      }
      this.#endBurst(now);
    }
    if (this.#bursts && (this.#wire === null || this.#wire.active === 0)) {
      v[o + BURST_START] = v[o + BURST_FROM] = now;
      if (this.#burst === EMPTY) this.#burst = new Array<PendingTransfer | null>(MAX_BURST).fill(null);
      this.#burst[0] = pending;
      this.#burstN = 1;
      this.#scheduleBurst(now);
      return;
    }
    this.#shared().serve(work, transmitted, pending);
  }

  /**
   * Books a transfer whose bytes start going out at `startAt` (now or later), for an owner that delivers
   * them itself: returns when the last byte arrives — `startAt` + time on the wire + delay (+ a stall when
   * a packet is lost) — or −1, booking nothing, if that is after `latest` or the link may still be busy
   * at `startAt` (a transfer on the wire, or a burst whose bytes are not all out yet). A booking refused
   * for its arrival time leaves its loss draw to the link's next transfer, meant to be the same bytes.
   *
   * Made for a link with a single sender whose transfers do not overlap, such as a device's own link to
   * its gateway: the caller gets the arrival time without an event at the start, and nobody else may
   * transfer on the link before the booked bytes are out (a transfer that would share the wire with them
   * is refused with `E2C_ERR_RESOURCE_BOOKED`). The statistics count it as a transfer started at `startAt`.
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_AMOUNT` if sizeBytes is negative, NaN or infinite
   */
  book(sizeBytes: number, startAt: number, latest: number): number {
    const v = this.#v;
    const o = this.#o;
    const now = this.env.now;
    if (this.#wire !== null && this.#wire.active > 0) return -1;
    if (this.#burstN > 0) {
      if (now < v[o + BURST_LAST]!) return -1;
      // The burst's bytes are out: it is over, whether this booking is accepted or not.
      this.#endBurst(now);
    }
    return bookIdle(v, o, sizeBytes, startAt, latest, now, this.#rng, this.name);
  }

  /**
   * @internal Whether nothing but booked bytes is on the link (no transfer on the wire or in a burst) and
   * its stall draws, if any, come from its numbers: then its numbers may be booked directly with
   * LinkRoster (bookIdle), without the link object, until the link's next transfer.
   */
  get idle(): boolean {
    return this.#burstN === 0 && (this.#wire === null || this.#wire.active === 0) && this.#rng === undefined;
  }

  /** Whether booked bytes have started and are not counted yet. */
  #bookedUncounted(): boolean {
    const v = this.#v;
    const o = this.#o;
    return v[o + BOOKED] !== 0 && v[o + BOOKED_BYTES]! >= 0 && v[o + BURST_START]! <= this.env.now;
  }

  /** Closes the booked bytes' burst at `now`, after their bytes are out: they count, and the wire was theirs. */
  #endBooked(now: number): void {
    const v = this.#v;
    const o = this.#o;
    if (now < v[o + BURST_LAST]!) {
      throw new ResourceError(
        ResourceErrorCode.BOOKED,
        `${this.name}: a transfer at ${now} s would share the wire with bytes booked until ${v[o + BURST_LAST]} s`,
        {
          link: this.name,
          now,
          bookedUntil: v[o + BURST_LAST],
        },
      );
    }
    closeBooked(v, o);
  }

  /**
   * Schedules (or moves) the arrival of every transfer of the burst started now: sorted by work
   * w₁ ≤ … ≤ wₙ, the i-th finishes its bytes at Σ_{j<i} wⱼ + (n − i + 1)·wᵢ under fair sharing.
   */
  #scheduleBurst(now: number): void {
    const burst = this.#burst as PendingTransfer[];
    const n = this.#burstN;
    // Insertion sort: bursts are a handful of transfers, and all but the newcomer are sorted already.
    for (let i = n - 1; i > 0 && burst[i - 1]!.work > burst[i]!.work; i--) {
      const t = burst[i]!;
      burst[i] = burst[i - 1]!;
      burst[i - 1] = t;
    }
    const env = this.env;
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
      p.id = moved !== 0 ? moved : env.schedule(end - now + p.delay, burstArrived, p);
    }
    // The largest work finishes last: when the wire falls idle.
    this.#v[this.#o + BURST_LAST] = burst[n - 1]!.bytesEnd;
    this.#v[this.#o + BURST_END_SUM] = sum;
  }

  /** Empties the burst in place (its members are no longer referenced from the link). */
  #clearBurst(): void {
    const burst = this.#burst;
    for (let i = 0; i < this.#burstN; i++) burst[i] = null;
    this.#burstN = 0;
  }

  /**
   * Closes the burst at `now`: its statistics are banked, and transfers whose bytes are still going out
   * move to the wire with the work they have left (their arrival events are cancelled).
   */
  #endBurst(now: number): void {
    const burst = this.#burst as PendingTransfer[];
    const n = this.#burstN;
    const v = this.#v;
    const o = this.#o;
    if (now >= v[o + BURST_LAST]! && v[o + BURST_FROM]! === v[o + BURST_START]!) {
      // The usual case: the burst is over (its bytes are out); bank its statistics.
      v[o + BURST_BUSY]! += v[o + BURST_LAST]! - v[o + BURST_START]!;
      v[o + BURST_AREA]! += v[o + BURST_END_SUM]! - n * v[o + BURST_START]!;
      this.#clearBurst();
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
    const env = this.env;
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
      this.#shared().serve(Math.max(0, p.work - done), transmitted, p);
    }
    this.#clearBurst();
  }

  #shared(): PsServer {
    if (this.#wire === null) {
      this.#wire = new PsServer(this.env, { cores: 1, name: this.name, ...this.#wireOptions });
      this.#v[this.#o + WIRE_FROM] = this.env.now;
    }
    return this.#wire;
  }

  /** Whether `p` is a member of the current burst. */
  #inBurst(p: PendingTransfer): boolean {
    for (let i = 0; i < this.#burstN; i++) if (this.#burst[i] === p) return true;
    return false;
  }

  // A burst member arrived. Once the burst's bytes are all out, the burst is closed now rather than
  // at the link's next transfer: a link per device may see its next transfer much later, and holding
  // on to the burst would keep each request alive (and promoted by the garbage collector) until then.
  static #burstArrived(p: PendingTransfer): void {
    const link = p.link;
    if (link.#burstN > 0 && link.env.now >= link.#v[link.#o + BURST_LAST]! && link.#inBurst(p))
      link.#endBurst(link.env.now);
    // Still a member of an unfinished burst: the burst's reckoning needs it, and it is not reused.
    if (link.#burstN > 0 && link.#inBurst(p)) return p.onDone(p.arg);
    const { onDone, arg } = p;
    giveBack(p);
    onDone(arg);
  }

  static {
    burstArrived = (p: PendingTransfer) => Link.#burstArrived(p);
    numbersOf = (link: Link) => [link.#v, link.#o];
  }

  /** Generator-friendly form of `transfer()`: an event that succeeds on arrival. */
  transferEvent(sizeBytes: number): SimEvent<undefined> {
    const event = new SimEvent<undefined>(this.env);
    this.transfer(sizeBytes, succeedEvent, event);
    return event;
  }

  /** Transfers on the wire now (propagating ones excluded). */
  get active(): number {
    const now = this.env.now;
    let n = this.#wire?.active ?? 0;
    const v = this.#v;
    const o = this.#o;
    if (v[o + BOOKED] !== 0 && v[o + BURST_START]! <= now && now < v[o + BURST_LAST]!) n++;
    for (let i = 0; i < this.#burstN; i++) if (this.#burst[i]!.bytesEnd > now) n++;
    return n;
  }

  /** Wire-busy seconds and transfer-seconds of bursts since the last reset, up to `now`. */
  #burstStats(now: number): { busy: number; area: number } {
    let busy = this.#v[this.#o + BURST_BUSY]!;
    let area = this.#v[this.#o + BURST_AREA]!;
    const from = this.#v[this.#o + BURST_FROM]!;
    let last = from;
    for (let i = 0; i < this.#burstN; i++) {
      const end = Math.min(now, this.#burst[i]!.bytesEnd);
      if (end > from) area += end - from;
      if (end > last) last = end;
    }
    if (this.#v[this.#o + BOOKED] !== 0) {
      // Booked bytes (which may not have started yet): one transfer on [from, last byte).
      const end = Math.min(now, this.#v[this.#o + BURST_LAST]!);
      if (end > from) area += end - from;
      if (end > last) last = end;
    }
    busy += last - from;
    return { busy, area };
  }

  /** Payload bytes of the transfers started. */
  get bytes(): number {
    return this.#v[this.#o + BYTES]! + (this.#bookedUncounted() ? this.#v[this.#o + BOOKED_BYTES]! : 0);
  }

  /** Bytes put on the wire, retransmissions included. */
  get wireBytes(): number {
    const booked = this.#bookedUncounted() ? this.#v[this.#o + BOOKED_BYTES]! / this.#v[this.#o + KEEP]! : 0;
    return this.#v[this.#o + WIRE_BYTES]! + booked;
  }

  /** Transfers started. */
  get transfers(): number {
    return this.#v[this.#o + TRANSFERS]! + (this.#bookedUncounted() ? 1 : 0);
  }

  /** Transfers that paid a retransmission-timeout stall. */
  get stalls(): number {
    return this.#v[this.#o + STALLS]! + (this.#bookedUncounted() ? this.#v[this.#o + BOOKED_STALL]! : 0);
  }

  /** Fraction of time the link was transmitting (it runs at full rate whenever a transfer is on it). */
  utilization(now = this.env.now): number {
    const elapsed = now - this.#v[this.#o + STATS_START]!;
    if (!(elapsed > 0)) return this.#wire?.utilization(now) ?? 0;
    const wire =
      this.#wire !== null ? this.#wire.utilization(now) * (now - this.#v[this.#o + WIRE_FROM]!) : 0;
    return (wire + this.#burstStats(now).busy) / elapsed;
  }

  /** Time-weighted mean number of transfers on the wire. */
  meanActive(now = this.env.now): number {
    const elapsed = now - this.#v[this.#o + STATS_START]!;
    if (!(elapsed > 0)) return this.#wire?.meanConcurrency(now) ?? 0;
    const wire =
      this.#wire !== null ? this.#wire.meanConcurrency(now) * (now - this.#v[this.#o + WIRE_FROM]!) : 0;
    return (wire + this.#burstStats(now).area) / elapsed;
  }

  /** Start a new statistics window now (after warm-up). */
  resetStats(): void {
    const now = this.env.now;
    // Booked bytes that started before now belong to the closed window; later ones count in the new one.
    if (this.#bookedUncounted()) this.#v[this.#o + BOOKED_BYTES] = -1;
    this.#wire?.resetStats();
    this.#v[this.#o + WIRE_FROM] = now;
    this.#v[this.#o + STATS_START] = now;
    this.#v[this.#o + BURST_BUSY] = 0;
    this.#v[this.#o + BURST_AREA] = 0;
    if (this.#burstN > 0 || this.#v[this.#o + BOOKED] !== 0)
      this.#v[this.#o + BURST_FROM] = Math.max(this.#v[this.#o + BURST_START]!, now);
    this.#v[this.#o + BYTES] = 0;
    this.#v[this.#o + WIRE_BYTES] = 0;
    this.#v[this.#o + TRANSFERS] = 0;
    this.#v[this.#o + STALLS] = 0;
  }
}

/** Transfers in one burst beyond which newcomers share through the wire (rescheduling is O(n) per arrival). */
const MAX_BURST = 8;
/** The burst storage of a link that has never had one. */
const EMPTY: (PendingTransfer | null)[] = [];

function transmitted(pending: PendingTransfer): void {
  if (pending.delay > 0) pending.link.env.schedule(pending.delay, arrived, pending);
  else arrived(pending);
}

function arrived(pending: PendingTransfer): void {
  const { onDone, arg } = pending;
  giveBack(pending);
  onDone(arg);
}

function succeedEvent(event: SimEvent<undefined>): void {
  event.succeed();
}
