/** Levenshtein distance, small inputs only (keys and names). */
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

/** The closest candidate to `word` when it is close enough to be a likely typo, else undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = word.toLowerCase();
  const list = [...candidates];
  // An abbreviation ("expo" for "exponential") is the likeliest typo of a long word: prefer a prefix match.
  const prefixed = lower.length >= 3 ? list.filter((c) => c.toLowerCase().startsWith(lower)) : [];
  if (prefixed.length === 1) return prefixed[0];
  // So is a word with letters left out ("qty" for "quantity").
  const isSubsequence = (c: string) => {
    let i = 0;
    for (const ch of c.toLowerCase()) if (ch === lower[i]) i++;
    return i === lower.length;
  };
  const contained = lower.length >= 3 ? list.filter(isSubsequence) : [];
  if (contained.length === 1) return contained[0];
  candidates = list;
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}

/** "did you mean X?" or, failing that, the list of valid choices. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const c = closest(word, candidates);
  if (c !== undefined) return `did you mean "${c}"?`;
  if (candidates.length > 0 && candidates.length <= 12) return `expected one of: ${candidates.join(', ')}`;
  return undefined;
}
