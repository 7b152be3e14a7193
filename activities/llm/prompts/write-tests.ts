import type { Prompt } from '../prompt';

/** Paper §4, prompting-based test inputs: inputs only, never outputs (outputs come from voting). */
export const writeTestsPrompt: Prompt<{ statement: string; count: number }> = {
  id: 'write-tests',
  version: 1,
  system: 'You are an expert competitive-programming tester.',
  user: ({ statement, count }) => `Write ${count} test inputs for the problem below, covering edge cases (minimum, maximum, degenerate) and
small, medium and large scales. Each input must be exactly what the program reads on standard input, and must
respect the constraints. Do not write expected outputs.

Answer with one JSON object: {"test_cases": [{"idx": 1, "description": "...", "input_string": "..."}]}.

${statement}`,
};
