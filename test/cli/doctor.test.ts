import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onPath } from '../../src/cli/doctor-checks.js';
import { repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2c-doctor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Check {
  mode: string;
  name: string;
  status: string;
  detail: string;
  install?: string;
}

/** Runs `e2ctwin doctor` (node by its absolute path) with the given PATH. */
async function doctor(args: string[], PATH = process.env.PATH ?? '') {
  // Asynchronous: a test's own server (the fake Redis) must keep answering while doctor runs.
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), 'doctor', ...args], {
    env: { ...process.env, PATH, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stdout, stderr };
}

// The commands doctor looks up, resolved from this machine's PATH: a PATH of links to all of them but
// one shows what doctor says when that one is missing.
const COMMANDS = [
  'ip',
  'nft',
  'tc',
  'sshd',
  'ssh-keygen',
  'unshare',
  'socat',
  'dockerd',
  'chromium',
  'redis-server',
];

/** Whether this kernel takes a netem qdisc (checked here independently of doctor, in a throwaway netns). */
function kernelHasNetem(): boolean {
  return (
    spawnSync('unshare', ['--net', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])
      .status === 0
  );
}

describe('e2ctwin doctor', () => {
  it('on a machine set up by scripts/setup.sh: everything present, netem as the kernel has it, exit 0', async () => {
    const r = await doctor(['--json']);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    const netem = out.checks.find((c) => c.name === 'sch_netem')!;
    if (kernelHasNetem()) expect(netem.status).toBe('ok');
    else {
      expect(netem.status).toBe('fallback');
      expect(netem.detail).toMatch(/userspace switch/);
    }
    // An optional command may be absent only when it really is not on PATH (setup.sh installs the others).
    const others = out.checks.filter(
      (c) => c.name !== 'sch_netem' && c.status !== 'ok' && !(c.status === 'optional' && !onPath(c.name)),
    );
    expect(others).toEqual([]);
    expect(out.ok).toBe(true);
    expect(r.status).toBe(0);
    const text = await doctor([]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/sch_netem/);
    expect(text.stdout).toMatch(/nothing required is missing/);
  });

  it('with a PATH that lacks sshd: names it with the command that installs it, exit 1', async () => {
    const bin = path.join(tmp, 'bin-no-sshd');
    mkdirSync(bin);
    for (const c of COMMANDS) {
      const found = onPath(c);
      if (c !== 'sshd' && found) symlinkSync(found, path.join(bin, c));
    }
    const r = await doctor([], bin);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/MISSING\s+sshd\s+not on PATH/);
    expect(r.stdout).toMatch(/apt-get install -y openssh-server/);
    expect(r.stdout).toMatch(/missing: sshd \(live\); simulating works/);
    const j = JSON.parse((await doctor(['--json'], bin)).stdout) as {
      ok: boolean;
      modes: Record<string, { ok: boolean }>;
      checks: Check[];
    };
    expect(j.checks.filter((c) => c.status === 'missing').map((c) => c.name)).toEqual(['sshd']);
    expect(j.modes).toMatchObject({ simulate: { ok: true }, live: { ok: false } });
    // Only what simulating needs: sshd does not matter.
    expect((await doctor(['--mode', 'simulate'], bin)).status).toBe(0);
  });

  it('checks a Redis URL by PING: a server answering +PONG passes, a closed port fails (exit 1)', async () => {
    const fake = net.createServer((s) =>
      s.on('data', (d) => d.toString().includes('PING') && s.write('+PONG\r\n')),
    );
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const port = (fake.address() as net.AddressInfo).port;
    const up = await doctor(['--mode', 'distributed', '--redis', `redis://127.0.0.1:${port}`, '--json']);
    await new Promise((resolve) => fake.close(resolve));
    expect(up.status).toBe(0);
    expect(
      (JSON.parse(up.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'redis reachable')?.status,
    ).toBe('ok');
    const down = await doctor(['--mode', 'distributed', '--redis', `redis://127.0.0.1:${port}`]);
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/MISSING\s+redis reachable/);
  });

  it('refuses an unknown mode (exit 2)', async () => {
    const r = await doctor(['--mode', 'simulate,fly']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown mode fly/);
  });
});
