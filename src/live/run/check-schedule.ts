import type { PairRule, VerifyPair } from '../plan/types.js';

// Which probes of the network check may run at the same time (the one place that decides it; the
// testbed's `verify.parallel: false` turns it off, and the check then runs link after link, RTT then
// throughput, as it always did). Two conditions, one per kind of probe:
//
// - RTT probes (with the userspace path's calibration rounds) of two links overlap when no constraint
//   sets the delay of both round trips (forward or back pair). A round trip carries one byte at a time,
//   so two of them sharing a host, a NIC or the userspace switch add no queue to each other; and a
//   calibration round changes only its own constraint's delays, which the other link's round trip does
//   not cross. Links that do share a constraint keep their order (a later one sees the earlier one's
//   correction, as sequentially).
// - Throughput probes fill the path's bottleneck: they never overlap an RTT probe (all RTT waves run
//   first), and two overlap only when their links share no host (no NIC, htb tree or CPU in common) and
//   the provider does not carry every frame through one userspace process (the local provider's switch
//   and its per-host relays), i.e. when nothing they both cross can be their bottleneck.

/** One step of the check: links probed together (RTT with calibration, or throughput). */
export interface CheckWave {
  kind: 'rtt' | 'throughput';
  pairs: VerifyPair[];
}

export interface CheckScheduleOptions {
  /** The testbed's `verify.parallel`. */
  parallel: boolean;
  /** Every frame between hosts crosses one userspace process (the local provider's switch). */
  sharedWire: boolean;
}

/** The check's steps, in order. Invariant: every link gets its RTT step, and a throughput step where rated. */
export function scheduleChecks(
  pairs: readonly VerifyPair[],
  rules: readonly PairRule[],
  o: CheckScheduleOptions,
): CheckWave[] {
  const rated = pairs.filter((p) => p.expectedMbps !== null);
  if (!o.parallel)
    return pairs.flatMap((p) => [
      { kind: 'rtt' as const, pairs: [p] },
      ...(p.expectedMbps !== null ? [{ kind: 'throughput' as const, pairs: [p] }] : []),
    ]);
  const constraints = (p: VerifyPair) =>
    rules
      .filter((r) => (r.src === p.src && r.dst === p.dst) || (r.src === p.dst && r.dst === p.src))
      .map((r) => r.constraint);
  const rttConflict = (a: VerifyPair, b: VerifyPair) =>
    constraints(a).some((c) => constraints(b).includes(c));
  const throughputConflict = (a: VerifyPair, b: VerifyPair) =>
    o.sharedWire || [a.src, a.dst].some((h) => h === b.src || h === b.dst);
  return [
    ...waves(pairs, rttConflict).map((w) => ({ kind: 'rtt' as const, pairs: w })),
    ...waves(rated, throughputConflict).map((w) => ({ kind: 'throughput' as const, pairs: w })),
  ];
}

/**
 * Groups `items` into waves run one after another: each item goes to the wave after the last one holding
 * an earlier item it conflicts with, so conflicting items keep their order.
 */
function waves<T>(items: readonly T[], conflict: (a: T, b: T) => boolean): T[][] {
  const out: T[][] = [];
  const waveOf: number[] = [];
  items.forEach((item, i) => {
    let w = 0;
    for (let j = 0; j < i; j++) if (conflict(items[j]!, item)) w = Math.max(w, waveOf[j]! + 1);
    waveOf.push(w);
    (out[w] ??= []).push(item);
  });
  return out;
}
