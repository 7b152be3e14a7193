/**
 * The hostile corpus (test/fixtures/hostile): each program gets the right verdict, the worker (this process)
 * survives, the host is unchanged (no processes of the slot uids, no cgroups, no files), and the next run is
 * unaffected. Dangerous programs run only after the limit that contains them has been verified in place; if it
 * is not, the test fails rather than skips. Real bubblewrap, cgroups and seccomp: run as root on the project's VMs.
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox, type EngineInfo } from '../activities/sandbox/bwrap-sandbox';
import type { Program, RunLimits, RunResult } from '../activities/sandbox/types';
import { eventually, ownCgroups, strayBoxProcesses } from './fixtures/judge/host-state';

const sandbox = createBwrapSandbox();
const LIMITS: RunLimits = { timeLimitMs: 500, wallLimitMs: 1500, memoryMb: 128, outputLimitBytes: 1 << 20, maxProcesses: 32 };
const FIXTURES = join(__dirname, 'fixtures', 'hostile');
const binaries = new Map<string, Program>();
let info: EngineInfo;

async function compileFixture(name: string): Promise<void> {
  const r = await sandbox.program('cpp', readFileSync(join(FIXTURES, `${name}.cpp`), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  binaries.set(name, r.program);
}

const runC = async (name: string, input = '', limits = LIMITS): Promise<RunResult> => {
  const [r] = await sandbox.runMany(binaries.get(name) as Program, [input], limits);
  return r as RunResult;
};
const runPy = (code: string, input = '', limits = LIMITS): Promise<RunResult> => sandbox.runPython(code, input, limits);

beforeAll(async () => {
  info = await sandbox.info();
  const names = ['forkbomb', 'forkn', 'membomb', 'killall', 'syscalls', 'deep-recursion'];
  await compileFixture(names[0] as string); // builds the shared precompiled header once, first
  await Promise.all(names.slice(1).map(compileFixture));
}, 120_000);

afterEach(async () => {
  // The host after every hostile run: nothing left running as a slot uid of ours, no cgroup of ours.
  expect(await eventually(() => strayBoxProcesses(sandbox), (p) => p.length === 0)).toEqual([]);
  expect(await eventually(() => ownCgroups(info), (c) => c.length === 0)).toEqual([]);
  // ... and the next run is unaffected.
  const next = await runPy('print(sum(map(int, input().split())))', '20 22');
  expect([next.status, next.stdout]).toEqual(['OK', '42\n']);
});

afterAll(() => sandbox.close());

describe('the limits are in place (checked before any dangerous program)', () => {
  it('cgroups drive memory, processes and CPU; a slot uid per box', () => {
    // On the project's VMs (root, cgroup v1 hybrid) this must hold; elsewhere the dangerous tests must not run.
    expect(info.cgroupMode).not.toBe('none');
    expect(info.uidPerSlot).toBe(true);
  });
});

describe('hostile programs', () => {
  it('fork bomb: contained by pids.max, ends as TLE', async () => {
    expect(info.cgroupMode).not.toBe('none');
    const probe = await runC('forkn', '100', { ...LIMITS, maxProcesses: 16 });
    expect(probe.status).toBe('OK');
    const forks = Number(probe.stdout);
    expect(forks).toBeGreaterThan(0);
    expect(forks).toBeLessThan(16); // the pids limit is active
    const r = await runC('forkbomb', '', { ...LIMITS, maxProcesses: 16 });
    expect(r.status).toBe('TLE');
  }, 20_000);

  it('memory bomb: OOM-killed at the cgroup limit → MLE with the peak reported (C and Python)', async () => {
    expect(info.cgroupMode).not.toBe('none');
    const within = await runC('membomb', '32', { ...LIMITS, memoryMb: 64 });
    expect([within.status, within.stdout]).toEqual(['OK', 'done\n']);
    const over = await runC('membomb', '96', { ...LIMITS, memoryMb: 64 });
    expect(over.status).toBe('MLE'); // the memory limit is active
    const bomb = await runC('membomb', '4096', { ...LIMITS, memoryMb: 64 });
    expect(bomb.status).toBe('MLE');
    expect(bomb.memoryKb).toBeGreaterThan(48 * 1024);
    expect(bomb.memoryKb).toBeLessThan(100 * 1024);
    const py = await runPy('chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))', '', { ...LIMITS, memoryMb: 64 });
    expect(py.status).toBe('MLE');
  }, 30_000);

  it('output flood: cut at the cap → OLE, fast', async () => {
    const t0 = Date.now();
    const r = await runPy('import sys\nwhile True:\n    sys.stdout.write("x" * 65536)');
    expect(r.status).toBe('OLE');
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(LIMITS.outputLimitBytes);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('infinite loop: CPU limit → TLE, with the CPU time near the limit', async () => {
    const r = await runPy('while True: pass');
    expect(r.status).toBe('TLE');
    // The CPU limit, or the wall limit when other work on the machine starves the loop of CPU.
    expect(r.cpuMs >= LIMITS.timeLimitMs || r.wallMs >= (LIMITS.wallLimitMs ?? 0)).toBe(true);
    expect(r.cpuMs).toBeLessThan(LIMITS.timeLimitMs + 1000);
  });

  it('sleeper: only the wall limit catches it → TLE with almost no CPU', async () => {
    const r = await runPy('import time\ntime.sleep(60)');
    expect(r.status).toBe('TLE');
    expect(r.wallMs).toBeGreaterThanOrEqual(1500);
    expect(r.cpuMs).toBeLessThan(LIMITS.timeLimitMs);
  });

  it('network: no host loopback service, and the outside is unreachable at once', async () => {
    let connections = 0;
    const server = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await runPy(
        [
          'import socket, errno, time',
          'for host, port in (("127.0.0.1", %PORT%), ("1.1.1.1", 80)):',
          '    t = time.monotonic()',
          '    try:',
          '        socket.create_connection((host, port), timeout=3)',
          '        print(host, "CONNECTED")',
          '    except OSError as e:',
          '        print(host, errno.errorcode.get(e.errno, e), round(time.monotonic() - t, 2))',
        ].join('\n').replace('%PORT%', String(port)),
      );
      expect(r.status).toBe('OK');
      const [loop, outside] = r.stdout.trim().split('\n');
      expect(loop).toMatch(/^127\.0\.0\.1 (ECONNREFUSED|ENETUNREACH)/);
      expect(outside).toMatch(/^1\.1\.1\.1 ENETUNREACH 0\.0/); // empty netns: no route, fails immediately
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('seccomp: AF_VSOCK, io_uring, keyrings, ptrace, bpf, mount and namespaces are refused; fork works', async () => {
    const r = await runC('syscalls');
    expect(r.status).toBe('OK');
    const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
    expect(got.vsock).toBe('EAFNOSUPPORT');
    for (const name of ['io_uring_setup', 'keyctl', 'add_key', 'ptrace', 'bpf', 'mount', 'unshare_user', 'unshare_net', 'clone_newns', 'setns', 'reboot', 'init_module', 'kexec_load', 'perf_event_open', 'userfaultfd']) {
      expect([name, got[name]]).toEqual([name, 'EPERM']);
    }
    expect(got.fork).toBe('ok');
    const uid = Number(/^uid=(\d+)/m.exec(r.stdout)?.[1]);
    expect(uid).toBeGreaterThanOrEqual(60000); // the slot uid, never root
  });

  it('credentials: unprivileged slot uid, no capabilities, no_new_privs, seccomp filter, own pid namespace', async () => {
    const r = await runPy('import os\nprint(open("/proc/self/status").read())\nprint("NS", os.readlink("/proc/self/ns/pid"))');
    expect(r.status).toBe('OK');
    expect(r.stdout).toMatch(/^Uid:\s+6\d{4}\s+6\d{4}\s+6\d{4}\s+6\d{4}$/m);
    expect(r.stdout).toMatch(/^CapEff:\s+0+$/m);
    expect(r.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(r.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(r.stdout).not.toContain(`NS ${readlinkSync('/proc/self/ns/pid')}`);
  });

  it('host secrets and environment are not visible', async () => {
    process.env.SYNTHSMITH_SECRET = 'hunter2-do-not-leak';
    try {
      const r = await runPy(
        [
          'import os',
          'print(sorted(os.environ))',
          'for p in ("/etc/shadow", "/etc/passwd", "/root", "/proc/1/environ", "/sys/fs/cgroup", "/home", "/var/cache"):',
          '    try:',
          '        print(p, len(open(p, "rb").read()) if not os.path.isdir(p) else os.listdir(p))',
          '    except OSError as e:',
          '        print(p, type(e).__name__)',
        ].join('\n'),
      );
      expect(r.status).toBe('OK');
      expect(r.stdout).not.toContain('hunter2');
      expect(r.stdout).not.toContain('SYNTHSMITH_SECRET');
      expect(r.stdout).toContain("['HOME', 'LANG', 'MALLOC_ARENA_MAX', 'PATH', 'PWD']");
      for (const p of ['/etc/shadow', '/etc/passwd', '/root', '/sys/fs/cgroup', '/home', '/var/cache']) expect(r.stdout).toContain(`${p} FileNotFoundError`);
      expect(r.stdout).toMatch(/\/proc\/1\/environ (PermissionError|0)/); // the runner is non-dumpable
    } finally {
      delete process.env.SYNTHSMITH_SECRET;
    }
  });

  it('writes outside the work dir fail; work files vanish before the next run of the same box', async () => {
    const name = `synthsmith-sbx-${process.pid}-${Date.now()}`;
    const code = [
      'import os, sys',
      'def attempt(path):',
      '    try:',
      '        with open(path, "w") as f:',
      '            f.write("x")',
      '        return "written"',
      '    except OSError as e:',
      '        return type(e).__name__ + str(e.errno)',
      'if input() == "write":',
      `    for p in ("/usr/evil", "/evil", "/box/evil", "/proc/sys/vm/drop_caches", "/tmp/${name}", "/work/out.txt", "/dev/shm/x"):`,
      '        print(p, attempt(p))',
      '    os.makedirs("/work/d/e", exist_ok=True); os.chmod("/work/d", 0)',
      'else:',
      `    print(sorted(os.listdir("/work")), sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm")))`,
    ].join('\n');
    const program: Program = { kind: 'source', fileName: 'main.py', code, argv: ['/usr/bin/python3', '-I', '/box/main.py'] };
    const [w, after] = await sandbox.runMany(program, ['write', 'look'], LIMITS);
    expect(w?.status).toBe('OK');
    const lines = w?.stdout.trim().split('\n') ?? [];
    // EROFS for the read-only mounts; /proc/sys belongs to host root, and the box is not root.
    expect(lines.slice(0, 3)).toEqual(['/usr/evil OSError30', '/evil OSError30', '/box/evil OSError30']);
    expect(lines[3]).toMatch(/^\/proc\/sys\/vm\/drop_caches (OSError30|PermissionError13)$/);
    expect(lines.slice(4)).toEqual([`/tmp/${name} written`, '/work/out.txt written', '/dev/shm/x written']);
    expect(after?.stdout).toBe('[] [] []\n');
    expect(existsSync(`/tmp/${name}`)).toBe(false);
    expect(existsSync('/usr/evil')).toBe(false);
  });

  it('orphaned background children neither hold the run open nor survive it', async () => {
    const t0 = Date.now();
    const r = await runPy(
      [
        'import os, sys',
        'if os.fork() == 0:',
        '    os.setsid()',
        '    if os.fork() == 0:',
        '        os.execv("/usr/bin/sleep", ["sleep", "300"])',
        '    os._exit(0)',
        'os.wait()',
        'print("parent done")',
      ].join('\n'),
    );
    expect([r.status, r.stdout]).toEqual(['OK', 'parent done\n']);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('kill -1: reaches only the run\'s own processes; the box keeps serving', async () => {
    // Contained by the private pid namespace (checked above) and the slot uid; the runner is that namespace's init.
    expect(info.uidPerSlot).toBe(true);
    const [r, next] = await sandbox.runMany(binaries.get('killall') as Program, ['', ''], LIMITS);
    expect(r?.status).toBe('OK');
    expect(r?.stdout).toBe('kill=0 child_signal=9\n');
    expect(next?.status).toBe('OK'); // same box, next test
  });

  it('huge stack: deep recursion works (stack bounded by memory only); infinite recursion is not OK', async () => {
    const deep = await runC('deep-recursion', '1000000', { ...LIMITS, memoryMb: 256, timeLimitMs: 2000 });
    expect([deep.status, deep.stdout]).toEqual(['OK', '1000001\n']);
    const py = await runPy('import sys\nsys.setrecursionlimit(10**6)\ndef f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(200000))', '', {
      ...LIMITS,
      memoryMb: 256,
      timeLimitMs: 2000,
    });
    expect([py.status, py.stdout]).toEqual(['OK', '200000\n']);
    const inf = await runC('deep-recursion', '1000000000000', { ...LIMITS, memoryMb: 64 });
    expect(['MLE', 'RE']).toContain(inf.status);
  }, 20_000);
});
