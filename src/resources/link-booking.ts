import { aleaDraw, type Rng } from '../random/index.js';
import { ResourceError, ResourceErrorCode } from './errors.js';
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
  DELAY_S,
  DRAWS,
  KEEP,
  KEPT_DRAW,
  LOG_KEEP,
  MSS,
  NO_DRAWS,
  OWN_DRAWS,
  RTO_S,
  SECONDS_PER_BYTE,
  SLOW_START,
  STALLS,
  STREAM,
  TRANSFERS,
  WIRE_BYTES,
} from './link-numbers.js';
import { stallOdds } from './stall-odds.js';
import { slowStartS } from './tcp-window.js';

// A link's work on its numbers alone (see link-numbers.ts): booking bytes in advance, closing booked bytes,
// counting transfers and drawing their stalls. Link uses them, and so does LinkRoster, which books an idle
// link on its numbers alone.

/**
 * @internal The booking of {@link Link.book} on the numbers of an idle link (see Link.idle), for an owner
 * that keeps them in hand and need not touch the link object (with thousands of devices, one cache miss
 * fewer per upload). `now` is the current time; `rng`: the link's, only for a link that draws its stalls
 * from one; `link`: for its name in errors.
 * @throws ResourceError `E2C_ERR_RESOURCE_BAD_AMOUNT` if sizeBytes is negative, NaN or infinite
 */
export function bookIdle(
  v: Float64Array,
  o: number,
  sizeBytes: number,
  startAt: number,
  latest: number,
  now: number,
  rng?: Rng,
  link?: { readonly name: string },
): number {
  if (!(sizeBytes >= 0 && sizeBytes < Infinity)) badAmount(link?.name ?? 'link', sizeBytes);
  if (!(startAt >= now) || (v[o + BOOKED] !== 0 && now < v[o + BURST_LAST]!)) return -1;
  const work = (sizeBytes / v[o + KEEP]!) * v[o + SECONDS_PER_BYTE]!;
  const draws = v[o + DRAWS] !== NO_DRAWS && sizeBytes > 0;
  const stalled = draws && stalledIn(v, o, sizeBytes, rng);
  const arrival =
    startAt + work + v[o + DELAY_S]! + slowStartOf(v, o, sizeBytes) + (stalled ? v[o + RTO_S]! : 0);
  if (arrival > latest) {
    // Refused after the draw: the owner sends these bytes the usual way next, and they keep their draw
    // (drawing again would make refusals, which stalls make likelier, lose stalls).
    if (draws) v[o + KEPT_DRAW] = stalled ? 1 : 2;
    return -1;
  }
  if (v[o + BOOKED] !== 0) closeBooked(v, o);
  // The booked bytes are the link's burst (no member, no record: only these numbers). They count in the
  // statistics from their start: a window that ends or restarts before then must not see them.
  v[o + BOOKED] = 1;
  v[o + BOOKED_BYTES] = sizeBytes;
  v[o + BOOKED_STALL] = stalled ? 1 : 0;
  v[o + BURST_START] = v[o + BURST_FROM] = startAt;
  v[o + BURST_LAST] = startAt + work;
  return arrival;
}

/**
 * Closes booked bytes at `now` for a transfer of the link's own, after their bytes are out: they count,
 * and the wire was theirs.
 * @throws ResourceError `E2C_ERR_RESOURCE_BOOKED` if their bytes are not all out at `now`
 */
export function endBooked(v: Float64Array, o: number, now: number, link: { readonly name: string }): void {
  if (now < v[o + BURST_LAST]!) {
    const name = link.name;
    throw new ResourceError(
      ResourceErrorCode.BOOKED,
      `${name}: a transfer at ${now} s would share the wire with bytes booked until ${v[o + BURST_LAST]} s`,
      {
        link: name,
        now,
        bookedUntil: v[o + BURST_LAST],
      },
    );
  }
  closeBooked(v, o);
}

/**
 * Counts a transfer of `sizeBytes` starting now in the link's statistics and draws its stall: returns its
 * delay (the propagation delay, `leadS`, and the stall when a packet is lost).
 */
export function countTransfer(
  v: Float64Array,
  o: number,
  sizeBytes: number,
  leadS: number,
  rng: Rng | undefined,
): number {
  const wireBytes = sizeBytes / v[o + KEEP]!;
  let delay = v[o + DELAY_S]! + leadS + slowStartOf(v, o, sizeBytes);
  if (v[o + DRAWS] !== NO_DRAWS && sizeBytes > 0 && stalledIn(v, o, sizeBytes, rng)) {
    delay += v[o + RTO_S]!;
    v[o + STALLS]!++;
  }
  v[o + BYTES]! += sizeBytes;
  v[o + WIRE_BYTES]! += wireBytes;
  v[o + TRANSFERS]!++;
  return delay;
}

/**
 * The extra seconds TCP's slow start adds to a transfer of \`sizeBytes\` on the link (0 when the link does
 * not model it): round trips waited, which hold no bandwidth, so they are delay, like a stall. Every way a
 * transfer goes (booked, burst, wire) takes its delay from here or from {@link bookIdle}, which calls it too.
 */
export function slowStartOf(v: Float64Array, o: number, sizeBytes: number): number {
  if (v[o + SLOW_START] === 0) return 0;
  return slowStartS(sizeBytes, 2 * v[o + DELAY_S]!, v[o + SECONDS_PER_BYTE]!);
}

/** Throws the error of a transfer size that is negative, NaN or infinite (apart, so that callers stay small enough to inline). */
export function badAmount(name: string, sizeBytes: number): never {
  throw new ResourceError(ResourceErrorCode.BAD_AMOUNT, `${name}: transfer of ${sizeBytes} bytes`, {
    link: name,
    sizeBytes,
  });
}

/** Closes booked bytes whose last byte is out: they count (unless a reset dropped them), and the wire was theirs. */
export function closeBooked(v: Float64Array, o: number): void {
  const bytes = v[o + BOOKED_BYTES]!;
  if (bytes >= 0) {
    v[o + BYTES]! += bytes;
    v[o + WIRE_BYTES]! += bytes / v[o + KEEP]!;
    v[o + TRANSFERS]!++;
    v[o + STALLS]! += v[o + BOOKED_STALL]!;
  }
  const busy = v[o + BURST_LAST]! - v[o + BURST_FROM]!;
  if (busy > 0) {
    v[o + BURST_BUSY]! += busy;
    v[o + BURST_AREA]! += busy;
  }
  v[o + BOOKED] = 0;
}

/** Draws whether a transfer of `sizeBytes` loses a packet: P(at least one of m packets lost) = 1 − keep^m. */
export function stalledIn(v: Float64Array, o: number, sizeBytes: number, rng: Rng | undefined): boolean {
  const kept = v[o + KEPT_DRAW]!;
  if (kept !== 0) {
    v[o + KEPT_DRAW] = 0;
    return kept === 1;
  }
  const u = v[o + DRAWS] === OWN_DRAWS ? aleaDraw(v, o + STREAM) : rng!();
  // No loss now (a link whose loss only a timed event sets, before or after it): the draw is still taken,
  // so the stream stays where the lossy formula leaves it, but 1 − e^0 = 0 and u ∈ [0, 1) never stalls —
  // no exponential to compute on every transfer of such a link.
  const logKeep = v[o + LOG_KEEP]!;
  if (logKeep === 0) return false;
  return u < stallOdds(Math.ceil(sizeBytes / v[o + MSS]!), logKeep);
}
