/**
 * Statement text → word tokens → hashed word n-grams: the shared ground of decontamination and near-duplicate
 * removal. Pure functions, no I/O.
 *
 * Normalisation (NFKC, lowercase, LaTeX commands and all punctuation/markdown dropped, whitespace collapsed) makes
 * "1 \le N \le 10^5", "1 <= n <= 10^5" and "**1 ≤ N ≤ 10⁵**" the same tokens. Numbers stay: constraints and
 * examples are part of a problem, and folding them into one placeholder would make every example block look alike.
 * Single letters become one placeholder because they are almost always variable names: renaming N to M, or a_i to
 * b_i, must not break a match (the article "a" folds with them, which costs nothing).
 */

import { hash32, mix32 } from '../common/rng';

/** What every single-letter token becomes. Not a possible token otherwise (punctuation is stripped). */
export const VARIABLE = '#';

const LATEX_COMMAND = /\\[a-zA-Z]+/g;
const NOT_WORD = /[^\p{L}\p{N}]+/u;

export function normalizedTokens(text: string): string[] {
  const tokens = text.normalize('NFKC').toLowerCase().replace(LATEX_COMMAND, ' ').split(NOT_WORD);
  const out: string[] = [];
  for (const t of tokens) {
    if (t.length === 0) continue;
    // A one-character token is a letter or a digit (NFKC has turned other numerals into digits).
    out.push(t.length === 1 && !(t >= '0' && t <= '9') ? VARIABLE : t);
  }
  return out;
}

/** The normalised text itself (tokens joined by one space), e.g. to show what was compared. */
export function normalizeStatement(text: string): string {
  return normalizedTokens(text).join(' ');
}

/** 32-bit hash of a token (FNV-1a with murmur3's finaliser, the pipeline's seeded-randomness hash). */
export const hashToken = hash32;

export { mix32 };

const BASE = 0x01000193;

/**
 * Every word n-gram of a token sequence (repeats included) as a 32-bit hash, in O(tokens): a polynomial rolling
 * hash over the token hashes, mod 2^32, then mixed. Int32 values stay small integers in Maps and Sets. 32 bits
 * are enough here: 10^6 benchmark n-grams make a false hit about 1 in 4,000 n-grams, far below any threshold.
 * A text shorter than n tokens gives its whole token sequence as one n-gram, so short texts still compare.
 */
export function ngramHashes(tokens: readonly string[], n: number): Int32Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n-gram size must be a positive integer, got ${n}`);
  if (tokens.length === 0) return new Int32Array(0);
  const width = Math.min(n, tokens.length);
  const th = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) th[i] = hashToken(tokens[i] as string);
  // BASE^(width-1): the weight of the token that leaves the window.
  let top = 1;
  for (let k = 1; k < width; k++) top = Math.imul(top, BASE);
  const out = new Int32Array(tokens.length - width + 1);
  let h = 0;
  for (let k = 0; k < width; k++) h = (Math.imul(h, BASE) + (th[k] as number)) | 0;
  out[0] = mix32(h) | 0;
  for (let i = 1; i < out.length; i++) {
    h = (h - Math.imul(th[i - 1] as number, top)) | 0;
    h = (Math.imul(h, BASE) + (th[i + width - 1] as number)) | 0;
    out[i] = mix32(h) | 0;
  }
  return out;
}

/** Sorted distinct values (the n-gram set of a text). */
export function distinct(hashes: Int32Array): Int32Array {
  const sorted = hashes.slice().sort();
  let w = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[w - 1]) sorted[w++] = sorted[i] as number;
  return sorted.subarray(0, w);
}

/** Jaccard similarity of two sorted distinct arrays (1 for two empty ones: nothing tells them apart). */
export function jaccard(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared / (a.length + b.length - shared);
}
