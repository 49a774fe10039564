import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readRunTrace } from '../../src/run-folder/index.js';
import { repoRoot, runCli } from '../support/cli.js';
import { leftovers, liveRequirements, holdLiveTestLock } from './support.js';

// Transfer times over the emulated path against the link model (issue 24): nginx on the local testbed
// answers byte ranges of 10 KB, 100 KB, 1 MB and 10 MB to one user over a 20 Mbit/s path of 10 ms and of
// 40 ms one-way delay. The user thinks 0.5 s and drops its connection after 0.2 idle seconds, so every
// request opens a new connection: handshake, request, the answer in slow start — what the twin models
// with `keepAliveS` and `run.tcpSlowStart: new-connections`. One live run per delay draws the sizes at
// random (the driver's seeded stream, so the same sizes every run); the twin simulates each size alone,
// with its nominal link (no calibrated efficiency, no per-request overhead): this tests the link model,
// not a fit. Each size's fastest transfer is compared (the mean is printed): a busy machine only adds to
// the testbed's times (a CI run at load average ~10 had means 23 % above the twin at 100 KB), while the
// twin models idle hosts. That holds for the emulated path too: the userspace switch never sends a frame
// before its time, and the run's network check takes off the path's least latency, not its median
// (network-check.ts; a median taken on a busy machine once shortened every later trip, and 10 KB over the
// 10 ms path came in at 39.9 ms against the path's ~44).
//
// nginx's host sends with Reno, whose slow start (the same as CUBIC's, the Linux default) is what the
// model's rounds reckoning describes (src/resources/tcp-window.ts). This kernel's default is BBR, whose
// start-up paces each round at 2.89 × the previous round's delivery rate; measured with it (2026-12-05),
// mean live / twin: 10 ms: 0.0456 / 0.0446 s (−2 %), 0.1004 / 0.1041 (+4 %), 0.477 / 0.481 (+1 %),
// 4.246 / 4.245 (0 %); 40 ms: 0.167 / 0.165 (−1 %), 0.411 / 0.344 (−16 %), 0.834 / 0.808 (−3 %),
// 4.60 / 4.57 (−1 %). The one gap, 100 KB at 40 ms, is BBR's pacing of the last round (about 1 MB/s
// there: 54 ms for the 57 KB left, where the model sends them at the link's rate in 24 ms); with Reno
// the same transfer measured 0.3475 s against the twin's 0.3441 (−1 %). docs/tcp-slow-start.md has both.
const skip = liveRequirements(['nginx']);
const stateDir = path.join(tmpdir(), 'e2ctwin-live-transfer-test');
const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-transfer-time-'));
const SIZES = [10_000, 100_000, 1_000_000, 10_000_000];
const DELAYS_MS = [10, 40];
const BOUND = 0.1;
/** Live runs per path at most: the first of every size, then one again of the sizes still short of the model. */
const ROUNDS = 2;

const ONE_USER = [
  'edge.clients.quantity=1',
  'edge.clients.workload.users=1',
  'edge.clients.workload.thinkTime=0.5',
  'edge.clients.workload.keepAliveS=0.2',
  'run.warmup=0',
  // The nominal link: the nginx campaign's calibrated values (tcpEfficiency 0.93, a 3.4 ms overhead)
  // fit eight users sharing the path, not one transfer at a time.
  'run.tcpEfficiency=1',
  'cloud.nginx.stages.accept.demand=0',
].flatMap((s) => ['--set', s]);

// One live test file at a time (see liveTestLock).
const lock = holdLiveTestLock(skip, () => rmSync(dir, { recursive: true, force: true }));

/** The twin's mean response time of one size over one delay (one user, so no queueing). */
function twinMean(scenario: string, bytes: number, delayMs: number): number {
  const r = runCli(
    [
      'simulate',
      scenario,
      ...ONE_USER,
      '--set',
      `cloud.nginx.app.responseBytes=${bytes}`,
      '--set',
      `network.0.delayMs=${delayMs}`,
      '--set',
      'run.duration=60',
      '--set',
      'run.replications=1',
      '--json',
    ],
    { timeoutMs: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).responseTime.mean as number;
}

/**
 * One live run of one user fetching `sizes` (drawn at random, the driver's seeded stream) over a path of
 * `delayMs`: each request's size and time. Checks that the run left nothing behind, that every request was
 * answered and that each paid a connection's set-up.
 */
function liveTransfers(o: { scenario: string; delayMs: number; sizes: number[]; round: number }) {
  const out = path.join(dir, `d${o.delayMs}-r${o.round}`);
  const live = runCli(
    [
      'live',
      o.scenario,
      '--testbed',
      'testbeds/local.yaml',
      '--duration',
      // A run of every size takes 36 s (the 10 MB answers take 4 s each); a run again, of the sizes still
      // short, 12 s: about 20 transfers of 10 KB, 2 of 10 MB (the live files share 15 minutes of npm test).
      o.round === 0 ? '36' : '12',
      '--state-dir',
      stateDir,
      ...ONE_USER,
      '--set',
      `cloud.nginx.app.responseBytes={dist: empirical, samples: [${o.sizes.join(', ')}]}`,
      '--set',
      `network.0.delayMs=${o.delayMs}`,
      '--out',
      out,
    ],
    { timeoutMs: 300_000 },
  );
  expect(live.status, live.stderr).toBe(0);
  const runId = JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')).runId as string;
  expect(leftovers(runId, path.join(stateDir, runId))).toEqual([]);
  const requests = readRunTrace(out)!.spans.filter((s) => s.kind === 'request');
  expect(requests.every((s) => s.status === 'ok')).toBe(true);
  // Every request paid a connection's set-up, as the twin's keepAliveS makes it.
  expect(requests.every((s) => s.connection === 'new')).toBe(true);
  return requests.map((s) => ({ bytes: s.bytes as number, time: s.end - s.start }));
}

describe.skipIf(skip)(`transfer times over the emulated path${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('10 KB – 10 MB over 10 ms and 40 ms paths, each on a new connection: the fastest live transfer within 10 % of the link model (the server sending with Reno, as the model reckons slow start)', async () => {
    const doc = parse(readFileSync(path.join(repoRoot, 'scenarios/nginx-static.yaml'), 'utf8'));
    const nginx = doc.layers[0].services[0];
    nginx.live.files[0].src = path.join(repoRoot, 'apps/nginx/nginx.conf');
    // Per network namespace: only nginx's host, the sender of the answers, and only for this run.
    nginx.live.prepare.unshift(['sysctl', '-w', 'net.ipv4.tcp_congestion_control=reno']);
    delete doc.calibrate;
    const scenario = path.join(dir, 'nginx.yaml');
    writeFileSync(scenario, stringify(doc));
    // The twin's times first, without the live lock (they only simulate): other files' live tests run meanwhile.
    const twins = await lock.without(() =>
      DELAYS_MS.map((delayMs) => SIZES.map((bytes) => twinMean(scenario, bytes, delayMs))),
    );

    const rows: string[] = [];
    const failures: string[] = [];
    for (const [d, delayMs] of DELAYS_MS.entries()) {
      const times = new Map<number, number[]>(SIZES.map((b) => [b, []]));
      const twin = (bytes: number) => twins[d]![SIZES.indexOf(bytes)]!;
      const err = (bytes: number) => twin(bytes) / Math.min(...times.get(bytes)!) - 1;
      // Polled, as a timing test on a shared machine must be: a size whose fastest transfer is still
      // slower than the model by more than the bound is measured again, alone, up to ROUNDS runs in all —
      // load can only add to a transfer, so more transfers find the path's own time if the model has it.
      // A transfer faster than the model by more than the bound fails at once: load cannot explain that.
      let sizes = SIZES;
      let round = 0;
      for (; round < ROUNDS && sizes.length > 0; round++) {
        for (const s of liveTransfers({ scenario, delayMs, sizes, round })) times.get(s.bytes)!.push(s.time);
        sizes = sizes.filter((b) => err(b) < -BOUND);
      }
      for (const bytes of SIZES) {
        const all = times.get(bytes)!;
        expect(all.length, `${bytes} B over ${delayMs} ms: transfers measured`).toBeGreaterThanOrEqual(2);
        const mean = all.reduce((a, b) => a + b, 0) / all.length;
        rows.push(
          `${bytes} B, ${delayMs} ms: live fastest ${Math.min(...all).toFixed(4)} s (mean ${mean.toFixed(4)}, n ${all.length}), twin ${twin(bytes).toFixed(4)} s, ${(err(bytes) * 100).toFixed(1)} %`,
        );
        if (Math.abs(err(bytes)) > BOUND) failures.push(rows.at(-1)!);
      }
      rows.push(`(${delayMs} ms path: ${round} live run${round === 1 ? '' : 's'})`);
    }
    process.stdout.write(`\n${rows.join('\n')}\n`);
    expect(failures, rows.join('\n')).toEqual([]);
  }, 1_200_000);
});
