import { categoryExplanations } from '../../features/categories';
import type { Prompt } from '../prompt';

/**
 * Paper App. B.1 (repo feature_evol_prompt10): expand a sampled subtree in breadth and depth, told what each
 * top-level category means. Version 2: the repo's category keys and their explanations.
 */
export const evolveFeaturesPrompt: Prompt<{ subtree: string }> = {
  id: 'evolve-features',
  version: 2,
  system: 'You are an expert in competitive programming who extends taxonomies of algorithmic features.',
  user: ({ subtree }) => `Here is part of a tree of competitive-programming features. Objects are categories; lists hold features.
What the top-level categories mean:
${categoryExplanations()}

Expand the tree:
- in breadth: add at least two new sibling features next to every existing node (e.g. quick sort → merge sort, counting sort);
- in depth: add finer sub-features under leaves where it makes sense (e.g. prefix sum → difference array, Fenwick tree).
Stay within competitive programming, propose features that are not already present, and keep the same
top-level keys and the same shape.

Answer with the expanded tree as one JSON object between the markers <begin> and <end>.

<tree>
${subtree}
</tree>`,
};
