// Study commands the server's so-far tests and the browser's live-study tests both run and hold part-way:
// one definition each, so the API and the page are checked on the same searches.

/** The evaluations of {@link optimizeSearch}. */
export const OPTIMIZE_BUDGET = 30;

/**
 * A random search of 30 evaluations in batches of 2, two objectives (one maximized) and a constraint on
 * plantnet: about 0.1 s a trial on one worker (a few seconds of search); the best `confirm` confirmed with
 * `confirmReplications` replications at the end. Without --workers, --no-progress or --out.
 */
export const optimizeSearch = (o: { confirm: number; confirmReplications: number }): string[] => [
  'optimize',
  'scenarios/plantnet.yaml',
  '-a',
  'random',
  '-b',
  String(OPTIMIZE_BUDGET),
  '--batch',
  '2',
  '-p',
  'cloud.engine.pools.extract=1..6',
  '-p',
  'cloud.engine.pools.http=10..40',
  '--objective',
  'responseTime.mean',
  '--objective',
  'max:throughput',
  '-c',
  'responseTime.p95 <= 12',
  '--set',
  'run.duration=4000',
  '--set',
  'run.warmup=500',
  '-r',
  '1',
  '--confirm',
  String(o.confirm),
  '--confirm-replications',
  String(o.confirmReplications),
];

/**
 * The capacity of plantnet under responseTime.p95 <= 4 with extract 7 and 8: loads of 2,000 s with 2 to 4
 * replications (a step about a second on one worker), a few dozen loads. Without --workers or --out.
 */
export const CAPACITY_SEARCH = [
  'capacity',
  'scenarios/plantnet.yaml',
  '--slo',
  'responseTime.p95 <= 4',
  '--config',
  'extract7:cloud.engine.pools.extract=7',
  '--config',
  'extract8:cloud.engine.pools.extract=8',
  '--set',
  'run.duration=2000',
  '--set',
  'run.warmup=200',
  '-r',
  '2',
  '--max-replications',
  '4',
];
