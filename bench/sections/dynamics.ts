import { e2ctwin, fmt, printTable, type Measured } from '../measure.js';

interface Metrics {
  completed: number;
  events: number;
  failed: number;
  responseTime: { mean: number };
  dynamics?: { instances: Record<string, { mean: number; max: number }> };
}

/** Ten timed events over the Pl@ntNet run: load steps, two failures with recovery, pool sizes, scaling. */
export const TEN_EVENTS = `events=[
  {at: 10000, action: load, service: edge.users, factor: 1.5},
  {at: 20000, action: stop, service: cloud.engine, instance: 0, recovery: 300},
  {at: 30000, action: pool, service: cloud.engine, pool: extract, size: 9},
  {at: 40000, action: load, service: edge.users, factor: 2},
  {at: 50000, action: stop, service: cloud.engine, instance: 1, recovery: 600},
  {at: 60000, action: scale, service: cloud.engine, instances: 3},
  {at: 70000, action: pool, service: cloud.engine, pool: extract, size: 7},
  {at: 80000, action: load, service: edge.users, factor: 1},
  {at: 90000, action: restart, service: cloud.engine, instance: 0},
  {at: 100000, action: scale, service: cloud.engine, instances: 1}]`;
export const AUTOSCALER =
  'cloud.engine.autoscale={pool: extract, target: 0.6, min: 1, max: 3, windowS: 120, cooldownS: 300}';

/**
 * What dynamics cost: Pl@ntNet, 1 M requests in one replication, as shipped (one engine, static) and with
 * an autoscaler (1–3 engines, round-robin) and ten timed events. Runs alternate
 * and each takes the fastest of its repeats, since other tenants of a shared machine slow single runs by
 * more than the difference measured. Target: the dynamic run within 1.2× of the static one.
 */
export function dynamicsBench(quick: boolean): void {
  const requests = quick ? 100_000 : 1_000_000;
  const repeats = quick ? 1 : 3;
  console.log(
    `## Dynamics: Pl@ntNet, ${fmt(requests)} requests, static vs an autoscaler and 10 timed events (fastest of ${repeats})`,
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
  const runs: { static: Measured[]; dynamic: Measured[] } = { static: [], dynamic: [] };
  for (let i = 0; i < repeats; i++) {
    runs.static.push(e2ctwin(base));
    runs.dynamic.push(e2ctwin([...base, '--set', AUTOSCALER, '--set', TEN_EVENTS]));
  }
  const fastest = (ms: Measured[]) => ms.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  const s = fastest(runs.static);
  const d = fastest(runs.dynamic);
  const sm = JSON.parse(s.stdout) as Metrics;
  const dm = JSON.parse(d.stdout) as Metrics;
  const engines = dm.dynamics?.instances['cloud.engine'];
  printTable([
    ['run', 'wall s', 'events', 'events/s', 'peak MiB', 'mean response s', 'engines (mean, max)', 'failed'],
    [
      'static',
      s.wallSeconds.toFixed(2),
      fmt(sm.events),
      fmt(sm.events / s.wallSeconds),
      s.peakMiB.toFixed(0),
      sm.responseTime.mean.toFixed(3),
      '1, 1',
      fmt(sm.failed),
    ],
    [
      'autoscaler + 10 events',
      d.wallSeconds.toFixed(2),
      fmt(dm.events),
      fmt(dm.events / d.wallSeconds),
      d.peakMiB.toFixed(0),
      dm.responseTime.mean.toFixed(3),
      engines ? `${engines.mean.toFixed(2)}, ${engines.max}` : '–',
      fmt(dm.failed),
    ],
  ]);
  const ratio = d.wallSeconds / s.wallSeconds;
  console.log(
    `  dynamic / static wall time: ${ratio.toFixed(2)}× (target ≤ 1.2×: ${ratio <= 1.2 ? 'MET' : 'MISSED'}); all runs: static ${runs.static.map((m) => m.wallSeconds.toFixed(1)).join(', ')} s, dynamic ${runs.dynamic.map((m) => m.wallSeconds.toFixed(1)).join(', ')} s\n`,
  );
}
