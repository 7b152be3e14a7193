import type { Prompt } from '../prompt';

/**
 * Paper §3(i) stage 2 for LeetCode-style tasks with function I/O (tasks.leetcodeIo = 'function'): the statement
 * plus starter code with the method signature ("starter code with predefined function signatures"). Arguments
 * and results are JSON values because tests carry one JSON value per argument line and answers are compared as
 * canonical JSON (activities/sandbox/function-harness.ts). Version 2: the "output" rule, exact or float only,
 * since the harness prints the returned value as canonical JSON (a checker would see JSON, not the task's text).
 */
export const writeStatementFunctionPrompt: Prompt<{ selectedFeatures: string; integrationStrategy: string }> = {
  id: 'write-statement-function',
  version: 2,
  system: 'You are an expert competitive-programming problem setter.',
  user: ({ selectedFeatures, integrationStrategy }) => `Write a complete, self-contained programming problem from the plan below.

LeetCode style: concise and neutral, one computational goal, at most one sentence of context. The solver
implements one method of a class Solution, which is called with the arguments and returns the answer (nothing is
read from standard input or printed). Numbered examples ("Example 1") with at least two examples, each written as
"Input: nums = [1,2,3], k = 2" and "Output: 3", optionally followed by "Explanation: ..."; a "Constraints"
section. The statement ends after the constraints.

Every argument and the return value must be a JSON value: integers, floats, strings, booleans, lists of them
(nested lists allowed), or dictionaries with string keys; no trees, linked lists or other custom classes. The
method returns its answer; it never modifies its arguments in place as the answer.

Never name algorithms or data structures, give no hints, never mention the intended complexity, and add no
closing commentary. Answer with one JSON object:
{"question": "<the full statement in Markdown>", "fn_name": "<the method's name>",
 "starter_code": "<Python 3: class Solution with exactly this one method, with type hints, body 'pass'>",
 "output": {"kind": "exact"}}
For example "starter_code": "class Solution:\\n    def countPairs(self, nums: List[int], k: int) -> int:\\n        pass\\n"

"output" says how returned values are judged: {"kind": "exact"} when exactly one answer is correct (the default),
or {"kind": "float", "abs_tolerance": 1e-6, "rel_tolerance": 1e-6} when the answer is real-valued and a number
within either tolerance is accepted; the statement must then state that tolerance. The task must have a single
correct answer up to that tolerance: no "return any ..." tasks.

Selected features:
${selectedFeatures}

Integration strategy:
${integrationStrategy}`,
};
