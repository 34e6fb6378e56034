/** Near-miss spelling, for config errors that name what was meant (`critcal` → `critical`). Pure. */

/**
 * Edits between two words: insertions, deletions, substitutions, and a swap of two neighbours
 * counted as one (the optimal string alignment distance), since a transposition is the commonest typo.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Three rows suffice: the swap looks two rows back.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (beforePrevious[j - 2] as number) + 1);
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidates closest to `word` (ignoring case), if any is within `maxDistance` edits; several
 * when they tie. A word equal to a candidate but for case is at distance 0.
 */
export function closest(word: string, candidates: readonly string[], maxDistance: number): string[] {
  const lower = word.toLowerCase();
  let best = maxDistance + 1;
  let found: string[] = [];
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < best) {
      best = distance;
      found = [candidate];
    } else if (distance === best) {
      found.push(candidate);
    }
  }
  return found;
}

/** `a`, `a or b`, `a, b or c`: for "did you mean …?". */
export function orList(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** A value as the user wrote it, quoted and cut short: an error line must stay readable. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text);
}
