/**
 * The real work of the reference engine, sized by the app model's demands: feature extraction (a small
 * recurrent network over the image bytes, standing in for a CNN on the GPU) and nearest-neighbour
 * search over an in-memory vector set. Shared by the engine (calibration) and its worker threads.
 */
export const DIM = 64;

/** A fixed pseudo-random matrix (the "weights"), the same in every thread. */
export function weights(seed = 1): Float32Array {
  const w = new Float32Array(DIM * DIM);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < w.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    w[i] = ((s >>> 0) / 4294967296 - 0.5) * (2 / Math.sqrt(DIM));
  }
  return w;
}

/** `rounds` recurrent layers over the bytes (cycled): a feature vector of DIM floats, unit length. */
export function extractFeatures(bytes: Uint8Array, rounds: number, w: Float32Array): Float32Array {
  let v = new Float32Array(DIM);
  let next = new Float32Array(DIM);
  const n = Math.max(1, bytes.length);
  let pos = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < DIM; i++) {
      let acc = (bytes[(pos + i) % n] ?? 0) / 255 - 0.5;
      const row = i * DIM;
      for (let j = 0; j < DIM; j++) acc += w[row + j]! * v[j]!;
      next[i] = Math.tanh(acc);
    }
    pos = (pos + DIM) % n;
    const t = v;
    v = next;
    next = t;
  }
  let norm = 0;
  for (let i = 0; i < DIM; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < DIM; i++) v[i]! /= norm;
  return v;
}

/** A reference set of `count` unit vectors (seeded), e.g. in a SharedArrayBuffer for all workers. */
export function vectorSet(count: number, seed = 7, buffer?: SharedArrayBuffer): Float32Array {
  const v = new Float32Array(buffer ?? new SharedArrayBuffer(count * DIM * 4));
  let s = seed >>> 0 || 1;
  for (let k = 0; k < count; k++) {
    let norm = 0;
    for (let i = 0; i < DIM; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const x = (s >>> 0) / 4294967296 - 0.5;
      v[k * DIM + i] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < DIM; i++) v[k * DIM + i]! /= norm;
  }
  return v;
}

/** The `k` nearest vectors (largest dot product) among `scan` vectors of the set, starting at `start` and wrapping. */
export function nearest(
  set: Float32Array,
  query: Float32Array,
  scan: number,
  start = 0,
  k = 10,
): { index: number; score: number }[] {
  const count = set.length / DIM;
  const best: { index: number; score: number }[] = [];
  let worst = -Infinity;
  for (let n = 0; n < scan; n++) {
    const idx = (start + n) % count;
    const base = idx * DIM;
    let dot = 0;
    for (let i = 0; i < DIM; i++) dot += set[base + i]! * query[i]!;
    if (best.length < k || dot > worst) {
      best.push({ index: idx, score: dot });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
      worst = best[best.length - 1]!.score;
    }
  }
  return best;
}

/** Rounds of extraction and vectors of search per second on this machine (one thread, measured). */
export function calibrate(
  set: Float32Array,
  w: Float32Array,
  ms = 150,
): { extractRoundsPerS: number; searchVectorsPerS: number } {
  const bytes = new Uint8Array(4096).map((_, i) => (i * 31) & 255);
  const measure = (fn: (n: number) => void, start: number) => {
    let n = start;
    // Grow the batch until one takes a measurable time, then rate = batch / time.
    for (;;) {
      const t0 = performance.now();
      fn(n);
      const dt = performance.now() - t0;
      if (dt >= ms) return (n / dt) * 1000;
      n *= dt > 1 ? Math.ceil(ms / dt) : 4;
    }
  };
  const q = extractFeatures(bytes, 1, w);
  return {
    extractRoundsPerS: measure((n) => extractFeatures(bytes, n, w), 16),
    searchVectorsPerS: measure((n) => nearest(set, q, n), 1000),
  };
}
