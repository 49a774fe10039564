/**
 * Alea (Johannes Baagøe, 2010), the generator seedrandom ships as `seedrandom.alea`, written again so
 * that its state lives in one small Float64Array. A JavaScript object keeps each mutable number field
 * in a separate heap box, so every draw of seedrandom's version visits four scattered boxes: with tens
 * of thousands of streams (one per device and link in a large scenario) those are cache misses on
 * every draw. The numbers drawn are the same, bit for bit (a test compares the two).
 */
export function alea(seed: string): () => number {
  const s = new Float64Array(4);
  aleaSeed(seed, s, 0);
  return () => aleaDraw(s, 0);
}

/**
 * Writes the initial state of `alea(seed)` (four numbers: s0, s1, s2, c) into `s` at `at`, for callers that
 * keep a generator's state beside their own numbers (see resources/link.ts); `aleaDraw(s, at)` then draws
 * the same numbers as `alea(seed)()` does.
 */
export function aleaSeed(seed: string, s: Float64Array, at: number): void {
  // Mash's state in a local, not in a closure: a number a closure keeps is a heap box, a new one on every
  // change (three per character), and a scenario of 100,000 cameras seeds 200,000 streams.
  let n = 0xefc8249d;
  // Mash of ' ' three times (s0, s1, s2), then of the seed three times, subtracted from each in turn.
  for (let k = 0; k < 6; k++) {
    const data = k < 3 ? ' ' : seed;
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    const mash = (n >>> 0) * 2.3283064365386963e-10; // 2^-32
    if (k < 3) s[at + k] = mash;
    else {
      const j = at + k - 3;
      s[j] = (s[j] as number) - mash;
      if ((s[j] as number) < 0) s[j] = (s[j] as number) + 1;
    }
  }
  s[at + 3] = 1;
}

/** The next uniform of the Alea state stored in `s` at `at` (see aleaSeed). */
export function aleaDraw(s: Float64Array, at: number): number {
  const t = 2091639 * (s[at] as number) + (s[at + 3] as number) * 2.3283064365386963e-10; // 2^-32
  s[at] = s[at + 1] as number;
  s[at + 1] = s[at + 2] as number;
  const c = t | 0;
  s[at + 3] = c;
  return (s[at + 2] = t - c);
}
