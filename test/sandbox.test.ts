/**
 * Real sandbox runs (no mocks): verdicts in both languages, basic containment, sandbox faults, the judge and the
 * judge CLI. The hostile corpus is in sandbox-hostile.test.ts, checkers in judge-checkers.test.ts.
 * Needs bwrap, gcc, libseccomp-dev and /usr/bin/python3 (.ci/setup.sh), as root on the project's VMs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { judgeSolutions } from '../activities/sandbox/judge';
import { detectCgroups, noneDriver, type CgroupDriver } from '../activities/sandbox/cgroups';
import { SandboxInfraError, type Program, type RunLimits } from '../activities/sandbox/types';
import { runJudgeCli } from './helpers/judge-cli';

const sandbox = createBwrapSandbox();
const LIMITS: RunLimits = { timeLimitMs: 1000, memoryMb: 128, outputLimitBytes: 1024 * 1024 };

const run = (code: string, input = '', limits: RunLimits = LIMITS) => sandbox.runPython(code, input, limits);
afterAll(() => sandbox.close());

/** Host processes whose argv contains `marker` (reads /proc directly, no ps dependency). */
function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe('bwrap sandbox: verdicts', () => {
  it('OK: reads stdin and writes stdout', async () => {
    const r = await run('a, b = map(int, input().split())\nprint(a + b, "é")', '2 40\n');
    expect(r.status).toBe('OK');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('42 é\n');
  });

  it('RE: SystemExit(3) keeps its exit code', async () => {
    const r = await run('raise SystemExit(3)');
    expect(r.status).toBe('RE');
    expect(r.exitCode).toBe(3);
  });

  it('RE: an uncaught exception, named in stderr', async () => {
    const r = await run('def f():\n    raise ValueError("boom")\nf()');
    expect(r.status).toBe('RE');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('ValueError: boom');
  });

  it('TLE: a busy loop is killed near the limit', async () => {
    const t0 = Date.now();
    const r = await run('while True: pass');
    expect(r.status).toBe('TLE');
    expect(Date.now() - t0).toBeLessThan(5000);
    // Killed by the CPU limit, or by the wall limit (2 × 1 s + 0.5 s) when other work starves it of CPU.
    expect(r.cpuMs >= 1000 || r.wallMs >= 2500).toBe(true);
  }, 10_000);

  it('TLE: a sleeper (no CPU) is killed by the wall clock', async () => {
    const t0 = Date.now();
    const r = await run('import time\ntime.sleep(60)');
    expect(r.status).toBe('TLE');
    expect(Date.now() - t0).toBeLessThan(5000); // wall limit 2 × 1 s + 0.5 s
  }, 10_000);

  it('MLE: allocating far beyond the limit', async () => {
    const once = await run('x = bytearray(1 << 30)\nprint(len(x))');
    expect(once.status).toBe('MLE');
    const gradual = await run('chunks = []\nwhile True:\n    chunks.append(b"x" * 10**7)');
    expect(gradual.status).toBe('MLE');
  }, 10_000);

  it('OLE: an output flood is cut at the cap', async () => {
    const t0 = Date.now();
    const r = await run('import sys\nwhile True:\n    sys.stdout.write("x" * 65536)');
    expect(r.status).toBe('OLE');
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(LIMITS.outputLimitBytes);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('unread large input does not break the run', async () => {
    const r = await run('print("ignored")', 'x'.repeat(5 * 1024 * 1024));
    expect(r.status).toBe('OK');
    expect(r.stdout).toBe('ignored\n');
  });
});

describe('C++: every verdict, compile once', () => {
  const cpp = async (code: string, inputs: string[], limits: RunLimits = LIMITS) => {
    const p = await sandbox.program('cpp', code);
    if (!p.ok) throw new Error(p.message);
    return sandbox.runMany(p.program, inputs, limits);
  };
  const HEAD = '#include <bits/stdc++.h>\nusing namespace std;\n';

  it('OK over many inputs in one box, with CPU time and memory reported', async () => {
    const rs = await cpp(`${HEAD}int main(){ long long a, b; cin >> a >> b; vector<char> v(8 << 20, 1); cout << a + b + v[5] - 1 << endl; }`, ['1 2', '40 2', '-5 5']);
    expect(rs.map((r) => [r.status, r.stdout])).toEqual([
      ['OK', '3\n'],
      ['OK', '42\n'],
      ['OK', '0\n'],
    ]);
    for (const r of rs) {
      expect(r.cpuMs).toBeGreaterThanOrEqual(0);
      expect(r.memoryKb).toBeGreaterThan(7 * 1024); // the 8 MiB vector is in the peak
    }
  }, 60_000);

  it('RE with exit code, RE with signal (abort, segfault), TLE, MLE, OLE', async () => {
    const [exit3] = await cpp(`${HEAD}int main(){ return 3; }`, ['']);
    expect([exit3?.status, exit3?.exitCode, exit3?.signal]).toEqual(['RE', 3, null]);
    const [abrt] = await cpp(`${HEAD}int main(){ vector<int> v; return v.at(5); }`, ['']);
    expect([abrt?.status, abrt?.signal]).toEqual(['RE', 'SIGABRT']);
    expect(abrt?.stderr).toContain('out_of_range');
    const [segv] = await cpp(`${HEAD}int main(){ volatile int *p = nullptr; return *p; }`, ['']);
    expect([segv?.status, segv?.signal]).toEqual(['RE', 'SIGSEGV']);
    const [tle] = await cpp(`${HEAD}int main(){ volatile unsigned long x = 0; for(;;) x++; }`, [''], { ...LIMITS, timeLimitMs: 300 });
    expect(tle?.status).toBe('TLE');
    const [mle] = await cpp(`${HEAD}int main(){ vector<char> v(1 << 30, 1); cout << (int)v[12345]; }`, [''], { ...LIMITS, memoryMb: 64 });
    expect(mle?.status).toBe('MLE');
    const [ole] = await cpp(`${HEAD}int main(){ string s(1 << 16, 'x'); for(;;) cout << s; }`, ['']);
    expect(ole?.status).toBe('OLE');
  }, 60_000);

  it('a compile error carries the compiler message, and is cached like a binary', async () => {
    const bad = `${HEAD}int main(){ undeclared_thing(1); }`;
    const first = await sandbox.program('cpp', bad);
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.message).toMatch(/undeclared_thing.*was not declared/);
    const t0 = Date.now();
    const again = await sandbox.program('cpp', bad);
    expect(again).toEqual(first);
    expect(Date.now() - t0).toBeLessThan(2000);
  }, 60_000);
});

describe('Python: memory and CPU reported', () => {
  it('reports CPU time and peak memory of the run', async () => {
    const r = await run('x = bytearray(40 * 1024 * 1024)\ns = 0\nfor i in range(10**6): s += i\nprint(len(x), s)');
    expect(r.status).toBe('OK');
    expect(r.memoryKb).toBeGreaterThan(40 * 1024);
    expect(r.cpuMs).toBeGreaterThan(10);
  });
});

describe('bwrap sandbox: containment', () => {
  it('has no network: cannot reach a host loopback listener', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await run(
        [
          'import socket',
          'try:',
          `    socket.create_connection(("127.0.0.1", ${port}), timeout=2)`,
          '    print("CONNECTED")',
          'except OSError as e:',
          '    print("FAILED", type(e).__name__)',
        ].join('\n'),
      );
      expect(r.status).toBe('OK');
      expect(r.stdout).toMatch(/^FAILED /);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('cannot read the host environment', async () => {
    process.env.SYNTHSMITH_SECRET = 'hunter2-do-not-leak';
    try {
      const r = await run('import os\nprint(dict(os.environ))');
      expect(r.status).toBe('OK');
      expect(r.stdout).not.toContain('hunter2-do-not-leak');
      expect(r.stdout).not.toContain('SYNTHSMITH_SECRET');
    } finally {
      delete process.env.SYNTHSMITH_SECRET;
    }
  });

  it('cannot write outside its own tmpfs mounts', async () => {
    const name = `synthsmith-sbx-${process.pid}-${Date.now()}`;
    const r = await run(
      [
        'def attempt(path):',
        '    try:',
        '        with open(path, "w") as f:',
        '            f.write("x")',
        '        print(path, "written")',
        '    except OSError as e:',
        '        print(path, type(e).__name__, e.errno)',
        'attempt("/usr/evil")',
        'attempt("/evil")',
        'attempt("/proc/sys/vm/drop_caches")',
        `attempt("/tmp/${name}")`,
        'attempt("/work/out.txt")',
      ].join('\n'),
    );
    expect(r.status).toBe('OK');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('/usr/evil OSError 30'); // EROFS
    expect(lines[1]).toBe('/evil OSError 30');
    expect(lines[2]).toMatch(/^\/proc\/sys\/vm\/drop_caches (OSError 30|PermissionError 13)$/); // host root owns /proc/sys
    expect(lines[3]).toBe(`/tmp/${name} written`);
    expect(lines[4]).toBe('/work/out.txt written');
    expect(existsSync(`/tmp/${name}`)).toBe(false);
    expect(existsSync('/usr/evil')).toBe(false);
  });

  it('an orphaned daemon neither keeps the run alive nor survives it', async () => {
    const marker = `31.${process.pid}${Date.now() % 100000}`;
    const t0 = Date.now();
    const r = await run(
      [
        'import os',
        'pid = os.fork()',
        'if pid == 0:',
        '    os.setsid()',
        '    if os.fork() == 0:',
        `        os.execv("/usr/bin/sleep", ["sleep", "${marker}"])`,
        '    os._exit(0)',
        'os.waitpid(pid, 0)',
        'print("parent done")',
      ].join('\n'),
    );
    expect(r.status).toBe('OK');
    expect(r.stdout).toBe('parent done\n');
    expect(Date.now() - t0).toBeLessThan(5000);
    // The pid namespace is torn down when bwrap's pid 1 exits; allow that a moment.
    const deadline = Date.now() + 1000;
    while (hostProcessesWith(marker).length > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
    expect(hostProcessesWith(marker)).toEqual([]);
  });

  it('still runs normally after all of the above', async () => {
    const r = await run('print(input()[::-1])', 'olleh\n');
    expect(r.status).toBe('OK');
    expect(r.stdout).toBe('hello\n');
  });

  it('sandbox faults are SandboxInfraError, never verdicts', async () => {
    await expect(createBwrapSandbox({ bwrapPath: '/nonexistent/bwrap' }).runPython('print(1)', '', LIMITS)).rejects.toBeInstanceOf(
      SandboxInfraError,
    );
    // The box starts but cannot exec the interpreter: the box is misconfigured, not the program wrong.
    const noPython = createBwrapSandbox({ python: '/usr/bin/no-such-python' });
    await expect(noPython.runPython('print(1)', '', LIMITS)).rejects.toBeInstanceOf(SandboxInfraError);
    await noPython.close();
  });
});

describe('sandbox faults, degraded mode, cancellation', () => {
  it('a cgroup the launcher cannot join is a SandboxInfraError, not a verdict', async () => {
    const real = detectCgroups();
    const broken: CgroupDriver = {
      ...real,
      create: (name, limits) => ({ ...real.create(name, limits), procsFiles: ['/nonexistent/cgroup.procs'] }),
    };
    const s = createBwrapSandbox({ cgroups: broken });
    await expect(s.runPython('print(1)', '', LIMITS)).rejects.toBeInstanceOf(SandboxInfraError);
    await s.close();
  });

  it('without cgroups: says once which limits are rlimits only, and still gives OK, TLE, MLE and RE', async () => {
    const logs: string[] = [];
    const s = createBwrapSandbox({ cgroups: noneDriver('test: cgroups disabled'), log: (m) => logs.push(m) });
    try {
      const ok = await s.runPython('print(input())', 'hi', LIMITS);
      expect([ok.status, ok.stdout]).toEqual(['OK', 'hi\n']);
      expect(ok.memoryKb).toBeGreaterThan(1000); // max RSS of the interpreter
      const mle = await s.runPython('x = bytearray(1 << 30)', '', LIMITS);
      expect(mle.status).toBe('MLE');
      const tle = await s.runPython('while True: pass', '', { ...LIMITS, timeLimitMs: 300, wallLimitMs: 5000 });
      expect(tle.status).toBe('TLE'); // RLIMIT_CPU (1 s granularity), not the wall timer
      const re = await s.runPython('raise SystemExit(4)', '', LIMITS);
      expect([re.status, re.exitCode]).toEqual(['RE', 4]);
    } finally {
      await s.close();
    }
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/rlimits only.*RLIMIT_AS.*RLIMIT_CPU/);
  }, 20_000);

  it('cancellation kills the running test at once and stops the batch', async () => {
    const ac = new AbortController();
    const program: Program = { kind: 'source', fileName: 'main.py', code: 'import time\ntime.sleep(30)', argv: ['/usr/bin/python3', '-I', '/box/main.py'] };
    const t0 = Date.now();
    setTimeout(() => ac.abort(new Error('cancelled by test')), 300);
    await expect(sandbox.runMany(program, ['', '', ''], { ...LIMITS, timeLimitMs: 20_000 }, { signal: ac.signal })).rejects.toThrow('cancelled by test');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('judgeSolutions', () => {
  it('returns AC / WA / TLE per test, in order', async () => {
    const tests = [
      { input: '2\n', output: '4\n' },
      { input: '5\n', output: '10' },
    ];
    const solutions = [
      { id: 'ok', code: 'print(int(input()) * 2)' },
      { id: 'wrong', code: 'print(int(input()) + 2)' },
      { id: 'slow', code: 'while True: pass' },
    ];
    const progress: number[] = [];
    const results = await judgeSolutions(sandbox, solutions, tests, { ...LIMITS, timeLimitMs: 500 }, {
      concurrency: 2,
      onProgress: (done, total) => {
        expect(total).toBe(6);
        progress.push(done);
      },
    });
    expect(results.map((r) => [r.id, r.verdicts.map((v) => v.verdict), r.passed, r.total])).toEqual([
      ['ok', ['AC', 'AC'], 2, 2],
      ['wrong', ['AC', 'WA'], 1, 2], // 2+2 == 2*2
      ['slow', ['TLE', 'TLE'], 0, 2],
    ]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
  }, 15_000);
});

describe('judge CLI', () => {
  const runCli = runJudgeCli;

  it('judges valid JSON input', async () => {
    const r = await runCli(
      JSON.stringify({
        solutions: [
          { id: 's0', code: 'print(int(input()) ** 2)' },
          { id: 's1', code: 'print(0)' },
        ],
        tests: [{ input: '3', output: '9' }],
        limits: { timeLimitMs: 1000 },
      }),
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { id: string; passed: number; verdicts: { verdict: string }[] }[] };
    expect(out.results.map((x) => [x.id, x.passed, x.verdicts[0]?.verdict])).toEqual([
      ['s0', 1, 'AC'],
      ['s1', 0, 'WA'],
    ]);
  }, 20_000);

  it('rejects invalid input with exit 2 and names the field', async () => {
    const r = await runCli(JSON.stringify({ solutions: [{ id: 's0' }], tests: [] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('solutions[0].code');
    expect(r.stdout).toBe('');
  }, 20_000);
});
