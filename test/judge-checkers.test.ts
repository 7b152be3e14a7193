/**
 * Checkers: the built-in exact (= verification's compare.ts), token and float comparisons, and a testlib-style
 * checker program compiled once and run in its own box; plus the judge CLI with C++, checkers and CE.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { CheckerFailure, checkBuiltin } from '../activities/sandbox/checkers';
import { judgeSolutions } from '../activities/sandbox/judge';
import type { RunLimits } from '../activities/sandbox/types';
import { outputsMatch } from '../activities/common/compare';
import { runJudgeCli } from './helpers/judge-cli';

const LIMITS: RunLimits = { timeLimitMs: 1000, memoryMb: 128, outputLimitBytes: 1 << 20 };
const CHECKER = readFileSync(join(__dirname, 'fixtures', 'judge', 'divisor-checker.cpp'), 'utf8');
const sandbox = createBwrapSandbox();
afterAll(() => sandbox.close());

describe('built-in checkers', () => {
  it('exact is the trimmed comparison that verification uses', () => {
    for (const [a, b] of [
      ['1 2\n3\n', '1 2\n3'],
      ['1 2  \r\n3\n\n', '1 2\n3'],
      ['1  2\n3', '1 2\n3'],
      ['1 2 3', '1 2\n3'],
    ] as const) {
      expect(checkBuiltin({ kind: 'exact' }, a, b).ok).toBe(outputsMatch(a, b));
    }
    expect(checkBuiltin({ kind: 'exact' }, '1  2', '1 2').ok).toBe(false);
  });

  it('token ignores how tokens are separated, not their order or content', () => {
    expect(checkBuiltin({ kind: 'token' }, '1  2\n3\n', '1 2 3').ok).toBe(true);
    expect(checkBuiltin({ kind: 'token' }, '1 3 2', '1 2 3').ok).toBe(false);
    expect(checkBuiltin({ kind: 'token' }, '1 2', '1 2 3').ok).toBe(false);
  });

  it('float accepts numbers within the absolute or relative tolerance', () => {
    const f = { kind: 'float' as const };
    expect(checkBuiltin(f, '0.3333333', '0.333333333').ok).toBe(true);
    expect(checkBuiltin(f, '1000000.5', '1000000.0').ok).toBe(true); // relative 5e-7
    expect(checkBuiltin(f, '0.3334', '0.3333').ok).toBe(false);
    expect(checkBuiltin(f, 'YES 1.0', 'YES 1').ok).toBe(true);
    expect(checkBuiltin(f, 'NO 1.0', 'YES 1').ok).toBe(false);
    expect(checkBuiltin(f, 'nan', '1').ok).toBe(false);
    expect(checkBuiltin({ kind: 'float', absTolerance: 0.01, relTolerance: 0 }, '0.335', '0.33').ok).toBe(true);
  });
});

describe('judging with checkers', () => {
  it('token and float checkers through the judge', async () => {
    const tests = [{ input: '3', output: '0.333333333333\n' }];
    const solutions = [
      { id: 'close', code: 'print("%.7f" % (1 / int(input())))' },
      { id: 'far', code: 'print(0.3)' },
    ];
    const float = await judgeSolutions(sandbox, solutions, tests, LIMITS, { checker: { kind: 'float' } });
    expect(float.map((r) => [r.id, r.verdicts[0]?.verdict])).toEqual([
      ['close', 'AC'],
      ['far', 'WA'],
    ]);
    const exact = await judgeSolutions(sandbox, solutions, tests, LIMITS);
    expect(exact.map((r) => r.verdicts[0]?.verdict)).toEqual(['WA', 'WA']);
  });

  it('a testlib-style checker program: any valid answer is AC, the comment is kept, PE counts as WA', async () => {
    const tests = [
      { input: '12', output: '2' },
      { input: '13', output: '-1' },
      { input: '35', output: '5' },
    ];
    const solutions = [
      { id: 'smallest', code: 'n = int(input())\nprint(next((d for d in range(2, n) if n % d == 0), -1))' },
      { id: 'largest', language: 'cpp' as const, code: '#include <cstdio>\nint main(){ long long n; scanf("%lld",&n); for(long long d=n-1; d>1; d--) if(n%d==0){ printf("%lld\\n", d); return 0;} puts("-1"); }' },
      { id: 'wrong', code: 'print(1)' },
      { id: 'format', code: 'print(2, 2)' },
    ];
    const results = await judgeSolutions(sandbox, solutions, tests, LIMITS, { checker: { kind: 'testlib', code: CHECKER } });
    expect(results.map((r) => [r.id, r.verdicts.map((v) => v.verdict)])).toEqual([
      ['smallest', ['AC', 'AC', 'AC']],
      ['largest', ['AC', 'AC', 'AC']],
      ['wrong', ['WA', 'WA', 'WA']],
      ['format', ['WA', 'WA', 'WA']],
    ]);
    expect(results[1]?.verdicts[0]?.message).toBe('ok, divisor 6');
    expect(results[2]?.verdicts[0]?.message).toBe('1 is not a proper divisor');
    expect(results[3]?.verdicts[0]?.message).toBe('presentation error: extra output after the answer');
  }, 60_000);

  it('a checker that FAILs (broken answer file) is a CheckerFailure, never a verdict for the solution', async () => {
    await expect(
      judgeSolutions(sandbox, [{ id: 's', code: 'print(2)' }], [{ input: '4', output: 'garbage' }], LIMITS, { checker: { kind: 'testlib', code: CHECKER } }),
    ).rejects.toBeInstanceOf(CheckerFailure);
  }, 60_000);
});

describe('judge CLI: languages, checkers, CE', () => {
  const runCli = runJudgeCli;

  it('judges C++ and Python with a token checker and reports CE with the compiler message', async () => {
    const r = await runCli(
      JSON.stringify({
        solutions: [
          { id: 'cpp', language: 'cpp', code: '#include <iostream>\nint main(){ int n; std::cin >> n; for (int i = 1; i <= n; i++) std::cout << i << "\\n"; }' },
          { id: 'py', code: 'print(*range(1, int(input()) + 1))' },
          { id: 'ce', language: 'cpp', code: 'int main() { return missing; }' },
        ],
        tests: [{ input: '3', output: '1 2 3' }],
        checker: { kind: 'token' },
        limits: { timeLimitMs: 1000, wallLimitMs: 3000 },
      }),
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { id: string; passed: number; total: number; compileError?: string; verdicts: { verdict: string; cpuMs: number }[] }[] };
    expect(out.results.map((x) => [x.id, x.passed, x.total, x.verdicts[0]?.verdict])).toEqual([
      ['cpp', 1, 1, 'AC'],
      ['py', 1, 1, 'AC'],
      ['ce', 0, 1, 'CE'],
    ]);
    expect(out.results[2]?.compileError).toContain('missing');
    expect(typeof out.results[0]?.verdicts[0]?.cpuMs).toBe('number');
  }, 60_000);

  it('rejects an unknown language or checker with exit 2', async () => {
    const r = await runCli(JSON.stringify({ solutions: [{ id: 's', code: '', language: 'rust' }], tests: [], checker: { kind: 'regex' } }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('solutions[0].language');
    expect(r.stderr).toContain('checker');
  }, 20_000);
});
