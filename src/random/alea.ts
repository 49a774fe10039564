/**
 * Alea (Johannes Baagøe, 2010), the generator seedrandom ships as `seedrandom.alea`, written again so
 * that its state lives in one small Float64Array. A JavaScript object keeps each mutable number field
 * in a separate heap box, so every draw of seedrandom's version visits four scattered boxes: with tens
 * of thousands of streams (one per device and link in a large scenario) those are cache misses on
 * every draw. The numbers drawn are the same, bit for bit (a test compares the two).
 */
export function alea(seed: string): () => number {
  const mash = createMash();
  const s = new Float64Array(4); // s0, s1, s2, c
  s[0] = mash(' ');
  s[1] = mash(' ');
  s[2] = mash(' ');
  s[3] = 1;
  for (let i = 0; i < 3; i++) {
    s[i] = (s[i] as number) - mash(seed);
    if ((s[i] as number) < 0) s[i] = (s[i] as number) + 1;
  }
  return () => {
    const t = 2091639 * (s[0] as number) + (s[3] as number) * 2.3283064365386963e-10; // 2^-32
    s[0] = s[1] as number;
    s[1] = s[2] as number;
    const c = t | 0;
    s[3] = c;
    return (s[2] = t - c);
  };
}

/** Baagøe's Mash hash, which turns the seed string into the generator's initial state. */
function createMash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data: string) => {
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
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
}
