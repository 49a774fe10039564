import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import type { Rng } from '../random/index.js';
import { checkOption, ResourceError, ResourceErrorCode } from './errors.js';
import { PsServer } from './ps-server.js';

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
    const pending: PendingTransfer = { link: this, delay, onDone, arg };
    this.#wire.serve(wireBytes * this.#secondsPerWireByte, transmitted, pending);
  }

  /** Generator-friendly form of `transfer()`: an event that succeeds on arrival. */
  transferEvent(sizeBytes: number): SimEvent<undefined> {
    const event = new SimEvent<undefined>(this.env);
    this.transfer(sizeBytes, succeedEvent, event);
    return event;
  }

  /** Transfers on the wire now (propagating ones excluded). */
  get active(): number {
    return this.#wire.active;
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
    return this.#wire.utilization(now);
  }

  /** Time-weighted mean number of transfers on the wire. */
  meanActive(now = this.env.now): number {
    return this.#wire.meanConcurrency(now);
  }

  /** Start a new statistics window now (after warm-up). */
  resetStats(): void {
    this.#wire.resetStats();
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
}

function transmitted(pending: PendingTransfer): void {
  if (pending.delay > 0) pending.link.env.schedule(pending.delay, arrived, pending);
  else pending.onDone(pending.arg);
}

function arrived(pending: PendingTransfer): void {
  pending.onDone(pending.arg);
}

function succeedEvent(event: SimEvent<undefined>): void {
  event.succeed();
}
