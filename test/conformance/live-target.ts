import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveHost } from '../../src/live/target.js';
import { until } from '../support/poll.js';

const HOSTILE = [
  '$(touch pwned)',
  '`touch pwned`',
  "' ; touch pwned ; '",
  'a b\tc\nd',
  '',
  '*',
  '${IFS}x',
  '--help',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The conformance suite every live provider passes (hono-style: one interface, one suite): two hosts of
 * the provider, reached however it reaches them. `get()` returns them once the provider's beforeAll ran.
 */
export function liveTargetConformance(name: string, get: () => { a: LiveHost; b: LiveHost }): void {
  describe(`${name} provider conformance`, () => {
    it('exec passes argv literally and returns stdout, stderr and the exit status', async () => {
      const { a } = get();
      const r = await a.exec(['sh', '-c', 'printf "%s\\n" "$@"; echo err >&2; exit 3', 'sh', ...HOSTILE]);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe(`${HOSTILE.join('\n')}\n`);
      expect(r.stderr).toBe('err\n');
      expect((await a.exec(['ls', a.workDir])).stdout).not.toContain('pwned');
      await expect(a.check(['false'])).rejects.toThrow(/exited with 1/);
      expect((await a.exec(['cat'], { input: 'piped' })).stdout).toBe('piped');
    });

    it("writes and reads files under the host's work dir, with their mode", async () => {
      const { a } = get();
      await a.writeFile('conf/dir/x.sh', '#!/bin/sh\necho hi\n', 0o755);
      expect((await a.readFile('conf/dir/x.sh')).toString()).toBe('#!/bin/sh\necho hi\n');
      expect((await a.exec([posix.join(a.workDir, 'conf/dir/x.sh')])).stdout).toBe('hi\n');
      await expect(a.readFile('conf/none')).rejects.toThrow(/reading/);
    });

    it('starts a process in the background in its own session and stops it with its children', async () => {
      const { a } = get();
      const dir = posix.join(a.workDir, 'bg');
      const pid = await a.start({
        argv: ['sh', '-c', 'sleep 300 & echo "$!" > child; echo started; wait'],
        env: { E2C_TEST: "v'1" },
        cwd: dir,
        stdout: posix.join(dir, 'out'),
        stderr: posix.join(dir, 'err'),
        what: 'conformance sleeper',
      });
      expect(await a.alive(pid)).toBe(true);
      const child = await until('the sleeper wrote its child pid', async () =>
        (await a.exec(['cat', posix.join(dir, 'child')])).stdout.trim(),
      );
      expect(Number(child)).toBeGreaterThan(0);
      expect(await a.alive(Number(child))).toBe(true);
      await a.stop(pid, 1000);
      expect(await a.alive(pid)).toBe(false);
      expect(await a.alive(Number(child))).toBe(false);
      expect((await a.readFile(posix.join(dir, 'out'))).toString()).toBe('started\n');
    });

    it('hosts reach each other at their addresses (a port opened on b is reached from a)', async () => {
      const { a, b } = get();
      const dir = posix.join(b.workDir, 'srv');
      const port = 47913;
      const pid = await b.start({
        argv: ['busybox', 'nc', '-l', '-p', String(port), '-e', 'echo', 'hello-from-b'],
        cwd: dir,
        stdout: posix.join(dir, 'out'),
        stderr: posix.join(dir, 'err'),
        what: 'nc',
      });
      try {
        let got = '';
        for (let i = 0; i < 50 && !got; i++) {
          try {
            const s = await a.connect(port, b.address);
            got = await new Promise<string>((resolve) => {
              let data = '';
              const timer = setTimeout(() => resolve(data), 2000);
              s.on('data', (d: Buffer) => {
                data += d.toString();
                if (data.includes('\n')) {
                  clearTimeout(timer);
                  resolve(data);
                }
              });
              s.on('close', () => resolve(data));
              s.on('error', () => resolve(data));
            });
            s.destroy();
          } catch {
            await sleep(50);
          }
        }
        expect(got.trim()).toBe('hello-from-b');
      } finally {
        await b.stop(pid, 500);
      }
    });
  });
}
