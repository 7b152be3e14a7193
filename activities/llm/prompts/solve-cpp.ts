import type { Prompt } from '../prompt';

/** Solution sampling in C++17 (a solver with `language: cpp`): the same contract as `solve`, one C++ block. */
export const solveCppPrompt: Prompt<{ statement: string }> = {
  id: 'solve-cpp',
  version: 1,
  system: 'You are a professional competitive programming expert and code implementer.',
  user: ({ statement }) => `Solve the following problem. Reason about it first, then give the complete program: C++17 (GNU g++),
reading standard input and writing standard output, with its includes and main, in exactly one \`\`\`cpp code block at
the end.

${statement}`,
};
