import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// What a run folder records of the e2ctwin that wrote it. Both paths are relative to this file, which
// sits two levels below the package root in src/ (tsx) and in dist/ (built) alike.

/** e2ctwin's version (package.json), read once. */
export const E2CTWIN_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The commit of the e2ctwin checkout that ran, when it is a git checkout. */
export function gitCommit(): string | undefined {
  try {
    const dir = fileURLToPath(new URL('../..', import.meta.url));
    // Loaded here, not imported: node:child_process brings net and dgram with it, a few milliseconds of
    // start-up for every command that links this module (validate among them) and never writes a run folder.
    const { execFileSync } = process.getBuiltinModule('node:child_process');
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}
