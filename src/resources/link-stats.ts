import type { Burst } from './link-burst.js';
import {
  BOOKED,
  BOOKED_BYTES,
  BOOKED_STALL,
  BURST_AREA,
  BURST_BUSY,
  BURST_FROM,
  BURST_LAST,
  BURST_START,
  BYTES,
  KEEP,
  STALLS,
  STATS_START,
  TRANSFERS,
  WIRE_BYTES,
  WIRE_FROM,
} from './link-numbers.js';
import type { PsServer } from './ps-server.js';

// A link's statistics over its window (since its creation or last reset), from its numbers (see
// link-numbers.ts), its burst and its shared wire. Booked bytes count from their start.

/** Whether booked bytes have started by `now` and are not counted yet. */
export function bookedUncounted(v: Float64Array, o: number, now: number): boolean {
  return v[o + BOOKED] !== 0 && v[o + BOOKED_BYTES]! >= 0 && v[o + BURST_START]! <= now;
}

/** Transfers on the wire at `now` (propagating ones excluded). */
export function sending(
  v: Float64Array,
  o: number,
  wire: PsServer | null,
  burst: Burst,
  now: number,
): number {
  let n = wire?.active ?? 0;
  if (v[o + BOOKED] !== 0 && v[o + BURST_START]! <= now && now < v[o + BURST_LAST]!) n++;
  return n + burst.sendingAt(now);
}

/** Payload bytes of the transfers started. */
export function payloadBytes(v: Float64Array, o: number, now: number): number {
  return v[o + BYTES]! + (bookedUncounted(v, o, now) ? v[o + BOOKED_BYTES]! : 0);
}

/** Bytes put on the wire, retransmissions included. */
export function wireBytes(v: Float64Array, o: number, now: number): number {
  const booked = bookedUncounted(v, o, now) ? v[o + BOOKED_BYTES]! / v[o + KEEP]! : 0;
  return v[o + WIRE_BYTES]! + booked;
}

/** Transfers started. */
export function transfersStarted(v: Float64Array, o: number, now: number): number {
  return v[o + TRANSFERS]! + (bookedUncounted(v, o, now) ? 1 : 0);
}

/** Transfers that paid a retransmission-timeout stall. */
export function stallsPaid(v: Float64Array, o: number, now: number): number {
  return v[o + STALLS]! + (bookedUncounted(v, o, now) ? v[o + BOOKED_STALL]! : 0);
}

/** Wire-busy seconds and transfer-seconds of bursts (booked bytes included) since the last reset, up to `now`. */
function burstStats(v: Float64Array, o: number, burst: Burst, now: number): { busy: number; area: number } {
  let busy = v[o + BURST_BUSY]!;
  let area = v[o + BURST_AREA]!;
  const from = v[o + BURST_FROM]!;
  let last = from;
  for (let i = 0; i < burst.n; i++) {
    const end = Math.min(now, burst.members[i]!.bytesEnd);
    if (end > from) area += end - from;
    if (end > last) last = end;
  }
  if (v[o + BOOKED] !== 0) {
    // Booked bytes (which may not have started yet): one transfer on [from, last byte).
    const end = Math.min(now, v[o + BURST_LAST]!);
    if (end > from) area += end - from;
    if (end > last) last = end;
  }
  busy += last - from;
  return { busy, area };
}

/**
 * A time-weighted mean since the last reset: the wire's own mean (over the time since it was made) plus
 * the bursts' part, which never went through the wire.
 */
function sinceReset(
  v: Float64Array,
  o: number,
  now: number,
  onWire: number | undefined,
  bursts: () => number,
): number {
  const elapsed = now - v[o + STATS_START]!;
  if (!(elapsed > 0)) return onWire ?? 0;
  return ((onWire !== undefined ? onWire * (now - v[o + WIRE_FROM]!) : 0) + bursts()) / elapsed;
}

/** Fraction of time the link was transmitting (it runs at full rate whenever a transfer is on it). */
export function utilization(
  v: Float64Array,
  o: number,
  wire: PsServer | null,
  burst: Burst,
  now: number,
): number {
  return sinceReset(v, o, now, wire?.utilization(now), () => burstStats(v, o, burst, now).busy);
}

/** Time-weighted mean number of transfers on the wire. */
export function meanActive(
  v: Float64Array,
  o: number,
  wire: PsServer | null,
  burst: Burst,
  now: number,
): number {
  return sinceReset(v, o, now, wire?.meanConcurrency(now), () => burstStats(v, o, burst, now).area);
}

/**
 * Starts a new statistics window at `now` on the link's numbers (the wire resets its own): booked bytes
 * that started before now belong to the closed window, later ones count in the new one.
 */
export function resetStats(v: Float64Array, o: number, burst: Burst, now: number): void {
  if (bookedUncounted(v, o, now)) v[o + BOOKED_BYTES] = -1;
  v[o + WIRE_FROM] = now;
  v[o + STATS_START] = now;
  v[o + BURST_BUSY] = 0;
  v[o + BURST_AREA] = 0;
  if (burst.n > 0 || v[o + BOOKED] !== 0) v[o + BURST_FROM] = Math.max(v[o + BURST_START]!, now);
  v[o + BYTES] = 0;
  v[o + WIRE_BYTES] = 0;
  v[o + TRANSFERS] = 0;
  v[o + STALLS] = 0;
}
