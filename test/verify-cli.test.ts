/**
 * `npm run verify` as a user checks their own candidate sets without an LLM: a checker decides equality (float
 * tolerance, a testlib checker for "print any" tasks), a generator draws more inputs where the given tests do
 * not separate right from wrong, a broken generator or checker costs only its own evidence, and a bad policy
 * fails at once naming the field.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.join(__dirname, '..');

interface VerifyOut {
  decision: string;
  reason?: string;
  explanation: string;
  golden: { id: string } | null;
  labels: (string | null)[];
  generated: number;
  adaptive?: { stopped: string; notes: string[] };
  clusters: { solutions: string[]; witnesses: number }[];
  witnesses: string[];
}

async function verify(input: unknown): Promise<{ code: number | null; out?: VerifyOut; stderr: string }> {
  const child = spawn(path.join(REPO, 'node_modules', '.bin', 'tsx'), [path.join(REPO, 'workers', 'verify-cli.ts')], { cwd: REPO });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(JSON.stringify(input));
  const c = await code;
  return { code: c, stderr, ...(c === 0 ? { out: JSON.parse(stdout) as VerifyOut } : {}) };
}

// Sum 1..n for n <= 10^5: the answer passes 2^31 near the top, so a 32-bit sum is wrong only on large inputs.
const SUM = {
  tests: ['1\n', '2\n', '3\n', '10\n', '100\n', '7\n'].map((input) => ({ input })),
  solutions: [
    { id: 'py-formula', language: 'python', code: 'n=int(input())\nprint(n*(n+1)//2)\n' },
    { id: 'py-loop', language: 'python', code: 'n=int(input())\nprint(sum(range(n+1)))\n' },
    { id: 'cpp-ll', language: 'cpp', code: '#include <cstdio>\nint main(){long long n;scanf("%lld",&n);printf("%lld\\n",n*(n+1)/2);}' },
    { id: 'cpp-int', language: 'cpp', code: '#include <cstdio>\nint main(){int n;scanf("%d",&n);int s=0;for(int i=1;i<=n;i++)s+=i;printf("%d\\n",s);}' },
    { id: 'py-int32', language: 'python', code: 'n=int(input())\ns=n*(n+1)//2\nprint(((s+2**31)%2**32)-2**31)\n' },
  ],
};
const SUM_GENERATOR = `import argparse, random
p = argparse.ArgumentParser(); p.add_argument('--seed', type=int); p.add_argument('--scale')
a = p.parse_args()
r = random.Random(a.seed)
hi = {'small': 50, 'medium': 5000, 'large': 100000}[a.scale]
for k in range(5):
    open(f'{k}.in', 'w').write(f"{r.randint(max(1, hi // 2), hi)}\\n")
`;

describe('npm run verify', () => {
  it('given tests alone cannot separate a 32-bit sum from a 64-bit one; the generator can', async () => {
    const given = await verify(SUM);
    expect(given.code).toBe(0);
    // All five agree on the small given tests: one cluster, no generated inputs.
    expect(given.out).toMatchObject({ decision: 'kept', generated: 0 });
    expect(given.out!.clusters).toHaveLength(1);

    const drawn = await verify({ ...SUM, generator: { code: SUM_GENERATOR } });
    expect(drawn.code).toBe(0);
    expect(drawn.out!.generated).toBeGreaterThan(0);
    expect(drawn.out!.decision).toBe('kept');
    expect(['py-formula', 'py-loop', 'cpp-ll']).toContain(drawn.out!.golden?.id);
    expect([...drawn.out!.witnesses].sort()).toEqual(['cpp-ll', 'py-formula', 'py-loop']);
    // The two 32-bit programs behave alike (a correlated pair, two languages): a cluster of their own that loses
    // to three programs by one witness.
    expect(drawn.out!.clusters.map((c) => [...c.solutions].sort())).toContainEqual(['cpp-int', 'py-int32']);
    expect(drawn.out!.labels).toEqual(['1\n', '3\n', '6\n', '55\n', '5050\n', '28\n']);
  }, 120_000);

  it('a generator that crashes loses only its own inputs, with the reason', async () => {
    const r = await verify({ ...SUM, generator: { code: 'import sys\nsys.exit(3)\n' } });
    expect(r.code).toBe(0);
    expect(r.out!.generated).toBe(0);
    expect(r.out!.adaptive?.notes.join(' ')).toMatch(/exited with status 3/);
    expect(r.out!.decision).toBe('kept');
  }, 120_000);

  it('float outputs with other digits agree under the float checker; integer tokens stay exact', async () => {
    const input = {
      tests: ['1 3\n', '2 3\n', '10 7\n'].map((x) => ({ input: x })),
      solutions: [
        { id: 'py-repr', code: 'a,b=map(int,input().split())\nprint(a/b)\n' },
        { id: 'py-fixed', code: 'a,b=map(int,input().split())\nprint("%.9f"%(a/b))\n' },
        { id: 'cpp', language: 'cpp', code: '#include <cstdio>\nint main(){double a,b;scanf("%lf %lf",&a,&b);printf("%.12f\\n",a/b);}' },
        { id: 'py-intdiv', code: 'a,b=map(int,input().split())\nprint(a//b)\n' },
      ],
    };
    const exact = await verify(input);
    expect(exact.out).toMatchObject({ decision: 'discarded', reason: 'too_few_witnesses' });
    const float = await verify({ ...input, checker: { kind: 'float', absTolerance: 1e-6, relTolerance: 1e-6 } });
    expect(float.out).toMatchObject({ decision: 'kept' });
    expect(float.out!.witnesses).toHaveLength(3);
    expect(float.out!.golden?.id).not.toBe('py-intdiv');
  }, 120_000);

  it('a testlib checker groups different valid answers of a "print any" task; a broken one discards the task', async () => {
    // Print any divisor d of n with 1 < d < n (n composite).
    const checker = `#include "testlib.h"
int main(int argc, char* argv[]) {
  registerTestlibCmd(argc, argv);
  long long n = inf.readLong();
  long long d = ouf.readLong(2, n - 1, "d");
  if (n % d != 0) quitf(_wa, "%lld does not divide %lld", d, n);
  quitf(_ok, "divisor %lld", d);
}`;
    const input = {
      tests: ['4\n', '6\n', '15\n', '49\n', '100\n'].map((x) => ({ input: x })),
      solutions: [
        { id: 'smallest', code: 'n=int(input())\nd=2\nwhile n%d: d+=1\nprint(d)\n' },
        { id: 'largest', code: 'n=int(input())\nd=n-1\nwhile n%d: d-=1\nprint(d)\n' },
        { id: 'cpp-smallest', language: 'cpp', code: '#include <cstdio>\nint main(){long long n;scanf("%lld",&n);for(long long d=2;;d++)if(n%d==0){printf("%lld\\n",d);return 0;}}' },
        { id: 'half', code: 'print(int(input())//2)\n' },
      ],
    };
    const exact = await verify(input);
    // By string equality the largest divisor and the smallest are different answers.
    expect(exact.out!.clusters.length).toBeGreaterThan(2);
    const r = await verify({ ...input, checker: { kind: 'testlib', code: checker } });
    expect(r.out).toMatchObject({ decision: 'kept' });
    expect([...r.out!.witnesses].sort()).toEqual(expect.arrayContaining(['cpp-smallest', 'smallest']));
    expect(r.out!.golden?.id).not.toBe('half');
    const broken = await verify({ ...input, checker: { kind: 'testlib', code: 'int main( {' } });
    expect(broken.out).toMatchObject({ decision: 'discarded', reason: 'checker_failed' });
    expect(broken.out!.explanation).toMatch(/does not compile/);
  }, 180_000);

  it('a policy with an unknown field fails at once, naming it', async () => {
    const r = await verify({ ...SUM, policy: { witnesses: { minimum: 3 } } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policy\.witnesses.*minimum/);
  }, 60_000);
});
