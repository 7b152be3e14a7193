import { describe, expect, it } from 'vitest';
import { rngFor } from '../activities/common/rng';
import {
  cleanTree,
  countLeaves,
  leavesPerCategory,
  mergeTrees,
  sampleEvolutionSubtree,
  sampleSubtrees,
  type FeatureTree,
} from '../activities/features/feature-tree';

describe('feature tree merge (paper §1.2)', () => {
  it('deep-merges objects and unions lists without duplicates, keeping order', () => {
    const a: FeatureTree = { algorithm: { graph: ['bfs', 'dfs'] }, 'data structures': ['stack'] };
    const b: FeatureTree = { algorithm: { graph: ['dfs', 'dijkstra'], sorting: ['merge sort'] }, 'data structures': ['stack', 'heap'] };
    expect(mergeTrees(a, b)).toEqual({
      algorithm: { graph: ['bfs', 'dfs', 'dijkstra'], sorting: ['merge sort'] },
      'data structures': ['stack', 'heap'],
    });
  });

  it('promotes a list to {feature: []} when it meets an object, so no feature is lost', () => {
    const merged = mergeTrees({ algorithm: ['greedy', 'binary search'] }, { algorithm: { 'binary search': ['on answer'] } });
    expect(merged).toEqual({ algorithm: { greedy: [], 'binary search': ['on answer'] } });
    expect(countLeaves(merged)).toBe(2);
  });

  it('drops free-text keys, scalars and non-string leaves from LLM answers', () => {
    const cleaned = cleanTree({
      summary: 'a sentence',
      algorithm: { graph: ['bfs', 3, null, ' bfs ', ''] },
      purpose: ['x'],
      'complexity analysis': 'O(n)',
    });
    expect(cleaned).toEqual({ algorithm: { graph: ['bfs'] } });
  });

  it('reads an empty list as "nothing found" in extraction answers, as a feature in evolution answers, never as a category', () => {
    const answer = {
      problem_domain: [],
      mathematics: {},
      algorithms: { graph_algorithms: [], sorting_algorithms: { 'radix sort': [] }, search_algorithms: ['binary search'] },
      data_structures: ['Array'],
    };
    expect(cleanTree(answer, { emptyListIsFeature: false })).toEqual({
      algorithms: { search_algorithms: ['binary search'] },
      data_structures: ['Array'],
    });
    const evolved = cleanTree(answer);
    expect(evolved).toEqual({
      algorithms: { graph_algorithms: [], sorting_algorithms: { 'radix sort': [] }, search_algorithms: ['binary search'] },
      data_structures: ['Array'],
    });
    expect(countLeaves(evolved)).toBe(4);
  });

  it('counts leaves per category', () => {
    const tree: FeatureTree = { algorithm: { graph: ['bfs', 'dfs'], dp: { knapsack: [] } }, 'data structures': ['heap'] };
    expect(leavesPerCategory(tree)).toEqual({ algorithm: 3, 'data structures': 1 });
  });
});

describe('subtree sampling (paper §1.5)', () => {
  const tree: FeatureTree = {
    'programming language': ['Python'],
    algorithm: { graph: ['bfs', 'dfs', 'dijkstra', 'toposort'], dp: ['knapsack', 'lis', 'interval dp'], greedy: ['exchange argument'] },
    'data structures': { linear: ['stack', 'queue', 'deque'], tree: ['segment tree', 'fenwick tree'] },
    'problem type': ['counting', 'optimization', 'construction'],
  };
  const opts = { shapes: [[3, 3, 1], [3, 3, 2]] as [number, number, number][], minLeaves: 4, maxDepth: 8 };

  it('is reproducible for a seed and different across seeds', () => {
    const a = sampleSubtrees(tree, 5, { ...opts, rng: rngFor(7, 'subtrees') });
    const b = sampleSubtrees(tree, 5, { ...opts, rng: rngFor(7, 'subtrees') });
    const c = sampleSubtrees(tree, 5, { ...opts, rng: rngFor(8, 'subtrees') });
    expect(a.subtrees).toEqual(b.subtrees);
    expect(a.subtrees).not.toEqual(c.subtrees);
  });

  it('meets the minimum leaf count, never repeats a subtree, and never includes the language key', () => {
    const { subtrees } = sampleSubtrees(tree, 6, { ...opts, rng: rngFor(1, 'subtrees') });
    expect(subtrees).toHaveLength(6);
    expect(new Set(subtrees.map((s) => JSON.stringify(s))).size).toBe(6);
    for (const s of subtrees) {
      expect(countLeaves(s)).toBeGreaterThanOrEqual(4);
      expect(s['programming language']).toBeUndefined();
    }
  });

  it('returns fewer subtrees instead of looping forever when the tree cannot supply them', () => {
    const { subtrees } = sampleSubtrees({ algorithm: ['a', 'b'] }, 3, { ...opts, minLeaves: 1, rng: rngFor(1, 's'), maxAttemptsPerSubtree: 20 });
    // Only {a} and {b} exist with leaf_k = 1, and {a, b} with leaf_k = 2.
    expect(subtrees.length).toBeLessThanOrEqual(3);
    expect(new Set(subtrees.map((s) => JSON.stringify(s))).size).toBe(subtrees.length);
  });

  it('samples an evolution neighbourhood with the branching limits (2,1,2,1)', () => {
    const sub = sampleEvolutionSubtree(tree, [2, 1, 2, 1], rngFor(3, 'evolve', 0));
    expect(Object.keys(sub)).toHaveLength(2);
    for (const child of Object.values(sub)) {
      if (!Array.isArray(child)) expect(Object.keys(child)).toHaveLength(1);
    }
  });
});
