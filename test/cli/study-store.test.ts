import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, runCliHere } from '../support/cli.js';
import { flipped, liveTrialOffsets } from '../support/store-bytes.js';
import { edit, POOL_PARAM, writeStudyFixture } from '../support/study-fixture.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-study-store-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('e2ctwin sweep: stale-free studies', () => {
  it('resumes only unchanged inputs, names a changed file and a damaged store (exit 2), and --fresh recovers', async () => {
    const f = writeStudyFixture(path.join(tmp, 'fixture'));
    const out = path.join(tmp, 'study');
    const store = path.join(out, 'study.sqlite');
    const sweep = (...extra: string[]) =>
      runCliHere(['sweep', f.scenario, '-p', POOL_PARAM, '-w', '0', '--no-progress', '--out', out, ...extra]);
    const csv = () => readFileSync(path.join(out, 'results.csv'), 'utf8');
    const refused = (r: CliResult, code: string, message: RegExp) => {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(code);
      expect(r.stderr).toMatch(/--fresh/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    };

    const first = await sweep();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('4 trials simulated, 0 resumed');
    const before = csv();

    const unchanged = await sweep();
    expect(unchanged.status, unchanged.stderr).toBe(0);
    expect(unchanged.stderr).toContain('0 trials simulated, 4 resumed');
    expect(csv()).toBe(before);

    // The app file the scenario names by path changes: no resume, no old numbers.
    edit(f.app, 'mean: 1 }', 'mean: 0.5 }');
    const stale = await sweep();
    refused(
      stale,
      'E2C_ERR_EXPLORE_STUDY_MISMATCH',
      new RegExp(
        `${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds trials of another version of the scenario; changed since they were stored: the app model of system\\.station \\(its app file or the calibration\\)`,
      ),
    );
    expect(csv()).toBe(before);
    const fresh = await sweep('--fresh');
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain('4 trials simulated, 0 resumed');
    const after = csv();
    expect(after).not.toBe(before);
    const means = (text: string) =>
      text
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split(',')[3]);
    for (const m of means(after)) expect(means(before)).not.toContain(m);

    // A flipped bit in a stored value: named (file and trial), exit 2; --fresh rebuilds the same results.
    const pristine = readFileSync(store);
    const { digits } = liveTrialOffsets(pristine, path.join(tmp, 'raw'));
    writeFileSync(store, flipped(pristine, digits[0]!));
    refused(
      await sweep(),
      'E2C_ERR_EXPLORE_STORE_CORRUPT',
      /study\.sqlite has a damaged trial: configuration .* \(fidelity 0, replication \d, seed \d+\) fails its checksum/,
    );
    expect((await sweep('--fresh')).status).toBe(0);
    expect(csv()).toBe(after);

    // A truncated store and a file that is not SQLite at all.
    writeFileSync(store, readFileSync(store).subarray(0, 4096 * 2));
    refused(await sweep(), 'E2C_ERR_EXPLORE_STORE_CORRUPT', /study\.sqlite is truncated/);
    writeFileSync(store, 'not a database\n');
    refused(await sweep(), 'E2C_ERR_EXPLORE_STORE_CORRUPT', /study\.sqlite is not a SQLite database/);
    const recovered = await sweep('--fresh');
    expect(recovered.status, recovered.stderr).toBe(0);
    expect(csv()).toBe(after);
  });
});
