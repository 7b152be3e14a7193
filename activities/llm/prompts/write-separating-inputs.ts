import type { Prompt } from '../prompt';

export interface SeparatingInputsArgs {
  statement: string;
  /** What one input holds (stdin text, or a function task's JSON argument lines). */
  inputFormat: string;
  programs: [{ code: string; language: string }, { code: string; language: string }];
  witness: { input: string; outputs: [string, string] };
  count: number;
}

/** Long inputs and outputs are cut for the prompt: the model needs to see what differs, not every byte. */
const SHOWN_CHARS = 2000;

function shown(text: string): string {
  const body = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n... (cut; ${text.length} characters in all)` : text;
  return `\`\`\`text\n${body.replace(/\s+$/, '')}\n\`\`\``;
}

function program(label: string, p: { code: string; language: string }): string {
  const fence = p.language === 'cpp' ? 'cpp' : 'python';
  return `## Program ${label} (${p.language === 'cpp' ? 'C++17' : 'Python 3'})\n\`\`\`${fence}\n${p.code.replace(/\s+$/, '')}\n\`\`\``;
}

/**
 * Adaptive tests (not in the paper): two candidates that disagree on a concrete input, and a request for small
 * inputs aimed at that disagreement. Random and prompted inputs rarely hit the one case a plausible wrong program
 * mishandles, so wrong candidates agree with each other on them; an input built from the programs' difference
 * makes the vote separate them. Small inputs, so a brute-force reference can judge them too.
 */
export const writeSeparatingInputsPrompt: Prompt<SeparatingInputsArgs> = {
  id: 'write-separating-inputs',
  version: 1,
  system: 'You are an expert competitive-programming tester who finds the inputs on which wrong solutions fail.',
  user: ({ statement, inputFormat, programs, witness, count }) => `Two programs written for the problem below disagree: on the input shown they print different outputs, so at
least one of them is wrong. Write up to ${count} NEW test inputs that would expose which program is wrong.

- First work out where the programs differ (an edge case one of them mishandles, a tie, an overflow, an
  off-by-one, a wrong greedy choice, a missed special structure), then aim every input at that difference.
- Keep every input SMALL: few lines and small values, so that the correct output can be worked out by hand or by
  an exhaustive search. Never write inputs near the maximum limits.
- Every input must satisfy all constraints and guarantees of the statement. A test input is ${inputFormat}.
- Do not repeat the input shown, and do not write expected outputs.

Answer with one JSON object: {"reasoning": "<where the programs differ, in a few sentences>", "inputs": ["<input 1>", "<input 2>"]}

# Problem
${statement}

${program('A', programs[0])}

${program('B', programs[1])}

## An input on which they disagree
${shown(witness.input)}

Program A printed:
${shown(witness.outputs[0])}

Program B printed:
${shown(witness.outputs[1])}`,
};
