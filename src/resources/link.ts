import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import type { Rng } from '../random/index.js';
import { checkOption, ResourceError, ResourceErrorCode } from './errors.js';
import { PsServer } from './ps-server.js';

// Ends a solo transfer's use of the wire; bound to the class's private state in its static block.
let soloDone: (link: Link, pending: PendingTransfer) => void;

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
  /** Name used in error messages. */
  name?: string | undefined;
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
  readonly env: Env;
  readonly name: string;
  readonly rateMbps: number;
  readonly delayMs: number;
  readonly lossPercent: number;
  readonly rtoMs: number;
  readonly mssBytes: number;
  #rng: Rng | undefined;
  #wire: PsServer;
  #secondsPerWireByte: number;
  #bytes = 0;
  #wireBytes = 0;
  #transfers = 0;
  #stalls = 0;
  // A transfer alone on an idle link is scheduled as one kernel event (bytes at full rate, then the
  // delay) instead of going through the processor-sharing wire: the common case on per-host links.
  // If another transfer arrives while its bytes are still going out, it joins the wire with the work
  // it has left, so the result is the same as sharing from the start.
  #solo: PendingTransfer | null = null;
  #soloArea = 0; // seconds the wire was busy with solo transfers since the last statistics reset
  #statsStart: number;

  constructor(env: Env, options: LinkOptions) {
    const name = options.name ?? 'link';
    const { rateMbps } = options;
    const delayMs = options.delayMs ?? 0;
    const lossPercent = options.lossPercent ?? 0;
    const rtoMs = options.rtoMs ?? 0;
    const mssBytes = options.mssBytes ?? 1460;
    checkOption(name, 'rateMbps', rateMbps, rateMbps > 0 && rateMbps < Infinity, 'must be a finite number > 0');
    checkOption(name, 'delayMs', delayMs, delayMs >= 0 && delayMs < Infinity, 'must be a finite number ≥ 0');
    checkOption(name, 'lossPercent', lossPercent, lossPercent >= 0 && lossPercent < 100, 'must be in [0, 100)');
    checkOption(name, 'rtoMs', rtoMs, rtoMs >= 0 && rtoMs < Infinity, 'must be a finite number ≥ 0');
    checkOption(name, 'mssBytes', mssBytes, mssBytes >= 1, 'must be ≥ 1');
    const stalls = rtoMs > 0 && lossPercent > 0;
    checkOption(name, 'rng', options.rng, !stalls || options.rng !== undefined, 'is required when rtoMs > 0 and lossPercent > 0');
    this.env = env;
    this.name = name;
    this.rateMbps = rateMbps;
    this.delayMs = delayMs;
    this.lossPercent = lossPercent;
    this.rtoMs = rtoMs;
    this.mssBytes = mssBytes;
    this.#rng = stalls ? options.rng : undefined;
    this.#wire = new PsServer(env, { cores: 1, name });
    this.#secondsPerWireByte = 8 / (rateMbps * 1e6);
    this.#statsStart = env.now;
  }

  /**
   * Send `sizeBytes`; `onDone(arg)` runs when the last byte has arrived.
   * @throws ResourceError `E2C_ERR_RESOURCE_BAD_AMOUNT` if sizeBytes is negative, NaN or infinite
   */
  transfer(sizeBytes: number, onDone: Handler, arg?: unknown): void {
    if (!(sizeBytes >= 0 && sizeBytes < Infinity)) {
      throw new ResourceError(ResourceErrorCode.BAD_AMOUNT, `${this.name}: transfer of ${sizeBytes} bytes`, {
        link: this.name,
        sizeBytes,
      });
    }
    const keep = 1 - this.lossPercent / 100;
    const wireBytes = sizeBytes / keep;
    let delay = this.delayMs / 1000;
    const rng = this.#rng;
    if (rng !== undefined && sizeBytes > 0) {
      const packets = Math.ceil(sizeBytes / this.mssBytes);
      if (rng() < 1 - Math.pow(keep, packets)) {
        delay += this.rtoMs / 1000;
        this.#stalls++;
      }
    }
    this.#bytes += sizeBytes;
    this.#wireBytes += wireBytes;
    this.#transfers++;
    // One small record per transfer carries the callback through the wire and the propagation
    // delay; transfers are orders of magnitude rarer than kernel events, so this is not worth pooling.
    const work = wireBytes * this.#secondsPerWireByte;
    const pending: PendingTransfer = { link: this, delay, onDone, arg, start: 0, bytesEnd: 0, id: 0 };
    const env = this.env;
    const now = env.now;
    if (work === 0) {
      if (delay > 0) env.schedule(delay, arrived, pending);
      else onDone(arg);
      return;
    }
    const solo = this.#solo;
    if (solo !== null) {
      this.#solo = null;
      if (now < solo.bytesEnd) {
        // Its bytes are still going out: from now on it shares the wire.
        env.cancel(solo.id);
        this.#soloArea += now - solo.start;
        this.#wire.serve(solo.bytesEnd - now, transmitted, solo);
      } else {
        this.#soloArea += solo.bytesEnd - solo.start;
      }
    }
    if (this.#wire.active === 0) {
      pending.start = now;
      pending.bytesEnd = now + work;
      pending.id = env.schedule(work + delay, soloArrived, pending);
      this.#solo = pending;
      return;
    }
    this.#wire.serve(work, transmitted, pending);
  }

  /** Generator-friendly form of `transfer()`: an event that succeeds on arrival. */
  transferEvent(sizeBytes: number): SimEvent<undefined> {
    const event = new SimEvent<undefined>(this.env);
    this.transfer(sizeBytes, succeedEvent, event);
    return event;
  }

  /** Transfers on the wire now (propagating ones excluded). */
  get active(): number {
    const solo = this.#solo;
    return this.#wire.active + (solo !== null && this.env.now < solo.bytesEnd ? 1 : 0);
  }

  /** Seconds the wire carried a solo transfer since the last reset, up to `now`. */
  #soloBusy(now: number): number {
    const solo = this.#solo;
    return this.#soloArea + (solo !== null ? Math.max(0, Math.min(now, solo.bytesEnd) - solo.start) : 0);
  }

  /** Payload bytes of the transfers started. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes put on the wire, retransmissions included. */
  get wireBytes(): number {
    return this.#wireBytes;
  }

  /** Transfers started. */
  get transfers(): number {
    return this.#transfers;
  }

  /** Transfers that paid a retransmission-timeout stall. */
  get stalls(): number {
    return this.#stalls;
  }

  /** Fraction of time the link was transmitting (it runs at full rate whenever a transfer is on it). */
  utilization(now = this.env.now): number {
    const elapsed = now - this.#statsStart;
    return elapsed > 0 ? this.#wire.utilization(now) + this.#soloBusy(now) / elapsed : this.#wire.utilization(now);
  }

  /** Time-weighted mean number of transfers on the wire. */
  meanActive(now = this.env.now): number {
    const elapsed = now - this.#statsStart;
    return elapsed > 0 ? this.#wire.meanConcurrency(now) + this.#soloBusy(now) / elapsed : this.#wire.meanConcurrency(now);
  }

  static {
    soloDone = (link, pending) => {
      if (link.#solo === pending) {
        link.#soloArea += pending.bytesEnd - pending.start;
        link.#solo = null;
      }
    };
  }

  /** Start a new statistics window now (after warm-up). */
  resetStats(): void {
    const now = this.env.now;
    this.#wire.resetStats();
    this.#statsStart = now;
    this.#soloArea = 0;
    const solo = this.#solo;
    if (solo !== null) {
      if (now < solo.bytesEnd) solo.start = now;
      else this.#solo = null;
    }
    this.#bytes = 0;
    this.#wireBytes = 0;
    this.#transfers = 0;
    this.#stalls = 0;
  }
}

interface PendingTransfer {
  link: Link;
  delay: number;
  onDone: Handler;
  arg: unknown;
  /** Solo transfers: when their (remaining) bytes started, when they end, and their kernel event. */
  start: number;
  bytesEnd: number;
  id: number;
}


function transmitted(pending: PendingTransfer): void {
  if (pending.delay > 0) pending.link.env.schedule(pending.delay, arrived, pending);
  else pending.onDone(pending.arg);
}

function arrived(pending: PendingTransfer): void {
  pending.onDone(pending.arg);
}

function soloArrived(pending: PendingTransfer): void {
  soloDone(pending.link, pending);
  pending.onDone(pending.arg);
}

function succeedEvent(event: SimEvent<undefined>): void {
  event.succeed();
}
