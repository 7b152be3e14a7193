import type { TaskStyle } from '../../../workflows/types';
import type { Prompt } from '../prompt';

const STYLE_RULES: Record<TaskStyle, string> = {
  codeforces: `Codeforces style: a story-driven statement in which every selected feature is needed for an optimal solution;
precise "## Input" and "## Output" sections with tight constraints; at least two non-trivial examples with
explanations. Markdown: "# Title", "## Input", "## Output", "## Example", "### Note". Input on stdin, output on stdout.`,
  leetcode: `LeetCode style, adapted to standard input/output: concise and neutral, one computational goal, at most one
sentence of context; numbered examples ("Example 1", "Input:", "Output:") with at least two examples; a
"Constraints" section; the statement ends after the constraints. Input on stdin, output on stdout.`,
  atcoder: `AtCoder style: minimal, little or no story; sections "## Problem Statement", "## Constraints", "## Input",
"## Output", "## Sample Input 1", "## Sample Output 1" (at least two samples). Input on stdin, output on stdout.`,
};

/** Paper §3(i) stage 2: the statement, in a style drawn 70/15/15. */
export const writeStatementPrompt: Prompt<{ selectedFeatures: string; integrationStrategy: string; style: TaskStyle }> = {
  id: 'write-statement',
  version: 1,
  system: 'You are an expert competitive-programming problem setter.',
  user: ({ selectedFeatures, integrationStrategy, style }) => `Write a complete, self-contained programming problem from the plan below.

${STYLE_RULES[style]}

Never name algorithms or data structures, give no hints, never mention the intended complexity, and add no
closing commentary. Answer with one JSON object: {"question": "<the full statement in Markdown>"}.

Selected features:
${selectedFeatures}

Integration strategy:
${integrationStrategy}`,
};
