/**
 * Filters on a written statement (paper App. C.1 and the style templates' rules): statements shorter than
 * 200 tokens are dropped, and a statement must not give the solution away by naming the algorithm or data
 * structure, or by stating the intended complexity.
 */
export interface StatementFilterOptions {
  minTokens: number;
  hintFilter: boolean;
}

/** Names whose presence in a statement is a hint. Word-bounded, case-insensitive. */
const HINT_TERMS = [
  'dynamic programming', 'memoization', 'memoisation', 'dijkstra', 'bellman-ford', 'floyd-warshall', 'kruskal', 'prim\'s',
  'segment tree', 'fenwick', 'binary indexed tree', 'sparse table', 'union-find', 'disjoint set union', 'dsu',
  'binary search', 'two pointers', 'two-pointer', 'sliding window', 'prefix sum', 'prefix sums', 'difference array',
  'greedy', 'knapsack', 'topological sort', 'breadth-first', 'depth-first', 'bfs', 'dfs', 'bitmask dp', 'trie',
  'kmp', 'z-function', 'suffix array', 'monotonic stack', 'monotonic queue', 'priority queue', 'min-heap', 'max-heap',
  'hash map', 'hashmap', 'lowest common ancestor', 'max flow', 'edmonds-karp', 'dinic', 'convex hull', 'sieve of eratosthenes',
];
const HINT_RE = new RegExp(`\\b(${HINT_TERMS.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`, 'i');
/** "O(n log n)", "O(N^2)": an intended-complexity statement, not a constraint. */
const COMPLEXITY_RE = /\bO\(\s*[a-z0-9 ^*+·log]+\)/i;

/** Roughly 4 characters per token for English prose and formulas (no tokenizer needed to apply a 200 floor). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Why a statement must be dropped; empty when it passes. */
export function statementProblems(question: string, opts: StatementFilterOptions): string[] {
  const problems: string[] = [];
  const tokens = estimateTokens(question);
  if (tokens < opts.minTokens) problems.push(`too short: ~${tokens} tokens < ${opts.minTokens}`);
  if (opts.hintFilter) {
    const hint = HINT_RE.exec(question);
    if (hint) problems.push(`names a technique: "${hint[1]}"`);
    const complexity = COMPLEXITY_RE.exec(question);
    if (complexity) problems.push(`states a complexity: "${complexity[0]}"`);
  }
  return problems;
}
