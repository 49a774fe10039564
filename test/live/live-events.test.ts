import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { busyboxRootfs } from './docker-image.js';
import { holdLiveTestLock, leftovers, liveCli, liveFixtureRun, liveRequirements } from './support.js';

const skip = liveRequirements(['busybox']);
const stateRoot = '/tmp/e2ctwin-live-test-events';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-events-'));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

interface RequestSpan {
  request: number;
  service: string;
  kind: string;
  start: number;
  end: number;
  status: string;
}

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`timed events in live mode${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('testbeds/local.yaml: the edge → cloud path degraded at 12 s (20 → 300 ms) and the engine stopped at 24 s, each within 1 s of its time; response times rise after the one, requests fail after the other; nothing left', async () => {
    const dir = path.join(out, 'run');
    const { run } = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-events.yaml',
      dir,
      stateRoot,
    });

    // Both applied, on time: scheduled at the workload start + the scenario's time, applied within 1 s.
    const [link, stop] = run.events as {
      action: string;
      scheduledS: number;
      appliedS: number;
      lateS: number;
    }[];
    expect(run.events).toHaveLength(2);
    expect(link).toMatchObject({ action: 'link', repetition: 1 });
    expect(stop).toMatchObject({ action: 'stop', repetition: 1 });
    const start = run.windows[0].start;
    expect(link!.scheduledS - start).toBeCloseTo(12, 6);
    expect(stop!.scheduledS - start).toBeCloseTo(24, 6);
    for (const e of [link!, stop!]) {
      expect(e.appliedS).toBeGreaterThanOrEqual(e.scheduledS);
      expect(e.lateS).toBeLessThan(1);
    }

    // The trace, by the applied times: ok requests wholly before the degrade against wholly between
    // the degrade and the stop. Each request crosses the path at least once there and back, which
    // went from 2 × 20 ms to 2 × 300 ms. Compared on what a request spent outside the engine's work: its
    // time at the client less the time the engine spent in compute stages and pool waits (its spans of the request;
    // the image download is a network stage, over the same path, and stays). That is what the degrade
    // changes, and what load on a busy machine changes least: in CI beside the main test files the
    // engine's extraction, real CPU work, took the fastest whole request before the degrade from 0.32 s
    // to 1.12 s. Floors, not means: load only adds time, and unevenly; the fastest request of a window
    // is the one it spared most. Every request of the degraded window spends at least 0.6 s on the path
    // (a physical floor no load lowers), and the fastest of them at least 0.3 s more than the fastest
    // before. The degrade is large on purpose: a CI run at load 5.5 (the main test files beside the live
    // ones) added 0.8 s outside the engine's work to every request before a 20 → 150 ms degrade, which
    // then no longer showed in the floors (0.838 s before, 0.749 s after). A request takes several round
    // trips (TCP's handshake and slow start), so 0.56 s more per round trip adds well over a second; 500 ms
    // left too few requests answered between the degrade and the stop (4 in 10 s).
    const spans = readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as RequestSpan);
    const requests = spans.filter((s) => s.kind === 'request');
    // The engine's work on a request: the union of its stage and wait spans (a request's images are
    // extracted side by side: a sum would count their overlap twice).
    const workSpans = new Map<number, [number, number][]>();
    for (const s of spans)
      if (s.service === 'cloud.engine' && (s.kind === 'stage' || s.kind === 'wait'))
        workSpans.set(s.request, [...(workSpans.get(s.request) ?? []), [s.start, s.end]]);
    const engineWork = new Map<number, number>();
    for (const [request, xs] of workSpans) {
      let total = 0;
      let upTo = -Infinity;
      for (const [a, b] of xs.sort((p, q) => p[0] - q[0])) {
        total += Math.max(0, b - Math.max(a, upTo));
        upTo = Math.max(upTo, b);
      }
      engineWork.set(request, total);
    }
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const okIn = (from: number, to: number) =>
      requests.filter((q) => q.status === 'ok' && q.start >= from && q.end < to);
    const windows = {
      before: okIn(run.windows[0].warmupEnd, link!.appliedS),
      degraded: okIn(link!.appliedS, stop!.appliedS),
    };
    const whole = (qs: RequestSpan[]) => qs.map((q) => q.end - q.start);
    const onPath = (qs: RequestSpan[]) => qs.map((q) => q.end - q.start - (engineWork.get(q.request) ?? 0));
    const stats = (xs: number[]) =>
      `n ${xs.length}, min ${Math.min(...xs).toFixed(3)} s, mean ${mean(xs).toFixed(3)} s, max ${Math.max(...xs).toFixed(3)} s`;
    console.log(
      `ok requests before the degrade: ${stats(whole(windows.before))}; between it and the stop: ${stats(whole(windows.degraded))}\n` +
        `  outside the engine's work: before ${stats(onPath(windows.before))}; between ${stats(onPath(windows.degraded))}`,
    );
    expect(windows.before.length).toBeGreaterThan(5);
    expect(windows.degraded.length).toBeGreaterThan(5);
    // Every ok request's engine spans are in the trace (a request without them would count whole).
    expect([...windows.before, ...windows.degraded].every((q) => engineWork.has(q.request))).toBe(true);
    const before = onPath(windows.before);
    const degraded = onPath(windows.degraded);
    // The userspace switch delays in 1 ms timer steps, calibrated to the middle of a step: a few ms of slack.
    expect(Math.min(...degraded)).toBeGreaterThanOrEqual(0.6 - 0.005);
    expect(Math.min(...degraded) - Math.min(...before)).toBeGreaterThanOrEqual(0.3);
    // After the stop, no request gets an answer; before it, none failed.
    const after = requests.filter((q) => q.start >= stop!.appliedS);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((q) => q.status === 'failed')).toBe(true);
    expect(requests.filter((q) => q.end < stop!.scheduledS && q.status === 'failed')).toEqual([]);

    // metrics.json: the simulator's timeline keys, the markers at the applied times, failures only after the stop.
    const m = json(path.join(dir, 'metrics.json'));
    expect(Object.keys(m.timeline).sort()).toEqual([
      'abandoned',
      'responseTimeMean',
      'start',
      'throughput',
      'windowS',
    ]);
    expect(Object.keys(m.dynamics).sort()).toEqual([
      'instances',
      'markers',
      'markersDropped',
      'retries',
      'timeline',
    ]);
    expect(m.dynamics.markers).toEqual([
      { t: link!.appliedS, kind: 'link', service: 'edge->cloud' },
      { t: stop!.appliedS, kind: 'stop', service: 'cloud.engine', instance: 0 },
    ]);
    const { start: starts, windowS } = m.timeline as { start: number[]; windowS: number };
    const failed = m.dynamics.timeline.failed as number[];
    const up = m.dynamics.timeline.instances['cloud.engine'] as number[];
    starts.forEach((t, i) => {
      if (t + windowS <= stop!.appliedS) {
        expect(failed[i]).toBe(0);
        expect(up[i]).toBe(1);
      } else if (t >= stop!.appliedS) expect(up[i]).toBe(0);
    });
    expect(failed.reduce((a, x) => a + x, 0)).toBeGreaterThan(0);
    expect(m.failed).toBeGreaterThan(0);
  }, 600_000);

  it('testbeds/local.yaml: a load step ×3 at 12 s, applied by both drivers within 1 s of its time (run.json), shows in the requests in the system of series.json from then on; nothing left', async () => {
    const dir = path.join(out, 'load');
    const { run } = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-load.yaml',
      dir,
      stateRoot,
    });
    const events = run.events as {
      action: string;
      scheduledS: number;
      appliedS: number;
      lateS: number;
      how?: string;
      note?: string;
    }[];
    expect(events).toHaveLength(1);
    const step = events[0]!;
    expect(step).toMatchObject({ action: 'load', repetition: 1, how: 'by 2 drivers' });
    expect(step.note).toBeUndefined();
    expect(step.scheduledS - run.windows[0].start).toBeCloseTo(12, 6);
    expect(step.lateS).toBeGreaterThanOrEqual(0);
    expect(step.lateS).toBeLessThan(1);

    // A closed loop of N users thinking Z = 2 s keeps N·R / (Z + R) requests in the system, R the response
    // time: six users, then eighteen. Tripling N triples it at equal R and raises it more when R grows with
    // the load — as it does on a busy machine, where the userspace switch and the engine share the cores
    // with other tests (CI measured R ≈ 0.1 s before the step and ≈ 3.5 s after, where the throughput rose
    // only 1.13×: a ratio of throughputs, 3 (Z + R) / (Z + R'), says more about the machine than about the
    // step). The ratio of requests in the system stays ≥ 1.5 unless R halved after the step, so we ask for 1.5×
    // (without the step both sides are alike, 1×). Windows of series.json (each repetition's clock) wholly
    // after the warm-up and before the step, against windows from 2 s after it (an idle user starts at the
    // end of its think time).
    const m = json(path.join(dir, 'metrics.json'));
    const series = json(path.join(dir, 'series.json')) as { t0: number[]; t1: number[]; inSystem: number[] };
    const at = step.appliedS - run.windows[0].start;
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const before = series.inSystem.filter((_, i) => series.t1[i]! <= at);
    const after = series.inSystem.filter((_, i) => series.t0[i]! >= at + 2);
    expect(before.length).toBeGreaterThan(3);
    expect(after.length).toBeGreaterThan(3);
    console.log(
      `requests in the system: ${mean(before).toFixed(3)} before the step, ${mean(after).toFixed(3)} after`,
    );
    expect(mean(after)).toBeGreaterThan(1.5 * mean(before));
    expect(m.dynamics.markers).toEqual([{ t: step.appliedS, kind: 'load', service: 'edge.users', value: 3 }]);
  }, 600_000);

  it('--repeat 2 with a restart, rate and loss changes and a link cut: every event applied in each repetition, the engine answers again after its restart, requests sent during the cut fail at once (a reset, not a timeout), the testbed reset between repetitions; nothing left', async () => {
    const dir = path.join(out, 'restart');
    const r = await liveFixtureRun({
      fixture: 'test/live/fixtures/plantnet-events-restart.yaml',
      dir,
      stateRoot,
      extra: ['--repeat', '2'],
    });
    // The fog → cloud path was left degraded: put back before the second repetition.
    expect(r.stderr).toContain('events: testbed reset for the next repetition');

    const run = json(path.join(dir, 'run.json'));
    type Applied = {
      action: string;
      repetition: number;
      scheduledS: number;
      startedS: number;
      appliedS: number;
      lateS: number;
      note?: string;
    };
    const events = run.events as Applied[];
    const actions = ['link', 'link', 'stop', 'restart', 'link-restore', 'link', 'link-restore'];
    expect(events.map((e) => [e.repetition, e.action])).toEqual([
      ...actions.map((a) => [1, a]),
      ...actions.map((a) => [2, a]),
    ]);
    expect(r.stdout + JSON.stringify(run)).not.toContain('E2C_ERR');
    const offsets = [6, 8, 10, 13, 16, 19, 23];
    events.forEach((e, i) => {
      const w = run.windows[e.repetition - 1];
      expect(e.scheduledS - w.start).toBeCloseTo(offsets[i % actions.length]!, 6);
      expect(e.note).toBeUndefined();
      expect(e.startedS).toBeGreaterThanOrEqual(e.scheduledS);
      const which = `repetition ${e.repetition}: ${e.action} at +${offsets[i % actions.length]} s`;
      expect(e.startedS - e.scheduledS, which).toBeLessThan(1);
      // A restart is applied once the engine is ready again; the others within 1 s.
      if (e.action !== 'restart') expect(e.lateS, which).toBeLessThan(1);
    });

    // In each repetition: answers before the stop, none between the stop and the restart, answers again after it.
    const requests = readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as RequestSpan)
      .filter((s) => s.kind === 'request');
    for (const rep of [1, 2]) {
      const mine = events.filter((e) => e.repetition === rep);
      const [stop, restart, cut, restore] = [mine[2]!, mine[3]!, mine[5]!, mine[6]!];
      const w = run.windows[rep - 1];
      const ok = (from: number, to: number) =>
        requests.filter((q) => q.status === 'ok' && q.start >= from && q.end < to);
      expect(ok(w.start, stop.appliedS).length).toBeGreaterThan(0);
      expect(
        requests.filter((q) => q.start >= stop.appliedS && q.end < restart.startedS && q.status === 'ok'),
      ).toEqual([]);
      // The engine answers again after its restart: before the cut when the restart was quick, after the
      // final restore in any case. (Asking for answers before the cut alone failed in CI: on a loaded
      // machine the engine's start-up can take most of the 6 s between the restart and the cut.)
      process.stderr.write(
        `restart (repetition ${rep}): scheduled +13 s, ready ${(restart.lateS * 1000).toFixed(0)} ms late\n`,
      );
      expect(ok(restart.appliedS, w.end).length).toBeGreaterThan(0);
      expect(
        requests.filter((q) => q.start >= restart.appliedS && q.end < cut.scheduledS && q.status !== 'ok'),
      ).toEqual([]);
      // Sent while the path was cut: every one failed, within a second (the users' patience is 15 s: a
      // dropped packet would have held them until then, or until TCP gave up).
      const during = requests.filter((q) => q.start >= cut.appliedS && q.start < restore.startedS);
      expect(during.length).toBeGreaterThan(0);
      for (const q of during) {
        expect(q.status).toBe('failed');
        expect(q.end - q.start).toBeLessThan(1);
      }
      expect(ok(restore.appliedS, w.end).length).toBeGreaterThan(0);
    }
    // The engine's counters are carried on across its restarts: no pool figure below zero.
    const m = json(path.join(dir, 'metrics.json'));
    for (const rep of m.perReplication)
      for (const p of Object.values(rep.pools) as { utilization: number; meanQueue: number }[]) {
        expect(p.utilization).toBeGreaterThanOrEqual(0);
        expect(p.meanQueue).toBeGreaterThanOrEqual(0);
      }
    // The simulator's marker names (a cut is its own kind), at the applied times on the first repetition's
    // clock (the combined timeline is the first repetition's).
    const kinds = ['link', 'link', 'stop', 'restart', 'link-restore', 'link-cut', 'link-restore'];
    expect(m.dynamics.markers.map((x: { kind: string }) => x.kind)).toEqual(kinds);
    expect(m.dynamics.markers.map((x: { t: number }) => x.t)).toEqual(
      events
        .filter((e) => e.repetition === 1)
        .map((e) => expect.closeTo(e.appliedS - run.windows[0].start, 6)),
    );
    expect(m.failed).toBeGreaterThan(0);
  }, 600_000);

  it('a container service (a dockerd of its own in the host, the image imported from a local tarball): the stop at 8 s a SIGKILL to the container’s process (its engine then sees the exit) and the restart at 12 s a docker start, each begun within 1 s of its time (run.json); no answer between them, answers again after; nothing left (dockerd, containers, folders)', async () => {
    const dockerMissing = liveRequirements(['dockerd', 'nsenter', 'tar']);
    if (dockerMissing) return;
    const dir = path.join(out, 'docker');
    const work = mkdtempSync(path.join(tmpdir(), 'e2ctwin-image-'));
    const tar = busyboxRootfs(work);
    const testbed = path.join(work, 'testbed.yaml');
    // testbeds/local.yaml's hosts with a dockerd in each host that runs a container, and the image
    // imported from a local root-filesystem tarball (no registry).
    writeFileSync(
      testbed,
      [
        'provider: local',
        'hosts: [{ name: cloud-1 }, { name: edge-1 }]',
        'services: { cloud: [cloud-1], edge: [edge-1] }',
        'subnet: 10.217.0.0/24',
        'docker: { enabled: true }',
        `images: [{ name: "e2ctwin/busybox:test", tar: ${JSON.stringify(tar)}, cmd: [httpd, -f, -p, "8081", -h, /www] }]`,
        '',
      ].join('\n'),
    );
    const runDirsBefore = ['/run/docker', '/run/containerd'].filter((p) => existsSync(p));
    const r = await liveCli([
      'live',
      'test/live/fixtures/container-events.yaml',
      '--testbed',
      testbed,
      '--out',
      dir,
      '--state-dir',
      stateRoot,
    ]);
    rmSync(work, { recursive: true, force: true });
    process.stdout.write(`\n--- e2ctwin live (stdout) ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`);
    expect(r.status, r.stderr).toBe(0);
    // A dockerd of its own in the host, with the safe flags; the image imported from the tarball.
    expect(r.stderr).toMatch(
      /local: dockerd on cloud-1 \(--iptables=false --ip-forward=false --bridge=none, own roots\)/,
    );
    expect(r.stderr).toMatch(/docker: imported e2ctwin\/busybox:test on cloud-1/);
    expect(r.stderr).toMatch(
      /service cloud\.web@cloud-1 ready on .* \(container [0-9a-f]{12}, image e2ctwin\/busybox:test\)/,
    );
    const id = (json(path.join(dir, 'plan.json')) as { runId: string }).runId;
    expect(leftovers(id, path.join(stateRoot, id))).toEqual([]);
    expect(execFileSync('sh', ['-c', 'pgrep -a dockerd || true'], { encoding: 'utf8' })).not.toContain(
      path.join(stateRoot, id),
    );
    expect(['/run/docker', '/run/containerd'].filter((p) => existsSync(p))).toEqual(runDirsBefore);

    const run = json(path.join(dir, 'run.json'));
    const events = run.events as {
      action: string;
      scheduledS: number;
      startedS: number;
      appliedS: number;
      lateS: number;
      how?: string;
      note?: string;
    }[];
    expect(events.map((e) => e.action)).toEqual(['stop', 'restart']);
    const [stop, restart] = events as [(typeof events)[0], (typeof events)[0]];
    const start = run.windows[0].start;
    expect(stop.scheduledS - start).toBeCloseTo(8, 6);
    expect(restart.scheduledS - start).toBeCloseTo(12, 6);
    expect(stop.how).toMatch(
      /^SIGKILL to container [0-9a-f]{12} \(pid \d+\), its engine saw the exit \+\d+ ms$/,
    );
    expect(restart.how).toMatch(/^docker start [0-9a-f]{12}, ready$/);
    for (const e of events) {
      expect(e.note).toBeUndefined();
      expect(e.startedS).toBeGreaterThanOrEqual(e.scheduledS);
      expect(e.startedS - e.scheduledS).toBeLessThan(1);
    }
    // The kill is applied within 1 s; the restart once the server answers its health check again.
    expect(stop.lateS).toBeLessThan(1);
    process.stdout.write(
      `container events: stop scheduled +8 s, applied ${(stop.lateS * 1000).toFixed(0)} ms late; restart scheduled +12 s, begun ${((restart.startedS - restart.scheduledS) * 1000).toFixed(0)} ms, ready ${(restart.lateS * 1000).toFixed(0)} ms late\n`,
    );

    // The clients: answers before the kill, none between the kill and the restart, answers after it.
    const requests = readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as RequestSpan)
      .filter((s) => s.kind === 'request');
    const ok = (from: number, to: number) =>
      requests.filter((q) => q.status === 'ok' && q.start >= from && q.end < to);
    expect(ok(start, stop.scheduledS).length).toBeGreaterThan(3);
    expect(
      requests.filter((q) => q.start >= stop.appliedS && q.end < restart.startedS && q.status === 'ok'),
    ).toEqual([]);
    expect(requests.filter((q) => q.start >= stop.appliedS && q.status === 'failed').length).toBeGreaterThan(
      0,
    );
    expect(ok(restart.appliedS, run.windows[0].end).length).toBeGreaterThan(3);
  }, 600_000);
});
