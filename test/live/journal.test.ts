import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, present, readJournal, recoverLeftovers, scanJournals } from '../../src/live/journal.js';
import { isAlive, processStartTime, spawnDetached } from '../../src/live/proc.js';
import { runCliHere } from '../support/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'e2ctwin-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cleanup journal', () => {
  it('records resources as they are created and removes them newest first', async () => {
    const j = Journal.open(root, 'aaaaa');
    const dir = path.join(root, 'aaaaa');
    j.record({ kind: 'dir', path: dir });
    mkdirSync(dir);
    const p = spawnDetached(['sleep', '60'], path.join(root, 'o'), path.join(root, 'e'));
    j.record({ kind: 'process', pid: p.pid, start: p.start, what: 'sleeper' });
    expect(readJournal(j.file).entries.map((e) => e.kind)).toEqual(['dir', 'process']);
    expect(() => Journal.open(root, 'aaaaa')).toThrow(/already exists/);
    expect(await j.cleanup()).toEqual([]);
    expect(isAlive(p.pid, p.start)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(j.file)).toBe(false);
  });

  it('recovers a crashed run (its controller gone), leaves a running one alone, never removes folders outside its root', async () => {
    // A "controller" that journals a sleeper and a folder, then dies without cleaning up.
    const crashed = path.join(root, 'journals', 'bbbbb.jsonl');
    const ctl = spawn('sleep', ['0']);
    await new Promise((r) => ctl.on('close', r));
    const sleeper = spawnDetached(['sleep', '60'], path.join(root, 'o2'), path.join(root, 'e2'));
    mkdirSync(path.join(root, 'bbbbb'));
    writeFileSync(
      crashed,
      `${[
        { kind: 'owner', runId: 'bbbbb', pid: ctl.pid, start: 1, createdAt: '' },
        { kind: 'dir', path: path.join(root, 'bbbbb') },
        { kind: 'dir', path: '/etc' },
        { kind: 'process', pid: sleeper.pid, start: sleeper.start, what: 'left behind' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n')}\n{"kind":"proc`,
    );
    // A run still in progress (this process owns it).
    const live = Journal.open(root, 'ccccc');
    const out = await recoverLeftovers(root);
    expect(out.map((o) => o.runId)).toEqual(['bbbbb']);
    expect(out[0]!.problems).toEqual([expect.stringMatching(/refusing to remove \/etc: outside/)]);
    expect(isAlive(sleeper.pid, sleeper.start)).toBe(false);
    expect(existsSync(path.join(root, 'bbbbb'))).toBe(false);
    expect(existsSync('/etc')).toBe(true);
    expect(existsSync(live.file)).toBe(true);
    expect(readFileSync(live.file, 'utf8')).toContain(`"pid":${process.pid}`);
    expect(processStartTime(process.pid)).toBeGreaterThan(0);
    await live.cleanup();
  });
});

/** A journal whose controller is gone, listing a sleeper process, a folder and a temporary run folder. */
async function crashedRun(stateRoot: string, runId: string) {
  const ctl = spawn('sleep', ['0']);
  await new Promise((r) => ctl.on('close', r));
  const ctlStart = 1; // not the start time of whatever now has that pid
  const folder = path.join(stateRoot, runId);
  mkdirSync(folder, { recursive: true });
  const sleeper = spawnDetached(['sleep', '60'], path.join(folder, 'o'), path.join(folder, 'e'));
  const outTemp = path.join(stateRoot, `.run.e2ctwin-tmp-${runId}`);
  mkdirSync(outTemp);
  mkdirSync(path.join(stateRoot, 'journals'), { recursive: true });
  writeFileSync(
    path.join(stateRoot, 'journals', `${runId}.jsonl`),
    `${[
      { kind: 'owner', runId, pid: ctl.pid, start: ctlStart, createdAt: '2025-01-01T00:00:00.000Z' },
      { kind: 'dir', path: folder },
      { kind: 'out-temp', path: outTemp },
      { kind: 'process', pid: sleeper.pid, start: sleeper.start, what: 'left behind' },
      { kind: 'netns', name: `e2c-${runId}-gone` },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n')}\n`,
  );
  return { folder, sleeper, outTemp };
}

describe('e2ctwin live --cleanup', () => {
  it('--dry-run lists what a crashed run left, touching nothing; --cleanup removes it and says what; a second --cleanup finds nothing', async () => {
    const stateRoot = path.join(root, 'state-cli');
    const { folder, sleeper, outTemp } = await crashedRun(stateRoot, 'ddddd');
    expect(scanJournals(stateRoot).crashed.map((j) => j.runId)).toEqual(['ddddd']);
    expect(present({ kind: 'process', pid: sleeper.pid, start: sleeper.start, what: '' })).toBe(true);
    // The same PID with another start time is not our process.
    expect(present({ kind: 'process', pid: sleeper.pid, start: sleeper.start + 1, what: '' })).toBe(false);

    const dry = await runCliHere(['live', '--cleanup', '--dry-run', '--state-dir', stateRoot]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('run ddddd crashed');
    expect(dry.stdout).toContain('would remove 4 resources');
    expect(dry.stdout).toContain(`process ${sleeper.pid} (left behind)`);
    expect(dry.stdout).toContain(`network namespace e2c-ddddd-gone (already gone)`);
    expect(isAlive(sleeper.pid, sleeper.start)).toBe(true);
    expect(existsSync(folder) && existsSync(outTemp)).toBe(true);
    // A plan's --dry-run says that a real run would remove them first.
    const plan = await runCliHere([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--testbed',
      'testbeds/local.yaml',
      '--dry-run',
      '--state-dir',
      stateRoot,
    ]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(
      /a real run first removes what 1 crashed run\(s\) left \(ddddd: 4 resources\)/,
    );

    const clean = await runCliHere(['live', '--cleanup', '--state-dir', stateRoot]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('removing leftovers of run ddddd (4 resources)');
    expect(clean.stdout).toContain(`removed process ${sleeper.pid} (left behind)`);
    expect(clean.stdout).toContain(`removed temporary run folder ${outTemp}`);
    expect(clean.stdout).toContain('already gone: network namespace e2c-ddddd-gone');
    expect(isAlive(sleeper.pid, sleeper.start)).toBe(false);
    expect(existsSync(folder) || existsSync(outTemp)).toBe(false);
    expect(existsSync(path.join(stateRoot, 'journals', 'ddddd.jsonl'))).toBe(false);

    const again = await runCliHere(['live', '--cleanup', '--state-dir', stateRoot]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing to recover');
  });

  it('leaves a run in progress alone and refuses a scenario or testbed with --cleanup', async () => {
    const stateRoot = path.join(root, 'state-busy');
    const live = Journal.open(stateRoot, 'eeeee');
    const r = await runCliHere(['live', '--cleanup', '--state-dir', stateRoot]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`run eeeee is in progress (controller pid ${process.pid}): left alone`);
    expect(existsSync(live.file)).toBe(true);
    const bad = await runCliHere([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--cleanup',
      '--state-dir',
      stateRoot,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--cleanup starts no run');
    const none = await runCliHere(['live', '--testbed', 'testbeds/local.yaml']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("missing argument 'scenario'");
  });
});
