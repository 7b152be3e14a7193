/**
 * The feature categories of the released extraction prompt (X-Coder repo, extract_prompt13: 11 keys), with the
 * one-line explanations its evolution step sends along (evolve_feature_tree_epicoder.py). Both prompts read
 * them from here so extraction and evolution always speak of the same keys. `summary` is asked for because
 * a one-sentence description makes the model read the whole solution first; the merge drops it
 * (feature-tree.ts FREE_TEXT_KEYS), so it never becomes a feature.
 */
export interface FeatureCategory {
  key: string;
  /** What belongs there, for the extractor. */
  extract: string;
  /** Short explanation for the evolver (absent for keys never evolved). */
  explain?: string;
  /** Sub-category keys the extractor should use where they apply (it may add others). */
  subcategories?: Record<string, string>;
  /** The value is one sentence, not a list of features. */
  freeText?: true;
}

export const FEATURE_CATEGORIES: readonly FeatureCategory[] = [
  { key: 'programming_language', extract: 'the language of the solution, e.g. ["Python"]' },
  {
    key: 'problem_domain',
    extract: 'the area the problem belongs to, e.g. ["Graph Theory", "String Processing", "Number Theory", "Geometry", "Ad-hoc"]',
    explain: 'the category or field of the competitive programming problem',
  },
  {
    key: 'algorithmic_paradigm',
    extract: 'the overall strategy, e.g. ["Greedy", "Dynamic Programming", "Divide and Conquer", "Backtracking", "Brute Force"]',
    explain: 'high-level paradigms used to solve the problem (DP, greedy, ...)',
  },
  {
    key: 'algorithms',
    extract: 'the specific algorithms employed, grouped by sub-category',
    explain: 'specific algorithms used, grouped by area (graph, DP, string, ...)',
    subcategories: {
      graph_algorithms: 'BFS, DFS, Dijkstra, Floyd-Warshall, topological sort, MST',
      dynamic_programming: 'knapsack DP, digit DP, DP on trees, bitmask DP',
      string_algorithms: 'KMP, Z-algorithm, hashing, suffix array',
      mathematical_algorithms: 'GCD/LCM, modular exponentiation, primality test',
      search_algorithms: 'binary search, ternary search',
      sorting_algorithms: 'merge sort, counting sort (only if significant to the solution)',
      geometric_algorithms: 'convex hull, line sweep',
    },
  },
  {
    key: 'mathematics',
    extract: 'the mathematical concepts and techniques used, grouped by sub-category',
    explain: 'math concepts and techniques used (number theory, combinatorics, ...)',
    subcategories: {
      number_theory: 'primes, modular arithmetic, factorization',
      combinatorics: 'permutations, binomial coefficients, inclusion-exclusion',
      probability: 'expected value, conditional probability',
      linear_algebra: 'matrix operations, Gaussian elimination',
      calculus: 'integration, series',
      game_theory: 'Nim, Sprague-Grundy theorem, minimax',
    },
  },
  {
    key: 'problem_solving_strategies',
    extract: 'high-level approaches to the problem, grouped by sub-category',
    explain: 'general problem-solving tactics (case analysis, modeling, ...)',
    subcategories: {
      incremental_approach: 'build the solution step by step',
      case_analysis: 'separate scenarios, explicit edge cases',
      transformation: 'problem reduction, reformulation',
      mathematical_modeling: 'graph modeling, set modeling',
      pattern_recognition: 'recurring patterns, known problem templates',
      heuristic_approach: 'rules of thumb, approximation',
    },
  },
  {
    key: 'data_structures',
    extract: 'the primary data structures, e.g. ["Array", "Map/Dictionary", "Priority Queue/Heap", "Segment Tree", "Fenwick Tree", "Disjoint Set Union"]',
    explain: 'data structures involved (arrays, trees, heaps, DSU, ...)',
  },
  {
    key: 'coding_techniques',
    extract: 'implementation patterns, e.g. ["Recursion", "Bit Manipulation", "Two Pointers", "Sliding Window", "Fast I/O"]',
    explain: 'implementation patterns (two pointers, recursion, prefix sums, ...)',
  },
  {
    key: 'complexity_analysis',
    extract: 'time and space complexity when derivable, e.g. ["Time Complexity: O(N log N)", "Space Complexity: O(N)"]',
    explain: 'time and space complexity considerations',
  },
  {
    key: 'optimization_techniques',
    extract: 'methods that improve performance beyond the base algorithm, e.g. ["Memoization", "Pruning", "Meet-in-the-Middle"]',
    explain: 'performance improvements beyond the baseline algorithm choice',
  },
  { key: 'summary', extract: 'one sentence on what the code does and how', freeText: true },
];

/** "key: explanation" lines for the evolution prompt. */
export function categoryExplanations(): string {
  return FEATURE_CATEGORIES.filter((c) => c.explain)
    .map((c) => `- ${c.key}: ${c.explain}`)
    .join('\n');
}

/** The numbered category list of the extraction prompt, sub-categories indented under their category. */
export function extractionCategoryList(): string {
  return FEATURE_CATEGORIES.map((c, i) => {
    const head = `${i + 1}. ${c.key}: ${c.extract}.`;
    const subs = Object.entries(c.subcategories ?? {}).map(([k, eg]) => `   - ${k}: e.g. ${eg}`);
    return [head, ...subs].join('\n');
  }).join('\n');
}
