import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

// vitest.config.ts lists the live testbed files: they wait for the testbed lock in workers of their own
// instead of taking a CPU slot (test/support/cpu-slots.ts), and run first. A file that holds the testbed
// lock but is missing from the list would take a slot while it waits; a listed file that does not hold
// it would run its CPU work beside the slots.
const root = path.join(import.meta.dirname, '../..');

describe('the live testbed files of vitest.config.ts', () => {
  it('are the test files that hold the live-test lock', () => {
    // The call is a statement of the file's top level (it registers the file's hooks).
    const holders = execFileSync('git', ['grep', '-l', '^holdLiveTestLock(', '--', 'test/*.test.ts'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f !== '');
    expect(holders.length).toBeGreaterThan(0);
    expect([...inject('liveTestbedFiles')].sort()).toEqual(holders.sort());
  });
});
