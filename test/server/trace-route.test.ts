import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';

// The timeline's trace is sent as the span lines read from the file (not serialized again) and the last
// one is kept while its file is unchanged: what is sent must still be the file's spans, checked.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-trace-route-'));
const runsDir = path.join(tmp, 'runs');
const dir = path.join(runsDir, 'a-run');
let app: FastifyInstance;

const header = {
  format: 'e2ctwin-trace',
  version: 1,
  source: 'simulation',
  scenario: 's',
  sampledRequests: 2,
};
const span = (request: number, start: number) => ({
  request,
  kind: 'request',
  name: 'request',
  service: 'api',
  host: 'api#0',
  start,
  end: start + 0.25,
  status: 'ok',
});
const write = (lines: unknown[], eol = '\n') =>
  writeFileSync(path.join(dir, 'trace.jsonl'), `${lines.map((l) => JSON.stringify(l)).join(eol)}${eol}`);

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ kind: 'simulation', scenario: 's' }));
  app = await buildApp({ runsDir, maxRunningSimulations: 1 });
});
afterAll(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('GET /api/runs/:id/trace', () => {
  it('sends the header and every span of the file as JSON, CRLF lines and blank lines included', async () => {
    const spans = [span(0, 1e-7), span(1, 3.5)];
    write([header, ...spans], '\r\n');
    const r = await app.inject('/api/runs/a-run/trace');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.json()).toEqual({ header, spans });
  });

  it('sends the new spans once the file changes, and refuses a file that became invalid', async () => {
    const spans = [span(0, 1), span(1, 2), span(2, 3)];
    write([header, ...spans]);
    expect((await app.inject('/api/runs/a-run/trace')).json()).toEqual({ header, spans });
    write([header, { ...span(3, 4), start: 'late' }]);
    const bad = await app.inject('/api/runs/a-run/trace');
    expect(bad.statusCode).toBe(500);
    expect(bad.json().code).toBe('E2C_ERR_SERVER_RUN_FILE_INVALID');
    expect(bad.json().message).toContain('trace.jsonl line 2');
  });
});
