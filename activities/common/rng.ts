/**
 * Seeded randomness for every choice the pipeline makes (subtree sampling, styles, splits, tie-breaks).
 * Our own generator rather than Math.random so that results depend only on (seed, label), on any worker,
 * in any order of execution: the same seed and the same LLM answers reproduce the same dataset.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** k distinct elements in random order (all of them if k >= length). */
  sample<T>(items: readonly T[], k: number): T[];
  shuffle<T>(items: readonly T[]): T[];
  /** Index drawn proportionally to weights. */
  weighted(weights: readonly number[]): number;
}

/** A generator for one purpose: the label separates streams, e.g. `rngFor(seed, 'split', taskId)`. */
export function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  return mulberry32(hash32(`${seed}\u0000${labels.join('\u0000')}`));
}

/** FNV-1a, then a murmur3 finalizer for avalanche. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** murmur3's finaliser: spreads every input bit over the output (seeds, MinHash bins and LSH band keys need uniform bits). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
  return {
    next,
    int,
    shuffle,
    sample: (items, k) => shuffle(items).slice(0, Math.max(0, k)),
    weighted: (weights) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] ?? 0;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
  };
}
