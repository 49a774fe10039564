import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExploreError } from '../../src/explore/errors.js';
import { flattenMetrics } from '../../src/explore/metrics.js';
import { PiscinaRunner } from '../../src/explore/piscina-runner.js';
import { InProcessRunner } from '../../src/explore/runner.js';
import { openStudy } from '../../src/explore/study.js';
import { sweepConfigs } from '../../src/explore/sweep.js';
import { simulate } from '../../src/model/index.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

const file = 'scenarios/plantnet.yaml';
const short = ['run.duration=200', 'run.warmup=50'];
const params = ['cloud.engine.pools.extract=2..7', 'cloud.engine.pools.download=10,40'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-explore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('trial runner and evaluator', () => {
  it("a configuration's replications are exactly what simulate() gives for the same overrides and seed", async () => {
    const study = openStudy({
      file,
      overrides: short,
      params: ['cloud.engine.pools.extract=4'],
      runner: new InProcessRunner(),
      replications: 2,
    });
    const [e] = await study.evaluator.evaluate([{ config: [4] }]);
    const { result } = simulate(
      loadScenarioOrThrow(file, { overrides: [...short, 'cloud.engine.pools.extract=4'] }),
      { replications: 2 },
    );
    expect(e!.reps).toEqual(result.perReplication.map(flattenMetrics));
    expect(e!.summary.mean['responseTime.mean']).toBeCloseTo(result.responseTime.mean, 12);
  });

  it('results are byte-identical with 1 and 2 worker threads (seeds from the configuration, not the worker or order)', async () => {
    const run = async (workers: number) => {
      const runner = new PiscinaRunner(workers);
      try {
        const study = openStudy({ file, overrides: short, params, runner, replications: 2 });
        const evals = await study.evaluator.evaluate(
          sweepConfigs(study, { design: 'grid' }).map((config) => ({ config })),
        );
        return JSON.stringify(evals.map((e) => [e.config, e.seed, e.reps]));
      } finally {
        await runner.close();
      }
    };
    const one = await run(1);
    expect(await run(2)).toBe(one);
    expect(JSON.parse(one)).toHaveLength(12);
  });

  it('common random numbers: configurations share seeds, so a field without effect changes nothing; independent seeds differ', async () => {
    // Never more than ~20 requests are in the engine here: 40 or 60 simsearch threads make no difference.
    const p2 = ['cloud.engine.pools.extract=2..7', 'cloud.engine.pools.simsearch=40,60'];
    const crn = openStudy({
      file,
      overrides: short,
      params: p2,
      runner: new InProcessRunner(),
      replications: 1,
    });
    const [a, b] = await crn.evaluator.evaluate([{ config: [5, 40] }, { config: [5, 60] }]);
    expect(a!.seed).toBe(b!.seed);
    expect(a!.summary.mean['responseTime.mean']).toBe(b!.summary.mean['responseTime.mean']);
    const ind = openStudy({
      file,
      overrides: short,
      params: p2,
      runner: new InProcessRunner(),
      replications: 1,
      seedMode: 'independent',
    });
    const [c, d] = await ind.evaluator.evaluate([{ config: [5, 40] }, { config: [5, 60] }]);
    expect(c!.seed).not.toBe(d!.seed);
    expect(c!.summary.mean['responseTime.mean']).not.toBe(d!.summary.mean['responseTime.mean']);
  });

  it('an interrupted study resumes from its store without redoing finished trials, and ends as an uninterrupted one', async () => {
    const configs = (s: ReturnType<typeof openStudy>) =>
      sweepConfigs(s, { design: 'grid' }).map((config) => ({ config }));
    // Uninterrupted reference, no store.
    const ref = openStudy({ file, overrides: short, params, runner: new InProcessRunner(), replications: 2 });
    const expected = JSON.stringify((await ref.evaluator.evaluate(configs(ref))).map((e) => e.reps));
    // Interrupted after 7 of 24 trials (as Ctrl-C does: abort the signal).
    const dir = path.join(tmp, 'resume');
    const controller = new AbortController();
    let done = 0;
    const first = openStudy({
      file,
      overrides: short,
      params,
      runner: new InProcessRunner(),
      replications: 2,
      outDir: dir,
      signal: controller.signal,
      onTrial: () => {
        if (++done === 7) controller.abort();
      },
    });
    await expect(first.evaluator.evaluate(configs(first))).rejects.toMatchObject({
      code: 'E2C_ERR_EXPLORE_INTERRUPTED',
    });
    first.close();
    // Resume.
    const runner = new InProcessRunner();
    const again = openStudy({ file, overrides: short, params, runner, replications: 2, outDir: dir });
    expect(again.store!.resumed).toBe(7);
    const got = JSON.stringify((await again.evaluator.evaluate(configs(again))).map((e) => e.reps));
    again.close();
    expect(runner.runs).toBe(24 - 7);
    expect(got).toBe(expected);
  });

  it('a study folder refuses trials of another scenario text, naming the part that changed (and --fresh discards them)', () => {
    const dir = path.join(tmp, 'mismatch');
    openStudy({ file, overrides: short, params, runner: new InProcessRunner(), outDir: dir }).close();
    const text = readFileSync(file, 'utf8').replace('mean: 17 }', 'mean: 12 }');
    expect(() =>
      openStudy({ file, text, overrides: short, params, runner: new InProcessRunner(), outDir: dir }),
    ).toThrow(ExploreError);
    expect(() =>
      openStudy({ file, text, overrides: short, params, runner: new InProcessRunner(), outDir: dir }),
    ).toThrow(
      /another version of the scenario; changed since they were stored: service edge\.users \(quantity, roles, workload, live\)$/,
    );
    openStudy({
      file,
      text,
      overrides: short,
      params,
      runner: new InProcessRunner(),
      outDir: dir,
      fresh: true,
    }).close();
  });
});
