import type { Link } from '../resources/index.js';
import { slowStartS } from '../resources/tcp-window.js';

/**
 * Slow start of one transfer over `link` (tcp-window.ts), for the transfers that pay it one by one:
 * answers on connections opened for them (`run.tcpSlowStart: new-connections`, workload keepAliveS).
 * The round trip is twice the link's one-way delay; the rate, the link's full rate.
 */
export function slowStartOn(link: Link, bytes: number): number {
  return slowStartS(bytes, (2 * link.delayMs) / 1000, 8 / (link.rateMbps * 1e6));
}
