import { execFileSync } from 'node:child_process';
import path from 'node:path';

// CLI tests run the real `e2ctwin` command, which runs dist/: build it once before the suite so that
// `npx vitest` never tests a stale build. Each project of the run (vitest.config.ts) runs this global
// setup; they run in vitest's own process, one after the other (the build is synchronous), so the first
// builds and the others find it done.
const built = Symbol.for('e2ctwin.dist-built');

export default function setup(): void {
  const g = globalThis as { [built]?: boolean };
  // scripts/test.mjs (npm test) built it before starting its two vitest runs.
  if (g[built] || process.env.E2C_DIST_BUILT === '1') return;
  const root = path.join(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  g[built] = true;
}
