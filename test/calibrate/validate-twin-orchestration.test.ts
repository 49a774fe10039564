import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CalibrateError,
  HeldOutError,
  prepareValidation,
  runValidation,
  type MeasureRequest,
  type ValidationInput,
} from '../../src/calibrate/index.js';
import { readMeasuredRun } from '../../src/run-folder/index.js';
import { repoRoot } from '../support/cli.js';

// validate-twin's orchestration without a testbed: `measure` is a fake that "measures" a configuration
// by copying the shipped campaign's run folder of that name (what a live run on the local testbed
// wrote), so the whole loop (measure or reuse, twin over the measured window, scoring) runs unprivileged.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-validate-orch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const campaign = path.join(repoRoot, 'calibration/local-testbed');
const shippedRuns = path.join(campaign, 'runs/held-out');
const names = ['u1', 'u4-d4', 'u7', 'u11', 'u14-x1', 'u18'];

function input(runsDir: string | undefined, over: Partial<ValidationInput> = {}): ValidationInput {
  return {
    scenarioFile: path.join(repoRoot, 'scenarios/local-testbed.yaml'),
    calibrationFile: path.join(campaign, 'params.yaml'),
    configsFile: path.join(campaign, 'held-out.yaml'),
    set: [],
    runsDir,
    canMeasure: true,
    log: () => {},
    ...over,
  };
}

/** A fake measurement: the shipped run folder of the configuration, copied where the run folder goes. */
function fakeMeasure(calls: MeasureRequest[], fail: Record<string, string> = {}) {
  return async (req: MeasureRequest) => {
    calls.push(req);
    if (fail[req.config.name]) return fail[req.config.name]!;
    cpSync(path.join(shippedRuns, req.config.name), req.dir, { recursive: true });
    return readMeasuredRun(req.dir);
  };
}

describe('validate-twin orchestration with a fake measure(config)', () => {
  it('measures each configuration without a run folder, in order, with its overrides, and scores it like the reused folders', async () => {
    const runs = path.join(tmp, 'measured');
    const calls: MeasureRequest[] = [];
    const v = prepareValidation(input(runs));
    const measured = await runValidation(v, { measure: fakeMeasure(calls), replications: 2, seed: 3 });
    expect(calls.map((c) => c.config.name)).toEqual(names);
    expect(calls[1]).toMatchObject({
      overrides: ['edge.users.workload.users=4', 'cloud.engine.pools.download=4'],
      dir: path.join(runs, 'u4-d4'),
      tag: '[2/6] u4-d4',
    });
    expect(measured.scored).toBe(6);
    expect(measured.report.missing).toEqual([]);
    // The same folders reused (no measure at all) give the same scores.
    const reused = await runValidation(prepareValidation(input(shippedRuns, { canMeasure: false })), {
      replications: 2,
      seed: 3,
    });
    expect(reused.report.configs.map((c) => c.name)).toEqual(names);
    expect(measured.report.configs.map(({ run: _r, ...c }) => c)).toEqual(
      reused.report.configs.map(({ run: _r, ...c }) => c),
    );
    expect(measured.report.overall).toEqual(reused.report.overall);
    // A second validation into the same folder measures nothing again (it resumes).
    const again: MeasureRequest[] = [];
    await runValidation(prepareValidation(input(runs)), { measure: fakeMeasure(again), replications: 1 });
    expect(again).toEqual([]);
  });

  it('a failed measurement leaves its configuration missing with the reason; an interruption stops measuring the rest', async () => {
    const calls: MeasureRequest[] = [];
    const r = await runValidation(prepareValidation(input(path.join(tmp, 'failing'))), {
      measure: fakeMeasure(calls, { u7: 'live run failed: cloud.engine@cloud-1 died during the run' }),
      replications: 1,
      stopped: () => (calls.length >= 4 ? 'not run: validation interrupted by SIGINT' : undefined),
    });
    expect(calls.map((c) => c.config.name)).toEqual(['u1', 'u4-d4', 'u7', 'u11']);
    expect(r.report.missing).toEqual([
      { name: 'u7', reason: 'live run failed: cloud.engine@cloud-1 died during the run' },
      { name: 'u14-x1', reason: 'not run: validation interrupted by SIGINT' },
      { name: 'u18', reason: 'not run: validation interrupted by SIGINT' },
    ]);
    expect(r.report.configs.map((c) => c.name)).toEqual(['u1', 'u4-d4', 'u11']);
  });

  it('a corrupt run folder is skipped and measured again; one of another configuration is refused', async () => {
    const runs = path.join(tmp, 'corrupt');
    mkdirSync(runs);
    cpSync(path.join(shippedRuns, 'u1'), path.join(runs, 'u1'), { recursive: true });
    writeFileSync(
      path.join(runs, 'u1', 'metrics.json'),
      readFileSync(path.join(runs, 'u1', 'metrics.json'), 'utf8').slice(0, 40),
    );
    const calls: MeasureRequest[] = [];
    const lines: string[] = [];
    const r = await runValidation(prepareValidation(input(runs, { log: (l) => lines.push(l) })), {
      measure: async (req) =>
        req.config.name === 'u1' ? (calls.push(req), 'still broken') : fakeMeasure([])(req),
      replications: 1,
    });
    expect(calls.map((c) => c.config.name)).toEqual(['u1']);
    expect(lines.some((l) => l.startsWith('[1/6] u1: skipped: ') && l.includes('metrics.json'))).toBe(true);
    expect(r.report.missing).toEqual([{ name: 'u1', reason: 'still broken' }]);

    const swapped = path.join(tmp, 'swapped');
    mkdirSync(swapped);
    cpSync(path.join(shippedRuns, 'u7'), path.join(swapped, 'u1'), { recursive: true });
    const err = await runValidation(prepareValidation(input(swapped, { canMeasure: false })), {
      replications: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalibrateError);
    expect(err).toMatchObject({ code: 'E2C_ERR_CALIBRATE_RUN_MISMATCH', badInput: true });
  });

  it('bad input is refused before anything is measured', () => {
    const at = (over: Partial<ValidationInput>) => {
      try {
        prepareValidation({ ...input(tmp), ...over });
      } catch (e) {
        return e instanceof CalibrateError ? e.code : e instanceof HeldOutError ? 'held-out' : String(e);
      }
      return 'ok';
    };
    expect(at({ calibrationFile: path.join(tmp, 'none.yaml') })).toBe('E2C_ERR_CALIBRATE_FILE_MISSING');
    expect(at({ canMeasure: false, runsDir: undefined })).toBe('E2C_ERR_CALIBRATE_NO_MEASUREMENTS');
    expect(at({ canMeasure: false, runsDir: path.join(tmp, 'absent') })).toBe(
      'E2C_ERR_CALIBRATE_FILE_MISSING',
    );
    expect(at({ runsDir: undefined })).toBe('E2C_ERR_CALIBRATE_NO_OUT');
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'configs:\n  - name: a\n    set: [edge.users.workload.users=0.5]\n');
    expect(at({ configsFile: bad })).toBe('held-out');
    expect(at({})).toBe('ok');
  });
});
