import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  calibrationParams,
  checkOutFile,
  checkOutFolder,
  runFolderKind,
  runsRoot,
  RunFolderError,
  studyFolder,
  validationFolder,
  type OutKind,
} from '../../src/run-folder/index.js';

const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-out-path-')));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sim = runFolderKind('simulation');

/** The error code a check throws, or 'ok'. */
function verdict(check: () => unknown): string {
  try {
    check();
    return 'ok';
  } catch (e) {
    if (e instanceof RunFolderError) return e.code;
    throw e;
  }
}
const folder = (p: string, kind: OutKind = sim) =>
  verdict(() => checkOutFolder(p, { option: '--out', kind }));
const file = (p: string, kind: OutKind = calibrationParams) =>
  verdict(() => checkOutFile(p, { option: '-o', kind }));
const mk = (rel: string, files: Record<string, string> = {}) => {
  const dir = path.join(tmp, rel);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
};

describe('checkOutFolder()', () => {
  it('refuses kernel paths and special files, whatever leads there', () => {
    expect(folder('/proc/x')).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    expect(folder('/proc/self/fd/1/x')).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    expect(folder('/sys/x/y')).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    expect(folder('/dev/null')).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(folder(fifo)).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    const link = path.join(tmp, 'to-proc');
    symlinkSync('/proc/self', link);
    expect(folder(link)).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    expect(folder(path.join(link, 'sub'))).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
  });

  it('refuses a file, a path under a file, a dangling link and an empty path', () => {
    writeFileSync(path.join(tmp, 'plain.txt'), 'x');
    expect(folder(path.join(tmp, 'plain.txt'))).toBe('E2C_ERR_RUNFOLDER_OUT_NOT_FOLDER');
    expect(folder(path.join(tmp, 'plain.txt', 'run'))).toBe('E2C_ERR_RUNFOLDER_OUT_NOT_FOLDER');
    symlinkSync(path.join(tmp, 'nowhere'), path.join(tmp, 'dangling'));
    expect(folder(path.join(tmp, 'dangling'))).toBe('E2C_ERR_RUNFOLDER_OUT_NOT_FOLDER');
    expect(folder('')).toBe('E2C_ERR_RUNFOLDER_OUT_NOT_WRITABLE');
  });

  it('a run folder: new, empty, or a run folder of the same kind; never another non-empty folder', () => {
    expect(folder(path.join(tmp, 'new', 'deeper', 'run'))).toBe('ok');
    expect(folder(mk('empty'))).toBe('ok');
    expect(folder(mk('prev-sim', { 'run.json': '{"kind":"simulation"}', 'metrics.json': '{}' }))).toBe('ok');
    expect(folder(mk('docs', { 'notes.txt': 'mine' }))).toBe('E2C_ERR_RUNFOLDER_OUT_FOREIGN');
    expect(folder(mk('prev-live', { 'run.json': '{"kind":"live"}' }))).toBe('E2C_ERR_RUNFOLDER_OUT_FOREIGN');
    expect(folder(mk('bad-run-json', { 'run.json': '{"kind":' }))).toBe('E2C_ERR_RUNFOLDER_OUT_FOREIGN');
  });

  it('a message names the option, the path, what is there and the way out', () => {
    const dir = mk('named', { 'notes.txt': 'mine' });
    expect(() => checkOutFolder(dir, { option: '--out', kind: sim })).toThrow(
      `--out ${dir}: exists and is not a simulation run folder: it has no run.json; e2ctwin would replace it whole, so it is left alone (choose a new or empty folder, or remove this one first)`,
    );
  });

  it('follows a link to a folder and returns where to write', () => {
    const real = mk('real-run', { 'run.json': '{"kind":"simulation"}' });
    symlinkSync(real, path.join(tmp, 'link-run'));
    expect(checkOutFolder(path.join(tmp, 'link-run'), { option: '--out', kind: sim })).toEqual({
      path: real,
      exists: true,
    });
    expect(checkOutFolder(path.join(tmp, 'link-run', 'sub', 'x'), { option: '--out', kind: sim })).toEqual({
      path: path.join(real, 'sub', 'x'),
      exists: false,
    });
  });

  it('study, validation and runs folders: what each accepts', () => {
    expect(folder(mk('study', { 'study.sqlite': '' }), studyFolder)).toBe('ok');
    expect(folder(mk('not-study', { 'results.csv': '' }), studyFolder)).toBe('E2C_ERR_RUNFOLDER_OUT_FOREIGN');
    expect(folder(mk('validation', { 'validation.json': '{}' }), validationFolder)).toBe('ok');
    expect(folder(mk('validation-runs/runs'), validationFolder)).toBe('ok');
    expect(folder(path.join(tmp, 'validation-runs'), validationFolder)).toBe('ok');
    expect(folder(mk('not-validation', { 'x.json': '{}' }), validationFolder)).toBe(
      'E2C_ERR_RUNFOLDER_OUT_FOREIGN',
    );
    expect(folder(mk('any', { x: '1' }), runsRoot)).toBe('ok');
    expect(folder('/proc/runs', runsRoot)).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
  });
});

describe('checkOutFile()', () => {
  it('a params file: new, or one calibrate wrote; never a folder, a special file or another file', () => {
    expect(file(path.join(tmp, 'new-dir', 'params.yaml'))).toBe('ok');
    const ours = path.join(tmp, 'ours.yaml');
    writeFileSync(ours, '# Written by `e2ctwin calibrate runs/a -o ours.yaml`.\nservices: {}\n');
    expect(file(ours)).toBe('ok');
    const scenario = path.join(tmp, 'scenario.yaml');
    writeFileSync(scenario, 'name: mine\n');
    expect(file(scenario)).toBe('E2C_ERR_RUNFOLDER_OUT_FOREIGN');
    expect(file(mk('a-folder'))).toBe('E2C_ERR_RUNFOLDER_OUT_NOT_FILE');
    expect(file('/dev/zero')).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    expect(file('/proc/params.yaml')).toBe('E2C_ERR_RUNFOLDER_OUT_SPECIAL');
    expect(file(path.join(scenario, 'params.yaml'))).toBe('E2C_ERR_RUNFOLDER_OUT_NOT_FOLDER');
  });
});
