// A running sensitivity study's results so far as the browser's API serves them: a Morris study's
// coordinator keeps in progress.json its indices over the trajectories complete so far (the shape of
// result.json, `partial` saying how far), a Sobol study's how many points of its design are in (its
// indices need all of them). Real `e2ctwin sensitivity` runs, held still (SIGSTOP) while they are read;
// older progress files (no document so far) still read as before.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeldStudy, partialDone } from '../support/held-study.js';
import { morrisFromTrials, type ServedTrial } from '../support/morris-from-trials.js';
import { writeProgressFile } from '../support/progress-file.js';
import { expectSoFarIsFinal, studyApp } from '../support/study-app.js';

const server = studyApp('e2ctwin-study-so-far-sensitivity-');
const { runsDir } = server;

// About 0.1 s a trial on one worker (the Sobol and one-at-a-time studies: 64 and 37 trials).
const SCENARIO = 'scenarios/plantnet.yaml';
const PARAMS = ['cloud.engine.pools.extract=1..6', 'cloud.engine.pools.http=10..40'];
const OVERRIDES = ['run.duration=4000', 'run.warmup=500'];
// The Morris study's trials five times as long (about 0.45 s): its 10 trajectories of 3 points on a grid of 4
// levels are 15 distinct trials, and the coordinator writes its document so far once a second; with 0.1 s
// trials the study ended 0.6 s after the first document with a complete trajectory, before one with two.
const MORRIS_OVERRIDES = ['run.duration=20000', 'run.warmup=500'];
const TRAJECTORIES = 10;
const common = (overrides: string[]) => [
  SCENARIO,
  ...PARAMS.flatMap((p) => ['-p', p]),
  ...overrides.flatMap((s) => ['--set', s]),
  '-m',
  'responseTime.mean,throughput',
  '--workers',
  '1',
  '--no-progress',
];

interface PartialDone {
  done: number;
  of: number;
  unit: string;
  complete?: number[];
}

/** `e2ctwin sensitivity` of the common design with `args`, into study folder runs/<id>. */
const start = (id: string, ...args: string[]) =>
  new HeldStudy(['sensitivity', ...common(OVERRIDES), ...args, '--out', path.join(runsDir, id)]);
const doneIn = (id: string) => partialDone(path.join(runsDir, id));

async function trialsOf(id: string): Promise<ServedTrial[]> {
  const res = await server.app.inject(`/api/studies/${id}/trials`);
  expect(res.statusCode).toBe(200);
  return res.json().trials;
}

describe('GET /api/studies/:id/so-far of a running sensitivity study', () => {
  it("serves a Morris study's indices over its complete trajectories, as computed from its store's trials", async () => {
    const id = 'morris-live';
    const run = new HeldStudy([
      'sensitivity',
      ...common(MORRIS_OVERRIDES),
      '--trajectories',
      String(TRAJECTORIES),
      '--out',
      path.join(runsDir, id),
    ]);
    try {
      await run.holdWhen('some trajectories complete', () => doneIn(id) >= 2);
      const listed = (await server.app.inject('/api/studies'))
        .json()
        .studies.find((s: { id: string }) => s.id === id);
      const res = await server.app.inject(`/api/studies/${id}/so-far`);
      expect(res.statusCode).toBe(200);
      const { study } = res.json();
      expect(study).toMatchObject({
        kind: 'sensitivity',
        method: 'morris',
        metrics: ['responseTime.mean', 'throughput'],
        trajectories: TRAJECTORIES,
        levels: 4,
        runs: TRAJECTORIES * 3,
        partial: { of: TRAJECTORIES, unit: 'trajectories' },
      });
      const { done, complete } = study.partial as Required<PartialDone>;
      expect(done).toBeLessThan(TRAJECTORIES);
      expect(complete).toHaveLength(done);
      // The list polled every second counts them (the page fetches the document when that changes).
      expect(listed.progress.resultsSoFar).toBe(done);
      expect(JSON.stringify(listed)).not.toContain('"indices"');
      // Each index is what the library computes from the trials of those trajectories in the store.
      const trials = await trialsOf(id);
      for (const metric of ['responseTime.mean', 'throughput']) {
        const expected = morrisFromTrials({
          scenario: SCENARIO,
          params: PARAMS,
          overrides: MORRIS_OVERRIDES,
          trajectories: TRAJECTORIES,
          levels: 4,
          metric,
          complete,
          trials,
        });
        const served = study.indices[metric] as { param: string; muStar: number; sigma: number | null }[];
        expect(served.map((x) => x.param)).toEqual(expected.map((x) => x.param.path));
        served.forEach((x, i) => {
          expect(x.muStar).toBeCloseTo(expected[i]!.muStar, 12);
          expect(x.sigma).toBeCloseTo(expected[i]!.sigma, 12);
        });
      }
      expect(await run.finish(), run.err()).toBe(0);
      // Ended: its result file holds the indices, and so-far serves it.
      await expectSoFarIsFinal(server.app, id);
      const result = (await server.app.inject(`/api/studies/${id}`)).json().study;
      const all = Array.from({ length: TRAJECTORIES }, (_, i) => i);
      const expected = morrisFromTrials({
        scenario: SCENARIO,
        params: PARAMS,
        overrides: MORRIS_OVERRIDES,
        trajectories: TRAJECTORIES,
        levels: 4,
        metric: 'responseTime.mean',
        complete: all,
        trials: await trialsOf(id),
      });
      expect(result.indices['responseTime.mean'].map((x: { muStar: number }) => x.muStar)).toEqual(
        expected.map((x) => x.muStar),
      );
    } finally {
      await run.stop();
    }
  }, 120_000);

  it("says how many points of a Sobol study's design are in, no indices before its end", async () => {
    const id = 'sobol-live';
    const run = start(id, '--method', 'sobol', '-n', '16');
    try {
      await run.holdWhen('some points in', () => doneIn(id) >= 8);
      const { study } = (await server.app.inject(`/api/studies/${id}/so-far`)).json();
      expect(study).toMatchObject({ kind: 'sensitivity', method: 'sobol', samples: 16, runs: 64 });
      expect(study).not.toHaveProperty('indices');
      expect(study.partial).toMatchObject({ of: 64, unit: 'points' });
      expect(study.partial.done).toBeGreaterThanOrEqual(8);
      expect(study.partial.done).toBeLessThan(64);
      // Its points so far are its store's trials (what the page shows as a table).
      expect((await trialsOf(id)).length).toBeGreaterThan(0);
      const listed = (await server.app.inject(`/api/studies/${id}/progress`)).json().progress;
      expect(listed.resultsSoFar).toBe(study.partial.done);
      expect(await run.finish(), run.err()).toBe(0);
      await expectSoFarIsFinal(server.app, id);
      expect(
        (await server.app.inject(`/api/studies/${id}`)).json().study.indices['responseTime.mean'].params,
      ).toHaveLength(2);
    } finally {
      await run.stop();
    }
  }, 120_000);

  it("serves a one-at-a-time study's curves over the points simulated so far, each its stored trial, then its final curves", async () => {
    const id = 'oat-live';
    // Each parameter over its levels around the scenario's own values (its centre, on both curves).
    const run = start(id, '--method', 'oat');
    interface Curve {
      param: string;
      range: number | null;
      bestLevel: number | null;
      points: { value: number; mean: number }[];
    }
    try {
      await run.holdWhen('some points in', () => doneIn(id) >= 3);
      const { study } = (await server.app.inject(`/api/studies/${id}/so-far`)).json();
      expect(study).toMatchObject({ kind: 'sensitivity', method: 'oat', partial: { unit: 'points' } });
      const { done, of } = study.partial as PartialDone;
      expect(done).toBeLessThan(of);
      const listed = (await server.app.inject(`/api/studies/${id}/progress`)).json().progress;
      expect(listed.resultsSoFar).toBe(done);
      // Each point of a curve is a stored trial (one replication: its value), the others at the centre.
      const trials = await trialsOf(id);
      const names: Record<string, string> = {
        'cloud.engine.pools.extract': 'extract',
        'cloud.engine.pools.http': 'http',
      };
      const center = Object.fromEntries(
        Object.entries(names).map(([param, name]) => [param, study.center[name] as number]),
      );
      for (const metric of ['responseTime.mean', 'throughput']) {
        const curves = study.curves[metric] as Curve[];
        expect(curves.map((c) => c.param)).toEqual(Object.keys(center));
        expect(curves.reduce((n, c) => n + c.points.length, 0)).toBe(done);
        for (const c of curves) {
          const other = Object.keys(center).find((p) => p !== c.param)!;
          for (const p of c.points) {
            const t = trials.find(
              (x) => x.config[names[c.param]!] === p.value && x.config[names[other]!] === center[other],
            );
            expect(t?.metrics[metric]).toBe(p.mean);
          }
          // Its range over the points it has so far (none: unknown).
          const means = c.points.map((p) => p.mean);
          expect(c.range).toBe(means.length ? Math.max(...means) - Math.min(...means) : null);
        }
      }
      expect(await run.finish(), run.err()).toBe(0);
      await expectSoFarIsFinal(server.app, id);
      // The final curves have every level (as many as were to come); the points served so far are among
      // them, unchanged.
      const result = (await server.app.inject(`/api/studies/${id}`)).json().study;
      expect(result.center).toEqual(study.center);
      for (const metric of ['responseTime.mean', 'throughput']) {
        const final = result.curves[metric] as Curve[];
        expect(final.reduce((n, c) => n + c.points.length, 0)).toBe(of);
        (study.curves[metric] as Curve[]).forEach((c, i) => {
          for (const p of c.points) expect(final[i]!.points).toContainEqual(expect.objectContaining(p));
        });
      }
    } finally {
      await run.stop();
    }
  }, 120_000);

  it('reads an older sensitivity progress.json (no document so far) as before: its trials, no so-far', async () => {
    const dir = path.join(runsDir, 'older-morris');
    mkdirSync(dir);
    writeProgressFile(path.join(dir, 'progress.json'), {
      kind: 'sensitivity',
      params: [{ name: 'extract', path: 'cloud.engine.pools.extract' }],
    });
    expect((await server.app.inject('/api/studies/older-morris/so-far')).statusCode).toBe(404);
    expect(
      (await server.app.inject('/api/studies/older-morris/progress')).json().progress.resultsSoFar,
    ).toBeNull();
    expect((await server.app.inject('/api/studies/older-morris/trials')).json()).toMatchObject({
      trials: [],
    });
    // A document so far whose `partial` is not a count reads as none so far.
    writeProgressFile(path.join(dir, 'progress.json'), {
      kind: 'sensitivity',
      soFar: { kind: 'sensitivity', method: 'morris', partial: { done: 'two' } },
    });
    expect((await server.app.inject('/api/studies/older-morris/progress')).json().progress.resultsSoFar).toBe(
      0,
    );
  });
});
