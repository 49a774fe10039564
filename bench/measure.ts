import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export const repoRoot = path.join(import.meta.dirname, '..');

/**
 * Wall seconds for `threads` worker threads each spinning the same CPU loop: how fast, and how parallel,
 * this machine is now (other tenants' load on a shared host changes both from minute to minute).
 */
export async function cpuProbe(threads: number): Promise<number> {
  const code =
    'let x = 0; for (let i = 0; i < 2e8; i++) x += Math.sqrt(i); require("node:worker_threads").parentPort.postMessage(x);';
  return threadsWall(code, threads);
}

/**
 * Wall seconds for `threads` worker threads each running the same allocating JavaScript: sorting a 1.6 MB
 * array of doubles and filling a map of 100,000 small objects, sixteen times. A spinning loop
 * ({@link cpuProbe}) uses its core alone; JavaScript that allocates, as a simulation does, also keeps V8's
 * collector and compiler threads busy beside it, which a thread alone gets from an idle core and two
 * threads on two cores take from each other. On the 2-core build machine (2026-12-08) two copies of such
 * code ran 1.12–1.28× slower each than one alone (1.04–1.09× with `node --single-threaded`), a spinning loop
 * 1.00–1.02×.
 */
export async function memoryProbe(threads: number): Promise<number> {
  const code = `
    let s = 0, x = 1;
    for (let round = 0; round < 16; round++) {
      const a = new Float64Array(200000);
      for (let i = 0; i < a.length; i++) a[i] = (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
      a.sort();
      s += a[100];
      const m = new Map();
      for (let i = 0; i < 100000; i++) m.set((i * 7919) % 100003, { v: i });
      for (const v of m.values()) s += v.v & 1;
    }
    require("node:worker_threads").parentPort.postMessage(s);`;
  return threadsWall(code, threads);
}

// Wall seconds for `threads` worker threads each running `code` (which posts a message when done).
async function threadsWall(code: string, threads: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(code, { eval: true });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return (performance.now() - t0) / 1000;
}

/** A finished process: wall seconds, peak resident memory (MiB, from GNU time), stdout. */
export interface Measured {
  wallSeconds: number;
  /**
   * User + system CPU seconds of the process and its threads (GNU time): less sensitive than wall time to
   * other tenants of a shared host, but it counts Node's compiler and collector threads too.
   */
  cpuSeconds: number;
  peakMiB: number;
  stdout: string;
  status: number | null;
}

/**
 * Runs a command under GNU time to get its whole-process wall time and peak RSS (start-up included:
 * users pay it).
 */
export function measure(cmd: string, args: string[], options: { cwd?: string } = {}): Measured {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-bench-'));
  const timeFile = path.join(dir, 'time.txt');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], {
      cwd: options.cwd ?? repoRoot,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0) process.stderr.write(r.stderr);
    const [wall, rssKiB, user, sys] = readFileSync(timeFile, 'utf8')
      .trim()
      .split('\n')
      .pop()!
      .split(' ')
      .map(Number);
    return {
      wallSeconds: wall!,
      cpuSeconds: user! + sys!,
      peakMiB: rssKiB! / 1024,
      stdout: r.stdout,
      status: r.status,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The e2ctwin command as users run it. */
export function e2ctwin(args: string[]): Measured {
  return measure(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), ...args]);
}

/** Debian's python3 with SimPy 3 (package python3-simpy3), or undefined when it is not installed. */
export function simpyPython(): string | undefined {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return undefined;
  try {
    execFileSync(py, ['-c', 'import simpy'], { stdio: 'ignore' });
    return py;
  } catch {
    return undefined;
  }
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  return x.toPrecision(digits);
}

export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows)
    console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
}
