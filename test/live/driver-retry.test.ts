import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drive } from '../../src/live/app/driver.js';
import { wallS } from '../../src/live/app/pool.js';
import type { DriverSpec } from '../../src/live/plan/types.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { until } from '../support/poll.js';

// The driver's retries with a per-attempt timeout (workload retry: attempts, backoffS, timeoutS), against
// a server on 127.0.0.1 that never answers the first attempts of a request. Outcomes are counted, and
// times are only checked from below (a timer never fires early, a loaded machine only makes things later).
const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-driver-retry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One closed-loop user sending to `url` with `extra` workload fields; spans to a file of their own. */
function spec(url: string, name: string, extra: Record<string, unknown>): DriverSpec {
  return {
    kind: 'driver',
    scenario: 't',
    service: 'edge.users',
    instances: [{ name: 'edge.users#0', index: 0 }],
    workload: {
      kind: 'closed',
      target: 'cloud.engine',
      users: 1,
      thinkTime: 0.05,
      startSpreadS: 0,
      ...extra,
    } as DriverSpec['workload'],
    target: 'cloud.engine',
    targetUrls: [url],
    items: 1,
    itemBytes: 10,
    requestBytes: 10,
    seed: 1,
    address: '127.0.0.1',
    imagePort: 1,
    spansFile: path.join(dir, `${name}.jsonl`),
    profileTimeScale: 1,
  };
}

const requestSpans = (s: DriverSpec) =>
  readFileSync(s.spansFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SpanRecord)
    .filter((x) => x.kind === 'request');

/**
 * A server that answers a request (by the id in its body) only at its `answerOn`-th attempt, and never
 * before: the client must give the earlier ones up. Records when each attempt arrived, and how many
 * connections the client closed before their answer.
 */
async function stubborn(answerOn: number) {
  const arrivals = new Map<number, number[]>();
  let closedUnanswered = 0;
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = (JSON.parse(body) as { request: number }).request;
      const seen = arrivals.get(id) ?? [];
      seen.push(wallS());
      arrivals.set(id, seen);
      res.on('close', () => {
        if (!res.writableFinished) closedUnanswered++;
      });
      if (seen.length >= answerOn) res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    arrivals,
    closedUnanswered: () => closedUnanswered,
    close: () => {
      srv.close();
      srv.closeAllConnections();
    },
  };
}

/** Timers may fire a fraction of a millisecond before their time on another clock. */
const EARLY = 0.005;

describe('driver retries with a per-attempt timeout', () => {
  it('gives up each attempt after timeoutS, closes its connection and sends it again after the doubling backoff: the third attempt is answered', async () => {
    const srv = await stubborn(3);
    try {
      const s = spec(srv.url, 'third', { retry: { attempts: 2, backoffS: 0.05, timeoutS: 0.2 } });
      const summary = await drive(s, { durationS: 1.2, drainS: 10 });
      const spans = requestSpans(s);
      expect(spans.length).toBeGreaterThan(0);
      expect(summary).toMatchObject({ sent: spans.length, ok: spans.length, abandoned: 0, failed: 0 });
      // One span per request, for the whole request: two attempts given up, two sent again.
      for (const x of spans) expect(x).toMatchObject({ status: 'ok', retries: 2, timedOut: 2 });
      expect(summary.retries).toBe(2 * spans.length);
      expect(summary.timedOut).toBe(2 * spans.length);
      // Every attempt went to the only instance.
      expect(summary.perTarget).toEqual([3 * spans.length]);
      for (const x of spans) {
        const at = srv.arrivals.get(x.request)!;
        expect(at).toHaveLength(3);
        // Attempt k+1 leaves timeoutS + backoffS·2^k after attempt k at the earliest, so it reaches the
        // server no sooner than that after the first send (the span's start, on the same clock). Gaps
        // between arrivals would not do: a busy server stamps an arrival late, and the next one on time
        // (CI: 0.232 s between the first two, where the sends were ≥ 0.25 s apart).
        expect(at[1]! - x.start).toBeGreaterThanOrEqual(0.2 + 0.05 - EARLY);
        expect(at[2]! - x.start).toBeGreaterThanOrEqual(0.2 + 0.05 + 0.2 + 0.1 - EARLY);
        // The span runs from the first send: it covers both timeouts and both waits.
        expect(x.end - x.start).toBeGreaterThanOrEqual(2 * 0.2 + 0.05 + 0.1 - EARLY);
      }
      // The server sees the given-up attempts' connections close before it answered them (polled: the
      // close travels on its own).
      await until('every given-up attempt closed', () => srv.closedUnanswered() >= 2 * spans.length);
      expect(srv.closedUnanswered()).toBe(2 * spans.length);
    } finally {
      srv.close();
    }
  });

  it('a failure with no answer (connection refused) is sent again after the backoff, then counted failed', async () => {
    // A port nothing listens on: bound, then closed.
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const s = spec(`http://127.0.0.1:${port}`, 'refused', { retry: { attempts: 2, backoffS: 0.05 } });
    const summary = await drive(s, { durationS: 0.5, drainS: 10 });
    const spans = requestSpans(s);
    expect(spans.length).toBeGreaterThan(0);
    expect(summary).toMatchObject({ failed: spans.length, timedOut: 0, retries: 2 * spans.length });
    expect(summary.connectionErrors).toBe(3 * spans.length);
    for (const x of spans) {
      expect(x).toMatchObject({ status: 'failed', retries: 2 });
      expect(x.timedOut).toBeUndefined();
      expect(x.end - x.start).toBeGreaterThanOrEqual(0.05 + 0.1 - EARLY);
    }
  });

  it('with no attempt left, the last timeout abandons the request (the status patienceS gives)', async () => {
    const srv = await stubborn(Infinity);
    try {
      const s = spec(srv.url, 'never', { retry: { attempts: 1, timeoutS: 0.15 } });
      const summary = await drive(s, { durationS: 0.8, drainS: 10 });
      const spans = requestSpans(s);
      expect(spans.length).toBeGreaterThan(0);
      expect(summary).toMatchObject({ ok: 0, failed: 0, abandoned: spans.length });
      for (const x of spans) {
        expect(x).toMatchObject({ status: 'abandoned', retries: 1, timedOut: 2 });
        expect(x.end - x.start).toBeGreaterThanOrEqual(2 * 0.15 - EARLY);
        expect(srv.arrivals.get(x.request)).toHaveLength(2);
      }
    } finally {
      srv.close();
    }
  });

  it('patienceS runs from the first send across attempts: the user gives up at it, whatever attempts remain', async () => {
    // timeoutS 1, patience 1.5: the second attempt (sent at 1 s or later) would time out at 2 s or later,
    // after the patience; so it has no timeout of its own and the user abandons at 1.5 s.
    const srv = await stubborn(Infinity);
    try {
      const s = spec(srv.url, 'patience', { patienceS: 1.5, retry: { attempts: 5, timeoutS: 1 } });
      const summary = await drive(s, { durationS: 0.5, drainS: 10 });
      const spans = requestSpans(s);
      expect(spans).toHaveLength(1);
      expect(summary).toMatchObject({ sent: 1, abandoned: 1, timedOut: 1 });
      const x = spans[0]!;
      expect(x.status).toBe('abandoned');
      expect(x.timedOut).toBe(1);
      expect(x.retries ?? 0).toBeLessThanOrEqual(1);
      expect(srv.arrivals.get(x.request)!.length).toBeLessThanOrEqual(2);
      expect(x.end - x.start).toBeGreaterThanOrEqual(1.5 - EARLY);
    } finally {
      srv.close();
    }
  });
});
