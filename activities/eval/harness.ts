/**
 * What runs in the sandbox for one evaluation sample. stdin problems run the model's program as is. Functional
 * (LeetCode-style) problems run the model's `class Solution` followed by a small driver that reads the call's
 * arguments and the expected value from stdin, calls the method and prints PASS or FAIL: comparing in Python
 * (after a JSON round trip, as LiveCodeBench does, so tuples equal lists) avoids re-implementing Python
 * equality (1 == 1.0, dict order) on the TypeScript side.
 */
import type { EvalProblem, SampleOutcome } from './types';

/** Imports LiveCodeBench prepends to functional solutions (LeetCode's environment has them preloaded). */
const FUNCTIONAL_PRELUDE = [
  'from typing import *',
  'from collections import *',
  'from functools import *',
  'from itertools import *',
  'from heapq import *',
  'from bisect import *',
  'import math, string, re, sys',
  'sys.setrecursionlimit(1 << 25)',
  '',
].join('\n');

/** The driver: the method's own prints go to stderr, so only the verdict line reaches stdout. */
function functionalDriver(funcName: string): string {
  return [
    '',
    '',
    'def __synthsmith_main():',
    '    import json as _json, sys as _sys',
    '    _case = _json.loads(_sys.stdin.read())',
    '    _args = [_json.loads(line) for line in _case["input"].split("\\n") if line.strip()]',
    '    _out, _sys.stdout = _sys.stdout, _sys.stderr',
    `    _got = getattr(Solution(), ${JSON.stringify(funcName)})(*_args)`,
    '    _sys.stdout = _out',
    '    _got = _json.loads(_json.dumps(_got))',
    '    _want = _json.loads(_case["output"])',
    '    print("PASS" if _got == _want else "FAIL " + _json.dumps(_got)[:200])',
    '',
    '',
    '__synthsmith_main()',
    '',
  ].join('\n');
}

export const FUNCTIONAL_PASS = 'PASS';

/** The program and tests the judge runs for one sample of `problem`. */
export function judgeJob(problem: EvalProblem, code: string): { code: string; tests: { input: string; output: string }[] } {
  if (problem.mode === 'stdin') return { code, tests: problem.tests };
  return {
    code: FUNCTIONAL_PRELUDE + code + functionalDriver(problem.funcName ?? 'solve'),
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
