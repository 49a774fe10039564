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
