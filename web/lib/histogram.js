// Response-time distributions for the latency view: linear bins and a CDF, from the log-bucket histogram
// a run's series.json holds (every measured request), or from the sampled requests of a trace.

/** Bucket i of a LogHistogram JSON covers [lowest·ratio^i, lowest·ratio^(i+1)). */
const lower = (h, i) => h.lowest * h.ratio ** i;

/**
 * Distribution of every measured request from a LogHistogram JSON: {bins, cdf, count, max, beyond}. Each
 * log bucket's count is spread uniformly over the linear bins it overlaps (no aliasing between the 2 %
 * buckets and the bins); requests past domainMax are counted in `beyond`, not drawn.
 */
export function fromLogHistogram(h, domainMax, binCount = 60) {
  const width = domainMax / binCount;
  const bins = Array.from({ length: binCount }, (_, k) => ({ x0: k * width, x1: (k + 1) * width, count: 0 }));
  let beyond = 0;
  const spread = (lo, hi, n) => {
    if (lo >= domainMax) {
      beyond += n;
      return;
    }
    const top = Math.min(hi, domainMax);
    if (hi > domainMax) beyond += (n * (hi - domainMax)) / (hi - lo);
    for (let k = Math.floor(lo / width); k < binCount && k * width < top; k++) {
      const overlap = Math.min(top, (k + 1) * width) - Math.max(lo, k * width);
      if (overlap > 0) bins[k].count += (n * overlap) / (hi - lo);
    }
  };
  if (h.zeros) bins[0].count += h.zeros;
  const cdf = [{ x: 0, p: h.count > 0 ? (h.zeros + h.below) / h.count : 0 }];
  let cum = h.zeros + h.below;
  h.indices.forEach((i, k) => {
    const n = h.counts[k];
    // Clamp the bucket to the exact extremes so that the first and last bars do not spill.
    const lo = Math.max(lower(h, i), h.min);
    const hi = Math.min(lower(h, i + 1), h.max);
    if (hi > lo) spread(lo, hi, n);
    else spread(lo, lo + 1e-12, n);
    cum += n;
    cdf.push({ x: hi, p: cum / h.count });
  });
  return { bins, cdf, count: h.count, max: h.max, beyond: Math.round(beyond), source: 'all' };
}

/** Distribution of sampled request durations (seconds): {bins, cdf, count, max, beyond}. */
export function fromSamples(values, domainMax, binCount = 60) {
  const width = domainMax / binCount;
  const bins = Array.from({ length: binCount }, (_, k) => ({ x0: k * width, x1: (k + 1) * width, count: 0 }));
  let beyond = 0;
  for (const v of values) {
    if (v >= domainMax) beyond++;
    else bins[Math.max(0, Math.floor(v / width))].count++;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const cdf = [{ x: 0, p: 0 }, ...sorted.map((x, i) => ({ x, p: (i + 1) / sorted.length }))];
  return { bins, cdf, count: sorted.length, max: sorted.at(-1) ?? 0, beyond, source: 'sample' };
}

/** The q-quantile of a CDF given as ascending {x, p} points (the first x with p ≥ q). */
export function quantileOf(cdf, q) {
  for (const pt of cdf) if (pt.p >= q - 1e-12) return pt.x;
  return cdf.at(-1)?.x ?? NaN;
}
