import { LOG_RATIO, LOWEST } from './log-bucket.js';
import type { LogHistogramJSON } from './log-histogram.js';

/**
 * The q-quantile of the values recorded between two snapshots of one growing {@link LogHistogram}
 * (`earlier` taken first, undefined for an empty histogram): the values of a time window, when the
 * snapshots bound it. Nearest rank, interpolated log-uniformly inside the bucket like
 * LogHistogram.quantile (without its narrowing by the exact min and max, unknown for a window): within
 * 1 % for values in [1e-9, 1e9). NaN when the window holds no value; values below or above the range
 * count, and give the range's bound.
 */
export function quantileBetween(
  earlier: LogHistogramJSON | undefined,
  later: LogHistogramJSON,
  q: number,
): number {
  const before = new Map<number, number>();
  if (earlier) earlier.indices.forEach((i, k) => before.set(i, earlier.counts[k]!));
  const n = later.count - (earlier?.count ?? 0);
  if (!(n > 0)) return NaN;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = later.zeros - (earlier?.zeros ?? 0);
  if (rank <= seen) return 0;
  seen += later.below - (earlier?.below ?? 0);
  if (rank <= seen) return LOWEST;
  for (let k = 0; k < later.indices.length; k++) {
    const i = later.indices[k]!;
    const c = later.counts[k]! - (before.get(i) ?? 0);
    if (c <= 0) continue;
    seen += c;
    if (rank <= seen) {
      const within = (rank - (seen - c) - 0.5) / c;
      return LOWEST * Math.exp((i + within) * LOG_RATIO);
    }
  }
  return later.highest;
}
