/**
 * How long a throughput probe lasts when the testbed leaves it to the check (`verify.throughputSeconds:
 * auto`, the default). The probe's rate is taken over its last three quarters, so:
 * - its first quarter covers TCP's slow start: the round trips until the window reaches the path's
 *   bandwidth-delay product (initial window 10 segments of 1448 B, doubled each round trip, as
 *   src/resources/tcp-window.ts models it), plus one for the shaper's queue to fill;
 * - its last three quarters carry at least {@link MIN_MEASURED_BYTES} at the link's rate;
 * - at least {@link MIN_PROBE_S}: on the local testbed (2 loaded cores), probes of 0.5, 0.7, 1 and 3 s
 *   read the same rate, 18.9–19.3 of 20 Mbit/s over 40 ms and 47.5–48.0 of 50 over 10 ms (means of 4,
 *   standard deviations 0.1–0.6 Mbit/s whatever the length; 2026-12-07), once a probe no longer leaves
 *   its buffered bytes to the next one (probe.ts);
 * - at most {@link MAX_PROBE_S}: a long fat path's slow start is not waited for to its end.
 */
export function autoThroughputSeconds(rateMbps: number, rttMs: number): number {
  const bytesPerS = (rateMbps * 1e6) / 8;
  const bdpBytes = bytesPerS * (rttMs / 1000);
  const rounds = Math.max(0, Math.ceil(Math.log2(bdpBytes / (10 * 1448)))) + 1;
  const slowStartS = (rounds * rttMs) / 1000;
  const volumeS = MIN_MEASURED_BYTES / bytesPerS;
  const s = Math.max(MIN_PROBE_S, 4 * slowStartS, (4 / 3) * volumeS);
  return Math.min(MAX_PROBE_S, Math.ceil(s * 10) / 10);
}

/** The shortest automatic throughput probe (s). */
export const MIN_PROBE_S = 0.5;
/** The longest automatic throughput probe (s). */
export const MAX_PROBE_S = 10;
/** Bytes the measured part of an automatic probe carries at least (200 full segments). */
export const MIN_MEASURED_BYTES = 200 * 1448;

/**
 * The length of the one repeat of an automatic probe whose reading was outside the tolerance: four times
 * the first, at least 3 s (the fixed length the check used before it had automatic probes, which read the
 * local testbed's links within the tolerance under the test suite's load), at most {@link MAX_PROBE_S}.
 */
export function repeatSeconds(first: number): number {
  return Math.min(MAX_PROBE_S, Math.max(3, 4 * first));
}
