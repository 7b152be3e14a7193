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

/**
 * How outputs are judged, declared with the statement (not in the paper, whose voting compares strings): a task
 * whose answers are real numbers or that accepts several answers would otherwise lose every label to formatting
 * or to the choice among valid answers. The checker's `ans` is another candidate's output, because the pipeline
 * has no trusted jury answer: a checker that demands equality with it would reduce to string voting again.
 */
export const OUTPUT_RULE_STDIO = `Also declare how outputs are judged, as "output" in the same object:
- {"kind": "exact"}: there is exactly one correct output (compared line by line, ignoring trailing spaces).
- {"kind": "float", "abs_tolerance": 1e-6, "rel_tolerance": 1e-6}: the answer is real-valued; an output is accepted
  when every number is within the absolute or the relative tolerance. The statement must state that tolerance.
- {"kind": "any_valid", "checker": "<C++17 source>"}: several outputs are correct ("print any ..."). The checker is a
  testlib checker: #include "testlib.h", registerTestlibCmd(argc, argv) in main, reads the input from inf, the
  output to judge from ouf and a reference output from ans. ans is ANOTHER contestant's output, not a trusted
  jury answer, and may itself be wrong. The checker must:
  - validate ouf against the input: well-formed (read it with ouf.readInt(lo, hi, "name") and the like, with the
    statement's bounds) and satisfying every condition the statement puts on an answer;
  - where the task asks for an optimum, compare the value of ouf with that of ans: quitf(_wa, ...) if ouf is worse;
    if ouf is valid and at least as good, accept it (a worse ans is that contestant's mistake, found when its own
    output is judged);
  - NEVER require ouf to equal ans, token by token or otherwise;
  - end with quitf(_ok, ...), use quitf(_wa, ...) for a wrong answer and quitf(_pe, ...) for a malformed one, and
    quitf(_fail, ...) only if the input itself is broken.
  The checker must be non-empty and compile with g++ -std=c++17; write it as a JSON string (escape newlines and quotes).
Use "exact" unless real numbers or several valid answers make it wrong.`;

/** Paper §3(i) stage 2: the statement, in a style drawn 70/15/15. Version 2: the "output" rule. */
export const writeStatementPrompt: Prompt<{ selectedFeatures: string; integrationStrategy: string; style: TaskStyle }> = {
  id: 'write-statement',
  version: 2,
  system: 'You are an expert competitive-programming problem setter.',
  user: ({ selectedFeatures, integrationStrategy, style }) => `Write a complete, self-contained programming problem from the plan below.

${STYLE_RULES[style]}

Never name algorithms or data structures, give no hints, never mention the intended complexity, and add no
closing commentary. Answer with one JSON object: {"question": "<the full statement in Markdown>", "output": {...}}.

${OUTPUT_RULE_STDIO}

Selected features:
${selectedFeatures}

Integration strategy:
${integrationStrategy}`,
};
