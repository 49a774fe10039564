import os from 'node:os';
import { median } from '../against.js';
import { e2ctwin, fmt, printTable, type Measured } from '../measure.js';
import { formatRatios, ratioVerdict, summarizeRatios } from '../pairs.js';

interface Marker {
  t: number;
  kind: string;
  service: string;
  instance?: number;
  value?: number;
}

interface Metrics {
  completed: number;
  events: number;
  failed: number;
  responseTime: { mean: number };
  dynamics?: {
    instances: Record<string, { mean: number; max: number }>;
    markers: Marker[];
    markersDropped: number;
  };
}

interface TimedEvent {
  at: number;
  action: 'load' | 'stop' | 'link' | 'link-restore' | 'pool' | 'scale';
  text: string;
}

/**
 * Ten timed events over the Pl@ntNet run, `step` simulated seconds apart: load steps, two failures with
 * recovery, a degraded link and its restoration, pool sizes, scaling. Each one changes something when it
 * is applied, so each leaves its marker at its own time (a restart of an engine would not: the autoscaler
 * replaces a stopped engine first). The last one (10 × step) must fall before the run's simulated end:
 * with these events 1 M requests end near 90,000 s and 100 k near 9,000 s, so step = 6,000 s (600 s with --quick).
 */
export function tenEvents(step: number): TimedEvent[] {
  const e = (i: number, action: TimedEvent['action'], rest: string): TimedEvent => ({
    at: i * step,
    action,
    text: `{at: ${i * step}, action: ${action}, ${rest}}`,
  });
  return [
    e(1, 'load', 'service: edge.users, factor: 1.5'),
    e(2, 'stop', 'service: cloud.engine, instance: 0, recovery: 300'),
    e(3, 'pool', 'service: cloud.engine, pool: extract, size: 9'),
    e(4, 'link', 'src: edge, dst: cloud, delayMs: 100, lossPercent: 0.5'),
    e(5, 'load', 'service: edge.users, factor: 2'),
    e(6, 'scale', 'service: cloud.engine, instances: 3'),
    e(7, 'stop', 'service: cloud.engine, instance: 0, recovery: 600'),
    e(8, 'link-restore', 'src: edge, dst: cloud'),
    e(9, 'load', 'service: edge.users, factor: 1'),
    e(10, 'scale', 'service: cloud.engine, instances: 1'),
  ];
}
/** Pairs of alternating runs (static, dynamic): with 11 the median's 93 % interval is the 3rd to the 9th ratio. */
export const PAIRS = 11;
/** The machinery-alone run: the dynamic path's bookkeeping with nothing changing (same work as static). */
export const MACHINERY_AUTOSCALER =
  'cloud.engine.autoscale={pool: extract, target: 0.6, min: 1, max: 1, windowS: 120, cooldownS: 300}';
export const MACHINERY_EVENTS =
  'events=[{at: 9000000, action: link, src: edge, dst: cloud, delayMs: 100, lossPercent: 0.5}]';
/** The dynamic run's time over the static one's, at most (issue 18). */
export const TARGET = 1.2;
export const AUTOSCALER =
  'cloud.engine.autoscale={pool: extract, target: 0.6, min: 1, max: 3, windowS: 120, cooldownS: 300}';

/**
 * Which of the timed events were applied: those with a marker of their action at their own time (a stop
 * or restart that finds nothing to stop or restart leaves none, nor does an event after the run's end).
 */
export function appliedEvents(events: TimedEvent[], markers: Marker[]): TimedEvent[] {
  return events.filter((e) => markers.some((m) => m.t === e.at && m.kind === e.action));
}

/**
 * What dynamics cost: Pl@ntNet, 1 M requests in one replication, as shipped (one engine, static) and with
 * an autoscaler (1–3 engines, round-robin) and ten timed events. Static and dynamic runs alternate pair by
 * pair (the side that goes first alternating too), 11 pairs (3 with --quick). The figures are the medians
 * of the per-pair CPU-time (user + system) and wall-time ratios, each with its 93 % order-statistic interval
 * and its spread (bench/pairs.ts). Target: the dynamic run within 1.2× of the static one, with all 10 events
 * applied; the verdict is read on CPU time, which other tenants of a shared host disturb much less than wall
 * time (on a loaded host the static run took 5.4–12.9 s of wall time but 4.8–6.7 s of CPU), and it
 * is MET or MISSED only when the whole interval is on one side of 1.2× (UNDECIDED otherwise), so that one
 * run of the benchmark does not say MET and the next MISSED. A third run in each round, the machinery alone
 * (one engine in an instance set, an autoscaler held at one, stall draws on every WAN transfer: the static
 * run's work and metrics), separates what the dynamic path costs from what the dynamic scenario simulates.
 */
export function dynamicsBench(quick: boolean): void {
  const requests = quick ? 100_000 : 1_000_000;
  const pairs = quick ? 3 : PAIRS;
  const events = tenEvents(quick ? 600 : 6000);
  console.log(
    `## Dynamics: Pl@ntNet, ${fmt(requests)} requests, static vs an autoscaler and 10 timed events (${pairs} rounds of three runs: static, dynamic, the machinery alone; the first rotating)`,
  );
  const base = [
    'simulate',
    'scenarios/plantnet.yaml',
    '-r',
    '1',
    '--json',
    '--set',
    'run.duration=10000000',
    '--set',
    `run.requests=${requests}`,
  ];
  const dynArgs = [...base, '--set', AUTOSCALER, '--set', `events=[${events.map((e) => e.text).join(', ')}]`];
  // The machinery alone: an instance set balanced over one engine, an autoscaler held at one, and stall
  // draws on every WAN link (a link event after the run's end): the static run's work and metrics, with
  // every per-request and per-transfer cost of the dynamic path.
  const machineryArgs = [...base, '--set', MACHINERY_AUTOSCALER, '--set', MACHINERY_EVENTS];
  const load0 = os.loadavg();
  const runs: { static: Measured[]; dynamic: Measured[]; machinery: Measured[] } = {
    static: [],
    dynamic: [],
    machinery: [],
  };
  const arms = [
    { name: 'static', args: base, out: runs.static },
    { name: 'dynamic', args: dynArgs, out: runs.dynamic },
    { name: 'machinery', args: machineryArgs, out: runs.machinery },
  ] as const;
  for (let p = 0; p < pairs; p++) {
    // Each round's first run rotates over the three (a loaded minute falls on each side alike).
    const order = [0, 1, 2].map((i) => arms[(i + p) % 3]!);
    for (const arm of order) arm.out.push(e2ctwin([...arm.args]));
    const s = runs.static[p]!;
    const d = runs.dynamic[p]!;
    const m = runs.machinery[p]!;
    console.log(
      `  pair ${p + 1} (${order[0]!.name} first): static ${s.wallSeconds.toFixed(2)} s (CPU ${s.cpuSeconds.toFixed(2)} s), dynamic ${d.wallSeconds.toFixed(2)} s (CPU ${d.cpuSeconds.toFixed(2)} s), ratio ${(d.wallSeconds / s.wallSeconds).toFixed(2)}× (CPU ${(d.cpuSeconds / s.cpuSeconds).toFixed(2)}×); machinery alone CPU ${m.cpuSeconds.toFixed(2)} s (${(m.cpuSeconds / s.cpuSeconds).toFixed(2)}×)`,
    );
  }
  const load1 = os.loadavg();
  const s = runs.static[0]!;
  const d = runs.dynamic[0]!;
  const sm = JSON.parse(s.stdout) as Metrics;
  const dm = JSON.parse(d.stdout) as Metrics;
  const markers = dm.dynamics?.markers ?? [];
  const applied = appliedEvents(events, markers);
  const autoscale = markers.filter((m) => m.kind === 'autoscale');
  const engines = dm.dynamics?.instances['cloud.engine'];
  const med = (ms: Measured[], f: (m: Measured) => number) => median(ms.map(f));
  printTable([
    [
      'run',
      'wall s (median)',
      'CPU s (median)',
      'events',
      'peak MiB',
      'mean response s',
      'engines (mean, max)',
      'failed',
    ],
    [
      'static',
      med(runs.static, (m) => m.wallSeconds).toFixed(2),
      med(runs.static, (m) => m.cpuSeconds).toFixed(2),
      fmt(sm.events),
      med(runs.static, (m) => m.peakMiB).toFixed(0),
      sm.responseTime.mean.toFixed(3),
      '1, 1',
      fmt(sm.failed),
    ],
    [
      'autoscaler + 10 events',
      med(runs.dynamic, (m) => m.wallSeconds).toFixed(2),
      med(runs.dynamic, (m) => m.cpuSeconds).toFixed(2),
      fmt(dm.events),
      med(runs.dynamic, (m) => m.peakMiB).toFixed(0),
      dm.responseTime.mean.toFixed(3),
      engines ? `${engines.mean.toFixed(2)}, ${engines.max}` : '–',
      fmt(dm.failed),
    ],
  ]);
  const missing = events.filter((e) => !applied.includes(e)).map((e) => `${e.action} at ${e.at} s`);
  const lastT = markers.length > 0 ? markers[markers.length - 1]!.t : 0;
  console.log(
    `  timed events applied: ${applied.length}/${events.length}${missing.length > 0 ? ` (not applied: ${missing.join(', ')})` : ''}; autoscaler actions: ${autoscale.length}; last marker at ${fmt(lastT)} s${dm.dynamics?.markersDropped ? `; markers dropped: ${dm.dynamics.markersDropped}` : ''}`,
  );
  const wall = summarizeRatios(runs.static.map((m, i) => runs.dynamic[i]!.wallSeconds / m.wallSeconds));
  const cpu = summarizeRatios(runs.static.map((m, i) => runs.dynamic[i]!.cpuSeconds / m.cpuSeconds));
  console.log(
    `  dynamic / static, median of ${pairs} pairs: CPU (user + system) ${formatRatios(cpu)}; wall ${formatRatios(wall)}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} before, ${load1.map((x) => x.toFixed(1)).join(' ')} after (${os.cpus().length} cores)`,
  );
  const machinery = summarizeRatios(runs.static.map((m, i) => runs.machinery[i]!.cpuSeconds / m.cpuSeconds));
  const mm = JSON.parse(runs.machinery[0]!.stdout) as Metrics;
  const same = (['responseTime', 'completed', 'failed'] as const).every(
    (k) => JSON.stringify(mm[k]) === JSON.stringify(sm[k]),
  );
  console.log(
    `  the machinery alone (one engine in an instance set, an autoscaler held at 1, stall draws on every WAN transfer; metrics ${same ? 'identical to' : 'DIFFERENT from'} the static run's): CPU ${formatRatios(machinery)}`,
  );
  const verdict = applied.length === events.length ? ratioVerdict(cpu, TARGET) : 'MISSED';
  console.log(
    `  target ≤ ${TARGET}× (CPU-time interval) with 10/10 events applied: ${verdict}${applied.length < events.length ? ' (not all events applied)' : ''}; wall-time interval alone: ${ratioVerdict(wall, TARGET)}\n`,
  );
}
