import os from 'node:os';
import { median } from '../against.js';
import { e2ctwin, fmt, printTable, type Measured } from '../measure.js';

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
 * pair (the side that goes first alternating too); the figure is the median of the per-pair wall-time
 * ratios, with their spread and the median CPU-time (user + system) ratio, which other tenants of a shared
 * host disturb less. Target: the dynamic run within 1.2× of the static one, with all 10 events applied.
 */
export function dynamicsBench(quick: boolean): void {
  const requests = quick ? 100_000 : 1_000_000;
  const pairs = quick ? 3 : 7;
  const events = tenEvents(quick ? 600 : 6000);
  console.log(
    `## Dynamics: Pl@ntNet, ${fmt(requests)} requests, static vs an autoscaler and 10 timed events (${pairs} pairs, alternating)`,
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
  const load0 = os.loadavg();
  const runs: { static: Measured[]; dynamic: Measured[] } = { static: [], dynamic: [] };
  for (let p = 0; p < pairs; p++) {
    const staticFirst = p % 2 === 0;
    let s: Measured;
    let d: Measured;
    if (staticFirst) {
      s = e2ctwin(base);
      d = e2ctwin(dynArgs);
    } else {
      d = e2ctwin(dynArgs);
      s = e2ctwin(base);
    }
    runs.static.push(s);
    runs.dynamic.push(d);
    console.log(
      `  pair ${p + 1} (${staticFirst ? 'static' : 'dynamic'} first): static ${s.wallSeconds.toFixed(2)} s (CPU ${s.cpuSeconds.toFixed(2)} s), dynamic ${d.wallSeconds.toFixed(2)} s (CPU ${d.cpuSeconds.toFixed(2)} s), ratio ${(d.wallSeconds / s.wallSeconds).toFixed(2)}× (CPU ${(d.cpuSeconds / s.cpuSeconds).toFixed(2)}×)`,
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
  const ratios = runs.static.map((m, i) => runs.dynamic[i]!.wallSeconds / m.wallSeconds);
  const cpuRatios = runs.static.map((m, i) => runs.dynamic[i]!.cpuSeconds / m.cpuSeconds);
  const r = median(ratios);
  const met = r <= 1.2 && applied.length === events.length;
  console.log(
    `  dynamic / static wall time, median of ${pairs} pairs: ${r.toFixed(2)}× (spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×); CPU (user + system): ${median(cpuRatios).toFixed(2)}× (spread ${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}×); load average ${load0.map((x) => x.toFixed(1)).join(' ')} before, ${load1.map((x) => x.toFixed(1)).join(' ')} after (${os.cpus().length} cores)`,
  );
  console.log(
    `  target ≤ 1.2× with 10/10 events applied: ${met ? 'MET' : 'MISSED'}${applied.length < events.length ? ' (not all events applied)' : ''}\n`,
  );
}
