import type { Prompt } from '../prompt';

/** Paper App. B.1: one call per (problem, solution) pair; nested JSON between <begin> and <end>. */
export const extractFeaturesPrompt: Prompt<{ problem: string; solution: string }> = {
  id: 'extract-features',
  version: 1,
  system: 'You are an expert in competitive programming who catalogues the algorithmic features of solved problems.',
  user: ({ problem, solution }) => `Extract the features of the problem and its solution that matter for algorithmic and competitive
programming (LeetCode, Codeforces). Extract as many as you can, and never list one feature under two categories.

Use these top-level categories: "problem type", "algorithm" (with sub-categories such as "graph algorithms",
"sorting algorithms", "dynamic programming"), "data structures", "implementation logic", "complexity analysis",
"optimization techniques". Objects are sub-categories; lists of short strings are the features.

Answer with one JSON object between the markers <begin> and <end>, and nothing else after <end>.

## Problem
${problem}

## Solution
${solution}`,
};
