import type { Prompt } from '../prompt';

/**
 * An input validator (testlib's idea, not in the paper, where malformed inputs fail only through voting): a
 * program that reads one input on stdin and exits 0 when it satisfies the statement, non-zero otherwise. Run on
 * every input in the sandbox by generate-inputs.ts; a rejected input is dropped with the validator's message.
 */
export const writeValidatorPrompt: Prompt<{ statement: string; inputFormat: string }> = {
  id: 'write-validator',
  version: 1,
  system: 'You are an expert competitive-programming tester who writes strict input validators.',
  user: ({ statement, inputFormat }) => `Write an input validator for the problem below: one Python 3 program that reads one test input from standard
input and checks that it satisfies everything the statement promises about its input. A test input is
${inputFormat}.

- Check the format (the number of lines and of values on each line, integer syntax) and every constraint and
  guarantee: value ranges, sizes, distinctness, required characters, structure (a tree, connectivity, ...).
  Tolerate a missing final newline and trailing spaces at line ends; nothing else may follow the input.
- Valid input: print nothing and exit with status 0. Invalid input: print one line naming the first violated
  rule to standard error and exit with status 1 (an uncaught exception counts as invalid, too).
- Do not solve the problem; use only the standard library, and finish within a second on the largest input.

Answer with your reasoning, then the whole program in exactly one \`\`\`python code block.

${statement}`,
};
