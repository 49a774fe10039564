/**
 * How far a network check before a live run may be from the configured constraint before the run
 * warns: 10 % of the configured RTT or rate. Beyond it the testbed does not emulate the scenario's
 * network closely enough for its numbers to compare with a simulation without a second look.
 */
export const NETWORK_CHECK_TOLERANCE = 0.1;

/** The part of a network check the tolerance looks at (errors in percent of the configured value). */
export interface CheckedLink {
  label: string;
  src: string;
  dst: string;
  expectedRttMs: number;
  rtt?: { medianMs: number };
  rttErrorPercent?: number;
  expectedMbps: number | null;
  throughput?: { mbps: number };
  throughputErrorPercent?: number;
}

/** One warning per measured RTT or throughput off by more than {@link NETWORK_CHECK_TOLERANCE}. */
export function networkCheckWarnings(
  checks: readonly CheckedLink[],
  tolerance = NETWORK_CHECK_TOLERANCE,
): string[] {
  const out: string[] = [];
  const limit = tolerance * 100;
  for (const m of checks) {
    const where = `network check ${m.label} (${m.src} → ${m.dst})`;
    if (m.rtt && m.rttErrorPercent !== undefined && Math.abs(m.rttErrorPercent) > limit) {
      out.push(
        `${where}: RTT ${m.rtt.medianMs.toFixed(2)} ms is ${signed(m.rttErrorPercent)} off the configured ${m.expectedRttMs} ms (tolerance ±${limit} %)`,
      );
    }
    if (
      m.throughput &&
      m.throughputErrorPercent !== undefined &&
      Math.abs(m.throughputErrorPercent) > limit
    ) {
      out.push(
        `${where}: throughput ${m.throughput.mbps.toFixed(2)} Mbit/s is ${signed(m.throughputErrorPercent)} off the configured ${m.expectedMbps} Mbit/s (tolerance ±${limit} %)`,
      );
    }
  }
  return out;
}

const signed = (p: number) => `${p > 0 ? '+' : ''}${p.toFixed(1)} %`;
