/**
 * Output comparison shared by voting (verification) and judging (RL reward, judge CLI), so that a label
 * and a verdict can never disagree about what "the same output" means.
 *
 * Default normalisation: trailing whitespace of every line is dropped, then leading/trailing blank
 * space of the whole text. Line order and inner spaces still matter.
 */
export function normalizeOutput(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

export function outputsMatch(actual: string, expected: string): boolean {
  return normalizeOutput(actual) === normalizeOutput(expected);
}
