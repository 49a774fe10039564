/**
 * The bucket of a value in {@link LogHistogram}'s layout, without a logarithm in almost every case.
 *
 * The bucket of x is, by definition, `logBucketByLog(x)` = ⌊(ln x − ln LOWEST) / ln RATIO⌋ as computed in
 * doubles with `Math.log` — one call of V8's ieee754::log per recorded value, a fifth of the M/M/c
 * benchmark's time (perf, 2026-12-05). {@link logBucket} returns the same integer for every x: it reads a
 * first guess from the double's exponent and top 7 mantissa bits (a 1/128 octave spans 0.79 buckets, so the
 * answer is the guess or the next bucket), picks between the two with the bounds LOWEST·RATIOʲ, and keeps
 * that answer only when x lies farther than 1e-9 (relative) from both bounds of its bucket. Why that is the
 * same integer: the bounds are exp() of exact multiples, within 1e-15 (relative) of the true ones, and the
 * computed quotient errs by less than 1e-11 (absolute, ≤ 4166 and a few roundings), so the computed floor
 * can differ from the true one only for x within ~1e-13 of a true bound; outside 1e-9 of the stored bounds,
 * both formulas give the bucket that contains x. Closer than that (about 2 values in 10⁷) it falls back to
 * the logarithm. `test/metrics/log-bucket.test.ts` compares both on values from every bucket and on the
 * doubles next to every bound.
 */

/** Ratio between consecutive bucket bounds. */
export const RATIO = 1 + 0.01;
/** Lower bound of the first bucket. */
export const LOWEST = 1e-9;
/** Upper bound of the last bucket. */
export const HIGHEST = 1e9;
const LOG_LOWEST = Math.log(LOWEST);
const INV_LOG_RATIO = 1 / Math.log(RATIO);
/** Number of buckets: 4166. */
export const BUCKETS = Math.ceil(Math.log(HIGHEST / LOWEST) * INV_LOG_RATIO);
export const LOG_RATIO = Math.log(RATIO);

/** The defining formula (for LOWEST ≤ x < HIGHEST): the bucket whose bounds hold x, clamped to the array. */
export function logBucketByLog(x: number): number {
  const i = Math.floor((Math.log(x) - LOG_LOWEST) * INV_LOG_RATIO);
  // Guards against rounding of the log at the two ends of the range.
  return i >= BUCKETS ? BUCKETS - 1 : Math.max(i, 0);
}

// A double's bits: the high word (sign, 11 exponent bits, 20 mantissa bits) read through an integer view.
const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: word 1
/** High-word bits kept for the guess: exponent and the top 7 mantissa bits (1/128 of an octave). */
const SHIFT = 13;
const keyOf = (x: number): number => {
  word[0] = x;
  return (words[HIGH] as number) >>> SHIFT;
};
const KEY_LOW = keyOf(LOWEST);
const KEYS = keyOf(HIGHEST) - KEY_LOW + 1;
// The tables are filled on demand, key by key: filling all 7,654 keys and 4,167 bounds when the module
// loaded was about 23 M instructions (a few milliseconds of every simulate, cachegrind 2026-12-07) for the
// few hundred keys a run's values touch. A filled entry is what the whole table held: same formulas.
/** The bucket of the smallest double with each key (by the defining formula); -1 until filled. */
const guess = new Int16Array(KEYS).fill(-1);
/** Bucket bounds widened and narrowed by 1e-9: x is safely in bucket i when above[i] ≤ x < below[i + 1]. */
const above = new Float64Array(BUCKETS + 1);
const below = new Float64Array(BUCKETS + 1);

/** Fills the guess of key `k` (an index into {@link guess}) and the bounds its values can be checked with. */
function fill(k: number): number {
  words[1 - HIGH] = 0;
  words[HIGH] = (KEY_LOW + k) << SHIFT;
  const lo = word[0] as number;
  const g = lo < LOWEST ? 0 : lo >= HIGHEST ? BUCKETS - 1 : logBucketByLog(lo);
  // logBucket reads above[i] and below[i + 1] for i = g or g + 1 (a key spans at most 0.79 buckets).
  for (let j = g; j <= Math.min(g + 2, BUCKETS); j++) {
    const bound = LOWEST * Math.exp(j * LOG_RATIO);
    above[j] = bound * (1 + 1e-9);
    below[j] = bound * (1 - 1e-9);
  }
  guess[k] = g;
  return g;
}

/** The same integer as {@link logBucketByLog}(x), for LOWEST ≤ x < HIGHEST, mostly without a logarithm. */
export function logBucket(x: number): number {
  word[0] = x;
  const k = ((words[HIGH] as number) >>> SHIFT) - KEY_LOW;
  let i = guess[k] as number;
  if (i < 0) i = fill(k);
  if (x >= (below[i + 1] as number)) i++;
  if ((above[i] as number) <= x && x < (below[i + 1] as number)) return i;
  return logBucketByLog(x);
}
