/**
 * "Did you mean" for config errors: the closest candidate by edit distance, if it is close
 * enough to be a likely typo rather than a different word.
 */

/** Damerau–Levenshtein (optimal string alignment) distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/**
 * The best candidate within a third of the word's length (at least 1, at most 3 edits), or
 * else one that the word abbreviates or extends (`deactivate` → `deactivate-only`,
 * `lowercase` → `lower`).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  return closestByEdits(word, list) ?? closestByPrefix(word, list);
}

function closestByPrefix(word: string, candidates: string[]): string | undefined {
  const w = word.toLowerCase();
  if (w.length < 3) return undefined;
  const hits = candidates.filter((c) => {
    const l = c.toLowerCase();
    return l.length >= 3 && (l.startsWith(w) || w.startsWith(l));
  });
  return hits.length === 1 ? hits[0] : undefined;
}

function closestByEdits(word: string, candidates: string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean "x"?` or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean "${match}"?`;
}
