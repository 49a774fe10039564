import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../src/run-folder/json-error-offset.js';
import {
  readMeasuredRun,
  readRecordedRun,
  readRunJson,
  readRunTrace,
  RunFolderError,
} from '../../src/run-folder/index.js';
import { repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// A shipped live run folder (run.json, metrics.json, trace.jsonl.gz, scenario.resolved.json).
const shipped = path.join(repoRoot, 'calibration/local-testbed/runs/held-out/u7');

/** A copy of the shipped run folder, with one file changed by `edit`. */
function corrupted(name: string, edit: (dir: string) => void): string {
  const dir = path.join(tmp, name);
  cpSync(shipped, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** The RunFolderError a read throws: its code and where. */
function failure(read: () => unknown): {
  code: string;
  message: string;
  file: string;
  line?: number;
  column?: number;
  field?: string;
} {
  try {
    read();
  } catch (e) {
    if (e instanceof RunFolderError) return { code: e.code, message: e.message, ...e.where };
    throw e;
  }
  throw new Error('expected the read to fail');
}

describe('jsonErrorOffset()', () => {
  it('finds the offset V8 states, where it states one', () => {
    const cases = [
      '{"a":1,}',
      '{x',
      '{"a":\n  1\n  2}',
      '[1,2',
      '{"a":"line\nbreak"}',
      '{"a":1} x',
      '"\\q"',
      '[01]',
      '{"a" 1}',
      '{"a": "\\u12G4"}',
    ];
    for (const text of cases) {
      let stated: number | undefined;
      try {
        JSON.parse(text);
      } catch (e) {
        stated = Number(/at position (\d+)/.exec((e as Error).message)?.[1]);
      }
      expect(stated, text).toBeGreaterThanOrEqual(0);
      expect(jsonErrorOffset(text), text).toBe(stated);
    }
  });

  it('locates the errors V8 only quotes: a token where a value belongs, a trailing comma in an array', () => {
    expect(jsonErrorOffset('{"a": ,}')).toBe(6);
    expect(jsonErrorOffset('[1,]')).toBe(3);
    expect(jsonErrorOffset('{"a": [1, 2, {"b": tru}]}')).toBe(22); // the '}' that breaks "true"
    expect(jsonErrorOffset(`${'['.repeat(100_000)}`)).toBe(100_000); // deep nesting: no stack overflow
  });
});

describe('reading run folders', () => {
  it('the shipped live run reads as a measurement', () => {
    const m = readMeasuredRun(shipped);
    if (typeof m === 'string') throw new Error(m);
    expect(m.durationS).toBe(40);
    expect(m.spans.length).toBeGreaterThan(100);
  });

  it('bad JSON names the file, the line and the column', () => {
    const dir = corrupted('bad-json', (d) =>
      writeFileSync(path.join(d, 'metrics.json'), '{\n  "responseTime": {\n    "mean": 0.5,\n  }\n}\n'),
    );
    expect(failure(() => readMeasuredRun(dir))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_JSON',
      file: path.join(dir, 'metrics.json'),
      line: 4,
      column: 3,
    });
    // Cut short after a complete field, as a write interrupted by a full disk would leave it.
    const cut = corrupted('truncated', (d) => {
      const text = readFileSync(path.join(shipped, 'run.json'), 'utf8');
      writeFileSync(path.join(d, 'run.json'), text.slice(0, text.indexOf('"scenario"')));
    });
    const f = failure(() => readMeasuredRun(cut));
    expect(f).toMatchObject({ code: 'E2C_ERR_RUNFOLDER_READ_JSON', file: path.join(cut, 'run.json') });
    expect(f.message).toMatch(/run\.json:4:3: not valid JSON: expected double-quoted property name$/);
    const empty = corrupted('empty', (d) => writeFileSync(path.join(d, 'run.json'), ''));
    expect(failure(() => readMeasuredRun(empty)).message).toBe(
      `${path.join(empty, 'run.json')}:1:1: not valid JSON: the text ends early`,
    );
  });

  it('a field of the wrong type, or missing, names the field', () => {
    const dir = corrupted('shape', (d) => {
      const m = JSON.parse(readFileSync(path.join(d, 'metrics.json'), 'utf8'));
      m.responseTime.p95 = 'fast';
      writeFileSync(path.join(d, 'metrics.json'), JSON.stringify(m));
    });
    expect(failure(() => readMeasuredRun(dir))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
      file: path.join(dir, 'metrics.json'),
      field: 'responseTime.p95',
    });
    const noWindow = corrupted('no-duration', (d) => {
      const r = JSON.parse(readFileSync(path.join(d, 'run.json'), 'utf8'));
      delete r.durationS;
      r.windows[1].end = 'late';
      writeFileSync(path.join(d, 'run.json'), JSON.stringify(r));
    });
    expect(failure(() => readMeasuredRun(noWindow))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
      file: path.join(noWindow, 'run.json'),
      field: 'durationS',
    });
  });

  it('a missing metrics.json or trace is named', () => {
    const dir = corrupted('no-metrics', (d) => rmSync(path.join(d, 'metrics.json')));
    expect(failure(() => readMeasuredRun(dir))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_MISSING',
      file: path.join(dir, 'metrics.json'),
    });
    const noTrace = corrupted('no-trace', (d) => rmSync(path.join(d, 'trace.jsonl.gz')));
    expect(failure(() => readMeasuredRun(noTrace)).message).toContain(
      `${path.join(noTrace, 'trace.jsonl')}: no such file (nor trace.jsonl.gz)`,
    );
  });

  it('a trace line that does not parse, or a span with a bad field, is located by line', () => {
    const text = gunzipSync(readFileSync(path.join(shipped, 'trace.jsonl.gz')))
      .toString('utf8')
      .split('\n');
    const badLine = corrupted('trace-line', (d) => {
      const lines = [...text];
      lines[5] = lines[5]!.slice(0, 20);
      writeFileSync(path.join(d, 'trace.jsonl.gz'), gzipSync(lines.join('\n')));
    });
    expect(failure(() => readRunTrace(badLine))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_JSON',
      file: path.join(badLine, 'trace.jsonl.gz'),
      line: 6,
      column: 21,
    });
    const badSpan = corrupted('trace-span', (d) => {
      const lines = [...text];
      lines[3] = JSON.stringify({ ...JSON.parse(lines[3]!), end: 'soon' });
      writeFileSync(path.join(d, 'trace.jsonl'), lines.join('\n'));
    });
    expect(failure(() => readRunTrace(badSpan))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
      file: path.join(badSpan, 'trace.jsonl'),
      line: 4,
      field: 'end',
    });
    const notTrace = corrupted('trace-header', (d) =>
      writeFileSync(path.join(d, 'trace.jsonl'), '{"format":"other"}\n'),
    );
    expect(failure(() => readRunTrace(notTrace))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
      line: 1,
    });
    const notGzip = corrupted('trace-gzip', (d) =>
      writeFileSync(path.join(d, 'trace.jsonl.gz'), 'plain text'),
    );
    expect(failure(() => readRunTrace(notGzip))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_GZIP',
      file: path.join(notGzip, 'trace.jsonl.gz'),
    });
  });

  it("a live request that failed (the driver's status for no answer) reads; an unknown status does not", () => {
    const text = gunzipSync(readFileSync(path.join(shipped, 'trace.jsonl.gz')))
      .toString('utf8')
      .split('\n');
    const i = text.findIndex((l) => l.includes('"kind":"request"'));
    const withStatus = (name: string, status: string) =>
      corrupted(name, (d) => {
        const lines = [...text];
        lines[i] = JSON.stringify({ ...JSON.parse(lines[i]!), status });
        writeFileSync(path.join(d, 'trace.jsonl.gz'), gzipSync(lines.join('\n')));
      });
    const failed = readRunTrace(withStatus('trace-failed', 'failed'))!;
    expect(failed.spans.filter((s) => s.status === 'failed')).toHaveLength(1);
    expect(failure(() => readRunTrace(withStatus('trace-lost', 'lost')))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
      line: i + 1,
      field: 'status',
    });
  });

  it('a FIFO or a folder in place of a file is refused without reading it (no hang)', () => {
    const dir = path.join(tmp, 'special');
    mkdirSync(dir);
    execFileSync('mkfifo', [path.join(dir, 'run.json')]);
    expect(failure(() => readRunJson(path.join(dir, 'run.json'))).code).toBe(
      'E2C_ERR_RUNFOLDER_READ_NOT_FILE',
    );
    mkdirSync(path.join(dir, 'metrics.json'));
    expect(failure(() => readRunJson(path.join(dir, 'metrics.json'))).message).toContain(
      'is a folder, not a file',
    );
  });

  it('a recorded run (what calibrate --fit-factors re-simulates) needs its resolved scenario, run.json and metrics.json', () => {
    expect(readRecordedRun(shipped)).toMatchObject({ kind: 'live', durationS: 40, warmupS: 8 });
    const dir = corrupted('recorded', (d) =>
      writeFileSync(path.join(d, 'scenario.resolved.json'), '{"name": "x", "services": []}'),
    );
    expect(failure(() => readRecordedRun(dir))).toMatchObject({
      code: 'E2C_ERR_RUNFOLDER_READ_SHAPE',
      file: path.join(dir, 'scenario.resolved.json'),
      field: 'seed',
    });
  });
});
