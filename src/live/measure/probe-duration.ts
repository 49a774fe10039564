/**
 * How long a throughput probe lasts when the testbed leaves it to the check (`verify.throughputSeconds:
 * auto`). The probe's rate is taken over its last three quarters, so its first quarter must cover TCP's
 * slow start: the round trips until the window reaches the path's bandwidth-delay product (initial window
 * 10 segments of 1448 B, doubled each round trip, as src/resources/tcp-window.ts models it), one more
 * for the queue at the shaper to fill. Four times that, at least {@link MIN_PROBE_S} (the measured part
 * then still holds thousands of segments: on the local testbed a 1 s probe reads the same rate as a 3 s
 * one, 19.1 of 20 Mbit/s over 40 ms and 47.6 of 50 over 10 ms), at most {@link MAX_PROBE_S}.
 */
export function autoThroughputSeconds(rateMbps: number, rttMs: number): number {
  const bdpBytes = ((rateMbps * 1e6) / 8) * (rttMs / 1000);
  const rounds = Math.max(0, Math.ceil(Math.log2(bdpBytes / (10 * 1448)))) + 1;
  const slowStartS = (rounds * rttMs) / 1000;
  return Math.min(MAX_PROBE_S, Math.max(MIN_PROBE_S, Math.round(4 * slowStartS * 10) / 10));
}

/** The shortest automatic throughput probe (s). */
export const MIN_PROBE_S = 1;
/** The longest automatic throughput probe (s): a long fat path's slow start is not measured to the end. */
export const MAX_PROBE_S = 10;
