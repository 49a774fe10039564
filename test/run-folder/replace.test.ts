import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverCrashed, replaceFile, replaceFolder } from '../../src/run-folder/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-replace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The files of a folder with their text, sorted (the whole state a reader would see). */
const contents = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
  );
/** A pid that no process has any more (a child that ran and exited). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

describe('replaceFolder()', () => {
  it('replaces an existing folder whole: files of the previous one do not remain', () => {
    const dir = path.join(tmp, 'whole');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'metrics.json'), 'old');
    writeFileSync(path.join(dir, 'stale.txt'), 'from an older run');
    replaceFolder(dir, (t) => writeFileSync(path.join(t, 'metrics.json'), 'new'));
    expect(contents(dir)).toEqual({ 'metrics.json': 'new' });
    expect(readdirSync(tmp).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('a write that fails half-way leaves the previous folder exactly as it was, and no sibling behind', () => {
    const dir = path.join(tmp, 'failing');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'run.json'), '{"kind":"simulation"}');
    writeFileSync(path.join(dir, 'metrics.json'), 'old metrics');
    const before = contents(dir);
    expect(() =>
      replaceFolder(dir, (t) => {
        writeFileSync(path.join(t, 'run.json'), '{"kind":"simulation","new":true}');
        throw new Error('disk full (simulated)');
      }),
    ).toThrow('disk full (simulated)');
    expect(contents(dir)).toEqual(before);
    expect(readdirSync(tmp).filter((e) => e.includes('failing.e2ctwin-'))).toEqual([]);
  });

  it('creates a missing folder and its parents', () => {
    const dir = path.join(tmp, 'a', 'b', 'new-run');
    replaceFolder(dir, (t) => writeFileSync(path.join(t, 'x'), '1'));
    expect(contents(dir)).toEqual({ x: '1' });
  });

  it('after a killed writer: its half-written sibling is removed, and a previous folder moved aside is put back', () => {
    const parent = path.join(tmp, 'crashed');
    mkdirSync(parent);
    const dir = path.join(parent, 'run');
    const pid = deadPid();
    // Killed while writing: a partial `new` sibling, the folder itself intact.
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'metrics.json'), 'complete');
    mkdirSync(path.join(parent, `.run.e2ctwin-new-${pid}-0000abcd`));
    recoverCrashed(dir);
    expect(readdirSync(parent)).toEqual(['run']);
    // Killed between the two renames: the folder is missing, the complete previous one is aside.
    rmSync(dir, { recursive: true });
    const aside = path.join(parent, `.run.e2ctwin-old-${pid}-0000abcd`);
    mkdirSync(aside);
    writeFileSync(path.join(aside, 'metrics.json'), 'previous');
    recoverCrashed(dir);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(contents(dir)).toEqual({ 'metrics.json': 'previous' });
  });

  it('leaves the siblings of a writer that is still running alone', () => {
    const parent = path.join(tmp, 'running');
    mkdirSync(parent);
    const sibling = path.join(parent, `.run.e2ctwin-new-${process.ppid}-0000abcd`);
    mkdirSync(sibling);
    recoverCrashed(path.join(parent, 'run'));
    expect(existsSync(sibling)).toBe(true);
  });
});

describe('replaceFile()', () => {
  it('replaces a file by a rename: the old text or the new, never a mix; no temporary file stays', () => {
    const file = path.join(tmp, 'params.yaml');
    writeFileSync(file, 'old: 1\n'.repeat(1000));
    replaceFile(file, 'new: 2\n');
    expect(readFileSync(file, 'utf8')).toBe('new: 2\n');
    expect(readdirSync(tmp).filter((e) => e.includes('params.yaml.e2ctwin-'))).toEqual([]);
  });

  it('a failed write leaves the old file', () => {
    const file = path.join(tmp, 'kept.yaml');
    writeFileSync(file, 'kept\n');
    // Data that writeFileSync refuses: the write fails before the rename.
    expect(() => replaceFile(file, { length: -1 } as unknown as Uint8Array)).toThrow();
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    expect(readdirSync(tmp).filter((e) => e.includes('kept.yaml.e2ctwin-'))).toEqual([]);
  });
});
