import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import type { Rng } from '../random/index.js';
import { badAmount, bookIdle, countTransfer, endBooked } from './link-booking.js';
import { Burst, MAX_BURST, NO_BURST } from './link-burst.js';
import {
  checkLinkOptions,
  checkNewConditions,
  type LazyName,
  type LinkConditions,
  type LinkOptions,
  writeConditions,
  writeOptions,
} from './link-conditions.js';
import {
  BOOKED,
  BURST_LAST,
  DRAWS,
  FIELDS,
  KEEP,
  NO_DRAWS,
  SECONDS_PER_BYTE,
  STATS_START,
  WIRE_FROM,
} from './link-numbers.js';
import * as stats from './link-stats.js';
import { numberSlot } from './number-slots.js';
import { PsServer, type PsServerOptions } from './ps-server.js';
import { giveBack, type PendingTransfer, takeRecord, transmitted } from './transfer-record.js';

export type { LinkOptions } from './link-conditions.js';

// The arrival handler of burst members and the move of a burst's leftovers to the wire, bound to the
// class's private logic in its static block.
let burstArrived: (p: PendingTransfer) => void;
let toWire: (p: PendingTransfer, work: number) => void;
let numbersOf: (link: Link) => [Float64Array, number];

/**
 * @internal A link's numbers: its chunk and its first slot in it (see link-numbers.ts), for the code of
 * this folder that books them directly (LinkRoster). Not exported from the resources' index.
 */
export function linkNumbers(link: Link): [Float64Array, number] {
  return numbersOf(link);
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
 *
 * Where each concept lives: the options and conditions in link-conditions.ts, the layout of the link's
 * numbers in link-numbers.ts, bursts (closed-form fair sharing) in link-burst.ts, booking and stall draws
 * in link-booking.ts, statistics in link-stats.ts; this class ties them to the shared wire.
 */
export class Link {
  // Field order matters: V8 lays fields out in the order they are defined, and a large scenario (a link per
  // device) misses the cache on every link it touches, so what a transfer reads comes first, in one line.
  // The link's numbers: as object fields each would sit in its own heap box. Slot k is #v[#o + k].
  readonly #v: Float64Array;
  readonly #o: number;
  readonly env: Env;
  #delayMs: number;
  // Transfers started at one instant on an idle wire (see link-burst.ts); made at the link's first burst.
  #burst: Burst = NO_BURST;
  readonly #bursts: boolean;
  // The shared wire, made when first needed: most links (one per pair of hosts) only ever see bursts.
  #wire: PsServer | null = null;
  readonly mssBytes: number;
  readonly rtoMs: number;
  #rng: Rng | undefined;
  // Its name, or what makes it when asked (LinkOptions.name): read only for errors and its wire's name.
  readonly #name: string | LazyName;
  #rateMbps: number;
  #lossPercent: number;
  readonly #wireOptions: Pick<PsServerOptions, 'direct' | 'keepCompletion'>;

  constructor(env: Env, options: LinkOptions) {
    const checked = checkLinkOptions(options);
    const { stalls } = checked;
    this.env = env;
    this.#name = typeof options.name === 'object' ? options.name : checked.name;
    this.#rateMbps = checked.rateMbps;
    this.#delayMs = checked.delayMs;
    this.#lossPercent = checked.lossPercent;
    this.rtoMs = checked.rtoMs;
    this.mssBytes = checked.mssBytes;
    this.#bursts = options.bursts !== false;
    this.#wireOptions = options.wire ?? {};
    [this.#v, this.#o] = numberSlot(FIELDS);
    this.#rng = stalls ? options.rng : undefined;
    writeOptions(this.#v, this.#o, checked, options);
    this.#v[this.#o + STATS_START] = env.now;
  }

  /** Its name (error messages, its wire's name). */
  get name(): string {
    const n = this.#name;
    return typeof n === 'string' ? n : n.name;
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
  setConditions(c: LinkConditions): void {
    const v = this.#v;
    const o = this.#o;
    checkNewConditions(this.name, c, this.rtoMs, v[o + DRAWS] !== NO_DRAWS);
    this.#delayMs = c.delayMs;
    this.#rateMbps = c.rateMbps;
    this.#lossPercent = c.lossPercent;
    writeConditions(v, o, c);
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
    const delay = countTransfer(v, o, sizeBytes, leadS, this.#rng);
    const work = (sizeBytes / v[o + KEEP]!) * v[o + SECONDS_PER_BYTE]!;
    const env = this.env;
    if (work === 0) {
      // Nothing to put on the wire (e.g. an empty answer): only the delay.
      if (delay > 0) env.post(delay, onDone, arg);
      else onDone(arg);
      return;
    }
    // One small record per transfer carries the callback through the wire and the propagation delay.
    const pending = takeRecord(this, delay, onDone, arg, work);
    const now = env.now;
    if (v[o + BOOKED] !== 0) endBooked(v, o, now, this);
    if (this.#burst.n > 0) {
      if (this.#burst.takes(v, o, now)) {
        this.#burst.add(pending);
        this.#burst.schedule(env, v, o, now, burstArrived);
        return;
      }
      this.#burst.end(env, v, o, now, toWire);
    }
    if (this.#bursts && (this.#wire === null || this.#wire.active === 0)) {
      if (this.#burst === NO_BURST) this.#burst = new Burst(MAX_BURST);
      this.#burst.start(v, o, now, pending);
      this.#burst.schedule(env, v, o, now, burstArrived);
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
    if (this.#burst.n > 0) {
      if (now < v[o + BURST_LAST]!) return -1;
      // The burst's bytes are out: it is over, whether this booking is accepted or not.
      this.#burst.end(this.env, v, o, now, toWire);
    }
    return bookIdle(v, o, sizeBytes, startAt, latest, now, this.#rng, this);
  }

  /**
   * @internal Whether nothing but booked bytes is on the link (no transfer on the wire or in a burst) and
   * its stall draws, if any, come from its numbers: then its numbers may be booked directly with
   * LinkRoster (bookIdle), without the link object, until the link's next transfer.
   */
  get idle(): boolean {
    return this.#burst.n === 0 && (this.#wire === null || this.#wire.active === 0) && this.#rng === undefined;
  }

  #shared(): PsServer {
    if (this.#wire === null) {
      this.#wire = new PsServer(this.env, { cores: 1, name: this.name, ...this.#wireOptions });
      this.#v[this.#o + WIRE_FROM] = this.env.now;
    }
    return this.#wire;
  }

  // A burst member arrived (see Burst.arrived).
  static #burstArrived(p: PendingTransfer): void {
    const link = p.link;
    // Still a member of an unfinished burst: the burst's reckoning needs it, and it is not reused.
    if (link.#burst.arrived(p, link.env, link.#v, link.#o, toWire)) return p.onDone(p.arg);
    const { onDone, arg } = p;
    giveBack(p);
    onDone(arg);
  }

  static {
    burstArrived = (p: PendingTransfer) => Link.#burstArrived(p);
    toWire = (p: PendingTransfer, work: number) => p.link.#shared().serve(work, transmitted, p);
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
    return stats.sending(this.#v, this.#o, this.#wire, this.#burst, this.env.now);
  }

  /** Payload bytes of the transfers started. */
  get bytes(): number {
    return stats.payloadBytes(this.#v, this.#o, this.env.now);
  }

  /** Bytes put on the wire, retransmissions included. */
  get wireBytes(): number {
    return stats.wireBytes(this.#v, this.#o, this.env.now);
  }

  /** Transfers started. */
  get transfers(): number {
    return stats.transfersStarted(this.#v, this.#o, this.env.now);
  }

  /** Transfers that paid a retransmission-timeout stall. */
  get stalls(): number {
    return stats.stallsPaid(this.#v, this.#o, this.env.now);
  }

  /** Fraction of time the link was transmitting (it runs at full rate whenever a transfer is on it). */
  utilization(now = this.env.now): number {
    return stats.utilization(this.#v, this.#o, this.#wire, this.#burst, now);
  }

  /** Time-weighted mean number of transfers on the wire. */
  meanActive(now = this.env.now): number {
    return stats.meanActive(this.#v, this.#o, this.#wire, this.#burst, now);
  }

  /** Start a new statistics window now (after warm-up). */
  resetStats(): void {
    this.#wire?.resetStats();
    stats.resetStats(this.#v, this.#o, this.#burst, this.env.now);
  }
}

function succeedEvent(event: SimEvent<undefined>): void {
  event.succeed();
}
