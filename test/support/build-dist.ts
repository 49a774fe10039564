import { execFileSync } from 'node:child_process';
import path from 'node:path';

// CLI tests run the real `e2ctwin` command, which runs dist/: build it once before the suite so that
// `npx vitest` never tests a stale build.
export default function setup(): void {
  const root = path.join(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}
