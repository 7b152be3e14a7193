/**
 * The feature tree: nested categories (objects) whose leaves are lists of feature strings, as the paper's
 * extraction prompt returns them. A key that maps to an empty list is itself a leaf feature (that is what
 * list→dict promotion produces). Pure functions, unit-tested directly.
 */
import type { Rng } from '../common/rng';

export type FeatureTree = { [key: string]: FeatureTree | string[] };

/** Free-text keys the paper's merge drops (they are descriptions, not features). */
const FREE_TEXT_KEYS = new Set(['summary', 'purpose', 'issues & bugs', 'potential scenario', 'parse_error_str']);
/** Removed before sampling: every task is written for the solver's language anyway. */
const LANGUAGE_KEYS = new Set(['programming language', 'programming_language']);

/**
 * Keeps only tree-shaped content from an LLM answer: objects and string lists. Free-text keys, scalars and
 * non-string list items are dropped rather than failing the seed, as the paper's merge does.
 *
 * An empty list is a feature with no sub-features in an evolution answer ("radix sort": []), but in an
 * extraction answer it means "nothing found" (the extraction prompt asks for [] then), so extraction passes
 * emptyListIsFeature: false. A top-level key is a category, never a feature: an empty one is always dropped.
 */
export function cleanTree(value: unknown, opts: { emptyListIsFeature?: boolean } = {}, depth = 0): FeatureTree {
  const out: FeatureTree = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [rawKey, child] of Object.entries(value as Record<string, unknown>)) {
    const key = rawKey.trim();
    if (!key || FREE_TEXT_KEYS.has(key.toLowerCase())) continue;
    if (Array.isArray(child)) {
      const leaves = dedupe(child.filter((x): x is string => typeof x === 'string').map((s) => s.trim()).filter(Boolean));
      if (leaves.length || (depth > 0 && opts.emptyListIsFeature !== false)) out[key] = leaves;
    } else if (child && typeof child === 'object') {
      const sub = cleanTree(child, opts, depth + 1);
      if (Object.keys(sub).length) out[key] = sub;
    }
  }
  return out;
}

/**
 * The paper's merge: recursive dict merge; list + list → order-keeping de-duplicated union (exact strings);
 * list + dict → the list becomes {feature: []} and is merged into the dict.
 */
export function mergeTrees(a: FeatureTree, b: FeatureTree): FeatureTree {
  const out: FeatureTree = { ...a };
  for (const [key, bv] of Object.entries(b)) {
    const av = out[key];
    if (av === undefined) out[key] = Array.isArray(bv) ? [...bv] : mergeTrees({}, bv);
    else if (Array.isArray(av) && Array.isArray(bv)) out[key] = dedupe([...av, ...bv]);
    else out[key] = mergeTrees(promote(av), promote(bv));
  }
  return out;
}

function promote(v: FeatureTree | string[]): FeatureTree {
  return Array.isArray(v) ? Object.fromEntries(v.map((f) => [f, [] as string[]])) : v;
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

export function withoutLanguage(tree: FeatureTree): FeatureTree {
  return Object.fromEntries(Object.entries(tree).filter(([k]) => !LANGUAGE_KEYS.has(k.toLowerCase())));
}

export function countLeaves(node: FeatureTree | string[]): number {
  if (Array.isArray(node)) return node.length;
  let n = 0;
  for (const child of Object.values(node)) {
    n += Array.isArray(child) && child.length === 0 ? 1 : countLeaves(child);
  }
  return n;
}

export function leavesPerCategory(tree: FeatureTree): Record<string, number> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, countLeaves(Array.isArray(v) && v.length === 0 ? [k] : v)]));
}

/**
 * Random subtree with the released sampler's shape (root_k, inner_k, leaf_k): root_k top-level keys, inner_k
 * keys at each deeper object level, leaf_k leaves per list. Keys and leaves are sorted first so the draw
 * depends only on the tree's content and the RNG. Empty branches are pruned.
 */
export function sampleSubtree(
  tree: FeatureTree,
  shape: readonly [number, number, number],
  rng: Rng,
  maxDepth: number
): FeatureTree {
  const [rootK, innerK, leafK] = shape;
  const walk = (node: FeatureTree, k: number, depth: number): FeatureTree => {
    const out: FeatureTree = {};
    for (const key of rng.sample(Object.keys(node).sort(), k).sort()) {
      const child = node[key] as FeatureTree | string[];
      if (Array.isArray(child)) {
        // A key with no leaves is a feature itself; keep it as such.
        const picked = child.length === 0 ? [] : rng.sample([...child].sort(), leafK).sort();
        out[key] = picked;
      } else if (depth < maxDepth) {
        const sub = walk(child, innerK, depth + 1);
        if (Object.keys(sub).length) out[key] = sub;
      }
    }
    return out;
  };
  return walk(tree, rootK, 1);
}

/**
 * Subtree for one evolution step: branching[d] keys at depth d (paper default 2,1,2,1), lists truncated to
 * branching at the last level. Gives the evolver a small, focused neighbourhood to expand.
 */
export function sampleEvolutionSubtree(tree: FeatureTree, branching: readonly number[], rng: Rng): FeatureTree {
  const walk = (node: FeatureTree, depth: number): FeatureTree => {
    const k = branching[Math.min(depth, branching.length - 1)] ?? 1;
    const out: FeatureTree = {};
    for (const key of rng.sample(Object.keys(node).sort(), k).sort()) {
      const child = node[key] as FeatureTree | string[];
      out[key] = Array.isArray(child) ? rng.sample([...child].sort(), Math.max(k, 2)).sort() : walk(child, depth + 1);
    }
    return out;
  };
  return walk(tree, 0);
}

export interface SubtreeDraw {
  subtrees: FeatureTree[];
  attempts: number;
}

/**
 * Rejection sampling as in the released sampler: a draw counts when it has at least minLeaves leaves and is
 * not an exact duplicate of an earlier draw; at most `maxAttemptsPerSubtree` tries per requested subtree.
 */
export function sampleSubtrees(
  tree: FeatureTree,
  count: number,
  opts: { shapes: readonly (readonly [number, number, number])[]; minLeaves: number; maxDepth: number; rng: Rng; maxAttemptsPerSubtree?: number }
): SubtreeDraw {
  const source = withoutLanguage(tree);
  const seen = new Set<string>();
  const subtrees: FeatureTree[] = [];
  const budget = count * (opts.maxAttemptsPerSubtree ?? 500);
  let attempts = 0;
  while (subtrees.length < count && attempts < budget) {
    attempts++;
    const shape = opts.shapes[opts.rng.int(opts.shapes.length)] as readonly [number, number, number];
    const sub = sampleSubtree(source, shape, opts.rng, opts.maxDepth);
    if (countLeaves(sub) < opts.minLeaves) continue;
    const key = JSON.stringify(sub);
    if (seen.has(key)) continue;
    seen.add(key);
    subtrees.push(sub);
  }
  return { subtrees, attempts };
}
