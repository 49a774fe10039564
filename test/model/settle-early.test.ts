import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { numericLeaves, simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');

// The IoT scenario with frames of one size: the upload sizes are then drawn in the same order whether a
// camera books its uploads or sends them with an event, so both paths must give the same numbers.
const scenarioFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-settle-')), 'iot.yaml');
writeFileSync(
  scenarioFile,
  readFileSync(path.join(root, 'scenarios/iot-camera-fog-cloud.yaml'), 'utf8').replace(
    '        app: camera-prefilter\n',
    `        app:
          name: camera-prefilter-fixed-frames
          requestBytes: 80000
          pools: { workers: { size: 8, queueLimit: 200 }, uplink: { size: 16 } }
          stages:
            - { name: prefilter, pool: workers, resource: cpu, demand: { dist: gamma, mean: 0.02, cv: 0.6 }, next: [{ to: forward, probability: 0.2 }] }
            - { name: forward, pool: uplink, resource: forward, target: cloud.detector, batch: 5 }
`,
  ),
);
const load = (overrides: string[]) => loadScenarioOrThrow(scenarioFile, { overrides });
const run = (overrides: string[]) => simulate(load(overrides)).result.perReplication[0]!;

/** Numeric metrics of one replication by dotted path, the event count aside. */
function metrics(overrides: string[]): Map<string, number> {
  const leaves = numericLeaves(run(overrides));
  leaves.delete('events');
  return leaves;
}

describe('work done without events', () => {
  // No fog → cloud delay: the detector's pulls then have no lead (shortcuts.ts, transfer-lead), and every
  // other shortcut is exact.
  const base = [
    'run.duration=40',
    'run.warmup=7',
    'run.replications=1',
    'edge.camera.quantity=200',
    'fog.gateway.quantity=4',
    'network.1.delayMs=0',
  ];
  // The reference: the plain event path (no booked upload, no settled answer, no fleet, no burst).
  const evented = [...base, 'run.shortcuts=false'];

  function expectSameMetrics(overrides: string[]): void {
    const early = metrics([...base, ...overrides]);
    const reference = metrics([...evented, ...overrides]);
    expect([...early.keys()]).toEqual([...reference.keys()]);
    expect(early.get('completed')).toBeGreaterThan(3000);
    for (const [key, value] of early) {
      const other = reference.get(key)!;
      if (Number.isNaN(value)) expect(other, key).toBeNaN();
      else expect(Math.abs(value - other), key).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value)));
    }
  }

  it('booked uploads and answers settled at their known arrival give the statistics of one event each', () => {
    expectSameMetrics([]);
  });

  // 80 kB at 0.7 Mbit/s take 0.92 s of a 1 s period: most bookings would cross one of the run's
  // statistics reads (every 0.4 s) and are refused, so the cameras switch between booking and sending.
  it('the same when most bookings are refused', () => {
    expectSameMetrics(['network.0.rateMbps=0.7', 'network.0.lossPercent=1']);
  });

  // Poisson cameras book each frame at the arrival of the last one (one by one, not as a fleet).
  it('the same with Poisson arrivals', () => {
    expectSameMetrics(['edge.camera.workload.arrivals=poisson']);
  });

  // 80 kB at 0.5 Mbit/s take 1.28 s: frames overlap on the camera's link, which shares its bandwidth
  // between them, and no booking can be made while a frame is on it.
  it('the same when uploads outlast the period', () => {
    expectSameMetrics(['network.0.rateMbps=0.5']);
  });

  it('they take about half the events', () => {
    expect(run(base).events).toBeLessThan(0.65 * run(evented).events);
  });
});
