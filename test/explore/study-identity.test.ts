import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlatMetrics } from '../../src/explore/metrics.js';
import { InProcessRunner } from '../../src/explore/runner.js';
import { canonicalJson } from '../../src/explore/study-identity.js';
import { openStudy, type StudyOptions } from '../../src/explore/study.js';
import { sweepConfigs } from '../../src/explore/sweep.js';
import {
  CATEGORICAL_PARAM,
  edit,
  POOL_PARAM,
  writeStudyFixture,
  type StudyFixture,
} from '../support/study-fixture.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-study-identity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the fixture's grid; returns every replication's metrics (as JSON) and the runner's simulation count. */
async function sweep(
  f: StudyFixture,
  options: Partial<StudyOptions> & { outDir?: string } = {},
): Promise<{ reps: FlatMetrics[][]; runs: number; resumed: number }> {
  const runner = new InProcessRunner();
  const study = openStudy({ file: f.scenario, params: [POOL_PARAM], runner, ...options });
  try {
    const evaluations = await study.evaluator.evaluate(
      sweepConfigs(study, { design: 'grid' }).map((config) => ({ config })),
    );
    return { reps: evaluations.map((e) => e.reps), runs: runner.runs, resumed: study.store?.resumed ?? 0 };
  } finally {
    study.close();
  }
}

const means = (reps: FlatMetrics[][]) => reps.flat().map((m) => m['responseTime.mean']);

describe('study identity: the resolved scenario and every file it uses', () => {
  it('ignores absolute paths and comments: the same inputs in another folder resume', async () => {
    const f = writeStudyFixture(path.join(tmp, 'moved-a'));
    const out = path.join(tmp, 'moved-out');
    const first = await sweep(f, { outDir: out });
    expect(first.runs).toBe(4);
    const moved = path.join(tmp, 'moved-b');
    cpSync(f.dir, moved, { recursive: true });
    const g = { ...f, scenario: path.join(moved, 'scenario.yaml') };
    edit(g.scenario, 'seed: 5', '# a comment changes nothing simulated\nseed: 5');
    const again = await sweep(g, { outDir: out });
    expect(again).toEqual({ reps: first.reps, runs: 0, resumed: 4 });
  });

  for (const [what, file, change, part] of [
    [
      'the app file',
      'app',
      (f: StudyFixture) => edit(f.app, 'mean: 1 }', 'mean: 0.5 }'),
      /changed since they were stored: the app model of system\.station \(its app file or the calibration\)$/,
    ],
    [
      'the calibration file',
      'calibration',
      (f: StudyFixture) => edit(f.calibration, 'mean: 0.2 }', 'mean: 0.6 }'),
      /changed since they were stored: the app model of system\.station \(its app file or the calibration\)$/,
    ],
    // Every arrival of the trace twice as early (the scenario's timeScale stays 1).
    [
      'a trace CSV',
      'trace',
      (f: StudyFixture) =>
        writeFileSync(
          f.trace,
          readFileSync(f.trace, 'utf8').replace(/^[\d.]+$/gm, (t) => String(Number(t) / 2)),
        ),
      /changed since they were stored: the trace of outside\.replay$/,
    ],
  ] as const) {
    it(`refuses to resume after ${what} changed, names what changed, and --fresh gives the new numbers, never the old`, async () => {
      const f = writeStudyFixture(path.join(tmp, file));
      const out = path.join(tmp, `${file}-out`);
      const before = await sweep(f, { outDir: out });
      // Unchanged: resumes everything, identically.
      expect(await sweep(f, { outDir: out })).toEqual({ reps: before.reps, runs: 0, resumed: 4 });
      change(f);
      const refused = sweep(f, { outDir: out });
      await expect(refused).rejects.toMatchObject({
        code: 'E2C_ERR_EXPLORE_STUDY_MISMATCH',
        hint: expect.stringMatching(/--fresh.*another --out/),
      });
      await expect(refused).rejects.toThrow(part);
      await expect(refused).rejects.toThrow(
        new RegExp(
          `${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*study\\.sqlite holds trials of another version of the scenario`,
        ),
      );
      const fresh = await sweep(f, { outDir: out, fresh: true });
      expect(fresh.runs).toBe(4);
      // The new numbers are those of the edited inputs (a study without a store agrees) and none is an old one.
      const reference = await sweep(f);
      expect(canonicalJson(fresh.reps)).toBe(canonicalJson(reference.reps));
      for (const m of means(fresh.reps)) expect(means(before.reps)).not.toContain(m);
      // The fresh study resumes in turn.
      expect(await sweep(f, { outDir: out })).toEqual({ reps: fresh.reps, runs: 0, resumed: 4 });
    });
  }

  it('covers the files a categorical parameter names, level by level', async () => {
    const f = writeStudyFixture(path.join(tmp, 'categorical'));
    const out = path.join(tmp, 'categorical-out');
    const run = (extra: Partial<StudyOptions> = {}) => {
      const study = openStudy({
        file: f.scenario,
        params: [CATEGORICAL_PARAM],
        runner: new InProcessRunner(),
        outDir: out,
        ...extra,
      });
      study.close();
    };
    run();
    run();
    edit(f.app2, 'mean: 0.8 }', 'mean: 0.9 }');
    expect(() => run()).toThrow(
      /changed since they were stored: the scenario with system\.station\.app=\.\/station2\.yaml$/,
    );
  });

  it('refuses a store of the earlier format (its identity covered the scenario text only); --fresh replaces it', () => {
    const f = writeStudyFixture(path.join(tmp, 'old-format'));
    const out = path.join(tmp, 'old-format-out');
    mkdirSync(out, { recursive: true });
    const db = new Database(path.join(out, 'study.sqlite'));
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE trials (config_key TEXT NOT NULL, fidelity INTEGER NOT NULL, replication INTEGER NOT NULL, seed INTEGER NOT NULL,
        metrics TEXT NOT NULL, wall_ms REAL NOT NULL, finished_at TEXT NOT NULL, PRIMARY KEY (config_key, fidelity, replication, seed));`);
    db.prepare('INSERT INTO meta VALUES (?, ?)').run(
      'identity',
      JSON.stringify({ scenarioSha256: 'a'.repeat(64), overrides: [], version: 'dev' }),
    );
    db.prepare('INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      '1',
      0,
      0,
      1,
      '{"responseTime.mean":1}',
      1,
      '2026-01-01T00:00:00Z',
    );
    db.close();
    const open = (fresh: boolean) =>
      openStudy({
        file: f.scenario,
        params: [POOL_PARAM],
        runner: new InProcessRunner(),
        outDir: out,
        fresh,
      });
    expect(() => open(false)).toThrow(
      /holds trials of an earlier e2ctwin whose study identity did not cover the files a scenario uses/,
    );
    const study = open(true);
    expect(study.store!.resumed).toBe(0);
    study.close();
  });

  it('names other overrides and another e2ctwin version', () => {
    const f = writeStudyFixture(path.join(tmp, 'version'));
    const out = path.join(tmp, 'version-out');
    openStudy({
      file: f.scenario,
      params: [POOL_PARAM],
      runner: new InProcessRunner(),
      outDir: out,
      version: '1.0.0',
    }).close();
    expect(() =>
      openStudy({
        file: f.scenario,
        params: [POOL_PARAM],
        runner: new InProcessRunner(),
        outDir: out,
        version: '1.0.1',
      }),
    ).toThrow(/holds trials of e2ctwin 1\.0\.0 \(this is 1\.0\.1\)/);
    expect(() =>
      openStudy({
        file: f.scenario,
        params: [POOL_PARAM],
        runner: new InProcessRunner(),
        outDir: out,
        version: '1.0.0',
        overrides: ['run.requests=200'],
      }),
    ).toThrow(/other --set overrides \(none\)/);
  });
});
