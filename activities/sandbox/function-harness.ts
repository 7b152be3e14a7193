/**
 * Function I/O (LeetCode-style) tasks as stdio programs, so the judge, the execution matrix and dual
 * verification need no second code path. A test input is the call's arguments, one JSON value per line (the
 * LiveCodeBench functional convention). The program loads the candidate as a module named `solution` (not
 * `__main__`, as LiveCodeBench does: a model's local-testing `if __name__ == "__main__"` block must not run and
 * eat the arguments), calls `Solution().<fnName>(*args)` and prints the result as canonical JSON.
 *
 * Outputs are voted on and compared as strings, so the print is canonical: after a JSON round trip (tuples
 * become lists, dict keys strings), integral floats print as integers (Python's 2 == 2.0), and dict keys are
 * sorted, so equal answers print identically. Booleans stay `true`/`false`: LeetCode's own judge does not
 * accept 1 for true. A method's own prints go to stderr, so only the answer reaches stdout.
 */

/** Names LeetCode's environment preloads (LiveCodeBench prepends the same imports). */
const PRELUDE_IMPORTS = [
  'from typing import *',
  'from collections import *',
  'from functools import *',
  'from itertools import *',
  'from heapq import *',
  'from bisect import *',
  'import math, string, re, sys',
  '',
].join('\n');

/** A method name the harness can call: a Python identifier (keywords and dunders are the starter code's business). */
export const FN_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Python that reads stdin, sends stdout to stderr, and executes the prelude and `code` in the namespace `_ns`.
 * The code travels as a string literal (JSON's escapes are valid Python), so `from __future__` imports and
 * line numbers in tracebacks stay the candidate's own.
 */
export function loadSolutionPython(code: string): string {
  return [
    'import json as _json, sys as _sys',
    '_sys.setrecursionlimit(1 << 25)',
    '_stdin = _sys.stdin.read()',
    '_stdout, _sys.stdout = _sys.stdout, _sys.stderr',
    '_ns = {"__name__": "solution", "__builtins__": __builtins__}',
    `exec(compile(${JSON.stringify(PRELUDE_IMPORTS)}, "<prelude>", "exec"), _ns)`,
    `exec(compile(${JSON.stringify(code)}, "solution.py", "exec"), _ns)`,
    'if not isinstance(_ns.get("Solution"), type):',
    '    raise SystemExit("the code defines no class Solution")',
    '',
    'def _call(fn_name, text):',
    '    args = [_json.loads(line) for line in text.split("\\n") if line.strip()]',
    '    method = getattr(_ns["Solution"](), fn_name, None)',
    '    if not callable(method):',
    '        raise SystemExit(f"class Solution has no method {fn_name}")',
    '    return method(*args)',
    '',
  ].join('\n');
}

const CANONICAL_PRINT = [
  'def _canonical(value):',
  '    if isinstance(value, float) and value.is_integer():',
  '        return int(value)',
  '    if isinstance(value, list):',
  '        return [_canonical(v) for v in value]',
  '    if isinstance(value, dict):',
  '        return {k: _canonical(v) for k, v in value.items()}',
  '    return value',
  '',
  '',
  'def _print_canonical(value):',
  '    plain = _canonical(_json.loads(_json.dumps(value)))',
  '    _stdout.write(_json.dumps(plain, sort_keys=True, separators=(",", ":")) + "\\n")',
  '    _stdout.flush()',
  '',
].join('\n');

/** The stdio program that runs `code`'s `Solution().<fnName>` on the arguments on stdin and prints the canonical result. */
export function functionProgram(code: string, fnName: string): string {
  if (!FN_NAME_RE.test(fnName)) throw new Error(`not a method name: ${JSON.stringify(fnName)}`);
  return `${loadSolutionPython(code)}\n${CANONICAL_PRINT}\n_print_canonical(_call(${JSON.stringify(fnName)}, _stdin))\n`;
}

/**
 * Problems with one test input of a function task, or null when it is usable: every non-blank line must be
 * one JSON value, and there must be one line per parameter.
 */
export function functionInputProblem(input: string, params: readonly string[]): string | null {
  const lines = input.split('\n').filter((l) => l.trim());
  for (const [i, line] of lines.entries()) {
    try {
      JSON.parse(line);
    } catch {
      return `line ${i + 1} is not one JSON value`;
    }
  }
  if (lines.length !== params.length) {
    return `${lines.length} argument line(s), the method takes ${params.length} (${params.join(', ')})`;
  }
  return null;
}
