/**
 * The sizes a scenario may ask for: e2ctwin's resource budget, stated in one place. Each limit is far above
 * what the shipped scenarios use (Pl@ntNet: 150 users, pools of 40, ≤ 5 images; the IoT case: 1,000
 * cameras, scaled ×100 to 100,000 in tests) and below what exhausts a machine's memory before the first
 * result: 10⁷ closed users took 3.7 GB in setup alone, 10⁶ items per request 1.7 GB in 30 s, a rate of 10⁹/s
 * or a pool of 10⁹ threads grew past 1 GB within 20 s. Validation refuses a scenario beyond any of them,
 * naming the limit; a scenario within them that still grows (an overloaded queue over a long run) is
 * stopped by the simulation's budget (`simulate --max-events`, `--max-memory`).
 */
export const LIMITS = {
  /** Host instances of one service (`quantity`), and of all services together. 10⁶ hosts take ~1 GB. */
  instances: 1_000_000,
  /** Closed-loop users of the whole scenario: users × quantity × the population profile's peak. */
  users: 1_000_000,
  /** Threads of one pool (and cores of one host). */
  poolSize: 1_000_000,
  /** GPUs of one host; GPUs of all hosts together are bounded by {@link LIMITS.gpusTotal}. */
  gpusPerHost: 1_024,
  gpusTotal: 1_000_000,
  /** Offered arrivals per second of the whole scenario: ratePerS × quantity × the profile's peak. */
  ratePerS: 10_000_000,
  /** Mean items (e.g. images) per request: each item is a task of its own in per-item stages. */
  itemsMean: 10_000,
  /** Mean demand of a stage, seconds of one reference core / GPU (10⁶ s ≈ 11.6 days). */
  demandMeanS: 1_000_000,
  /** Mean bytes of one transfer (request, response, network stage): 1 TB. */
  sizeMeanBytes: 1e12,
  /** Tasks aggregated into one forwarded request (`batch`). */
  batch: 100_000,
  /** Expected visits of one stage per request, through `next` routes that loop back. */
  stageVisits: 10_000,
  /** Replications of one run, and requests whose spans are kept (`spanSample`). */
  replications: 10_000,
  spanSample: 100_000,
} as const;

/** The limit as words for messages: "1,000,000". */
export function limitText(n: number): string {
  return n >= 1e15 ? n.toExponential() : n.toLocaleString('en-US');
}

/** The message of a schema limit: what is counted, and why there is a limit. */
export function budget(what: string): string {
  return `e2ctwin's limit for ${what} (a larger run would exhaust memory)`;
}
