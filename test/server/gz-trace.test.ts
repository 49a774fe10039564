import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';

// A shipped live run keeps its trace compressed (trace.jsonl.gz), as the CLI reads it.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-gz-trace-'));
const runsDir = path.join(tmp, 'runs');
let app: FastifyInstance;

const header = { format: 'e2ctwin-trace', source: 'live', sampledRequests: 2 };
const spans = [
  { request: 0, kind: 'request', name: 'request', service: 'api', host: 'h1', start: 0.5, end: 0.9 },
  { request: 1, kind: 'stage', name: 'infer', service: 'api', host: 'h1', start: 1, end: 1.25 },
];

beforeAll(async () => {
  const dir = path.join(runsDir, 'shipped-live');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ kind: 'live', scenario: 'plantnet' }));
  const text = `${[header, ...spans].map((l) => JSON.stringify(l)).join('\n')}\n`;
  writeFileSync(path.join(dir, 'trace.jsonl.gz'), gzipSync(text));
  app = await buildApp({ runsDir, maxRunningSimulations: 1 });
});
afterAll(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a run folder with only trace.jsonl.gz', () => {
  it('gives its spans, is listed as having a trace and exports a Chrome trace', async () => {
    const r = await app.inject('/api/runs/shipped-live/trace');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ header, spans });
    const list = (await app.inject('/api/runs')).json();
    expect(list.runs.find((x: { id: string }) => x.id === 'shipped-live').hasTrace).toBe(true);
    const chrome = await app.inject('/api/runs/shipped-live/chrome-trace');
    expect(chrome.statusCode, chrome.body).toBe(200);
    expect(chrome.json().traceEvents.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a corrupt trace.jsonl.gz as an invalid run file, without paths of the machine', async () => {
    const dir = path.join(runsDir, 'corrupt-live');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ kind: 'live', scenario: 'plantnet' }));
    writeFileSync(path.join(dir, 'trace.jsonl.gz'), 'not gzip');
    const r = await app.inject('/api/runs/corrupt-live/trace');
    expect(r.statusCode).toBe(500);
    expect(r.json().code).toBe('E2C_ERR_SERVER_RUN_FILE_INVALID');
    expect(r.json().message).toContain('trace.jsonl.gz');
    expect(r.body).not.toContain(tmp);
  });
});
