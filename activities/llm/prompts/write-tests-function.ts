import type { Prompt } from '../prompt';
import { functionStatement } from './solve-function';

/** Paper §4 prompted test inputs for function I/O tasks: each input is the call's arguments, one JSON value per line. */
export const writeTestsFunctionPrompt: Prompt<{ statement: string; starterCode: string; fnName: string; params: string[]; count: number }> = {
  id: 'write-tests-function',
  version: 1,
  system: 'You are an expert competitive-programming tester.',
  user: ({ statement, starterCode, fnName, params, count }) => `Write ${count} test inputs for the problem below, covering edge cases (minimum, maximum, degenerate) and
small, medium and large scales, respecting the constraints. The solution is called as
Solution().${fnName}(${params.join(', ')}). Each input_string holds the call's arguments, one JSON value per line, in
this order: ${params.join(', ')} (${params.length} line(s)). For example, for (nums, k) the input_string is
"[1, 2, 3]\\n2\\n". Do not write expected outputs.

Answer with one JSON object: {"test_cases": [{"idx": 1, "description": "...", "input_string": "..."}]}.

${functionStatement(statement, starterCode)}`,
};
