import { extractionCategoryList } from '../../features/categories';
import type { Prompt } from '../prompt';

/**
 * Paper App. B.1, with the released repo's 11 categories (extract_prompt13): one call per (problem, solution)
 * pair; nested JSON between <begin> and <end>. Version 2: the repo's categories replace the paper's seven.
 */
export const extractFeaturesPrompt: Prompt<{ problem: string; solution: string }> = {
  id: 'extract-features',
  version: 2,
  system: 'You are an expert in competitive programming who catalogues the algorithmic features of solved problems.',
  user: ({ problem, solution }) => `Extract the features of the problem and its solution that matter for algorithmic and competitive
programming (LeetCode, Codeforces). Extract as many as you can, and avoid listing one feature under two categories.

Use exactly these top-level keys:
${extractionCategoryList()}

Objects are sub-categories and lists of short strings are the features; add a sub-category of your own where
none of the listed ones fits. Use [] (or {} for a category with sub-categories) when nothing can be inferred.
"summary" is one sentence (a string), not a list.

Answer with one JSON object between the markers <begin> and <end>, and nothing else after <end>. Form:
<begin>
{"programming_language": ["Python"], "problem_domain": ["Graph Theory"], "algorithmic_paradigm": ["Greedy"],
 "algorithms": {"graph_algorithms": ["Dijkstra's algorithm"]}, "mathematics": {"number_theory": ["Modular arithmetic"]},
 "problem_solving_strategies": {"mathematical_modeling": ["Graph modeling"]}, "data_structures": ["Priority Queue (Heap)"],
 "coding_techniques": ["Iteration"], "complexity_analysis": ["Time Complexity: O(M log N)"],
 "optimization_techniques": ["Lazy deletion of stale heap entries"], "summary": "Shortest paths with Dijkstra's algorithm on a binary heap."}
<end>

## Problem
${problem}

## Solution
${solution}`,
};
