import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  readRunTrace,
  readRunTraceInSlices,
  TRACE_OVERVIEW_FILE,
  traceFiles,
} from '../../src/run-folder/index.js';
import { buildApp } from '../../src/server/index.js';
import { OVERVIEW_SPANS, type SpanRecord } from '../../src/trace/index.js';
import { syntheticSpans } from '../support/synthetic-trace.js';

// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const SPAN_COLUMNS = '../../web/lib/span-columns.js';
const { withSpans } = (await import(SPAN_COLUMNS)) as { withSpans: (answer: unknown) => unknown };

// A run folder whose trace holds more spans than the browser's first frame keeps the overview of it
// beside it (trace.overview.json.gz): a server that has not read the trace answers the first frame from it,
// byte for byte what it would compute from the trace, and only while the file was made from this very
// trace. E2CTWIN_TRACE_OVERVIEW=off turns that path off (compared here).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-trace-overview-'));
const runsDir = path.join(tmp, 'runs');
const header = { source: 'simulation' as const, scenario: 's', sampledRequests: 6000 };
// 24,000 spans: more than an overview holds.
const spans: SpanRecord[] = syntheticSpans(6000);

function writeRun(id: string, list: SpanRecord[]): string {
  const dir = path.join(runsDir, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ kind: 'simulation', scenario: 's' }));
  for (const [name, text] of traceFiles(header, list)) writeFileSync(path.join(dir, name), text);
  return dir;
}

let on: FastifyInstance;
let off: FastifyInstance;
beforeAll(async () => {
  writeRun('big', spans);
  writeRun('small', spans.slice(0, 300));
  on = await buildApp({ runsDir, maxRunningSimulations: 1 });
  process.env.E2CTWIN_TRACE_OVERVIEW = 'off';
  try {
    off = await buildApp({ runsDir, maxRunningSimulations: 1 });
  } finally {
    delete process.env.E2CTWIN_TRACE_OVERVIEW;
  }
});
afterAll(async () => {
  await on?.close();
  await off?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The page's first answer (overview=1: maxSpans=OVERVIEW_SPANS, spans as columns), or maxSpans alone. */
const overview = (app: FastifyInstance, id: string, maxSpans?: number) =>
  app.inject({
    url: `/api/runs/${id}/trace?${maxSpans === undefined ? 'overview=1' : `maxSpans=${maxSpans}`}`,
  });
const from = (r: { headers: Record<string, unknown> }) => String(r.headers['server-timing']).split(';')[0];

describe('the overview file beside a large trace', () => {
  it('is written only when the trace holds more spans than an overview', () => {
    expect(spans.length).toBeGreaterThan(OVERVIEW_SPANS);
    expect(existsSync(path.join(runsDir, 'big', TRACE_OVERVIEW_FILE))).toBe(true);
    expect(existsSync(path.join(runsDir, 'small', TRACE_OVERVIEW_FILE))).toBe(false);
  });

  it('answers the first overview as the trace would, byte for byte, then the trace is read for the windows', async () => {
    const fast = await overview(on, 'big');
    expect(fast.statusCode, fast.body).toBe(200);
    expect(from(fast)).toBe('overview-file');
    const slow = await overview(off, 'big');
    expect(from(slow)).toBe('trace');
    expect(fast.body).toBe(slow.body);
    const body = fast.json();
    expect(body.detail).toBe('merged');
    const { fields, columns } = body.columns as { fields: string[]; columns: (number | null)[][] };
    const merged = columns[fields.indexOf('merged')]!;
    expect(merged.reduce((n: number, m) => n + (m ?? 1), 0)).toBe(spans.length);
    // The same spans as the JSON API's (maxSpans=OVERVIEW_SPANS: span objects), once out of columns.
    const objects = (await overview(off, 'big', OVERVIEW_SPANS)).json();
    expect(withSpans(body)).toEqual(objects);
    // The file's gzip as it is (never compressed at request time), decompressed for a client refusing gzip.
    const file = readFileSync(path.join(runsDir, 'big', TRACE_OVERVIEW_FILE));
    const gz = await on.inject({
      url: '/api/runs/big/trace?overview=1',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.equals(file)).toBe(true);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(slow.body);
    // overview=1 is maxSpans=OVERVIEW_SPANS: the page does not state the number.
    const plain = await on.inject({ url: '/api/runs/big/trace?overview=1' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(slow.body);
    expect((await off.inject({ url: '/api/runs/big/trace?overview=1' })).body).toBe(slow.body);
    expect((await on.inject({ url: '/api/runs/big/trace?overview=1&maxSpans=5' })).statusCode).toBe(400);
    // Another maxSpans is not in the file: computed from the trace (read meanwhile in the background).
    const other = await overview(on, 'big', 500);
    expect(from(other)).toBe('trace');
    expect(other.body).toBe((await overview(off, 'big', 500)).body);
    // Once read, the server's own overview is as quick: the trace answers.
    expect(from(await overview(on, 'big'))).toBe('trace');
  });

  it('answers for the trace gzipped after writing (trace.jsonl.gz, as shipped live runs keep it)', async () => {
    const app = await buildApp({ runsDir, maxRunningSimulations: 1 });
    try {
      const dir = writeRun('gzipped', spans);
      const file = path.join(dir, 'trace.jsonl');
      writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
      rmSync(file);
      const r = await overview(app, 'gzipped');
      expect(from(r)).toBe('overview-file');
      expect(r.body).toBe((await overview(off, 'big')).body);
      // Another content gzipped: the hash of what it decompresses to tells.
      const d2 = writeRun('gzipped-edited', spans);
      const f2 = path.join(d2, 'trace.jsonl');
      writeFileSync(`${f2}.gz`, gzipSync(readFileSync(f2, 'utf8').replace('"upload"', '"uplaod"')));
      rmSync(f2);
      expect(from(await overview(app, 'gzipped-edited'))).toBe('trace');
    } finally {
      await app.close();
    }
  });

  it('is not used once the trace changed: the overview is computed from the trace as it is now', async () => {
    const app = await buildApp({ runsDir, maxRunningSimulations: 1 });
    try {
      const dir = writeRun('edited', spans);
      const extra: SpanRecord = { ...spans[0]!, request: 99_999, start: 1000, end: 1001 };
      appendFileSync(path.join(dir, 'trace.jsonl'), `${JSON.stringify(extra)}\n`);
      const r = await overview(app, 'edited');
      expect(from(r)).toBe('trace');
      expect(r.json().totalSpans).toBe(spans.length + 1);
      // Same size, another content: the hash tells.
      const d2 = writeRun('same-size', spans);
      const file = path.join(d2, 'trace.jsonl');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"upload"', '"uplaod"'));
      expect(from(await overview(app, 'same-size'))).toBe('trace');
    } finally {
      await app.close();
    }
  });
});

describe('readRunTraceInSlices', () => {
  it('reads a trace as readRunTrace does, and fails on the same line', async () => {
    const dir = path.join(runsDir, 'big');
    expect(await readRunTraceInSlices(dir, { keepLines: true })).toEqual(
      readRunTrace(dir, { keepLines: true }),
    );
    const bad = writeRun('bad', spans);
    const file = path.join(bad, 'trace.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[15_001] = lines[15_001]!.replace('"start":', '"begin":');
    writeFileSync(file, lines.join('\n'));
    const sync = (() => {
      try {
        readRunTrace(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(sync).toBeInstanceOf(Error);
    await expect(readRunTraceInSlices(bad)).rejects.toThrow((sync as Error).message);
  });
});
