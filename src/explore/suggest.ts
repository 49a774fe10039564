import { closest } from '../scenario/index.js';

/** The metrics a reader looks at first, in the order reports list them. */
export const HEADLINE_METRICS = [
  'responseTime.mean',
  'responseTime.p95',
  'throughput',
  'gpuMemoryPeakGiB',
  'energyJ',
  'cost',
] as const;

/** "did you mean X?" for a metric key close to a known one, else a few examples of valid keys. */
export function suggestKey(word: string, keys: readonly string[]): string {
  const best = closest(word, keys);
  if (best !== undefined) return `did you mean "${best}"?`;
  const common = [...HEADLINE_METRICS, 'feasible'].filter((k) => keys.includes(k));
  const pools = keys.filter((k) => /^pools\.[^.]+\.utilization$/.test(k)).slice(0, 2);
  return `metric keys are the --json keys of simulate, e.g. ${[...common, ...pools].join(', ')}`;
}
