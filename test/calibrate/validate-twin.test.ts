import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';
import { leftovers, liveRequirements, holdLiveTestLock } from '../live/support.js';

// The calibrate → validate loop on short live runs (root, about 90 s): train on one load, calibrate,
// validate on two other loads measured live by validate-twin itself. Runs of 10 s (one repetition) on a
// shared 2-core machine are noisy (a few dozen requests each), so the bounds are far looser than the
// issue's targets: MAPE of the mean and of the throughput ≤ 50 %, mean KS distance ≤ 0.6. The shipped
// campaign (calibration/local-testbed/) reports against the real targets.
//
// The live runs share this machine with whatever else runs on it. CPU taken by other processes slows the
// testbed's engines in a way the twin cannot know (it models the testbed, not its neighbours), and the
// slow-down differs between the training run and the held-out runs, so accuracy measured on a starved
// host says nothing about the twin. The orchestration, the report's structure and the twin's own
// predictions are asserted on every run; the accuracy bounds (and the measured load ordering) only when
// each live run recorded in its run folder (host-metrics.json) that the machine was not CPU-starved:
// CPU busy beyond the run's own processes at most FOREIGN_CPU_MAX of the machine on average.
const FOREIGN_CPU_MAX = 0.25;
const skip = liveRequirements(['busybox']);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-vt-live-'));
const stateDir = path.join(os.tmpdir(), 'e2ctwin-vt-live-state');
const scenario = 'scenarios/local-testbed.yaml';
const testbed = 'test/calibrate/fixtures/local-vt.yaml';
const live = ['--testbed', testbed, '--duration', '10', '--warmup', '2', '--state-dir', stateDir];
interface HostMetrics {
  hosts: Record<string, { samples: { cpuBusy: number; processes: Record<string, number> }[] }>;
}
/** The mean share of the machine's CPU that processes other than the run's own used during a live run. */
function foreignCpu(runDir: string): number {
  const metrics = JSON.parse(readFileSync(path.join(runDir, 'host-metrics.json'), 'utf8')) as HostMetrics;
  const hosts = Object.values(metrics.hosts);
  expect(hosts.length, `${runDir}: no host samples`).toBeGreaterThan(0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  // Local hosts share this machine: its busy fraction is the same for all; each host's processes are its own.
  const busy = mean(hosts[0]!.samples.map((x) => x.cpuBusy));
  const ownCores = hosts.reduce(
    (a, h) => a + mean(h.samples.map((x) => Object.values(x.processes).reduce((u, v) => u + v, 0))),
    0,
  );
  return Math.max(0, busy - ownCores / os.availableParallelism());
}

// One live test file at a time (see liveTestLock).
/**
 * A live run here is 12 s of traffic, but setting the testbed up (namespaces, sshd, checks) took 91 s on a
 * host at load 12: the timeouts only guard against a hang. spawnSync ends a run that passes one with
 * SIGTERM, which the CLI takes for an interruption (partial results, then validate-twin scores the rest).
 */
const HANG_GUARD_MS = 300_000;

const lock = holdLiveTestLock(skip, () => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(skip)(
  `calibrate → validate-twin on short live runs${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it(
      'fits the twin on a live load and scores it on two others it never saw: report written, errors within loose bounds',
      async () => {
        const training = [['t5', 'edge.users.workload.users=5']] as const;
        for (const [name, set] of training) {
          const r = runCli(['live', scenario, ...live, '--set', set, '--out', path.join(tmp, name)], {
            timeoutMs: HANG_GUARD_MS,
          });
          expect(r.status, r.stderr).toBe(0);
        }
        const params = path.join(tmp, 'params.yaml');
        // Calibration only simulates: without the live lock (other files' live tests run meanwhile).
        const cal = await lock.without(() =>
          runCli([
            'calibrate',
            ...training.map(([n]) => path.join(tmp, n)),
            '-o',
            params,
            '--fit-factors',
            '-r',
            '3',
          ]),
        );
        expect(cal.status, cal.stderr).toBe(0);
        expect(cal.stdout).toMatch(/cloud\.engine\.extract\s+\d+\s+\w+/);
        expect(cal.stdout).toMatch(/factors \(Nelder–Mead, \d+ evaluations of 1 runs/);
        const fitted = parse(readFileSync(params, 'utf8'));
        expect(fitted.services['cloud.engine'].stages.download.sizeBytes.mean).toBeGreaterThan(0);
        expect(fitted.provenance.factors.runs).toHaveLength(1);

        const heldOut = path.join(tmp, 'held-out.yaml');
        writeFileSync(
          heldOut,
          'configs:\n  - { name: h2, set: [edge.users.workload.users=2] }\n  - { name: h8, set: [edge.users.workload.users=8] }\n',
        );
        const out = path.join(tmp, 'validation');
        const r = runCli(
          [
            'validate-twin',
            scenario,
            '--calibration',
            params,
            '--configs',
            heldOut,
            ...live,
            '--out',
            out,
            '-r',
            '5',
          ],
          { timeoutMs: 2 * HANG_GUARD_MS },
        );
        process.stdout.write(`\n--- validate-twin (stdout) ---\n${r.stdout}\n`);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr, 'a live run was cut by the hang guard').not.toMatch(/interrupted by SIGTERM/);
        // Progress for the long work on stderr; the table on stdout.
        expect(r.stderr).toMatch(/\[1\/2\] h2: live run \(edge\.users\.workload\.users=2\)/);
        expect(r.stderr).toMatch(/twin h8: 5 replications of 10 s \(warm-up 2 s\)/);
        expect(r.stdout).toMatch(/^h2\s+users=2/m);

        const report = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8'));
        expect(report.missing).toEqual([]);
        expect(report.configs.map((c: { name: string }) => c.name)).toEqual(['h2', 'h8']);
        for (const c of report.configs) {
          expect(c.measured.samples).toBeGreaterThan(5);
          expect(c.predicted.samples).toBeGreaterThan(c.measured.samples);
          expect(existsSync(path.join(out, 'runs', c.name, 'trace.jsonl'))).toBe(true);
        }
        // Heavier load is slower in the twin (its predictions do not depend on the host's load).
        expect(report.configs[1].predicted.mean.value).toBeGreaterThan(
          report.configs[0].predicted.mean.value,
        );
        const foreign = [
          ...training.map(([n]) => [n, foreignCpu(path.join(tmp, n))] as const),
          ...report.configs.map(
            (c: { name: string }) => [c.name, foreignCpu(path.join(out, 'runs', c.name))] as const,
          ),
        ];
        const starved = foreign.filter(([, f]) => !(f <= FOREIGN_CPU_MAX));
        if (starved.length > 0) {
          // Stated, not silent: the record says which run was starved and by how much.
          process.stdout.write(
            `accuracy not asserted: CPU-starved live runs (other processes' share of the machine > ${FOREIGN_CPU_MAX}): ${starved.map(([n, f]) => `${n} ${(f * 100).toFixed(0)} %`).join(', ')}\n`,
          );
        } else {
          // The loose bounds stated above.
          expect(report.overall.mape.mean).toBeLessThanOrEqual(0.5);
          expect(report.overall.mape.throughput).toBeLessThanOrEqual(0.5);
          expect(report.overall.ks.mean).toBeLessThanOrEqual(0.6);
          // Heavier load is slower on the testbed too.
          expect(report.configs[1].measured.mean.value).toBeGreaterThan(
            report.configs[0].measured.mean.value,
          );
        }
        // Every live run cleaned up after itself.
        for (const c of report.configs) {
          const runId = JSON.parse(readFileSync(path.join(out, 'runs', c.name, 'run.json'), 'utf8'))
            .runId as string;
          expect(leftovers(runId, path.join(stateDir, runId))).toEqual([]);
        }
      },
      4 * HANG_GUARD_MS,
    );
  },
);
