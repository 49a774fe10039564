import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/live/plan/build.js';
import { isAlive, processStartTime } from '../../src/live/proc.js';
import { LiveRun } from '../../src/live/run/runner.js';
import { loadTestbed } from '../../src/live/testbed/load.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import { parseTraceJsonl } from '../../src/trace/index.js';
import { repoRoot, runCli } from '../support/cli.js';
import { until } from '../support/poll.js';
import { leftovers, liveRequirements, holdLiveTestLock, liveCli } from './support.js';

const skip = liveRequirements(['busybox']);
const stateRoot = '/tmp/e2ctwin-live-test';
const scenarioFile = 'test/live/fixtures/plantnet-small.yaml';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-live-'));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const runIdOf = (dir: string) => (json(path.join(dir, 'plan.json')) as { runId: string }).runId;
const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
/** A previous run's folder at `dir`: its files must all be gone once another run writes there. */
function previousRunFolder(dir: string): void {
  mkdirSync(path.join(dir, 'logs', 'old.service@old-host'), { recursive: true });
  for (const f of ['run.json', 'metrics.json', 'trace.jsonl'])
    writeFileSync(path.join(dir, f), '{"runId":"prev0"}\n');
  writeFileSync(path.join(dir, 'logs', 'old.service@old-host', 'out.log'), 'previous run');
}
function expectNothingOfPreviousRun(dir: string): void {
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(path.join(dir, f)).isFile());
  expect(files).not.toContain(path.join('logs', 'old.service@old-host', 'out.log'));
  for (const f of files) expect(readFileSync(path.join(dir, f), 'utf8'), f).not.toMatch(/prev0|previous run/);
}
/** Paths of the numeric leaves of a metrics object, null (not measured, NaN) included. */
function leafPaths(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'number' || v === null ? [p] : leafPaths(v, p);
  });
}

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`live runs on the local provider${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('runs a small Pl@ntNet configuration for real: requests complete, spans recorded, throughput and RTT within 10 % or flagged, nothing left behind', async () => {
    const dir = path.join(out, 'run');
    const r = await liveCli([
      'live',
      scenarioFile,
      '--testbed',
      'test/live/fixtures/local-ci.yaml',
      '--duration',
      '20',
      '--out',
      dir,
      '--state-dir',
      stateRoot,
    ]);
    process.stdout.write(`\n--- e2ctwin live (stdout) ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/network: (fallback|tc netem)/);

    const run = json(path.join(dir, 'run.json'));
    expect(run).toMatchObject({
      kind: 'live',
      status: 'ok',
      interrupted: false,
      provider: 'local',
      durationS: 20,
      measured: { plannedS: 16, actualS: 16, stoppedAtS: null },
    });
    expect(run.versions.node).toBe(process.version);

    // The network was checked before the run, RTT and throughput against the constraints. Both go through
    // the userspace switch (delay, and every packet), so both depend on the CPU it gets: when other test
    // files load the two cores, a check can end outside 10 % (50 Mbit/s measured 44.8 in a CI run; payload
    // is 1448/1514 of a shaped rate, so 47.8 at best), and then the run must say so: a warning naming the
    // constraint and the quantity, in network.json and the summary. Within 10 % there is no warning.
    const net = json(path.join(dir, 'network.json'));
    expect(net.measurements).toHaveLength(2);
    expect(net.tolerancePercent).toBe(10);
    const warnings = net.warnings as string[];
    // The shaping's units, exactly: every rate the plan gives tc is the constraint's in kbit (a units
    // error, bits for bytes or k for M, shows here, whatever the load).
    const rates = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v))
        v.forEach((x, i) => {
          if (x === 'rate' && typeof v[i + 1] === 'string') rates.add(v[i + 1]);
          else walk(x);
        });
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(json(path.join(dir, 'plan.json')));
    expect([...rates].sort()).toEqual(['20000kbit', '50000kbit']);
    for (const m of net.measurements) {
      // The shaping measured: load only slows the switch, so never above the rate. How far under it the
      // switch falls is the load's (CI read 30 of 50 Mbit/s at the start of `npm test`, when every core is
      // taken, and 11 of 50 once in the middle of it), and the tolerance check below flags it; a tenth
      // of the rate is asked only to show the path carries traffic at the rate's order of magnitude.
      expect(m.throughput.mbps, m.label).toBeLessThanOrEqual(m.expectedMbps * 1.1);
      expect(m.throughput.mbps, m.label).toBeGreaterThan(m.expectedMbps / 10);
      const checks = [
        ['RTT', m.rtt.medianMs, m.expectedRttMs],
        ['throughput', m.throughput.mbps, m.expectedMbps],
      ] as const;
      for (const [what, measured, expected] of checks) {
        const off = Math.abs(measured - expected) / expected > 0.1;
        const flagged = warnings.filter(
          (w) => w.startsWith(`network check ${m.label} `) && w.includes(`: ${what} `),
        );
        expect(flagged, `${m.label} ${what} ${measured} vs ${expected}`).toHaveLength(off ? 1 : 0);
        if (off) expect(r.stdout).toContain(`WARNING: ${flagged[0]}`);
      }
    }
    expect(warnings.filter((w) => !/: (RTT|throughput) /.test(w))).toEqual([]);

    // Requests completed, in the same metrics shape as simulate.
    const metrics = json(path.join(dir, 'metrics.json'));
    expect(metrics.completed).toBeGreaterThan(15);
    expect([metrics.rejected, metrics.failed]).toEqual([0, 0]);
    expect(metrics.responseTime.mean).toBeGreaterThan(0.04);
    const sim = runCli(['simulate', scenarioFile, '--json', '-r', '2']);
    const simKeys = leafPaths(JSON.parse(sim.stdout)).filter(
      (k) => !k.startsWith('ci95.') && !k.startsWith('expect.'),
    );
    const liveKeys = new Set(leafPaths(metrics));
    const missing = simKeys.filter((k) => !liveKeys.has(k));
    expect(missing).toEqual([]);
    expect(Object.keys(metrics.pools)).toEqual(['http', 'download', 'extract', 'simsearch']);
    // Link bytes from the htb class counters: the images crossed edge → cloud.
    expect(metrics.links['edge->cloud'].links).toBe(4);
    expect(metrics.links['edge->cloud'].bytes).toBeGreaterThan(metrics.completed * 300_000);

    // Spans in the project's trace format: client requests and the engine's waits, stages, downloads.
    const { header, spans } = parseTraceJsonl(readFileSync(path.join(dir, 'trace.jsonl'), 'utf8'));
    expect(header).toMatchObject({ format: 'e2ctwin-trace', source: 'live', scenario: 'plantnet-small' });
    const kinds = new Set(spans.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['network', 'request', 'stage']));
    expect(new Set(spans.filter((s) => s.kind === 'stage').map((s) => s.name))).toEqual(
      new Set(['http', 'extract', 'simsearch']),
    );
    for (const s of spans) {
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      expect(s.service).toMatch(/^(edge\.users|cloud\.engine)$/);
    }
    const download = spans.find((s) => s.kind === 'network' && s.name === 'download')!;
    expect(download).toMatchObject({ service: 'cloud.engine', host: 'cloud.engine#0', pool: 'download' });
    expect(download.end - download.start).toBeGreaterThan(0.04); // at least one round trip of the 20 ms path

    // Host metrics sampled; no key material in the run folder.
    const hm = json(path.join(dir, 'host-metrics.json'));
    expect(Object.keys(hm.hosts).sort()).toEqual(['cloud-1', 'edge-1', 'edge-2', 'fog-1']);
    expect(hm.hosts['cloud-1'].samples.length).toBeGreaterThan(10);
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => statSync(path.join(dir, f)).isFile());
    expect(files).toEqual(
      expect.arrayContaining([
        'plan.json',
        'scenario.resolved.json',
        'testbed.json',
        'run.json',
        'network.json',
        'metrics.json',
        'trace.jsonl',
        'host-metrics.json',
      ]),
    );
    for (const f of files)
      expect(readFileSync(path.join(dir, f), 'utf8')).not.toMatch(/PRIVATE KEY|ssh-ed25519 AAAA/);

    expect(leftovers(runIdOf(dir), path.join(stateRoot, runIdOf(dir)))).toEqual([]);
    expect(existsSync(path.join(stateRoot, 'journals', `${runIdOf(dir)}.jsonl`))).toBe(false);
  }, 180_000);

  it('a service dying mid-run fails the run with the cause, keeps the partial results and cleans up', async () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, scenarioFile));
    const testbed = loadTestbed(path.join(repoRoot, 'test/live/fixtures/local-quick.yaml'));
    const runId = 'fail1';
    const plan = buildPlan(scenario, testbed, {
      runId,
      stateDir: path.join(stateRoot, runId),
      durationS: 12,
      localE2ctwin: [process.execPath, path.join(repoRoot, 'bin/e2ctwin.js')],
    });
    const dir = path.join(out, 'failed');
    previousRunFolder(dir);
    const lines: string[] = [];
    const outcome = await new LiveRun({
      scenario,
      testbed,
      plan,
      stateRoot,
      out: dir,
      overrides: [],
      versions: {},
      log: (l) => lines.push(l),
      onWorkloadStarted: async ({ hosts, pids }) => {
        // Killed once a client has an answer after the warm-up (polled in the drivers' span files, which they
        // flush every second; their times are wall-clock seconds, and the workload clock starts 1.5 s after the
        // drivers are launched), not after a fixed time: on a busy machine the first answers may take long, and
        // a run stopped in its warm-up measures nothing.
        const measuredFrom = Date.now() / 1000 + 1.5 + plan.warmupS + 0.5;
        const drivers = plan.processes.filter((p) => p.kind === 'workload');
        const answered = async () => {
          for (const d of drivers) {
            const host = hosts.get(d.host)!;
            const text = await host.readFile(path.posix.join(host.workDir, d.dir, 'spans.jsonl')).then(
              (b) => b.toString(),
              () => '',
            );
            for (const line of text.split('\n')) {
              if (!line.startsWith('{')) continue;
              const span = JSON.parse(line) as { kind?: string; status?: string; end?: number };
              if (span.kind === 'request' && span.status === 'ok' && (span.end ?? 0) > measuredFrom)
                return true;
            }
          }
          return false;
        };
        await until('a client got an answer after the warm-up', answered, { everyMs: 200 });
        process.kill(pids.get('cloud.engine@cloud-1')!, 'SIGKILL');
      },
    }).execute();
    expect(outcome.status).toBe('failed');
    expect(outcome.failure).toMatch(/cloud\.engine@cloud-1 died during the run/);
    const run = json(path.join(dir, 'run.json'));
    expect(run).toMatchObject({
      status: 'failed',
      runId,
      failure: expect.stringMatching(/cloud\.engine@cloud-1 died/),
    });
    // What the clients saw before the failure is kept, in a folder holding this run's files only.
    const { spans } = parseTraceJsonl(readFileSync(path.join(dir, 'trace.jsonl'), 'utf8'));
    expect(spans.some((s) => s.kind === 'request' && s.status === 'ok')).toBe(true);
    expectNothingOfPreviousRun(dir);
    // Measured up to the failure, not over the planned 12 s; a dead engine's requests are not "rejected".
    expect(run.measured.actualS).toBeGreaterThan(0);
    expect(run.measured.actualS).toBeLessThan(run.measured.plannedS);
    const metrics = json(path.join(dir, 'metrics.json'));
    expect(metrics.measuredSeconds).toBeCloseTo(run.measured.actualS, 9);
    expect(metrics.rejected).toBe(0);
    expect(spans.filter((s) => s.kind === 'request' && s.status === 'rejected')).toEqual([]);
    expect(outcome.cleanupProblems).toEqual([]);
    expect(leftovers(runId, path.join(stateRoot, runId))).toEqual([]);
  }, 120_000);

  it('Ctrl-C (SIGINT) at +8 s of measured time: rates over the time actually run, the planned and actual windows stated, everything removed', async () => {
    const dir = path.join(out, 'sigint');
    const warmupS = 2;
    let sentAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const interrupted = await liveCli(
      [
        'live',
        scenarioFile,
        '--testbed',
        'test/live/fixtures/local-quick.yaml',
        '--duration',
        '30',
        '--warmup',
        String(warmupS),
        '--state-dir',
        stateRoot,
        '--out',
        dir,
      ],
      (err, child) => {
        // The workload clock starts 1.5 s after the drivers are launched ("workload:"): interrupt after the warm-up and ~8 s more.
        if (err.includes('workload:') && !timer)
          timer = setTimeout(
            () => {
              sentAt = Date.now();
              child.kill('SIGINT');
            },
            (1.5 + warmupS + 8) * 1000,
          );
      },
    );
    process.stdout.write(`\n--- interrupted run (stdout) ---\n${interrupted.stdout}\n`);
    expect(interrupted.status, interrupted.stderr).toBe(1);
    expect(interrupted.stderr).toContain('SIGINT: stopping the run and cleaning up');
    expect(interrupted.stdout).toContain('RUN INTERRUPTED');
    const run = json(path.join(dir, 'run.json'));
    expect(run).toMatchObject({
      status: 'interrupted',
      interrupted: true,
      measured: { plannedS: 28, interrupted: true, repetitionsPlanned: 1, repetitionsMeasured: 1 },
    });
    // The run stopped when the signal came (on the run's clock: seconds since the workload started).
    const t0 = Date.parse(run.startedAt);
    const { stoppedAtS, actualS } = run.measured;
    expect(
      Math.abs(stoppedAtS - (sentAt - t0) / 1000),
      `stopped at ${stoppedAtS} s, signal at ${(sentAt - t0) / 1000} s`,
    ).toBeLessThan(2);
    expect(actualS).toBeCloseTo(stoppedAtS - warmupS, 6);
    expect(actualS).toBeGreaterThan(6);
    expect(actualS).toBeLessThan(14);
    expect(run.windows).toEqual([
      expect.objectContaining({ start: 0, warmupEnd: warmupS, end: stoppedAtS, plannedEnd: 30 }),
    ]);
    expect(interrupted.stdout).toContain(
      `measured ${actualS.toFixed(1)} s of the 28.0 s planned (stopped at +${stoppedAtS.toFixed(1)} s of workload): rates are over the ${actualS.toFixed(1)} s measured`,
    );
    // Throughput is completed requests over the time actually measured (counted again from the trace).
    const metrics = json(path.join(dir, 'metrics.json'));
    const { spans } = parseTraceJsonl(readFileSync(path.join(dir, 'trace.jsonl'), 'utf8'));
    const completed = spans.filter(
      (s) => s.kind === 'request' && s.status === 'ok' && s.end >= warmupS && s.end < stoppedAtS,
    ).length;
    expect(completed).toBeGreaterThan(5);
    expect(metrics.completed).toBe(completed);
    expect(metrics.measuredSeconds).toBeCloseTo(actualS, 9);
    expect(metrics.throughput).toBeCloseTo(completed / actualS, 9);
    expect(metrics.throughput).toBeGreaterThan(2 * (completed / 28));
    const id = runIdOf(dir);
    expect(leftovers(id, path.join(stateRoot, id))).toEqual([]);
  }, 150_000);

  it('after a SIGKILLed run, `live --cleanup` (and only it: no new run) removes its namespaces, processes, nft tables and folders; --dry-run lists them first', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'e2ctwin-crash-'));
    const testbed = path.join(work, 'testbed.yaml');
    // Network emulation on: the fallback's nft table (for loss) and tc classes (for rate) in each host.
    writeFileSync(
      testbed,
      [
        'provider: local',
        'hosts: [{ name: cloud-1 }, { name: fog-1 }, { name: edge-1 }]',
        'services: { cloud: [cloud-1], fog: [fog-1], edge: [edge-1] }',
        'subnet: 10.218.0.0/24',
        'emulation: fallback',
        '',
      ].join('\n'),
    );
    const crashed = await liveCli(
      [
        'live',
        scenarioFile,
        '--testbed',
        testbed,
        '--duration',
        '30',
        '--set',
        'network.0.lossPercent=0.1',
        '--state-dir',
        stateRoot,
        '--out',
        path.join(out, 'crash'),
      ],
      (err, child) => {
        // Killed once the network rules are applied (tc classes, the nft table): before the link checks, which take long on a busy machine.
        if (err.includes('network: fallback')) child.kill('SIGKILL');
      },
    );
    rmSync(work, { recursive: true, force: true });
    expect(crashed.status).toBe(null);
    const id = /live run ([a-z0-9]{5}):/.exec(crashed.stderr)![1]!;
    const stateDir = path.join(stateRoot, id);
    // What the crash left: namespaces (with the run's nft table inside), their processes, the journal.
    const namespaces = sh('ip netns list')
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(`e2c-${id}-`));
    expect(namespaces.sort()).toEqual([`e2c-${id}-cloud-1`, `e2c-${id}-edge-1`, `e2c-${id}-fog-1`]);
    expect(sh(`ip netns exec e2c-${id}-cloud-1 nft list tables`)).toContain(`e2ctwin_${id}`);
    const processes = namespaces
      .flatMap((n) => sh(`ip netns pids ${n}`).split(/\s+/).filter(Boolean).map(Number))
      .map((pid) => ({ pid, start: processStartTime(pid) }));
    expect(processes.length).toBeGreaterThan(3);
    expect(existsSync(path.join(stateRoot, 'journals', `${id}.jsonl`))).toBe(true);

    const dry = await liveCli(['live', '--cleanup', '--dry-run', '--state-dir', stateRoot]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`run ${id} crashed \\(controller pid \\d+ gone`));
    expect(dry.stdout).toContain(`network namespace e2c-${id}-cloud-1\n`);
    expect(dry.stdout).toContain('network emulation (tc qdisc, nft table) on cloud-1');
    expect(sh('ip netns list')).toContain(`e2c-${id}-cloud-1`); // a dry run touches nothing

    const journalsBefore = readdirSync(path.join(stateRoot, 'journals'));
    const clean = await liveCli(['live', '--cleanup', '--state-dir', stateRoot]);
    process.stdout.write(`\n--- e2ctwin live --cleanup ---\n${clean.stdout}${clean.stderr}\n`);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`removing leftovers of run ${id}`);
    expect(clean.stdout).toContain(`removed network namespace e2c-${id}-cloud-1`);
    expect(clean.stdout).toMatch(/removed process \d+ \(sshd of cloud-1\)/);
    expect(clean.stdout + clean.stderr).not.toMatch(/live run [a-z0-9]{5}:/); // no new run started
    expect(readdirSync(path.join(stateRoot, 'journals'))).toEqual(
      journalsBefore.filter((j) => j !== `${id}.jsonl`),
    );

    expect(sh('ip netns list')).not.toContain(`e2c-${id}`);
    expect(sh('nft list tables')).not.toContain(`e2ctwin_${id}`);
    expect(processes.filter((p) => isAlive(p.pid, p.start))).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(stateDir);
    expect(leftovers(id, stateDir)).toEqual([]);
    // Safe to run again: nothing left.
    const again = await liveCli(['live', '--cleanup', '--state-dir', stateRoot]);
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain(id);
  }, 150_000);

  it("a dead engine (nothing listening on its port): requests count as failed, not rejected; a reused --out holds this run's files only", async () => {
    const dir = path.join(out, 'refused');
    previousRunFolder(dir);
    const r = await liveCli([
      'live',
      scenarioFile,
      '--testbed',
      'test/live/fixtures/local-quick.yaml',
      '--duration',
      '5',
      '--warmup',
      '1',
      '--state-dir',
      stateRoot,
      '--out',
      dir,
      '--set',
      'cloud.engine.live={command: [sleep, "600"], port: 8080, health: {command: "true"}}',
    ]);
    process.stdout.write(`\n--- dead engine (stdout) ---\n${r.stdout}\n`);
    expect(r.status, r.stderr).toBe(0);
    const metrics = json(path.join(dir, 'metrics.json'));
    expect(metrics.failed).toBeGreaterThan(3);
    expect([metrics.completed, metrics.rejected]).toEqual([0, 0]);
    expect(metrics.failureProbability).toBeGreaterThan(0.5);
    expect(metrics.failureProbability).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(new RegExp(`failed \\(no answer\\)\\s+${metrics.failed} `));
    const run = json(path.join(dir, 'run.json'));
    const driver = run.drivers[0].summary;
    expect(driver.connectionErrors).toBe(driver.sent);
    expect(driver).toMatchObject({ ok: 0, rejected: 0, failed: driver.sent, httpErrors: 0 });
    expect(driver.lastError).toMatch(/ECONNREFUSED|fetch failed/);
    expectNothingOfPreviousRun(dir);
    const id = runIdOf(dir);
    expect(leftovers(id, path.join(stateRoot, id))).toEqual([]);
  }, 120_000);
});
