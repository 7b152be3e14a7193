import type { Prompt } from '../prompt';

/** Paper §3 solution sampling (repo answer prompt): long reasoning, then one Python block. */
export const solvePrompt: Prompt<{ statement: string }> = {
  id: 'solve',
  version: 1,
  system: 'You are a professional competitive programming expert and code implementer.',
  user: ({ statement }) => `Solve the following problem. Reason about it first, then give the complete program: Python 3, reading
standard input and writing standard output, including its imports, in exactly one \`\`\`python code block at the end.

${statement}`,
};
