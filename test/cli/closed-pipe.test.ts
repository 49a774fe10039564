import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exited, repoRoot } from '../support/cli.js';

describe('output to a pipe its reader has closed (`e2ctwin … | head`)', () => {
  // `live` runs from dist/cli/main.js, `simulate` from its own bundle with the code cache (bin/e2ctwin.js).
  it.each([['live'], ['simulate']])(
    '%s --help ends quietly with exit status 0, no EPIPE stack trace',
    async (verb) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin/e2ctwin.js'), verb, '--help'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The reader is gone before the command writes a byte: its first write meets a closed pipe.
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      expect(await exited(child)).toBe(0);
      expect(err).not.toMatch(/EPIPE|Error/);
    },
  );
});
