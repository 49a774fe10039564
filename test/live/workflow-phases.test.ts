import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leftovers, liveRequirements, holdLiveTestLock, liveCli } from './support.js';

const skip = liveRequirements(['busybox']);
const stateRoot = '/tmp/e2ctwin-live-test-phases';
const out = mkdtempSync(path.join(tmpdir(), 'e2ctwin-phases-'));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

// One live test file at a time (see liveTestLock).
holdLiveTestLock(skip, () => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skip)(`E2Clab workflow phases in live mode${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it("--repeat 2: prepare once, launch twice, every edge host's finalize files under <out>/files/<host>/<repetition>/; round_robin, asarray and aggregate give the stated addresses", async () => {
    const dir = path.join(out, 'run');
    const r = await liveCli([
      'live',
      'test/live/fixtures/workflow-phases.yaml',
      '--testbed',
      'test/live/fixtures/local-ci.yaml',
      '--repeat',
      '2',
      '--duration',
      '6',
      '--out',
      dir,
      '--state-dir',
      stateRoot,
    ]);
    process.stdout.write(`\n--- e2ctwin live (stdout) ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`);
    expect(r.status, r.stderr).toBe(0);
    const plan = json(path.join(dir, 'plan.json'));
    expect(leftovers(plan.runId, path.join(stateRoot, plan.runId))).toEqual([]);

    // The targets of dependsOn "*", in plan order, and each edge host's instance index.
    const addressOf = (host: string) => plan.hosts.find((h: { name: string }) => h.name === host).address;
    const targets = (plan.instances as { name: string; host: string }[]).map((i) => addressOf(i.host));
    expect(targets).toHaveLength(4);
    const gateway = plan.instances.find((i: { service: string }) => i.service === 'fog.gateway');
    for (const inst of plan.instances.filter((i: { service: string }) => i.service === 'edge.users')) {
      const files = path.join(dir, 'files', inst.host);
      const rr = targets[inst.index % targets.length];
      const launch = (k: number) =>
        `launch ${k} rr=${rr} all=${targets.join(',')} each2=http://${addressOf(gateway.host)}:8081`;
      // After repetition 1: one launch, one finalize; after repetition 2, both of each, in order.
      expect(readFileSync(path.join(files, '1', 'launch.log'), 'utf8')).toBe(`${launch(1)}\nfinalize 1\n`);
      expect(readFileSync(path.join(files, '2', 'launch.log'), 'utf8')).toBe(
        `${launch(1)}\nfinalize 1\n${launch(2)}\nfinalize 2\n`,
      );
      // prepare ran once in the whole run.
      for (const k of ['1', '2'])
        expect(readFileSync(path.join(files, k, 'prepare.log'), 'utf8')).toBe('prepared\n');
    }
    const run = json(path.join(dir, 'run.json'));
    expect(run.measured.repetitionsMeasured).toBe(2);
    expect(run.warnings.filter((w: string) => w.startsWith('finalize'))).toEqual([]);
    // Where the run's time went: every phase, in the order it ran, in run.json and as the last stderr line.
    const phases = ['plan', 'hosts', 'networkCheck', 'services', 'drive', 'collect', 'cleanup'];
    expect(Object.keys(run.phases)).toEqual(phases);
    for (const k of phases) expect(run.phases[k]).toBeGreaterThanOrEqual(0);
    // The workload alone lasts its 2 × 6 s.
    expect(run.phases.drive).toBeGreaterThanOrEqual(12);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(new RegExp(`^phases: ${phases.map((k) => `${k} \\d+\\.\\d s`).join(', ')}$`));
  }, 600_000);
});
