import type { Prompt } from '../prompt';

/** The solve prompt of function I/O tasks: the statement and its starter code; the answer is the completed class. */
export const solveFunctionPrompt: Prompt<{ statement: string; starterCode: string }> = {
  id: 'solve-function',
  version: 1,
  system: 'You are a professional competitive programming expert and code implementer.',
  user: ({ statement, starterCode }) => `Solve the following problem. Reason about it first, then give the complete solution: Python 3, the class
Solution of the starter code with its method implemented (same name and parameters; it returns the answer and
reads or prints nothing), including its imports, in exactly one \`\`\`python code block at the end.

${functionStatement(statement, starterCode)}`,
};

/** The statement followed by its starter code, as every function-task prompt shows it (solving, tests, datasets). */
export function functionStatement(statement: string, starterCode: string): string {
  return `${statement}\n\nStarter code:\n\`\`\`python\n${starterCode.replace(/\s+$/, '')}\n\`\`\``;
}
