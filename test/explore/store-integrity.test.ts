import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExploreError } from '../../src/explore/errors.js';
import { InProcessRunner } from '../../src/explore/runner.js';
import { canonicalJson } from '../../src/explore/study-identity.js';
import { openStudy } from '../../src/explore/study.js';
import { sweepConfigs } from '../../src/explore/sweep.js';
import { flipped, liveTrialOffsets } from '../support/store-bytes.js';
import { POOL_PARAM, writeStudyFixture, type StudyFixture } from '../support/study-fixture.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-store-integrity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fixture: StudyFixture;
let pristine: Buffer;
let reference: string;

/** The fixture's grid study with its store in `outDir`: every replication's metrics as canonical JSON. */
async function results(outDir: string | undefined, fresh = false): Promise<string> {
  const study = openStudy({
    file: fixture.scenario,
    params: [POOL_PARAM],
    runner: new InProcessRunner(),
    ...(outDir ? { outDir, fresh } : {}),
  });
  try {
    const evaluations = await study.evaluator.evaluate(
      sweepConfigs(study, { design: 'grid' }).map((config) => ({ config })),
    );
    return canonicalJson(evaluations.map((e) => e.reps));
  } finally {
    study.close();
  }
}

/** Outcome of running the study on a store: its results, or the error it stopped with. */
async function outcome(dir: string): Promise<{ results: string } | { error: ExploreError }> {
  try {
    return { results: await results(dir) };
  } catch (err) {
    if (err instanceof ExploreError) return { error: err };
    throw err;
  }
}

function storeIn(name: string, bytes: Buffer): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'study.sqlite'), bytes);
  return dir;
}

/** Offsets in the file of every match of `re` (plus `shift`). */
const offsets = (bytes: Buffer, re: RegExp, shift = 0) =>
  [...bytes.toString('latin1').matchAll(re)].map((m) => m.index + shift);

beforeAll(async () => {
  fixture = writeStudyFixture(path.join(tmp, 'fixture'));
  reference = await results(undefined);
  const dir = path.join(tmp, 'pristine');
  expect(await results(dir)).toBe(reference);
  pristine = readFileSync(path.join(dir, 'study.sqlite'));
});

describe('the study store is checked: a damaged store is named, never read as results', () => {
  it('a single flipped bit anywhere — header, schema, identity, page structure, the trial rows — is detected or changes nothing', async () => {
    const pageSize = pristine.readUInt16BE(16);
    const pages = pristine.length / pageSize;
    // Digits of stored metric values (a flip keeps a valid number: the most dangerous case) and the checksums,
    // where live trial rows hold them.
    const { digits, checksums } = liveTrialOffsets(pristine, path.join(tmp, 'raw'));
    expect(digits.length).toBeGreaterThanOrEqual(8);
    expect(checksums.length).toBeGreaterThanOrEqual(4);
    const positions = [
      0,
      16,
      18,
      21,
      28,
      44,
      56,
      60,
      96, // file header: magic, page size, format versions, payload fraction, size, schema format, encoding, user version, SQLite version
      100,
      103,
      105, // page 1's b-tree header
      ...offsets(pristine, /CREATE TABLE trials/g, 15),
      ...offsets(pristine, /metrics TEXT/g, 2),
      ...offsets(pristine, /PRIMARY KEY \(config_key/g, 16),
      ...offsets(pristine, /"format":2/g, 9),
      ...offsets(pristine, /"inputs":\{"app model/g, 20),
      ...offsets(pristine, /identitySha256/g, 20),
      ...Array.from({ length: pages - 1 }, (_, i) => (i + 1) * pageSize).flatMap((p) => [
        p,
        p + 3,
        p + 5,
        p + 8,
      ]), // every other page's header
      ...digits,
      ...checksums,
      pristine.length - 1,
    ];
    const detected: number[] = [];
    for (const pos of positions) {
      const dir = storeIn(`flip-${pos}`, flipped(pristine, pos));
      const got = await outcome(dir);
      if ('results' in got) {
        expect(got.results, `flip at ${pos}: success with other results`).toBe(reference);
        continue;
      }
      detected.push(pos);
      expect(got.error.code, `flip at ${pos}: ${got.error.message}`).toBe('E2C_ERR_EXPLORE_STORE_CORRUPT');
      expect(got.error.message).toContain(path.join(dir, 'study.sqlite'));
      expect(got.error.hint).toMatch(/--fresh/);
      // --fresh deletes the damaged file without opening it, and the study comes out as it should.
      expect(await results(dir, true)).toBe(reference);
    }
    // A flip that changes what a live trial row holds is always caught, by the trial's checksum.
    for (const pos of [...digits, ...checksums]) expect(detected).toContain(pos);
    await expect(results(storeIn('one-digit', flipped(pristine, digits[0]!)))).rejects.toThrow(
      /has a damaged trial: configuration .* \(fidelity 0, replication \d, seed \d+\) fails its checksum/,
    );
    expect(detected.length).toBeGreaterThan(positions.length / 3);
  });

  it('a truncated store, a file that is not SQLite, and a folder in its place are named; --fresh recovers the files', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['half', pristine.subarray(0, Math.floor(pristine.length / 2) + 100), /is truncated or damaged/],
      [
        'one-page-short',
        pristine.subarray(0, pristine.length - pristine.readUInt16BE(16)),
        /is truncated \(\d+ bytes, its header counts \d+ pages/,
      ],
      ['header-only', pristine.subarray(0, 60), /is truncated \(60 bytes/],
      ['text', Buffer.from('trials,metrics\n1,2\n'), /is not a SQLite database/],
    ];
    for (const [name, bytes, message] of cases) {
      const dir = storeIn(name, bytes);
      const got = await outcome(dir);
      expect('error' in got && got.error.code, name).toBe('E2C_ERR_EXPLORE_STORE_CORRUPT');
      expect('error' in got && got.error.message, name).toMatch(message);
      expect(await results(dir, true), name).toBe(reference);
    }
    const dir = path.join(tmp, 'folder');
    mkdirSync(path.join(dir, 'study.sqlite'), { recursive: true });
    await expect(results(dir)).rejects.toThrow(/study\.sqlite is not a regular file/);
  });

  it('an untouched store resumes byte-identical results without simulating', async () => {
    const dir = storeIn('untouched', pristine);
    const runner = new InProcessRunner();
    const study = openStudy({ file: fixture.scenario, params: [POOL_PARAM], runner, outDir: dir });
    const got = canonicalJson(
      (
        await study.evaluator.evaluate(sweepConfigs(study, { design: 'grid' }).map((config) => ({ config })))
      ).map((e) => e.reps),
    );
    study.close();
    expect(runner.runs).toBe(0);
    expect(got).toBe(reference);
  });
});
