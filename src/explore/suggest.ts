/** Levenshtein distance between two short strings. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** "did you mean X?" for a metric key close to a known one, else a few examples of valid keys. */
export function suggestKey(word: string, keys: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of keys) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 4))) return `did you mean "${best}"?`;
  const common = ['responseTime.mean', 'responseTime.p95', 'throughput', 'gpuMemoryPeakGiB', 'energyJ', 'cost', 'feasible'].filter((k) => keys.includes(k));
  const pools = keys.filter((k) => /^pools\.[^.]+\.utilization$/.test(k)).slice(0, 2);
  return `metric keys are the --json keys of simulate, e.g. ${[...common, ...pools].join(', ')}`;
}
