// The spans of each timeline row, sorted by start, so that drawing and hit testing look only at the visible
// window (binary search) and merge what is narrower than a pixel: a zoom step costs O(rows × pixels), not
// O(spans). This is what lets the canvas timeline draw a quarter of a million spans.

/**
 * @param spans trace spans ({start, end, …})
 * @param rowOf row of each span (Int32Array, from layoutLanes)
 * @param nRows number of rows
 * @returns {{ order: Int32Array, rowStart: Int32Array, start: Float64Array, end: Float64Array,
 *   maxEnd: Float64Array, disjoint: Uint8Array, weightBefore: Float64Array | null }} slot k
 *   (rowStart[r] ≤ k < rowStart[r+1]) holds span order[k] of row r, by start; maxEnd[k] is the latest end
 *   of the row's slots up to k; disjoint[r] = 1 when no two spans of the row overlap (layoutLanes packs
 *   rows so; a pool's thread normally runs one stage at a time). When some spans stand for several (the
 *   server's overview merges spans: `merged` = how many), weightBefore[k] is the number of spans the
 *   slots before k stand for; null when every span is one.
 */
export function spanIndex(spans, rowOf, nRows) {
  const n = spans.length;
  const rowStart = new Int32Array(nRows + 1);
  for (let i = 0; i < n; i++) rowStart[rowOf[i] + 1]++;
  for (let r = 0; r < nRows; r++) rowStart[r + 1] += rowStart[r];
  const next = rowStart.slice(0, nRows);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[rowOf[i]]++] = i;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const maxEnd = new Float64Array(n);
  const disjoint = new Uint8Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const a = rowStart[r];
    const b = rowStart[r + 1];
    // Rows are mostly in time order already (the trace is, and packed rows are filled by start).
    let sorted = true;
    for (let k = a + 1; k < b && sorted; k++) sorted = spans[order[k - 1]].start <= spans[order[k]].start;
    if (!sorted) {
      const part = Array.from(order.subarray(a, b)).sort(
        (i, j) => spans[i].start - spans[j].start || spans[i].end - spans[j].end,
      );
      order.set(part, a);
    }
    let apart = 1;
    let latest = Number.NEGATIVE_INFINITY;
    for (let k = a; k < b; k++) {
      const s = spans[order[k]];
      start[k] = s.start;
      end[k] = s.end;
      if (s.start < latest) apart = 0;
      latest = Math.max(latest, s.end);
      maxEnd[k] = latest;
    }
    disjoint[r] = apart;
  }
  let weightBefore = null;
  if (spans.some((s) => s.merged > 1)) {
    weightBefore = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) weightBefore[k + 1] = weightBefore[k] + (spans[order[k]].merged ?? 1);
  }
  return { order, rowStart, start, end, maxEnd, disjoint, weightBefore };
}

/** First slot in [a, b) whose value in `arr` (non-decreasing there) is ≥ t; b when none. */
export function lowerBound(arr, a, b, t) {
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First slot in [a, b) whose value in `arr` (non-decreasing there) is > t; b when none. */
export function upperBound(arr, a, b, t) {
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Visits what row `r` shows between times d0 and d1 at `kx` pixels per second: `bar(k, p0, p1, r)` for each
 * span at least a pixel wide (pixels from d0), `column(k, col, count, r)` for each pixel column where
 * `count` narrower spans (slots k…k+count-1) are merged. In a disjoint row a merged column is one binary
 * search, so the cost is bounded by the row's pixels whatever the number of spans. Returns the spans
 * covered (a merged span counting for the spans it stands for).
 */
export function visitRow(index, r, { d0, d1, kx }, { bar, column }) {
  const { rowStart, start, end, maxEnd, disjoint, weightBefore } = index;
  const weight = (k, count) => (weightBefore ? weightBefore[k + count] - weightBefore[k] : count);
  // Slots from the first that ends at or after d0 to the last that starts at or before d1.
  const b = upperBound(start, rowStart[r], rowStart[r + 1], d1);
  let k = lowerBound(maxEnd, rowStart[r], b, d0);
  let covered = 0;
  let lastCol = Number.NEGATIVE_INFINITY;
  while (k < b) {
    const p0 = (start[k] - d0) * kx;
    const p1 = (end[k] - d0) * kx;
    if (end[k] < d0) {
      k++; // overlapping rows only: a short span under an earlier long one
      continue;
    }
    if (p1 - p0 >= 1) {
      bar(k, p0, p1, r);
      covered += weight(k, 1);
      k++;
      continue;
    }
    const col = Math.floor(p0);
    if (!disjoint[r]) {
      // Overlapping spans: no skipping ahead, but one rectangle per pixel column.
      if (col !== lastCol) column(k, col, 1, r);
      lastCol = col;
      covered += weight(k, 1);
      k++;
      continue;
    }
    // Slots k…j-1 start in this pixel column; all but the last end before the last starts, so only the
    // last can be a pixel wide or more: it is left to be drawn as a bar.
    const j = lowerBound(start, k + 1, b, d0 + (col + 1) / kx);
    const lastWide = j - 1 > k && (end[j - 1] - start[j - 1]) * kx >= 1;
    const count = lastWide ? j - 1 - k : j - k;
    column(k, col, count, r);
    covered += weight(k, count);
    k += count;
  }
  return covered;
}

/**
 * The slot of row `r` under time t (within `slack` seconds either side): a span containing t, else the
 * nearest; -1 when none. Looks at no more than `limit` slots (a merged pixel column can hold thousands).
 */
export function slotAt(index, r, t, slack, limit = 4096) {
  const { rowStart, start, end, maxEnd } = index;
  const b = rowStart[r + 1];
  let best = -1;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let k = lowerBound(maxEnd, rowStart[r], b, t - slack), n = 0; k < b && start[k] <= t + slack; k++) {
    if (n++ > limit) break;
    const gap = t < start[k] ? start[k] - t : t > end[k] ? t - end[k] : 0;
    if (gap < bestGap || (gap === 0 && bestGap === 0)) {
      best = k;
      bestGap = gap;
    }
  }
  return bestGap <= slack ? best : -1;
}
