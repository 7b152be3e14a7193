/**
 * Walking-skeleton sandbox: one bubblewrap container per execution, rlimits set by `prlimit`, wall clock
 * and output cap enforced here in Node. No cgroups, per-slot uids or seccomp yet (a later issue adds them),
 * so known gaps are: fork bombs (RLIMIT_NPROC does not apply to root), AF_VSOCK / keyrings (need seccomp),
 * CPU time is not measured (TLE is wall-clock), and fds the worker itself inherited without CLOEXEC leak in.
 * See shared/reference/sandbox.md for the measurements behind every choice below.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { SandboxInfraError, type RunLimits, type RunResult, type RunStatus, type Sandbox } from './types';

export interface BwrapSandboxOptions {
  bwrapPath?: string;
  /** Python executable as seen *inside* the sandbox (only /usr is visible there). */
  python?: string;
  prlimitPath?: string;
}

const MiB = 1024 * 1024;

/** Sandbox setup (bwrap ~7 ms) and interpreter start (~15-30 ms under load) are not the program's time. */
const STARTUP_GRACE_MS = 150;
/** After bwrap exits, how long to wait for the pipes to reach EOF before giving up on stragglers. */
const DRAIN_MS = 250;
const STDERR_TAIL_BYTES = 4096;
/** Below this Python cannot even load its shared libraries (measured: 8 MiB fails, ~14 MiB VSZ at start). */
const MIN_MEMORY_MB = 32;

/** tmpfs pages are not charged to RLIMIT_AS, so every writable mount is size-limited. */
const WORK_TMPFS_BYTES = 64 * MiB;
const TMP_TMPFS_BYTES = 64 * MiB;
const SHM_TMPFS_BYTES = 16 * MiB;
const FSIZE_BYTES = 64 * MiB;
const NOFILE = 64;

const CODE_FD = 4;
const STATUS_FD = 3;
const CODE_PATH = '/box/main.py';

/**
 * How a non-zero exit maps to MLE. Under RLIMIT_AS an allocation fails instead of the kernel killing the
 * process: CPython raises MemoryError (numpy: _ArrayMemoryError), C code reports ENOMEM or bad_alloc.
 */
const MEMORY_ERROR_RE = /MemoryError|Cannot allocate memory|std::bad_alloc|out of memory/i;

export function createBwrapSandbox(opts: BwrapSandboxOptions = {}): Sandbox {
  const bwrap = opts.bwrapPath ?? '/usr/bin/bwrap';
  const prlimit = opts.prlimitPath ?? '/usr/bin/prlimit';
  const python = opts.python ?? '/usr/bin/python3';
  let toolsChecked = false;

  return {
    async runPython(code: string, input: string, limits: RunLimits): Promise<RunResult> {
      validateLimits(limits);
      if (!toolsChecked) {
        for (const tool of [bwrap, prlimit]) {
          try {
            accessSync(tool, fsConstants.X_OK);
          } catch (err) {
            throw new SandboxInfraError(`sandbox tool not executable: ${tool} (${String(err)})`);
          }
        }
        toolsChecked = true;
      }
      return runOnce(prlimit, [...rlimitArgs(limits), bwrap, ...bwrapArgs(python)], code, input, limits);
    },
  };
}

function validateLimits(limits: RunLimits): void {
  const { timeLimitMs, memoryMb, outputLimitBytes } = limits;
  // A caller bug, not a sandbox fault: a plain error, so it is not retried as infrastructure trouble.
  if (!(Number.isFinite(timeLimitMs) && timeLimitMs > 0)) throw new RangeError(`timeLimitMs must be > 0, got ${timeLimitMs}`);
  if (!(Number.isFinite(memoryMb) && memoryMb >= MIN_MEMORY_MB)) {
    throw new RangeError(`memoryMb must be >= ${MIN_MEMORY_MB}, got ${memoryMb}`);
  }
  if (!(Number.isFinite(outputLimitBytes) && outputLimitBytes >= 0)) {
    throw new RangeError(`outputLimitBytes must be >= 0, got ${outputLimitBytes}`);
  }
}

function rlimitArgs(limits: RunLimits): string[] {
  // RLIMIT_CPU is only a backstop for multi-threaded burners (the wall timer fires first otherwise). The hard
  // limit is one second above the soft one: with soft == hard the kernel sends SIGKILL, not SIGXCPU, and
  // SIGXCPU is what lets us tell a CPU-limit kill apart from other kills.
  const cpuSoft = Math.ceil(limits.timeLimitMs / 1000) + 1;
  return [
    `--as=${Math.floor(limits.memoryMb * MiB)}`,
    `--cpu=${cpuSoft}:${cpuSoft + 1}`,
    `--fsize=${FSIZE_BYTES}`,
    `--nofile=${NOFILE}`,
    '--core=0',
    // Unlimited: the main stack is then bounded by RLIMIT_AS only (deep recursion is common in CP), and glibc
    // falls back to 2 MiB default thread stacks; a finite RLIMIT_STACK would become every thread's stack size
    // and be charged in full to RLIMIT_AS.
    '--stack=unlimited',
  ];
}

function bwrapArgs(python: string): string[] {
  return [
    // Root-run bwrap keeps host uid 0 inside; dropping capabilities and further user namespaces is cheap.
    '--unshare-all', '--unshare-user', '--disable-userns', '--cap-drop', 'ALL',
    '--die-with-parent', '--new-session', '--hostname', 'sandbox',
    '--clearenv', '--setenv', 'LANG', 'C.UTF-8', '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/work',
    // glibc reserves 64 MiB of address space per malloc arena; with one arena per thread a handful of threads
    // would exhaust RLIMIT_AS without using memory.
    '--setenv', 'MALLOC_ARENA_MAX', '1',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin',
    '--proc', '/proc', '--dev', '/dev',
    '--size', String(SHM_TMPFS_BYTES), '--tmpfs', '/dev/shm',
    '--size', String(TMP_TMPFS_BYTES), '--tmpfs', '/tmp',
    '--size', String(WORK_TMPFS_BYTES), '--tmpfs', '/work',
    // The code arrives over a pipe and lives only in the sandbox's own tmpfs: no host temp dir to clean up,
    // and nothing on the host that the box could have written.
    '--ro-bind-data', String(CODE_FD), CODE_PATH,
    // Measured: as host uid 0 the box could write /proc/sys (e.g. vm/drop_caches) despite dropped caps, and
    // the root and /dev tmpfs are unbounded; make all three read-only after setup (non-recursive, so the
    // size-limited tmpfs mounts stay writable).
    '--remount-ro', '/proc', '--remount-ro', '/dev', '--remount-ro', '/',
    '--chdir', '/work',
    // bwrap writes {"exit-code": N} here only if the command was actually exec'd, which is how a setup
    // failure (an infrastructure fault) is told apart from a program that exits 1.
    '--json-status-fd', String(STATUS_FD),
    // -I: ignore PYTHON* env, user site and the script dir; keeps system dist-packages (CYaRon later).
    '--', python, '-I', CODE_PATH,
  ];
}

type KillReason = 'TLE' | 'OLE';

function runOnce(file: string, args: string[], code: string, input: string, limits: RunLimits): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const started = performance.now();
    let child: ChildProcess;
    try {
      // detached: own process group, so one kill reaches bwrap and its in-namespace pid 1 (which has
      // PDEATHSIG anyway); everything else in the pid namespace dies with that pid 1.
      child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'], detached: true, env: {} });
    } catch (err) {
      reject(new SandboxInfraError(`cannot spawn ${file}: ${String(err)}`));
      return;
    }
    const stdin = child.stdio[0] as Writable;
    const stdout = child.stdio[1] as Readable;
    const stderr = child.stdio[2] as Readable;
    const status = child.stdio[STATUS_FD] as Readable;
    const codePipe = child.stdio[CODE_FD] as Writable;

    let killReason: KillReason | undefined;
    let settled = false;
    const kill = (reason: KillReason): void => {
      killReason ??= reason;
      killTree(child);
    };

    const out: Buffer[] = [];
    let outBytes = 0;
    stdout.on('data', (chunk: Buffer) => {
      if (killReason === 'OLE') return;
      const room = limits.outputLimitBytes - outBytes;
      if (chunk.length > room) {
        if (room > 0) out.push(chunk.subarray(0, room));
        outBytes += Math.max(room, 0);
        kill('OLE');
        return;
      }
      out.push(chunk);
      outBytes += chunk.length;
    });
    let errTail = Buffer.alloc(0);
    stderr.on('data', (chunk: Buffer) => {
      errTail = Buffer.concat([errTail, chunk]);
      if (errTail.length > 2 * STDERR_TAIL_BYTES) errTail = errTail.subarray(errTail.length - STDERR_TAIL_BYTES);
    });
    let statusText = '';
    status.setEncoding('utf8');
    status.on('data', (s: string) => {
      statusText += s;
    });
    // EPIPE/ECONNRESET when the program exits without reading all of its input (or bwrap fails first).
    for (const s of [stdin, stdout, stderr, status, codePipe]) s.on('error', () => undefined);
    codePipe.end(code);
    stdin.end(input);

    const timer = setTimeout(() => kill('TLE'), limits.timeLimitMs + STARTUP_GRACE_MS);

    child.once('error', (err) => {
      // Only a spawn failure (ENOENT, EACCES, EAGAIN: no pid, and no 'exit' follows) is handled here; once the
      // process exists, its 'exit' decides the outcome.
      if (settled || child.pid !== undefined) return;
      settled = true;
      clearTimeout(timer);
      killTree(child);
      destroyAll([stdin, stdout, stderr, status, codePipe]);
      reject(new SandboxInfraError(`cannot run ${file}: ${err.message}`));
    });

    child.once('exit', (exitCode, signal) => {
      const wallMs = Math.round(performance.now() - started);
      clearTimeout(timer);
      // Do not wait on 'close' alone: an orphan holding the pipes is killed with the pid namespace, but bound
      // the wait in case teardown lags; whatever was written before exit is already in the pipe buffers.
      killTree(child);
      void drain([stdout, stderr, status], DRAIN_MS).then(() => {
        if (settled) return;
        settled = true;
        destroyAll([stdin, stdout, stderr, status, codePipe]);
        const stderrText = tail(errTail).toString('utf8');
        const stdoutText = Buffer.concat(out).toString('utf8');
        if (killReason !== undefined) {
          resolve({ status: killReason, stdout: stdoutText, stderr: stderrText, exitCode, signal, wallMs });
          return;
        }
        const reported = /"exit-code"\s*:\s*(-?\d+)/.exec(statusText);
        if (reported?.[1] === undefined) {
          reject(
            new SandboxInfraError(
              `sandbox failed before running the program (exit ${exitCode ?? signal}): ${stderrText.trim()}`,
            ),
          );
          return;
        }
        const code = Number(reported[1]);
        // bwrap reports death by signal n as exit code 128+n (bash style).
        const sig = code > 128 ? signalName(code - 128) : null;
        resolve({ status: classify(code, sig, stderrText), stdout: stdoutText, stderr: stderrText, exitCode: code, signal: sig, wallMs });
      });
    });
  });
}

/**
 * Verdict for a program that ended by itself (not killed by our timer or output cap):
 * - exit 0 → OK;
 * - SIGXCPU → TLE (RLIMIT_CPU backstop);
 * - a memory-exhaustion message in the stderr tail (MEMORY_ERROR_RE) → MLE;
 * - SIGKILL that we did not send → MLE: nothing else in this setup sends SIGKILL except the kernel's OOM
 *   killer (a program killing itself with 9 is misjudged, an accepted cost);
 * - anything else → RE.
 */
function classify(code: number, sig: string | null, stderr: string): RunStatus {
  if (code === 0) return 'OK';
  if (sig === 'SIGXCPU') return 'TLE';
  if (MEMORY_ERROR_RE.test(stderr) || sig === 'SIGKILL') return 'MLE';
  return 'RE';
}

function signalName(n: number): string | null {
  for (const [name, num] of Object.entries(osConstants.signals)) if (num === n) return name;
  return null;
}

function tail(buf: Buffer): Buffer {
  return buf.length > STDERR_TAIL_BYTES ? buf.subarray(buf.length - STDERR_TAIL_BYTES) : buf;
}

function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // already exited
  }
}

function drain(streams: Readable[], ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let pending = streams.length;
    const timer = setTimeout(resolve, ms);
    const done = (): void => {
      pending -= 1;
      if (pending === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (const s of streams) {
      if (s.closed || s.destroyed) done();
      else s.once('close', done);
    }
  });
}

function destroyAll(streams: (Readable | Writable)[]): void {
  for (const s of streams) s.destroy();
}
