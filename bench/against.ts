/**
 * Another commit's `e2ctwin`, built beside this checkout, so a section can alternate runs of the two
 * commands in one benchmark run (`--against=<git ref>`): the only way to compare speeds on a shared host
 * whose speed changes from minute to minute (see README.md, "How to read and compare figures").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, type Measured, repoRoot } from './measure.js';

/** A built checkout of another commit. */
export interface OtherBuild {
  /** The ref as given and its short commit id, e.g. `HEAD~1 (5e89fc7)`. */
  label: string;
  /** The checkout's root (its `bin/e2ctwin.js` runs its own `dist/`). */
  root: string;
  /** Removes the worktree and its folder. */
  remove(): void;
}

const git = (args: string[], cwd = repoRoot): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * Checks `ref` out in a temporary git worktree under the OS's temporary folder (detached, so no branch is
 * made), links this checkout's `node_modules` into it and builds its `dist/` (about a second). Call
 * `remove()` when done; a worktree left behind by a killed benchmark goes with `git worktree prune`.
 * @throws if `ref` does not name a commit or its build fails
 */
export function buildOther(ref: string): OtherBuild {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-against-'));
  const root = path.join(dir, 'e2ctwin');
  git(['worktree', 'add', '--detach', root, commit]);
  const remove = (): void => {
    try {
      git(['worktree', 'remove', '--force', root]);
    } catch {
      // Already gone; prune forgets it.
      git(['worktree', 'prune']);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    execFileSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (err) {
    remove();
    throw err;
  }
  const short = commit.slice(0, 7);
  return { label: commit.startsWith(ref) ? short : `${ref} (${short})`, root, remove };
}

/**
 * `e2ctwin args` as installed from the checkout at `root` (this one by default), run in that checkout's
 * folder: relative scenario paths name its own files, which its file policy allows (a scenario's
 * calibration and trace files must lie under its package's folders).
 */
export function e2ctwinAt(root: string, args: string[]): Measured {
  return measure(process.execPath, [path.join(root, 'bin/e2ctwin.js'), ...args], { cwd: root });
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The `--against=<ref>` argument of the benchmark, if given. */
export function againstArg(argv: readonly string[] = process.argv): string | undefined {
  return argv.find((a) => a.startsWith('--against='))?.slice('--against='.length) || undefined;
}
