import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drive } from '../../src/live/app/driver.js';
import type { DriverSpec } from '../../src/live/plan/types.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { until } from '../support/poll.js';

const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Closed-loop users with a short think time against `url`; spans to a file of their own. */
function spec(url: string, name: string, users = 2): DriverSpec {
  return {
    kind: 'driver',
    scenario: 't',
    service: 'edge.users',
    instances: [{ name: 'edge.users#0', index: 0 }],
    workload: {
      kind: 'closed',
      target: 'cloud.engine',
      users,
      thinkTime: { dist: 'exponential', mean: 0.05 },
      startSpreadS: 0,
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
const spans = (s: DriverSpec) =>
  readFileSync(s.spansFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SpanRecord);

/** A port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function serve(status: number): Promise<{ url: string; answered: () => number; close: () => void }> {
  let answered = 0;
  const srv = http.createServer((req, res) =>
    req.resume().on('end', () => {
      answered++;
      res.writeHead(status).end('{}');
    }),
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    answered: () => answered,
    close: () => {
      srv.close();
      srv.closeAllConnections();
    },
  };
}

describe('workload driver outcomes', () => {
  it('a dead service (connection refused) gives "failed" requests, never "rejected"', async () => {
    const s = spec(`http://127.0.0.1:${await closedPort()}`, 'refused');
    const summary = await drive(s, { durationS: 0.6, drainS: 2 });
    expect(summary.sent).toBeGreaterThan(2);
    expect(summary).toMatchObject({
      ok: 0,
      rejected: 0,
      failed: summary.sent,
      connectionErrors: summary.sent,
      httpErrors: 0,
    });
    expect(summary.lastError).toMatch(/ECONNREFUSED|fetch failed/);
    expect(new Set(spans(s).map((x) => x.status))).toEqual(new Set(['failed']));
  });

  it('HTTP 503 is the app refusing ("rejected"); another error status is a failed request', async () => {
    const refusing = await serve(503);
    const broken = await serve(500);
    try {
      const a = spec(refusing.url, 'refusing');
      const b = spec(broken.url, 'broken');
      const [ra, rb] = await Promise.all([
        drive(a, { durationS: 0.5, drainS: 2 }),
        drive(b, { durationS: 0.5, drainS: 2 }),
      ]);
      expect(ra.sent).toBeGreaterThan(0);
      expect(ra).toMatchObject({ rejected: ra.sent, failed: 0 });
      expect(rb.sent).toBeGreaterThan(0);
      expect(rb).toMatchObject({ rejected: 0, failed: rb.sent, httpErrors: rb.sent, connectionErrors: 0 });
      expect(new Set(spans(b).map((x) => x.status))).toEqual(new Set(['failed']));
    } finally {
      refusing.close();
      broken.close();
    }
  });

  it('range requests: each span records the bytes received and whether its connection was new', async () => {
    const srv = http.createServer((req, res) => {
      const m = /bytes=0-(\d+)/.exec(req.headers.range ?? '');
      res.writeHead(206).end(Buffer.alloc(m ? Number(m[1]) + 1 : 0));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const s = spec(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`, 'range', 1);
    s.responseBytes = 12_345;
    await drive(s, { durationS: 0.5, drainS: 2, request: { kind: 'range', path: '/blob' } });
    srv.close();
    srv.closeAllConnections();
    const requests = spans(s).filter((r) => r.kind === 'request');
    expect(requests.length).toBeGreaterThan(2);
    expect(new Set(requests.map((r) => r.bytes))).toEqual(new Set([12_345]));
    // One user, one kept-alive connection: only the first request opens it.
    expect(requests.map((r) => r.connection)).toEqual(['new', ...requests.slice(1).map(() => 'reused')]);
  });

  it('lives to the end of its window when the last think time would cross it (the controller takes an early exit for a failure)', async () => {
    const srv = await serve(200);
    const s = spec(srv.url, 'long-think', 1);
    s.workload = { ...s.workload, thinkTime: 30 } as DriverSpec['workload'];
    const t0 = Date.now();
    const summary = await drive(s, { durationS: 1, drainS: 2 });
    srv.close();
    expect(summary.sent).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('load steps: open arrivals triple from the step on (its scenario time scaled to the run), and the driver reports when its clock passed it', async () => {
    const srv = await serve(200);
    try {
      const s = spec(srv.url, 'load-step');
      s.workload = {
        kind: 'open',
        target: 'cloud.engine',
        ratePerS: 40,
        arrivals: 'poisson',
      } as DriverSpec['workload'];
      // A 4 s scenario run in 2 s: the step at scenario 2 s lands 1 s after the start; one past the end is never due.
      s.profileTimeScale = 2;
      s.loadSteps = [
        { index: 3, at: 2, factor: 3 },
        { index: 4, at: 5, factor: 0 },
      ];
      const startAtMs = Date.now() + 200;
      const summary = await drive(s, { durationS: 2, drainS: 2, startAtMs });
      const starts = spans(s).map((x) => x.start - startAtMs / 1000);
      const before = starts.filter((t) => t < 1).length;
      const after = starts.filter((t) => t >= 1).length;
      // 40/s then 120/s (about 40 and 120 arrivals): without the step both halves are alike.
      expect(before).toBeGreaterThan(10);
      expect(after).toBeGreaterThan(2 * before);
      expect(summary.loadSteps?.map((x) => x.index)).toEqual([3]);
      expect(summary.loadSteps![0]!.lateS).toBeGreaterThanOrEqual(0);
    } finally {
      srv.close();
    }
  });

  it('load steps above 1 activate closed-loop users beyond the written number; a step to 0 stops them all', async () => {
    const srv = await serve(200);
    try {
      const s = spec(srv.url, 'load-users', 2);
      s.workload = { ...s.workload, thinkTime: 0.2 } as DriverSpec['workload'];
      // Two seconds each side of the step: about 20 requests before it and 35 after, so that the ratio
      // of the rates is not at the mercy of a few requests (with one second each, 10 against 11 in
      // 0.75 s failed the 1.5× bound on a loaded machine).
      s.loadSteps = [
        { index: 0, at: 2, factor: 2 },
        { index: 1, at: 4, factor: 0 },
      ];
      const startAtMs = Date.now() + 200;
      const summary = await drive(s, { durationS: 5, drainS: 2, startAtMs });
      const starts = spans(s).map((x) => x.start - startAtMs / 1000);
      const first = starts.filter((t) => t < 2).length;
      const second = starts.filter((t) => t >= 2.25 && t < 4).length;
      // 2 users, then 4 (each about one request per 0.2 s); none sends after the step to 0 (+ one think).
      expect(first).toBeGreaterThan(6);
      expect(second / 1.75).toBeGreaterThan((1.5 * first) / 2);
      expect(starts.filter((t) => t >= 4.25)).toEqual([]);
      expect(summary.loadSteps?.map((x) => x.index)).toEqual([0, 1]);
    } finally {
      srv.close();
    }
  });

  it('stops at once on its signal (SIGTERM from the controller) and keeps the spans recorded so far', async () => {
    const ok = await serve(200);
    try {
      const s = spec(ok.url, 'stopped');
      const stop = new AbortController();
      const t0 = Date.now();
      const running = drive(s, { durationS: 60, signal: stop.signal });
      // Stop once some requests have been answered (polled).
      await until('5 requests answered', () => ok.answered() >= 5);
      stop.abort();
      const summary = await running;
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(summary.ok).toBeGreaterThan(0);
      // Spans are flushed on stop (the writer otherwise flushes once a second).
      expect(spans(s).filter((x) => x.status === 'ok')).toHaveLength(summary.ok);
    } finally {
      ok.close();
    }
  });

  it('balance round-robin: requests alternate over two instances; one that stops leaves the balance at its first failure, the survivor takes every request, and a probe of its health puts it back once it listens again', async () => {
    const a = await serve(200);
    let b = await serve(200);
    const portB = Number(new URL(b.url).port);
    const s = spec(a.url, 'balanced', 2);
    s.targetUrls = [a.url, b.url];
    s.balance = { policy: 'round-robin' };
    s.targetHealth = '/health';
    const stop = new AbortController();
    const log: string[] = [];
    const running = drive(s, { durationS: 120, signal: stop.signal, log: (l) => log.push(l) });
    try {
      await until('both instances answered 10', () => a.answered() >= 10 && b.answered() >= 10);
      // Round-robin in one driver: the counts differ by the requests in flight at most (2 users).
      expect(Math.abs(a.answered() - b.answered())).toBeLessThanOrEqual(2);
      b.close();
      const aAtStop = a.answered();
      await until('the survivor answered 30 more', () => a.answered() >= aAtStop + 30);
      expect(log.some((l) => /cloud\.engine#1 failed .*out of the balance/.test(l))).toBe(true);
      // b listens again on its port: probed back into the balance, it answers again.
      const again = http.createServer((req, res) => {
        req.resume().on('end', () => res.writeHead(200).end('{}'));
      });
      let answeredAgain = 0;
      again.on('request', () => answeredAgain++);
      await new Promise<void>((r) => again.listen(portB, '127.0.0.1', () => r()));
      b = { ...b, close: () => (again.close(), again.closeAllConnections()) };
      await until('the restarted instance answered 10', () => answeredAgain >= 10);
      expect(log.some((l) => /cloud\.engine#1 answers again/.test(l))).toBe(true);
    } finally {
      stop.abort();
      await running;
      a.close();
      b.close();
    }
    const summary = await running;
    expect(summary.perTarget[0]! + summary.perTarget[1]!).toBe(summary.sent);
    // Failed: those in progress on b when it closed and those sent to it before its first failure came
    // back (at most one per user); none while it was out of the balance or after its return.
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.failed).toBeLessThanOrEqual(2);
    expect(spans(s).filter((x) => x.status === 'failed')).toHaveLength(summary.failed);
  });
});
