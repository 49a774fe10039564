import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, readJournal, recoverLeftovers } from '../../src/live/journal.js';
import { isAlive, processStartTime, spawnDetached } from '../../src/live/proc.js';

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
    writeFileSync(crashed, [
      { kind: 'owner', runId: 'bbbbb', pid: ctl.pid, start: 1, createdAt: '' },
      { kind: 'dir', path: path.join(root, 'bbbbb') },
      { kind: 'dir', path: '/etc' },
      { kind: 'process', pid: sleeper.pid, start: sleeper.start, what: 'left behind' },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n{"kind":"proc');
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
