/**
 * Checkers: the built-in exact (= verification's compare.ts), token and float comparisons, and a testlib-style
 * checker program compiled once and run in its own box; real-style checkers on our testlib.h; plus the judge CLI
 * with C++, checkers and CE.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { CheckerFailure, checkBuiltin } from '../activities/sandbox/checkers';
import { CompileCache, type RunInBox } from '../activities/sandbox/compile-cache';
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

/** The divisor task of divisor-checker.cpp, checked the way problem setters write testlib checkers. */
const TESTLIB_DIVISOR = String.raw`#include "testlib.h"
using namespace std;
int main(int argc, char *argv[]) {
  registerTestlibCmd(argc, argv);
  long long n = inf.readLong(2, 1000000000000LL, "n");
  long long jury = ans.readLong();
  long long d = ouf.readLong(-1, n, "d");
  if (jury == -1) {
    if (d != -1) quitf(_wa, "the jury says prime, got %lld", d);
    quitf(_ok, "prime");
  }
  if (d == -1) quitf(_wa, "%lld has the divisor %lld", n, jury);
  ensuref(n % jury == 0, "the jury's %lld does not divide %lld", jury, n);
  if (d <= 1 || d >= n || n % d != 0) quitf(_wa, "%lld is not a proper divisor", d);
  quitf(_ok, "divisor %s", vtos(d).c_str());
}
`;

const TESTLIB_FLOAT = String.raw`#include "testlib.h"
int main(int argc, char *argv[]) {
  registerTestlibCmd(argc, argv);
  int k = inf.readInt(1, 10, "k");
  for (int i = 1; i <= k; i++) {
    double j = ans.readDouble(), p = ouf.readReal();
    if (!doubleCompare(j, p, 1e-6)) quitf(_wa, "%d%s number differs: expected %.9f, found %.9f", i, englishEnding(i).c_str(), j, p);
  }
  ouf.readEof();
  quitf(_ok, "%d numbers", k);
}
`;

describe('testlib.h (ours): real-style checkers compile against it and keep testlib semantics', () => {
  const tests = [
    { input: '12', output: '2' },
    { input: '13', output: '-1' },
    { input: '35', output: '5' },
  ];
  const run = (code: string, testsHere = tests, checker = TESTLIB_DIVISOR) =>
    judgeSolutions(sandbox, [{ id: 's', code }], testsHere, LIMITS, { checker: { kind: 'testlib', code: checker } }).then((r) => r[0]!);

  it('accepts any valid answer of a multi-answer task and rejects an invalid one', async () => {
    const results = await judgeSolutions(
      sandbox,
      [
        { id: 'smallest', code: 'n = int(input())\nprint(next((d for d in range(2, n) if n % d == 0), -1))' },
        // A solution may include testlib.h too (harmless; it only has to resolve).
        { id: 'largest', language: 'cpp', code: '#include "testlib.h"\n#include <cstdio>\nint main(){ long long n; scanf("%lld",&n); for(long long d=n-1; d>1; d--) if(n%d==0){ printf("%lld\\n", d); return 0;} puts("-1"); }' },
        { id: 'one', code: 'print(1)' },
      ],
      tests,
      LIMITS,
      { checker: { kind: 'testlib', code: TESTLIB_DIVISOR } },
    );
    expect(results.map((r) => [r.id, r.verdicts.map((v) => v.verdict)])).toEqual([
      ['smallest', ['AC', 'AC', 'AC']],
      ['largest', ['AC', 'AC', 'AC']],
      ['one', ['WA', 'WA', 'WA']],
    ]);
    expect(results[1]?.compileError).toBeUndefined();
    expect(results[1]?.verdicts[0]?.message).toBe('ok divisor 6');
    expect(results[2]?.verdicts[0]?.message).toBe('wrong answer 1 is not a proper divisor');
  }, 60_000);

  it('a value out of the requested range on the output is WA, a malformed or missing one PE, trailing output PE', async () => {
    const out = await run('print(100)', tests.slice(0, 1));
    expect(out.verdicts[0]).toMatchObject({ verdict: 'WA', message: 'wrong answer Integer parameter [name=d] equals to 100, violates the range [-1, 12]' });
    for (const [code, message] of [
      ['print("2.0")', 'Expected int64, but "2.0" found'],
      ['print("02")', 'Expected int64, but "02" found'],
      ['print(10**30)', `Expected int64, but "${10n ** 30n}" found`],
      ['pass', 'Unexpected end of file'],
      ['print(2, 2)', 'Extra information in the output file'],
    ] as const) {
      const r = await run(code, tests.slice(0, 1));
      expect(r.verdicts[0]?.verdict, code).toBe('WA');
      expect(r.verdicts[0]?.message, code).toContain(`presentation error: wrong output format ${message}`);
    }
    // Trailing blank lines are no extra information.
    expect((await run('print(2)\nprint()\nprint("  ")', tests.slice(0, 1))).verdicts[0]?.verdict).toBe('AC');
  }, 60_000);

  it('a malformed answer or input file, or a failed ensuref, is a CheckerFailure', async () => {
    await expect(run('print(2)', [{ input: '12', output: 'two' }])).rejects.toThrow(/FAIL Expected int64, but "two" found \(in answer file\)/);
    await expect(run('print(2)', [{ input: '1', output: '2' }])).rejects.toThrow(/FAIL Integer parameter \[name=n\] equals to 1.*\(in input file\)/);
    await expect(run('print(2)', [{ input: '12', output: '5' }])).rejects.toBeInstanceOf(CheckerFailure);
  }, 60_000);

  it('doubleCompare accepts an absolute or relative error of 1e-6 and nothing more', async () => {
    const t = [{ input: '3', output: '0.333333333333 1000000.0 -2' }];
    const verdict = async (code: string) => (await run(code, t, TESTLIB_FLOAT)).verdicts[0];
    expect(await verdict('print("0.3333335 1000000.9 -2.0000001")')).toMatchObject({ verdict: 'AC', message: 'ok 3 numbers' });
    expect(await verdict('print("0.3333353 1000000.0 -2")')).toMatchObject({ verdict: 'WA', message: expect.stringContaining('1st number differs') });
    expect(await verdict('print("0.3333333 1000002 -2")')).toMatchObject({ verdict: 'WA', message: expect.stringContaining('2nd number differs') });
    expect((await verdict('print("0.3333333 1000000 nan")'))?.message).toContain('Expected double, but "nan" found');
    expect((await verdict('print("0.3333333 1000000 -2 7")'))?.message).toContain('Expected EOF');
  }, 60_000);

  it('every C++ compile sees the headers in the box, and their content is part of the cache key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'judge-headers-'));
    try {
      const calls: Parameters<RunInBox>[] = [];
      const fake: RunInBox = async (...args) => {
        calls.push(args);
        // The PCH build "succeeds" (an empty file, never used); the compile fails, nothing is cached as a binary.
        const pch = args[0].kind === 'source' && args[0].fileName === 'empty';
        return { ok: pch, exitedNonZero: false, stdout: Buffer.alloc(0), stderr: Buffer.from('no compiler here'), summary: 'fake' };
      };
      await new CompileCache(dir, fake).compile('cpp', 'int main() {}');
      const compile = calls.find(([p]) => p.kind === 'source' && p.fileName === 'main.cpp');
      const bind = compile?.[1].binds?.find((b) => b.dest === '/include');
      expect(bind).toBeDefined();
      expect(readFileSync(join(bind!.host, 'testlib.h'), 'utf8')).toBe(readFileSync(join(__dirname, '..', 'activities', 'sandbox', 'native', 'testlib.h'), 'utf8'));
      expect(bind!.host).toMatch(/include-[0-9a-f]{16}$/); // named by the content hash, which also keys the binaries
      expect(compile?.[0].kind === 'source' && compile[0].argv.join(' ')).toContain('-I/include');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
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
