// A running capacity search's results so far as the browser's API serves them: its coordinator keeps in
// progress.json result.json's document over the loads decided so far (the configurations searched, the one
// under way with the bracket its steps give, those still waiting), `partial` counting the loads decided.
// A real `e2ctwin capacity` comparing two configurations, held still (SIGSTOP) while it is read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPACITY_SEARCH } from '../support/study-commands.js';
import { HeldStudy, partialDone } from '../support/held-study.js';
import { expectSoFarIsFinal, studyApp } from '../support/study-app.js';

const server = studyApp('e2ctwin-study-so-far-capacity-');

interface Step {
  load: number;
  replications: number;
  mean: number;
  halfWidth: number | null;
  throughput: number;
  verdict: string;
}
interface Config {
  label: string;
  overrides: string[];
  capacity: number | null;
  firstFailure: number | null;
  uncertain: boolean;
  atCapacity: { mean: number; replications: number } | null;
  steps: Step[];
  state?: string;
}

const meets = (s: Step) => s.verdict.startsWith('meets');

describe('GET /api/studies/:id/so-far of a running capacity search', () => {
  it('serves the loads decided so far with the bracket they give, the final search going on from them', async () => {
    const id = 'capacity-live';
    const dir = path.join(server.runsDir, id);
    // Two configurations, loads of 2,000 s on one worker: each step about a second, a few dozen in all.
    const run = HeldStudy.oneWorker(CAPACITY_SEARCH, dir);
    try {
      await run.holdWhen('some loads decided', () => partialDone(dir) >= 3);
      const { app } = server;
      const res = await app.inject(`/api/studies/${id}/so-far`);
      expect(res.statusCode).toBe(200);
      const { study } = res.json() as {
        study: { configs: Config[]; partial: { done: number; unit: string; configurations: unknown } };
      };
      expect(study).toMatchObject({
        kind: 'capacity',
        scenario: 'plantnet',
        slo: 'responseTime.p95 <= 4',
        load: expect.stringMatching(/^edge\.users\./),
        partial: { unit: 'loads' },
      });
      const { configs, partial } = study;
      expect(configs.map((c) => c.label)).toEqual(['extract7', 'extract8']);
      // The loads decided so far are the steps listed; the list polled every second counts them.
      expect(partial.done).toBe(configs.reduce((n, c) => n + c.steps.length, 0));
      expect(partial.done).toBeGreaterThanOrEqual(3);
      const listed = (await app.inject(`/api/studies/${id}/progress`)).json().progress;
      expect(listed.resultsSoFar).toBe(partial.done);
      // Searched, then one under way, then waiting (with no steps yet).
      const states = configs.map((c) => c.state);
      const under = states.indexOf('searching');
      expect(under).toBeGreaterThanOrEqual(0);
      expect(states.slice(0, under).every((s) => s === 'done')).toBe(true);
      expect(states.slice(under + 1).every((s) => s === 'waiting')).toBe(true);
      expect(partial.configurations).toEqual({ done: under, of: 2 });
      for (const c of configs.slice(under + 1)) expect(c.steps).toEqual([]);
      // The one under way: its bracket is its largest load met and its smallest load failed so far.
      const searching = configs[under]!;
      const met = searching.steps.filter(meets).map((s) => s.load);
      const failed = searching.steps.filter((s) => !meets(s)).map((s) => s.load);
      expect(searching.capacity).toBe(met.length ? Math.max(...met) : null);
      expect(searching.firstFailure).toBe(failed.length ? Math.min(...failed) : null);
      if (met.length) expect(Math.max(...met)).toBeLessThan(Math.min(...failed, Infinity));

      expect(await run.finish(), run.err()).toBe(0);
      // Ended: result.json holds the configurations, and so-far serves it.
      await expectSoFarIsFinal(app, id);
      const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as { configs: Config[] };
      expect(result.configs.map((c) => c.state)).toEqual([undefined, undefined]);
      // The search is deterministic: the steps served were how each search began, the capacities found lie
      // in the brackets served, and a configuration searched before was served as it ends.
      configs.forEach((c, i) => {
        const final = result.configs[i]!;
        expect(final.steps.slice(0, c.steps.length)).toEqual(c.steps);
        if (c.state === 'done') expect(final).toEqual({ ...c, state: undefined });
        if (c.capacity !== null) expect(final.capacity).toBeGreaterThanOrEqual(c.capacity);
        if (c.firstFailure !== null) expect(final.firstFailure).toBeLessThanOrEqual(c.firstFailure);
      });
    } finally {
      await run.stop();
    }
  }, 180_000);
});
