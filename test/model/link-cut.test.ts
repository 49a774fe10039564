import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src/model/index.js';
import { loadScenario } from '../../src/scenario/index.js';

// A `link` event with `cut: true`: every request whose upload or answer starts on the link fails until the
// `link-restore`; transfers under way at the cut finish. Checked by where failures and completions fall in
// the run's timeline, and by retries carrying requests over the cut.
const here = path.join(import.meta.dirname, 'link-cut.yaml');

function run(retry = '', cut = true): SimulationResult {
  const text = `
name: cut
seed: 4
run: { duration: 3000, warmup: 0, replications: 3, spanSample: 0 }
layers:
  - name: cloud
    services:
      - name: engine
        app:
          pools: { server: 100 }
          stages:
            - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } }
  - name: edge
    services:
      - name: phones
        workload: { kind: open, target: cloud.engine, ratePerS: 1${retry} }
network:
  - { src: edge, dst: cloud, delayMs: 10 }
${
  cut
    ? `events:
  - { at: 1000, action: link, src: edge, dst: cloud, cut: true }
  - { at: 1500, action: link-restore, src: edge, dst: cloud }`
    : ''
}`;
  const r = loadScenario(here, { text });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return simulate(r.scenario).result;
}

/** Windows of the timeline wholly inside [from, to), and those wholly outside [from - margin, to + margin). */
function windows(rep: SimulationResult['perReplication'][number], from: number, to: number, margin: number) {
  const { start, windowS } = rep.timeline;
  const inside: number[] = [];
  const outside: number[] = [];
  start.forEach((s, i) => {
    if (s >= from && s + windowS <= to) inside.push(i);
    else if (s + windowS <= from - margin || s >= to + margin) outside.push(i);
  });
  return { inside, outside };
}

describe('a cut link', () => {
  it('fails every request that starts during the cut and none outside it', () => {
    const r = run();
    for (const rep of r.perReplication) {
      // Services last ~1 s (exponential): a request begun just before the cut may have its answer lost.
      const { inside, outside } = windows(rep, 1000, 1500, 30);
      expect(inside.length).toBeGreaterThan(10);
      for (const i of inside) expect(rep.timeline.throughput[i]).toBe(0);
      const failed = rep.dynamics!.timeline.failed;
      for (const i of outside) expect(failed[i]).toBe(0);
      for (const i of inside) expect(failed[i]).toBeGreaterThan(0);
      // ~500 arrivals at 1/s during the 500 s cut (Poisson: sd ≈ 22), and they are the failures.
      expect(rep.failed).toBeGreaterThan(400);
      expect(rep.failed).toBeLessThan(600);
      expect(rep.failureProbability).toBeCloseTo(rep.failed / rep.arrived, 12);
      expect(rep.dynamics!.markers).toContainEqual({ t: 1000, kind: 'link-cut', service: 'edge->cloud' });
      expect(rep.dynamics!.markers).toContainEqual({ t: 1500, kind: 'link-restore', service: 'edge->cloud' });
    }
  });

  it('with retry and a backoff longer than the cut, every request succeeds after the restore', () => {
    // Backoffs 1, 2, 4, … 512 s: ten retries outlast the 500 s cut.
    const r = run(', retry: { attempts: 10, backoffS: 1 }');
    expect(r.failed).toBe(0);
    for (const rep of r.perReplication) {
      const { inside } = windows(rep, 1000, 1500, 30);
      // Nothing gets through during the cut; the retried requests complete after it, keeping their start.
      for (const i of inside) expect(rep.timeline.throughput[i]).toBe(0);
      expect(rep.dynamics!.retries).toBeGreaterThan(400);
      expect(Math.abs(rep.arrived - rep.completed)).toBeLessThan(5);
    }
    // Requests waiting out the cut make the mean response time far longer than the service's ~1 s.
    expect(r.responseTime.mean).toBeGreaterThan(10);
  });

  it('without the cut the same scenario fails nothing (the failures are the cut’s)', () => {
    const r = run('', false);
    expect(r.failed).toBe(0);
    expect(r.completed).toBeGreaterThan(2800);
  });
});
