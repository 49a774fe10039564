import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { numericLeaves, simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');
const load = (overrides: string[]) => loadScenarioOrThrow(path.join(root, 'scenarios/iot-camera-fog-cloud.yaml'), { overrides });

/** Numeric metrics of one replication by dotted path, the event count aside. */
function metrics(overrides: string[]): Map<string, number> {
  const leaves = numericLeaves(simulate(load(overrides)).result.perReplication[0]);
  leaves.delete('events');
  return leaves;
}

describe('work settled without events', () => {
  // A patience far beyond the run puts a timer on every request: the model then takes the event path
  // for every answer (it cannot settle a request somebody may still act on), with the same numbers.
  const base = ['run.duration=40', 'run.warmup=7', 'run.replications=1', 'edge.camera.quantity=200', 'fog.gateway.quantity=4'];

  it('answers settled when their arrival time is known give the statistics of one event per answer', () => {
    const early = metrics(base);
    const evented = metrics([...base, 'edge.camera.workload.patienceS=100000']);
    expect([...early.keys()]).toEqual([...evented.keys()]);
    expect(early.get('completed')).toBeGreaterThan(4000);
    for (const [key, value] of early) {
      const other = evented.get(key)!;
      if (Number.isNaN(value)) expect(other, key).toBeNaN();
      else expect(Math.abs(value - other), key).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value)));
    }
  });

  it('the settled path uses fewer events', () => {
    const events = (o: string[]) => simulate(load(o)).result.perReplication[0]!.events;
    expect(events(base)).toBeLessThan(0.85 * events([...base, 'edge.camera.workload.patienceS=100000']));
  });
});
