import type { Prompt } from '../prompt';

export interface WriteReferenceArgs {
  /** The statement as solvers see it (with the starter code for function I/O tasks). */
  statement: string;
  /** What the program is: a stdin/stdout script or the starter code's class. */
  shape: string;
  /** How outputs are judged, when that changes what the program may print (float precision, any valid answer). */
  outputNote: string;
}

/**
 * A brute-force reference (not in the paper): exhaustive and obviously correct on small inputs only, written by a
 * different prompt than the candidates, so it is an independent witness where a shared mistake of the candidates
 * would otherwise win the vote. It is never asked to be fast: it only runs on small inputs.
 */
export const writeReferencePrompt: Prompt<WriteReferenceArgs> = {
  id: 'write-reference',
  version: 1,
  system: 'You are a meticulous competitive programmer who writes brute-force reference solutions to check others against.',
  user: ({ statement, shape, outputNote }) => `Write a brute-force reference solution for the problem below. It only has to be correct on SMALL inputs (a few
elements, small values); it never runs on large ones, so do not optimize at all.

- Be simple and obviously correct above all: try every possibility (all subsets, permutations, orders, splits or
  values in range), simulate the process literally as the statement describes it, and check each condition of
  the statement directly. Avoid clever observations, formulas, greedy choices and shortcuts: a reference is only
  useful if it cannot share the mistakes of a clever solution.
- Handle every edge case the statement allows (minimum sizes, equal values, empty answers).
- ${shape}${outputNote ? `\n- ${outputNote}` : ''}
- Use only the standard library.

Answer with your reasoning, then the whole program in exactly one \`\`\`python code block.

${statement}`,
};
