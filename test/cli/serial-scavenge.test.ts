import { describe, expect, it } from 'vitest';
import { runBin } from '../support/start-up-path.js';

// bin/e2ctwin.js runs `simulate` with V8's young generation collected on the main thread alone (the
// serial-scavenge start-up path); E2CTWIN_SERIAL_SCAVENGE=0 leaves V8's parallel scavenge on. Both must print
// the same bytes and exit alike, and the switch must actually keep helper threads out of the scavenges.

const run = (args: string[], serial: boolean, nodeFlags: string[] = []) =>
  runBin(args, { E2CTWIN_SERIAL_SCAVENGE: serial ? '1' : '0' }, nodeFlags);

const CASES: [string, string[]][] = [
  [
    'M/M/4 --json',
    ['simulate', 'scenarios/validation/mmc.yaml', '-r', '2', '--json', '--set', 'run.requests=20000'],
  ],
  ['Pl@ntNet, the table', ['simulate', 'scenarios/plantnet.yaml', '-r', '1', '--set', 'run.duration=600']],
  ['a bad scenario', ['simulate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml']],
  ['a bad override', ['simulate', 'scenarios/plantnet.yaml', '--set', 'run.duration=abc']],
];

// --trace-gc-nvp prints one line per scavenge with the helper threads' time (background.scavenge.parallel).
const helperTimes = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.includes('gc=s '))
    .map((l) => Number(/background\.scavenge\.parallel=([0-9.]+)/.exec(l)?.[1] ?? Number.NaN));

describe('simulate with the young generation collected on the main thread', () => {
  it.each(CASES)(
    '%s: the same output and exit status with and without it',
    (_name, args) => {
      const on = run(args, true);
      const off = run(args, false);
      expect(on.status).toBe(off.status);
      expect(on.stdout).toBe(off.stdout);
      // Wall times aside (the table has none with --json; progress goes to a terminal only), stderr alike.
      expect(on.stderr).toBe(off.stderr);
    },
    120_000,
  );

  it('scavenges without helper threads, which work beside it when switched off', () => {
    // Enough requests for a hundred or so scavenges: with helpers, some of them take a share of the work.
    const args = ['simulate', 'scenarios/plantnet.yaml', '-r', '1', '--set', 'run.duration=100000'];
    const on = helperTimes(run(args, true, ['--trace-gc-nvp']).stdout);
    const off = helperTimes(run(args, false, ['--trace-gc-nvp']).stdout);
    expect(on.length).toBeGreaterThan(20);
    expect(off.length).toBeGreaterThan(20);
    expect(on.every((t) => t === 0)).toBe(true);
    expect(off.some((t) => t > 0)).toBe(true);
  }, 120_000);
});
