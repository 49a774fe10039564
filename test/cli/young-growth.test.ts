import { describe, expect, it } from 'vitest';
import { itValidatesAlikeBothWays, runBin } from '../support/start-up-path.js';

// bin/e2ctwin.js lets V8's young generation grow eightfold per step during `validate` (fewer scavenges);
// E2CTWIN_YOUNG_GROWTH=0 leaves V8's default. Both must print the same bytes and exit alike, and the
// switch must actually change how often the young generation is collected.

const run = (args: string[], growth: boolean, traceGc = false) =>
  runBin(args, { E2CTWIN_YOUNG_GROWTH: growth ? '1' : '0' }, traceGc ? ['--trace-gc'] : []);

const scavenges = (out: string) => out.split('\n').filter((l) => / Scavenge /.test(l)).length;

describe('young-generation growth during validate', () => {
  itValidatesAlikeBothWays(run);

  it('collects the young generation fewer times', () => {
    const args = ['validate', 'scenarios/plantnet.yaml'];
    const off = scavenges(run(args, false, true).stdout);
    const on = scavenges(run(args, true, true).stdout);
    expect(off).toBeGreaterThan(0);
    expect(on).toBeLessThan(off);
  }, 120_000);
});
