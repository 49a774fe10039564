import { aleaSeed, type Rng } from '../random/index.js';
import { checkOption } from './errors.js';
import {
  DELAY_S,
  DRAWS,
  KEEP,
  LOG_KEEP,
  MSS,
  NO_DRAWS,
  OWN_DRAWS,
  RNG_DRAWS,
  RTO_S,
  SECONDS_PER_BYTE,
  SLOW_START,
  STREAM,
} from './link-numbers.js';
import type { PsServerOptions } from './ps-server.js';

/** A name made when asked (see LinkOptions.name). */
export interface LazyName {
  readonly name: string;
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
  /**
   * Name used in error messages: a string, or an object that makes it when asked (a scenario with a link
   * per device then keeps no string for each).
   */
  name?: string | LazyName | undefined;
  /**
   * Closed-form bursts (default true): transfers started at one instant on an idle link get their finish
   * times under fair sharing without the wire. The model decides it (src/model/shortcuts.ts, link-bursts).
   */
  bursts?: boolean | undefined;
  /**
   * TCP's slow start (default false): each transfer also waits the round trips its window spends below the
   * path's bandwidth-delay product (tcp-window.ts), with the round-trip time taken as twice the link's
   * one-way delay (the way back is assumed as long). The scenario's `run.tcpSlowStart` sets it.
   */
  slowStart?: boolean | undefined;
  /** Shortcuts of the link's processor-sharing wire (see PsServerOptions). */
  wire?: Pick<PsServerOptions, 'direct' | 'keepCompletion'> | undefined;
}

/** A link's conditions, which a timed event of the scenario may change (Link.setConditions). */
export interface LinkConditions {
  delayMs: number;
  rateMbps: number;
  lossPercent: number;
}

/** A link's options with their defaults, checked. */
export interface CheckedLinkOptions extends LinkConditions {
  name: string;
  rtoMs: number;
  mssBytes: number;
  /** Whether transfers may stall: the link draws from its stall stream (`rng` or `stream`). */
  stalls: boolean;
}

/**
 * Checks the conditions of link `name`.
 * @throws ResourceError `E2C_ERR_RESOURCE_BAD_OPTION` for a value out of range
 */
export function checkConditions(name: string, c: LinkConditions): void {
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
}

/**
 * Checks the new conditions of link `name` (Link.setConditions), whose stall is `rtoMs` and which `draws`
 * stalls from a stall stream or not.
 * @throws ResourceError `E2C_ERR_RESOURCE_BAD_OPTION` for a value out of range, or loss with stalls on a
 *   link made without a stall stream
 */
export function checkNewConditions(name: string, c: LinkConditions, rtoMs: number, draws: boolean): void {
  checkConditions(name, c);
  checkOption(
    name,
    'lossPercent',
    c.lossPercent,
    c.lossPercent === 0 || rtoMs === 0 || draws,
    'needs a link made with a stall stream (stream or rng)',
  );
}

/**
 * The options with their defaults, checked.
 * @throws ResourceError `E2C_ERR_RESOURCE_BAD_OPTION` for a value out of range, or loss with stalls and
 *   neither `rng` nor `stream`
 */
export function checkLinkOptions(options: LinkOptions): CheckedLinkOptions {
  const given = options.name ?? 'link';
  const name = typeof given === 'string' ? given : given.name;
  const { rateMbps } = options;
  const delayMs = options.delayMs ?? 0;
  const lossPercent = options.lossPercent ?? 0;
  const rtoMs = options.rtoMs ?? 0;
  const mssBytes = options.mssBytes ?? 1460;
  checkConditions(name, { rateMbps, delayMs, lossPercent });
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
  return { name, rateMbps, delayMs, lossPercent, rtoMs, mssBytes, stalls };
}

/** Writes the conditions into the link's numbers (see link-numbers.ts), for transfers that start from now on. */
export function writeConditions(v: Float64Array, o: number, c: LinkConditions): void {
  v[o + DELAY_S] = c.delayMs / 1000;
  v[o + KEEP] = 1 - c.lossPercent / 100;
  v[o + LOG_KEEP] = Math.log(1 - c.lossPercent / 100);
  v[o + SECONDS_PER_BYTE] = 8 / (c.rateMbps * 1e6);
}

/**
 * Writes a new link's checked options into its numbers (see link-numbers.ts): where its stall draws come
 * from (its `rng`, or the stream it keeps in its numbers, seeded from `stream`), the stall, the segment
 * size and its conditions.
 */
export function writeOptions(
  v: Float64Array,
  o: number,
  checked: CheckedLinkOptions,
  options: Pick<LinkOptions, 'rng' | 'stream' | 'slowStart'>,
): void {
  const draws = !checked.stalls ? NO_DRAWS : options.rng !== undefined ? RNG_DRAWS : OWN_DRAWS;
  v[o + DRAWS] = draws;
  if (draws === OWN_DRAWS) aleaSeed(options.stream!, v, o + STREAM);
  v[o + RTO_S] = checked.rtoMs / 1000;
  v[o + MSS] = checked.mssBytes;
  v[o + SLOW_START] = options.slowStart === true ? 1 : 0;
  writeConditions(v, o, checked);
}
