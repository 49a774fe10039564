import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdLiveTestLock, liveFixtureRun, liveRequirements, readTraceSpans } from './support.js';

const skip = liveRequirements([]);
const stateRoot = '/tmp/e2ctwin-live-test-scale';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-scale-'));

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`scale events in live mode${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('testbeds/local.yaml: one engine scaled to two at 8 s and back to one at 22 s: the second serves only in between, no request fails (the new one is probed before it gets any, the removed one drained), both begun within 1 s; nothing left', async () => {
    const dir = path.join(out, 'run');
    const { run } = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-scale.yaml',
      dir,
      stateRoot,
    });
    type Applied = {
      action: string;
      scheduledS: number;
      startedS: number;
      appliedS: number;
      lateS: number;
      how?: string;
    };
    const events = run.events as Applied[];
    expect(events.map((e) => e.action)).toEqual(['scale', 'scale']);
    const [out2, in1] = events as [Applied, Applied];
    const start = run.windows[0].start;
    expect(out2.scheduledS - start).toBeCloseTo(8, 6);
    expect(in1.scheduledS - start).toBeCloseTo(22, 6);
    for (const e of events) expect(e.startedS - e.scheduledS).toBeLessThan(1);
    expect(out2.how).toMatch(/edge\.engine@edge-2 started \(pid \d+\), ready/);
    expect(in1.how).toMatch(/edge\.engine@edge-2 drained \(SIGTERM/);
    // Drained within the grace and its last answers, not at the SIGKILL limit (the users' patience, 15 s).
    expect(in1.appliedS - in1.scheduledS).toBeLessThan(10);
    process.stdout.write(
      `scale: out applied ${out2.lateS.toFixed(2)} s after its time (${out2.how}); in ${in1.lateS.toFixed(2)} s (${in1.how})\n`,
    );

    const spans = readTraceSpans(dir);
    const servedBy = new Map<number, string>();
    for (const s of spans) if (s.service === 'edge.engine') servedBy.set(s.request, s.host);
    const requests = spans.filter((s) => s.kind === 'request');
    const by = (host: string, from: number, to: number) =>
      requests.filter((q) => q.start >= from && q.start < to && servedBy.get(q.request) === host).length;
    // No request failed or went unanswered: none was sent to the new instance before it answered its
    // health check, and the removed one finished what it had.
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.filter((q) => q.status !== 'ok')).toEqual([]);
    // Before the scale-out only #0; once #1 is ready, both; after the scale-in (the driver's own time,
    // within a few ms of the schedule) only #0 again.
    expect(by('edge.engine#1', start, out2.scheduledS)).toBe(0);
    expect(by('edge.engine#0', start, out2.scheduledS)).toBeGreaterThan(5);
    // (The second engine's start took 1–5 s on this machine: what is left of the 14 s is shared.)
    expect(by('edge.engine#1', out2.appliedS, in1.scheduledS)).toBeGreaterThan(0);
    expect(by('edge.engine#0', out2.appliedS, in1.scheduledS)).toBeGreaterThan(0);
    expect(by('edge.engine#1', in1.scheduledS + 0.1, run.windows[0].end)).toBe(0);
    expect(by('edge.engine#0', in1.scheduledS + 0.1, run.windows[0].end)).toBeGreaterThan(3);

    // metrics.json: the simulator's scale markers at the applied times, the instances up over time.
    const m = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    expect(m.dynamics.markers).toEqual([
      { t: out2.appliedS - start, kind: 'scale', service: 'edge.engine', value: 2 },
      { t: in1.appliedS - start, kind: 'scale', service: 'edge.engine', value: 1 },
    ]);
    expect(m.dynamics.instances['edge.engine'].max).toBe(2);
    const { start: starts, windowS } = m.timeline as { start: number[]; windowS: number };
    const up = m.dynamics.timeline.instances['edge.engine'] as number[];
    starts.forEach((t, i) => {
      if (t >= out2.appliedS - start && t + windowS <= in1.appliedS - start) expect(up[i]).toBe(2);
      if (t + windowS <= out2.appliedS - start || t >= in1.appliedS - start) expect(up[i]).toBe(1);
    });
  }, 600_000);
});
