// Whether a parameter's axis is drawn on a log scale. Pure (unit-tested in Node).

/**
 * True when every value is a positive number and they span at least `decades` decades (max/min ≥
 * 10^decades): pool sizes of 2 to 200 read better on a log axis, where 2, 20 and 200 are evenly spaced.
 */
export function spansDecades(values, decades = 2) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) return false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi >= lo * 10 ** decades;
}

/**
 * Ticks of a log scale at 1, 2 and 5 times a power of ten (d3's log ticks write every integer multiple,
 * which crowds a short axis); only 1 × 10^k when those are enough (three or more), or when there would
 * be more than `most` ticks and at least two powers of ten.
 */
export function logTicks(domain, most = Infinity) {
  const [lo, hi] = [Math.min(...domain), Math.max(...domain)];
  if (!(lo > 0) || !Number.isFinite(hi)) return [];
  const out = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(v);
    }
  const decades = out.filter((v) => Number.isInteger(Math.log10(v)) || v === 1);
  return decades.length >= 3 || (out.length > most && decades.length >= 2) ? decades : out;
}
