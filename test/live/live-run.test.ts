import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/live/plan/build.js';
import { LiveRun, recover } from '../../src/live/run/runner.js';
import { loadTestbed } from '../../src/live/testbed/load.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import { parseTraceJsonl } from '../../src/trace/index.js';
import { repoRoot, runCli } from '../support/cli.js';
import { busyboxRootfs } from './docker-image.js';
import { leftovers, liveRequirements, liveTestLock } from './support.js';

const skip = liveRequirements(['busybox']);
const stateRoot = '/tmp/e2ctwin-live-test';
const scenarioFile = 'test/live/fixtures/plantnet-small.yaml';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-live-'));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const runIdOf = (dir: string) => (json(path.join(dir, 'plan.json')) as { runId: string }).runId;
/** Paths of the numeric leaves of a metrics object, null (not measured, NaN) included. */
function leafPaths(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'number' || v === null ? [p] : leafPaths(v, p);
  });
}

/** Runs the CLI in the background; resolves with its status once it exits; `onStderr` sees each chunk. */
function liveCli(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let unlock = () => {};
// One live test file at a time (see liveTestLock).
beforeAll(async () => { if (!skip) unlock = await liveTestLock(); }, 300_000);
afterAll(() => {
  unlock();
  rmSync(out, { recursive: true, force: true });
});

describe.skipIf(skip)(`live runs on the local provider${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('runs a small Pl@ntNet configuration for real: requests complete, spans recorded, RTT and throughput within 10%, nothing left behind', async () => {
    const dir = path.join(out, 'run');
    const r = await liveCli(['live', scenarioFile, '--testbed', 'test/live/fixtures/local-ci.yaml', '--duration', '20', '--out', dir, '--state-dir', stateRoot]);
    process.stdout.write(`\n--- e2ctwin live (stdout) ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/network: (fallback|tc netem)/);

    const run = json(path.join(dir, 'run.json'));
    expect(run).toMatchObject({ kind: 'live', status: 'ok', provider: 'local', durationS: 20 });
    expect(run.versions.node).toBe(process.version);

    // The network was checked before the run: RTT and throughput within 10 % of the constraints.
    const net = json(path.join(dir, 'network.json'));
    expect(net.measurements).toHaveLength(2);
    for (const m of net.measurements) {
      expect(Math.abs(m.rtt.medianMs - m.expectedRttMs) / m.expectedRttMs, `${m.label} RTT ${m.rtt.medianMs} ms vs ${m.expectedRttMs}`).toBeLessThan(0.1);
      expect(Math.abs(m.throughput.mbps - m.expectedMbps) / m.expectedMbps, `${m.label} ${m.throughput.mbps} Mbit/s vs ${m.expectedMbps}`).toBeLessThan(0.1);
    }

    // Requests completed, in the same metrics shape as simulate.
    const metrics = json(path.join(dir, 'metrics.json'));
    expect(metrics.completed).toBeGreaterThan(15);
    expect(metrics.responseTime.mean).toBeGreaterThan(0.04);
    const sim = runCli(['simulate', scenarioFile, '--json', '-r', '2']);
    const simKeys = leafPaths(JSON.parse(sim.stdout)).filter((k) => !k.startsWith('ci95.') && !k.startsWith('expect.'));
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
    expect(new Set(spans.filter((s) => s.kind === 'stage').map((s) => s.name))).toEqual(new Set(['http', 'extract', 'simsearch']));
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
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(path.join(dir, f)).isFile());
    expect(files).toEqual(expect.arrayContaining(['plan.json', 'scenario.resolved.json', 'testbed.json', 'run.json', 'network.json', 'metrics.json', 'trace.jsonl', 'host-metrics.json']));
    for (const f of files) expect(readFileSync(path.join(dir, f), 'utf8')).not.toMatch(/PRIVATE KEY|ssh-ed25519 AAAA/);

    expect(leftovers(runIdOf(dir), path.join(stateRoot, runIdOf(dir)))).toEqual([]);
    expect(existsSync(path.join(stateRoot, 'journals', `${runIdOf(dir)}.jsonl`))).toBe(false);
  }, 180_000);

  it('a service dying mid-run fails the run with the cause, keeps the partial results and cleans up', async () => {
    const scenario = loadScenarioOrThrow(path.join(repoRoot, scenarioFile));
    const testbed = loadTestbed(path.join(repoRoot, 'test/live/fixtures/local-quick.yaml'));
    const runId = 'fail1';
    const plan = buildPlan(scenario, testbed, { runId, stateDir: path.join(stateRoot, runId), durationS: 12, localE2ctwin: [process.execPath, path.join(repoRoot, 'bin/e2ctwin.js')] });
    const dir = path.join(out, 'failed');
    const lines: string[] = [];
    const outcome = await new LiveRun({
      scenario, testbed, plan, stateRoot, out: dir, overrides: [], versions: {}, log: (l) => lines.push(l),
      onWorkloadStarted: async ({ pids }) => {
        await new Promise((r) => setTimeout(r, 4000));
        process.kill(pids.get('cloud.engine@cloud-1')!, 'SIGKILL');
      },
    }).execute();
    expect(outcome.status).toBe('failed');
    expect(outcome.failure).toMatch(/cloud\.engine@cloud-1 died during the run/);
    expect(json(path.join(dir, 'run.json'))).toMatchObject({ status: 'failed', failure: expect.stringMatching(/cloud\.engine@cloud-1 died/) });
    // What the clients saw before the failure is kept.
    expect(parseTraceJsonl(readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')).spans.some((s) => s.kind === 'request' && s.status === 'ok')).toBe(true);
    expect(outcome.cleanupProblems).toEqual([]);
    expect(leftovers(runId, path.join(stateRoot, runId))).toEqual([]);
  }, 120_000);

  it('Ctrl-C (SIGINT) stops the run and removes everything; a crashed run\'s leftovers are removed by the next one', async () => {
    const interrupted = await liveCli(['live', scenarioFile, '--testbed', 'test/live/fixtures/local-quick.yaml', '--duration', '30', '--state-dir', stateRoot, '--out', path.join(out, 'sigint')], (err, child) => {
      if (err.includes('workload:') && !err.includes('SIGINT')) child.kill('SIGINT');
    });
    expect(interrupted.status).toBe(1);
    expect(interrupted.stderr).toContain('SIGINT: stopping the run and cleaning up');
    expect(interrupted.stdout).toContain('RUN INTERRUPTED');
    const id1 = runIdOf(path.join(out, 'sigint'));
    expect(leftovers(id1, path.join(stateRoot, id1))).toEqual([]);

    // A controller killed without a chance to clean up (SIGKILL) leaves its resources and journal.
    const crashed = await liveCli(['live', scenarioFile, '--testbed', 'test/live/fixtures/local-quick.yaml', '--duration', '30', '--state-dir', stateRoot, '--out', path.join(out, 'crash')], (err, child) => {
      if (err.includes('service cloud.engine@cloud-1 ready')) child.kill('SIGKILL');
    });
    expect(crashed.status).toBe(null);
    const id2 = /live run ([a-z0-9]{5}):/.exec(crashed.stderr)![1]!;
    expect(leftovers(id2, path.join(stateRoot, id2)).length).toBeGreaterThan(0);
    const recovered = await recover(stateRoot, () => {});
    expect(recovered.find((x) => x.runId === id2)).toMatchObject({ problems: [] });
    expect(leftovers(id2, path.join(stateRoot, id2))).toEqual([]);
  }, 120_000);

  it('runs a service as a container from a locally imported image (per-host dockerd with safe flags), then removes every trace', async () => {
    const dockerMissing = liveRequirements(['dockerd', 'nsenter', 'tar']);
    if (dockerMissing) return;
    const dir = path.join(out, 'docker');
    const work = mkdtempSync(path.join(tmpdir(), 'e2ctwin-image-'));
    const tar = busyboxRootfs(work);
    const testbed = path.join(work, 'testbed.yaml');
    writeFileSync(testbed, [
      'provider: local', 'hosts: [{ name: cloud-1 }, { name: fog-1 }, { name: edge-1 }]',
      'services: { cloud: [cloud-1], fog: [fog-1], edge: [edge-1] }', 'subnet: 10.216.0.0/24', 'emulation: none',
      'docker: { enabled: true }', `images: [{ name: "e2ctwin/busybox:test", tar: ${JSON.stringify(tar)}, cmd: [httpd, -f, -p, "8081", -h, /www] }]`, '',
    ].join('\n'));
    const runDirsBefore = ['/run/docker', '/run/containerd'].filter((p) => existsSync(p));
    const r = await liveCli(['live', scenarioFile, '--testbed', testbed, '--duration', '6', '--repeat', '2', '--out', dir, '--state-dir', stateRoot,
      '--set', 'fog.gateway.live={image: "e2ctwin/busybox:test", port: 8081, health: {path: /index.html}}']);
    rmSync(work, { recursive: true, force: true });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/local: dockerd on fog-1 \(--iptables=false --ip-forward=false --bridge=none, own roots\)/);
    expect(r.stderr).toMatch(/docker: imported e2ctwin\/busybox:test on fog-1/);
    expect(r.stderr).toMatch(/service fog\.gateway@fog-1 ready on 10\.216\.0\.11:8081 \(container [0-9a-f]{12}, image e2ctwin\/busybox:test\)/);
    // Two repetitions of the workload on one deployment: confidence intervals over them, as over replications.
    const metrics = json(path.join(dir, 'metrics.json'));
    expect(metrics.replications).toBe(2);
    expect(metrics.perReplication).toHaveLength(2);
    expect(metrics.perReplication.every((m: { completed: number }) => m.completed > 0)).toBe(true);
    expect(metrics.ci95['responseTime.mean'].halfWidth).toBeGreaterThan(0);
    const id = runIdOf(dir);
    expect(leftovers(id, path.join(stateRoot, id))).toEqual([]);
    expect(execFileSync('sh', ['-c', 'pgrep -a dockerd || true'], { encoding: 'utf8' })).not.toContain(path.join(stateRoot, id));
    expect(['/run/docker', '/run/containerd'].filter((p) => existsSync(p))).toEqual(runDirsBefore);
  }, 120_000);
});
