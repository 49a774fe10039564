import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.join(import.meta.dirname, '../..');

/** Runs the e2ctwin command as a user would (from the repo root) and returns its status and output. */
export function runCli(args: string[], options: { cwd?: string; input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
