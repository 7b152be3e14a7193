import type { Prompt } from '../prompt';

/** Paper App. B.1 (repo feature_evol_prompt10): expand a sampled subtree in breadth and depth. */
export const evolveFeaturesPrompt: Prompt<{ subtree: string }> = {
  id: 'evolve-features',
  version: 1,
  system: 'You are an expert in competitive programming who extends taxonomies of algorithmic features.',
  user: ({ subtree }) => `Here is part of a tree of competitive-programming features. Objects are categories; lists hold features.
Top-level categories: "problem type" (what is asked), "algorithm" (techniques), "data structures",
"implementation logic" (how the code is organised), "complexity analysis", "optimization techniques".

Expand the tree:
- in breadth: add at least two new sibling features next to every existing node (e.g. quick sort → merge sort, counting sort);
- in depth: add finer sub-features under leaves where it makes sense (e.g. prefix sum → difference array, Fenwick tree).
Stay within competitive programming, propose features that are not already present, and keep the same shape.

Answer with the expanded tree as one JSON object between the markers <begin> and <end>.

<tree>
${subtree}
</tree>`,
};
