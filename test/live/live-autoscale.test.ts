import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppliedEvent } from '../../src/live/run/types.js';
import { holdLiveTestLock, liveFixtureRun, liveRequirements, readTraceSpans } from './support.js';

const skip = liveRequirements([]);
const stateRoot = '/tmp/e2ctwin-live-test-autoscale';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-autoscale-'));

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

const STEP = 8;
const WINDOW = 3;
const MAX = 2;

describe.skipIf(skip)(`live autoscaling${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('testbeds/local.yaml: users tripled at 8 s, target utilization 0.3: the autoscaler adds the second engine within two windows of the step, serving once ready, never above max; nothing left', async () => {
    const dir = path.join(out, 'run');
    const { run } = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-autoscale.yaml',
      dir,
      stateRoot,
    });
    const events = run.events as AppliedEvent[];
    const start = run.windows[0].start as number;
    const actions = events.filter((e) => e.action === 'autoscale');
    process.stdout.write(
      `autoscale: ${actions.map((a) => `${a.instances} decided at +${(a.scheduledS - start).toFixed(2)} s, applied ${a.lateS.toFixed(2)} s later (${a.how})`).join('; ')}\n`,
    );
    // Never above max; no action before the step (one user keeps the thread ≈ 17 % busy, below 30 %).
    for (const a of actions) expect(a.instances).toBeLessThanOrEqual(MAX);
    expect(actions.length).toBeGreaterThan(0);
    const first = actions[0]!;
    expect(first.instances).toBe(2);
    expect(first.scheduledS - start).toBeGreaterThan(STEP);
    // Decided at the end of a window, the first or second after the step.
    const decidedAt = first.scheduledS - start;
    expect(decidedAt).toBeLessThanOrEqual(STEP + 2 * WINDOW + 0.5);
    expect(decidedAt / WINDOW - Math.round(decidedAt / WINDOW)).toBeCloseTo(0, 6);
    // Serving once its process was ready and the driver told: the engine's start-up (1–5 s on this machine).
    expect(first.startedS - first.scheduledS).toBeLessThan(1);
    expect(first.how).toMatch(/edge\.engine@edge-2 started \(pid \d+\), ready/);
    expect(first.lateS).toBeLessThan(15);

    const spans = readTraceSpans(dir);
    const servedBy = new Map<number, string>();
    for (const s of spans) if (s.service === 'edge.engine') servedBy.set(s.request, s.host);
    const requests = spans.filter((s) => s.kind === 'request');
    const by = (host: string, from: number, to: number) =>
      requests.filter((q) => q.start >= from && q.start < to && servedBy.get(q.request) === host).length;
    // The second engine got no request before it was ready, some after; none failed (it was probed first).
    expect(by('edge.engine#1', start, first.scheduledS)).toBe(0);
    expect(by('edge.engine#1', first.appliedS, run.windows[0].end)).toBeGreaterThan(0);
    expect(requests.filter((q) => q.status === 'failed')).toEqual([]);

    // metrics.json: the simulator's autoscale markers at the applied times, the instances up over time.
    const m = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    const markers = (m.dynamics.markers as { kind: string; t: number; value?: number }[]).filter(
      (x) => x.kind === 'autoscale',
    );
    expect(markers[0]).toEqual({
      t: first.appliedS - start,
      kind: 'autoscale',
      service: 'edge.engine',
      value: 2,
    });
    expect(m.dynamics.instances['edge.engine'].max).toBeLessThanOrEqual(MAX);
    const { start: starts, windowS } = m.timeline as { start: number[]; windowS: number };
    const up = m.dynamics.timeline.instances['edge.engine'] as number[];
    expect(up).toHaveLength(starts.length);
    starts.forEach((t, i) => {
      if (t + windowS <= first.appliedS - start) expect(up[i]).toBe(1);
    });
    expect(Math.max(...up)).toBe(2);
  }, 600_000);
});
