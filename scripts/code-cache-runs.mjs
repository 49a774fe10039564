// The runs that write the one-verb bundles' code caches when dist/ is built (scripts/build.mjs), each
// after its run, so that the functions it compiled lazily are in the cache too: the scenario layer for
// all, the simulator on M/M/4, and for the studies (short M/M/4 trials on one worker thread) the study
// worker's bundle as well. test/cli/code-cache.test.ts runs the same ones with and without the caches.

const mmc = 'scenarios/validation/mmc.yaml';

/** Each verb's run, as `bin/e2ctwin.js` arguments; the studies' folders go under `dir`. */
export function codeCacheRuns(dir) {
  const study = (name) => ['--workers', '1', '--no-progress', '--out', `${dir}/${name}`];
  const servers = (range) => ['-p', `system.station.pools.server=${range}`];
  return [
    ['validate', 'scenarios/plantnet.yaml'],
    ['simulate', mmc, '-r', '1', '--json', '--set', 'run.requests=20000'],
    ['sweep', mmc, ...servers('4..5'), '-r', '1', '--set', 'run.requests=20000', ...study('sweep')],
    [
      'sensitivity',
      mmc,
      '--method',
      'oat',
      ...servers('4..5'),
      '--set',
      'run.requests=2000',
      ...study('sensitivity'),
    ],
    [
      'optimize',
      mmc,
      '-a',
      'random',
      '-b',
      '2',
      '--batch',
      '1',
      ...servers('4..6'),
      '--requests',
      '2000',
      '-r',
      '1',
      ...study('optimize'),
    ],
    [
      'capacity',
      mmc,
      '--slo',
      'responseTime.p95<=5',
      '--range',
      '1..3',
      '--set',
      'run.requests=2000',
      '-r',
      '1',
      '--max-replications',
      '1',
      ...study('capacity'),
    ],
  ];
}
