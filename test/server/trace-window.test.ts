import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { syntheticSpans } from '../support/synthetic-trace.js';

// The timeline asks for the trace in time windows: every span overlapping the window and none other,
// merged per track when there are more than maxSpans, compressed as the browser accepts.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-trace-window-'));
const runsDir = path.join(tmp, 'runs');
let app: FastifyInstance;

const header = {
  format: 'e2ctwin-trace',
  version: 1,
  source: 'simulation',
  scenario: 's',
  sampledRequests: 400,
};
// 400 requests, one every 0.25 s (see syntheticSpans).
const spans: SpanRecord[] = syntheticSpans(400);
const key = (s: SpanRecord) => `${s.request}/${s.kind}`;
const overlaps = (from: number, to: number) => spans.filter((s) => s.start <= to && s.end >= from);

beforeAll(async () => {
  const dir = path.join(runsDir, 'windowed');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ kind: 'simulation', scenario: 's' }));
  writeFileSync(
    path.join(dir, 'trace.jsonl'),
    `${[header, ...spans].map((l) => JSON.stringify(l)).join('\n')}\n`,
  );
  app = await buildApp({ runsDir, maxRunningSimulations: 1 });
});
afterAll(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (query: string, headers: Record<string, string> = {}) =>
  app.inject({ url: `/api/runs/windowed/trace${query}`, headers });

describe('GET /api/runs/:id/trace?from=&to=&maxSpans=', () => {
  it('returns every span overlapping the window, as written, and none outside it', async () => {
    for (const [from, to] of [
      [10.1, 12.3],
      [0, 0.5],
      [99.6, 200],
      [-5, -1],
      [42.2, 42.2],
    ] as const) {
      const r = await get(`?from=${from}&to=${to}`);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json();
      const want = overlaps(from, to);
      expect(body.detail).toBe('spans');
      expect(body.window).toEqual({ from, to });
      expect(body.spansInWindow).toBe(want.length);
      expect(body.totalSpans).toBe(spans.length);
      expect(body.extent).toEqual({ from: 0, to: Math.max(...spans.map((s) => s.end)) });
      expect(body.spans.map(key).sort()).toEqual(want.map(key).sort());
      expect(body.spans).toEqual(expect.arrayContaining(want));
    }
    // A window that cuts spans: some start before it, some end after it, all are there.
    const cut = (await get('?from=10.1&to=12.3')).json().spans as SpanRecord[];
    expect(cut.some((s) => s.start < 10.1) && cut.some((s) => s.end > 12.3)).toBe(true);
  });

  it('merges a window holding more than maxSpans spans into at most maxSpans, their counts adding up to the spans overlapping it', async () => {
    for (const maxSpans of [50, 200, 600]) {
      const r = await get(`?from=5&to=60&maxSpans=${maxSpans}`);
      const body = r.json();
      const want = overlaps(5, 60);
      expect(body.detail).toBe('merged');
      expect(body.spansInWindow).toBe(want.length);
      expect(body.spans.length).toBeLessThanOrEqual(maxSpans);
      expect(body.spans.reduce((n: number, s: { merged?: number }) => n + (s.merged ?? 1), 0)).toBe(
        want.length,
      );
      // Each merged span covers the spans it stands for: none reaches outside the overlapping spans' extent.
      const lo = Math.min(...want.map((s) => s.start));
      const hi = Math.max(...want.map((s) => s.end));
      for (const s of body.spans) expect(s.start >= lo && s.end <= hi && s.end >= s.start).toBe(true);
    }
    // The whole trace in one window (no from/to): the overview the page draws first.
    const all = (await get('?maxSpans=300')).json();
    expect(all.window).toEqual(all.extent);
    expect(all.spans.reduce((n: number, s: { merged?: number }) => n + (s.merged ?? 1), 0)).toBe(
      spans.length,
    );
    // Enough room: the spans themselves.
    expect((await get(`?maxSpans=${spans.length}`)).json().detail).toBe('spans');
  });

  it('gives all the spans of one request with ?request=', async () => {
    const body = (await get('?request=123')).json();
    expect(body.spans).toEqual(spans.filter((s) => s.request === 123));
    expect((await get('?request=100000')).json().spans).toEqual([]);
  });

  it.each([
    ['?from=abc', 'from'],
    ['?from=1&to=x', 'to'],
    ['?to=Infinity', 'to'],
    ['?from=', 'from'],
    ['?maxSpans=0', 'maxSpans'],
    ['?maxSpans=2.5', 'maxSpans'],
    ['?maxSpans=99999999999', 'maxSpans'],
    ['?from=5&to=4', 'from'],
    ['?request=1.5', 'request'],
    ['?request=3&from=1', 'request'],
  ])('answers %s with 400 E2C_ERR_SERVER_BAD_REQUEST naming %s', async (query, param) => {
    const r = await get(query);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      statusCode: 400,
      code: 'E2C_ERR_SERVER_BAD_REQUEST',
      error: 'Bad Request',
      param,
    });
    expect(typeof r.json().message).toBe('string');
  });

  it('compresses as Accept-Encoding asks (br first, then gzip, none when refused) and says so', async () => {
    const plain = await get('?from=0&to=50');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await get('?from=0&to=50', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    const gz = await get('?from=0&to=50', { 'accept-encoding': 'gzip;q=1, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    const none = await get('?from=0&to=50', { 'accept-encoding': 'identity, gzip;q=0' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body).toBe(plain.body);
    // The whole trace too, and again from the cache.
    const whole = (await get('')).body;
    for (let i = 0; i < 2; i++) {
      const z = await get('', { 'accept-encoding': 'gzip' });
      expect(z.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(z.rawPayload).toString()).toBe(whole);
    }
  });
});

describe('GET /api/runs/:id/trace/stats?from=&to=', () => {
  it('counts spans and requests in the range and gives mean and p95 durations per stage', async () => {
    const [from, to] = [20, 40];
    const body = (await app.inject('/api/runs/windowed/trace/stats?from=20&to=40')).json();
    const starts = (s: SpanRecord) => s.start >= from && s.start <= to;
    expect(body.spans).toBe(overlaps(from, to).length);
    expect(body.requestsStarted).toBe(spans.filter((s) => s.kind === 'request' && starts(s)).length);
    expect(body.requestsCompleted).toBe(
      spans.filter((s) => s.kind === 'request' && s.status === 'ok' && s.end >= from && s.end <= to).length,
    );
    const work = spans
      .filter((s) => s.kind === 'stage' && starts(s))
      .map((s) => s.end - s.start)
      .sort((a, b) => a - b);
    const infer = body.stages.find(
      (g: { kind: string; name: string }) => g.kind === 'stage' && g.name === 'infer',
    );
    expect(infer.count).toBe(work.length);
    expect(infer.meanS).toBeCloseTo(work.reduce((a, b) => a + b, 0) / work.length, 12);
    expect(infer.p95S).toBe(work[Math.ceil(0.95 * work.length) - 1]);
    expect(body.stages.map((g: { kind: string; name: string }) => `${g.kind}/${g.name}`).sort()).toEqual([
      'network/upload',
      'request/request',
      'stage/infer',
      'wait/infer',
    ]);
  });

  it('refuses a range that ends before it starts, and maxSpans', async () => {
    for (const q of ['?from=3&to=1', '?maxSpans=4']) {
      const r = await app.inject(`/api/runs/windowed/trace/stats${q}`);
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('E2C_ERR_SERVER_BAD_REQUEST');
    }
  });
});
