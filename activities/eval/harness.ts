/**
 * What runs in the sandbox for one evaluation sample. stdin problems run the model's program as is. Functional
 * (LeetCode-style) problems load the model's `class Solution` through the shared function harness (same module
 * loading and argument convention as synthesis, activities/sandbox/function-harness.ts), then call the method and
 * print PASS or FAIL: comparing in Python (after a JSON round trip, as LiveCodeBench does, so tuples equal lists)
 * avoids re-implementing Python equality (1 == 1.0, dict order) on the TypeScript side.
 */
import { loadSolutionPython } from '../sandbox/function-harness';
import type { EvalProblem, SampleOutcome } from './types';

/** The driver: stdin holds {input, output}; the method's own prints already go to stderr. */
function functionalDriver(funcName: string): string {
  return [
    '_case = _json.loads(_stdin)',
    `_got = _json.loads(_json.dumps(_call(${JSON.stringify(funcName)}, _case["input"])))`,
    '_want = _json.loads(_case["output"])',
    '_stdout.write(("PASS" if _got == _want else "FAIL " + _json.dumps(_got)[:200]) + "\\n")',
    '',
  ].join('\n');
}

export const FUNCTIONAL_PASS = 'PASS';

/** The program and tests the judge runs for one sample of `problem`. */
export function judgeJob(problem: EvalProblem, code: string): { code: string; tests: { input: string; output: string }[] } {
  if (problem.mode === 'stdin') return { code, tests: problem.tests };
  return {
    code: `${loadSolutionPython(code)}\n${functionalDriver(problem.funcName ?? 'solve')}`,
    tests: problem.tests.map((t) => ({ input: JSON.stringify({ input: t.input, output: t.output }), output: FUNCTIONAL_PASS })),
  };
}

const FENCE = /```([A-Za-z0-9_+-]*)[ \t]*\r?\n([\s\S]*?)```/g;

/**
 * The answer's code: the last fenced block tagged python (or untagged), as LiveCodeBench extracts it. An unclosed
 * fence (a truncated answer) is no code. A `<think>` section is skipped, so drafts inside it never count.
 */
export function extractCode(text: string): string | null {
  const answer = text.includes('</think>') ? text.slice(text.lastIndexOf('</think>') + '</think>'.length) : text;
  let code: string | null = null;
  for (const m of answer.matchAll(FENCE)) {
    const lang = (m[1] ?? '').toLowerCase();
    if (lang === '' || lang === 'python' || lang === 'python3' || lang === 'py') code = m[2] ?? '';
  }
  return code;
}

/** The first failing test decides a failed sample's category (all tests are run; the order is the file's). */
export function sampleOutcome(verdicts: readonly string[]): SampleOutcome {
  const bad = verdicts.find((v) => v !== 'AC');
  if (bad === undefined) return verdicts.length > 0 ? 'AC' : 'error';
  return bad === 'WA' || bad === 'TLE' || bad === 'MLE' || bad === 'RE' || bad === 'OLE' ? bad : 'error';
}
