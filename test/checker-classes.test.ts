/**
 * checkerClasses on the real sandbox: outputs grouped by what a testlib checker accepts, not by their bytes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { checkerClasses } from '../activities/sandbox/checker-classes';

const sandbox = createBwrapSandbox();
afterAll(() => sandbox.close());

/** Any proper divisor of n, or -1 for a prime: many right answers. The jury answer must itself be valid. */
const DIVISOR = String.raw`#include "testlib.h"
int main(int argc, char *argv[]) {
  registerTestlibCmd(argc, argv);
  long long n = inf.readLong();
  long long jury = ans.readLong();
  if (jury != -1 && (jury <= 1 || jury >= n || n % jury != 0)) quitf(_fail, "the jury's %lld is no divisor", jury);
  long long d = ouf.readLong(-1, n, "d");
  if ((jury == -1) != (d == -1)) quitf(_wa, "prime or not: %lld vs %lld", d, jury);
  if (d != -1 && (d <= 1 || n % d != 0 || d == n)) quitf(_wa, "%lld is not a proper divisor", d);
  quitf(_ok, "ok");
}
`;

describe('checkerClasses', () => {
  it('groups different valid answers into one class, an invalid one into another; null stays null', async () => {
    const r = await checkerClasses(sandbox, DIVISOR, [
      { input: '12', outputs: ['2', '6', '5', null, '2\n\n', '3 ', '5'] },
      { input: '13', outputs: ['-1', null, '-1', '1', '-1'] },
    ]);
    expect(r).toEqual({
      ok: true,
      classes: [
        [0, 0, 1, null, 0, 0, 1],
        [0, null, 0, 1, 0],
      ],
      // test 1: "6" vs "2" (2 runs), "5" vs "2" (1: rejected at once), "3 " vs "2" (2); test 2: "1" vs "-1" (1)
      checkerRuns: 6,
    });
  }, 60_000);

  it('identical outputs (up to trailing blanks) cost no checker run', async () => {
    const r = await checkerClasses(sandbox, DIVISOR, [{ input: '12', outputs: ['4', '4\n', '4  \n\n', null] }, { input: '7', outputs: [null, null] }]);
    expect(r).toEqual({ ok: true, classes: [[0, 0, 0, null], [null, null]], checkerRuns: 0 });
  }, 60_000);

  it('an output the checker FAILs on as the jury answer is not equivalent to anything, and is no error', async () => {
    // "1" as the jury answer makes the checker exit 3; "1" as the output is a plain WA.
    const r = await checkerClasses(sandbox, DIVISOR, [{ input: '12', outputs: ['1', '2', '1', '4'] }]);
    expect(r).toMatchObject({ ok: true, classes: [[0, 1, 0, 1]] });
  }, 60_000);

  it('past maxOutputsPerTest distinct outputs, the extra ones get classes of their own without a comparison', async () => {
    const r = await checkerClasses(sandbox, DIVISOR, [{ input: '12', outputs: ['2', '3', '4', '6', '2'] }], { maxOutputsPerTest: 2 });
    expect(r).toEqual({ ok: true, classes: [[0, 0, 1, 2, 0]], checkerRuns: 2 });
  }, 60_000);

  it('a checker that does not compile is ok:false with the compiler message', async () => {
    const r = await checkerClasses(sandbox, '#include "testlib.h"\nint main() { return undefined_name; }', [{ input: '1', outputs: ['1', '2'] }]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^the checker does not compile: .*undefined_name/s);
  }, 60_000);

  it('a crashing or looping checker is ok:false with what happened and where', async () => {
    const crash = await checkerClasses(sandbox, '#include <cstdlib>\nint main() { std::abort(); }', [
      { input: '1', outputs: ['1', '1'] },
      { input: '2', outputs: ['1', '2'] },
    ]);
    expect(crash).toEqual({ ok: false, reason: expect.stringMatching(/^the checker crashed \(RE, SIGABRT\) on test 2 of 2/) });
    const exit7 = await checkerClasses(sandbox, 'int main() { return 7; }', [{ input: '1', outputs: ['1', '2'] }]);
    expect(exit7).toEqual({ ok: false, reason: expect.stringMatching(/^the checker crashed \(RE, exit 7\) on test 1 of 1/) });
    const loop = await checkerClasses(sandbox, 'int main() { for (volatile int i = 0;; i++); }', [{ input: '1', outputs: ['1', '2'] }], {
      limits: { timeLimitMs: 300, memoryMb: 64, outputLimitBytes: 1024 },
    });
    expect(loop).toEqual({ ok: false, reason: expect.stringMatching(/^the checker hit a limit \(TLE\) on test 1 of 1/) });
  }, 60_000);

  it('an abort propagates', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(checkerClasses(sandbox, DIVISOR, [{ input: '12', outputs: ['2', '3'] }], { signal: controller.signal })).rejects.toThrow('stop');
  }, 60_000);
});
