import type { Rng } from '../random/index.js';

// Joe & Kuo direction numbers (new-joe-kuo-6.21201, https://web.maths.unsw.edu.au/~fkuo/sobol/), first 40
// dimensions: [primitive polynomial with its leading and trailing bits, initial direction numbers m_1..m_s].
// Copied from SciPy's table of the same file (scipy/stats/_sobol_direction_numbers.npz); the first
// dimension is the van der Corput sequence. test/explore/sobol.test.ts checks points against SciPy's.
const DIRECTIONS: readonly (readonly [number, readonly number[]])[] = [
  [1, [1]],
  [3, [1]],
  [7, [1, 3]],
  [11, [1, 3, 1]],
  [13, [1, 1, 1]],
  [19, [1, 1, 3, 3]],
  [25, [1, 3, 5, 13]],
  [37, [1, 1, 5, 5, 17]],
  [41, [1, 1, 5, 5, 5]],
  [47, [1, 1, 7, 11, 19]],
  [55, [1, 1, 5, 1, 1]],
  [59, [1, 1, 1, 3, 11]],
  [61, [1, 3, 5, 5, 31]],
  [67, [1, 3, 3, 9, 7, 49]],
  [91, [1, 1, 1, 15, 21, 21]],
  [97, [1, 3, 1, 13, 27, 49]],
  [103, [1, 1, 1, 15, 7, 5]],
  [109, [1, 3, 1, 15, 13, 25]],
  [115, [1, 1, 5, 5, 19, 61]],
  [131, [1, 3, 7, 11, 23, 15, 103]],
  [137, [1, 3, 7, 13, 13, 15, 69]],
  [143, [1, 1, 3, 13, 7, 35, 63]],
  [145, [1, 3, 5, 9, 1, 25, 53]],
  [157, [1, 3, 1, 13, 9, 35, 107]],
  [167, [1, 3, 1, 5, 27, 61, 31]],
  [171, [1, 1, 5, 11, 19, 41, 61]],
  [185, [1, 3, 5, 3, 3, 13, 69]],
  [191, [1, 1, 7, 13, 1, 19, 1]],
  [193, [1, 3, 7, 5, 13, 19, 59]],
  [203, [1, 1, 3, 9, 25, 29, 41]],
  [211, [1, 3, 5, 13, 23, 1, 55]],
  [213, [1, 3, 7, 3, 13, 59, 17]],
  [229, [1, 3, 1, 3, 5, 53, 69]],
  [239, [1, 1, 5, 5, 23, 33, 13]],
  [241, [1, 1, 7, 7, 1, 61, 123]],
  [247, [1, 1, 7, 9, 13, 61, 49]],
  [253, [1, 3, 3, 5, 3, 55, 33]],
  [285, [1, 3, 1, 15, 31, 13, 49, 245]],
  [299, [1, 3, 5, 15, 31, 59, 63, 97]],
  [301, [1, 3, 1, 11, 11, 11, 77, 249]],
];

/** Dimensions supported by {@link sobolPoints}. */
export const SOBOL_MAX_DIMS = DIRECTIONS.length;
const BITS = 30;

/** Direction numbers v_1..v_BITS (scaled by 2^BITS) of one dimension. */
function directions(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  const [poly, m] = DIRECTIONS[dim]!;
  if (dim === 0) {
    for (let i = 0; i < BITS; i++) v[i] = 1 << (BITS - 1 - i);
    return v;
  }
  const s = Math.floor(Math.log2(poly));
  for (let i = 0; i < s; i++) v[i] = m[i]! << (BITS - 1 - i);
  for (let i = s; i < BITS; i++) {
    let x = v[i - s]! ^ (v[i - s]! >>> s);
    for (let k = 1; k < s; k++) if ((poly >>> (s - k)) & 1) x ^= v[i - k]!;
    v[i] = x;
  }
  return v;
}

/**
 * The first `n` points of the `dims`-dimensional Sobol sequence (Gray-code construction, starting at
 * the origin), optionally with a random digital shift (XOR of every coordinate with a seeded random bit
 * string), which keeps the net's stratification while removing the origin and the bias of the unshifted
 * points.
 */
export function sobolPoints(n: number, dims: number, shift?: Rng): number[][] {
  if (dims > SOBOL_MAX_DIMS)
    throw new RangeError(`Sobol points are available for up to ${SOBOL_MAX_DIMS} dimensions (asked ${dims})`);
  const v = Array.from({ length: dims }, (_, d) => directions(d));
  const shifts = Array.from({ length: dims }, () => (shift ? Math.floor(shift() * 2 ** BITS) >>> 0 : 0));
  const x = new Uint32Array(dims);
  const out: number[][] = [];
  const scale = 2 ** -BITS;
  for (let i = 0; i < n; i++) {
    out.push(Array.from(x, (xi, d) => ((xi ^ shifts[d]!) >>> 0) * scale));
    // Gray code: flip the direction number of the lowest zero bit of i.
    let c = 0;
    while ((i >>> c) & 1) c++;
    for (let d = 0; d < dims; d++) x[d] = (x[d]! ^ v[d]![c]!) >>> 0;
  }
  return out;
}
