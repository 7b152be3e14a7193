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

/** Whitespace-separated tokens (any amount and kind of whitespace between them), for the token checker. */
export function tokensOf(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

export function tokensMatch(actual: string, expected: string): boolean {
  const a = tokensOf(actual);
  const e = tokensOf(expected);
  return a.length === e.length && a.every((t, i) => t === e[i]);
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER_RE = /^[+-]?\d+$/;

/**
 * Token comparison where numeric tokens match within an absolute or relative tolerance (testlib's doubleCompare:
 * |a - e| <= abs, or <= rel * |e|); other tokens must be equal. NaN and infinities never match a number.
 * Two integer tokens always compare exactly (as integers of any size): a relative tolerance would make
 * 999999499 equal 1000000000, and a count off by one is a wrong answer, not a rounding difference.
 */
export function floatTokensMatch(actual: string, expected: string, absTolerance: number, relTolerance: number): boolean {
  const a = tokensOf(actual);
  const e = tokensOf(expected);
  if (a.length !== e.length) return false;
  return a.every((tok, i) => {
    const exp = e[i] as string;
    if (tok === exp) return true;
    if (!NUMBER_RE.test(tok) || !NUMBER_RE.test(exp)) return false;
    if (INTEGER_RE.test(tok) && INTEGER_RE.test(exp)) return BigInt(tok) === BigInt(exp);
    const x = Number(tok);
    const y = Number(exp);
    const diff = Math.abs(x - y);
    return diff <= absTolerance || diff <= relTolerance * Math.abs(y);
  });
}
