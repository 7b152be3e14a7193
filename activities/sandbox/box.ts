/**
 * One box: a long-lived isolated environment for one program, serving many runs.
 *
 *   worker (root) ─ launcher (joins the box's cgroups, rlimits, seccomp BPF, setresuid(60000+slot), no_new_privs)
 *                   └ exec bwrap (all namespaces incl. user and net, --disable-userns, read-only /usr, size-limited
 *                       tmpfs /work /tmp /dev/shm, cleared env, --seccomp) ─ runner (pid 1 of the box)
 *                                                                              └ fork+exec the program, per run
 *
 * Per run the worker re-bases the cgroup counters (CPU, peak memory, OOM kills), polls CPU time and keeps a wall
 * timer, and tells the runner to kill through the kill pipe; the runner kills every process in the namespace
 * after each run and empties the writable directories, so runs of the same box cannot see each other.
 * See native/runner.c for the wire protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { BOX_OVERHEAD_BYTES, BOX_OVERHEAD_PIDS, type BoxCgroup, type CgroupDriver } from './cgroups';
import type { NativeTools } from './native';
import type { Slot } from './slots';
import { SandboxInfraError, type Program } from './types';

const MiB = 1024 * 1024;
const SECCOMP_FD = 9;
const KILL_FD = 3;
const DATA_FD = 4;
/** After asking the runner to kill, how long before the whole box is torn down instead. */
const KILL_GRACE_MS = 2000;
/** The first CPU check: a program cannot burn its time limit sooner than this on 2 cores. */
const CPU_POLL_MS = 10;
const GRACEFUL_EXIT_MS = 1000;

export interface BoxEnv {
  tools: NativeTools;
  cgroups: CgroupDriver;
  bwrap: string;
  slot: Slot;
  /** Unique cgroup name for this box. */
  name: string;
  /** Switch to the slot uid (only possible as root). */
  switchUid: boolean;
}

export interface BoxSpec {
  program: Program;
  memoryBytes: number;
  maxProcesses: number;
  tmpfsBytes?: number;
  /** Read-only host directories to bind (e.g. the precompiled header for g++). */
  binds?: readonly { host: string; dest: string }[];
}

export interface BoxRunLimits {
  cpuMs: number;
  wallMs: number;
  outputBytes: number;
  stderrBytes: number;
  fileSizeBytes: number;
  /** RLIMIT_AS per run, only where no memory cgroup exists; 0 = none. */
  addressSpaceBytes: number;
}

export interface RawRun {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  signal: number;
  outputLimitHit: boolean;
  /** Why the worker killed the run, if it did. */
  killedFor: 'cpu' | 'wall' | 'abort' | null;
  /** The runner (and with it the box) died during the run: the program killed or starved it. */
  boxDied: boolean;
  wallMs: number;
  cpuMs: number;
  memoryKb: number;
  oomKills: number;
  /** errno when the program could not be exec'd: the box is misconfigured (infrastructure). */
  execErrno: number;
}

interface Pending {
  stdout: Buffer[];
  stdoutBytes: number;
  stderr: Buffer[];
  killedFor: RawRun['killedFor'];
  done: (x: string | null) => void;
}

export class Box {
  private readonly child: ChildProcess;
  private readonly ctl: Writable;
  private readonly killPipe: Writable;
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private ready: { ok: () => void; fail: (e: Error) => void } | undefined;
  private diag = '';
  private dead = false;
  private closed = false;
  private runnerFailed = false;
  private exited: Promise<void>;

  private constructor(
    private readonly env: BoxEnv,
    private readonly cg: BoxCgroup | undefined,
    spec: BoxSpec,
  ) {
    const launcherArgs: string[] = [];
    for (const f of cg?.procsFiles ?? []) launcherArgs.push('--cgroup', f);
    launcherArgs.push('--rlimit', 'core=0:0', '--rlimit', 'stack=inf:inf', '--rlimit', 'nofile=256:256');
    if (env.switchUid) {
      // Per uid, so only meaningful with a slot uid of our own: the box's processes plus the monitor and runner.
      const n = spec.maxProcesses + BOX_OVERHEAD_PIDS + 2;
      launcherArgs.push('--rlimit', `nproc=${n}:${n}`, '--uid', String(env.slot.uid));
    }
    launcherArgs.push('--seccomp-fd', String(SECCOMP_FD), '--keep-fd', String(KILL_FD), '--keep-fd', String(DATA_FD));

    const tmpfs = String(spec.tmpfsBytes ?? 64 * MiB);
    const p = spec.program;
    const programBind =
      p.kind === 'source' ? ['--ro-bind-data', String(DATA_FD), `/box/${p.fileName}`] : ['--ro-bind', p.hostPath, '/box/prog'];
    const bwrapArgs = [
      '--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--as-pid-1',
      '--hostname', 'sandbox',
      '--clearenv', '--setenv', 'LANG', 'C.UTF-8', '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/work',
      // glibc reserves 64 MiB of address space per malloc arena; matters only under RLIMIT_AS (no cgroups).
      '--setenv', 'MALLOC_ARENA_MAX', '1',
      '--ro-bind', '/usr', '/usr',
      '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin',
      '--proc', '/proc', '--dev', '/dev',
      // tmpfs pages are charged to the memory cgroup, and without cgroups nothing else bounds them.
      '--size', String(16 * MiB), '--tmpfs', '/dev/shm',
      '--size', tmpfs, '--tmpfs', '/tmp',
      '--size', tmpfs, '--tmpfs', '/work',
      '--ro-bind', env.tools.runner, '/box/runner',
      ...programBind,
      ...(spec.binds ?? []).flatMap((b) => ['--ro-bind', b.host, b.dest]),
      // The root tmpfs is unbounded; nothing needs to write there after setup.
      '--remount-ro', '/',
      '--chdir', '/work',
      '--seccomp', String(SECCOMP_FD),
      '--', '/box/runner', '--wipe', '/work', '--wipe', '/tmp', '--wipe', '/dev/shm', '--', ...p.argv,
    ];
    try {
      this.child = spawn(env.tools.launcher, [...launcherArgs, '--', env.bwrap, ...bwrapArgs], {
        stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
        env: {},
        detached: true,
      });
    } catch (err) {
      throw new SandboxInfraError(`cannot spawn the sandbox launcher: ${String(err)}`);
    }
    const [ctl, frames, diag, killPipe, data] = this.child.stdio as [Writable, Readable, Readable, Writable, Writable];
    this.ctl = ctl;
    this.killPipe = killPipe;
    for (const s of [ctl, frames, diag, killPipe, data]) s.on('error', () => undefined);
    if (p.kind === 'source') data.end(p.code);
    else data.end();
    frames.on('data', (chunk: Buffer) => this.onFrames(chunk));
    diag.setEncoding('utf8');
    diag.on('data', (s: string) => {
      if (this.diag.length < 8192) this.diag += s;
    });
    this.exited = new Promise((ok) => this.child.once('close', () => ok()));
    this.child.once('error', (err) => this.onDeath(`cannot run the sandbox launcher: ${err.message}`));
    this.child.once('exit', (code, sig) => this.onDeath(`sandbox box exited (${code ?? sig})`));
  }

  static async open(env: BoxEnv, spec: BoxSpec): Promise<Box> {
    const cg = env.cgroups.mode === 'none' ? undefined : env.cgroups.create(env.name, {
      memoryBytes: spec.memoryBytes + BOX_OVERHEAD_BYTES,
      pids: spec.maxProcesses + BOX_OVERHEAD_PIDS,
    });
    let box: Box;
    try {
      box = new Box(env, cg, spec);
    } catch (err) {
      await cg?.remove();
      throw err;
    }
    try {
      await new Promise<void>((ok, fail) => (box.ready = { ok, fail }));
    } catch (err) {
      await box.close();
      throw err;
    }
    return box;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Creates a file in the box's work directory for the next run only (it is wiped after each run). */
  putFile(name: string, data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    this.ctl.write(`F ${bytes.length} ${name}\n`);
    this.ctl.write(bytes);
  }

  run(input: string | Buffer, limits: BoxRunLimits, signal?: AbortSignal): Promise<RawRun> {
    if (this.dead) return Promise.reject(new SandboxInfraError(`sandbox box is gone: ${this.diag.trim()}`));
    if (this.pending) return Promise.reject(new Error('box is busy'));
    const bytes = typeof input === 'string' ? Buffer.from(input) : input;
    return new Promise<RawRun>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const kill = (why: 'cpu' | 'wall' | 'abort'): void => {
        if (!this.pending || this.pending.killedFor) return;
        this.pending.killedFor = why;
        this.killPipe.write('k');
        timers.push(setTimeout(() => this.destroy(), KILL_GRACE_MS));
      };
      const onAbort = (): void => kill('abort');
      const pending: Pending = {
        stdout: [],
        stdoutBytes: 0,
        stderr: [],
        killedFor: null,
        done: (x) => {
          for (const t of timers) clearTimeout(t);
          signal?.removeEventListener('abort', onAbort);
          this.pending = undefined;
          let usage: ReturnType<BoxCgroup['endRun']> | undefined;
          try {
            usage = this.cg?.endRun();
          } catch (err) {
            // A box that died may already be gone from its cgroup; a live box's counters must be readable.
            if (x !== null) {
              reject(new SandboxInfraError(`cannot read the box's cgroup counters: ${String(err)}`));
              return;
            }
          }
          // Closed under a run (the engine shutting down) or a runner failure ('Z'): ours, not the program's.
          if (x === null && (this.closed || this.runnerFailed)) {
            reject(new SandboxInfraError(`sandbox box ended during a run: ${this.diag.trim()}`));
            return;
          }
          const f = parseKv(x ?? '');
          const utimeUs = f.utime_us ?? 0;
          const stimeUs = f.stime_us ?? 0;
          resolve({
            stdout: Buffer.concat(pending.stdout),
            stderr: Buffer.concat(pending.stderr),
            exitCode: x === null || f.exit === undefined || f.exit < 0 ? null : f.exit,
            signal: f.sig ?? 0,
            outputLimitHit: f.ole === 1,
            killedFor: pending.killedFor,
            boxDied: x === null,
            wallMs: f.wall_us !== undefined ? f.wall_us / 1000 : performance.now() - started,
            cpuMs: usage ? usage.cpuUs / 1000 : (utimeUs + stimeUs) / 1000,
            memoryKb: usage ? Math.round(usage.peakBytes / 1024) : (f.maxrss_kb ?? 0),
            oomKills: usage?.oomKills ?? 0,
            execErrno: f.execerr ?? 0,
          });
        },
      };
      try {
        this.cg?.beginRun();
      } catch (err) {
        reject(new SandboxInfraError(`cannot reset the box's cgroup counters: ${String(err)}`));
        return;
      }
      this.pending = pending;
      const started = performance.now();
      this.ctl.write(
        `R ${bytes.length} ${limits.outputBytes} ${limits.stderrBytes} ${Math.ceil(limits.cpuMs / 1000) + 1} ${limits.fileSizeBytes} ${limits.addressSpaceBytes}\n`,
      );
      if (bytes.length > 0) this.ctl.write(bytes);
      timers.push(setTimeout(() => kill('wall'), limits.wallMs));
      const cg = this.cg;
      if (cg) {
        const limitUs = limits.cpuMs * 1000;
        const poll = (): void => {
          if (this.pending !== pending) return;
          let used: number;
          try {
            used = cg.cpuUs();
          } catch {
            return; // the box is going away; its exit settles the run
          }
          if (used > limitUs) kill('cpu');
          else timers.push(setTimeout(poll, CPU_POLL_MS));
        };
        timers.push(setTimeout(poll, Math.min(limits.cpuMs / 2, limits.wallMs)));
      }
      if (signal) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Ends the box: every process in its cgroup is killed and the cgroups are removed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.dead) {
      // Let the runner exit by itself first: bwrap then reaps it. Killing both at once orphans the runner, and the
      // VM's init reaps such zombies only after 1-2 s, while they still count as processes of the slot uid.
      if (this.pending) this.killPipe.write('k');
      this.ctl.end('Q\n');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((ok) => (timer = setTimeout(ok, GRACEFUL_EXIT_MS)))]);
      clearTimeout(timer);
    }
    if (this.cg) {
      this.cg.killAll();
      await this.cg.remove();
    } else this.killGroup();
    await this.exited;
  }

  private destroy(): void {
    if (this.cg) this.cg.killAll();
    this.killGroup();
  }

  private killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }

  private onDeath(why: string): void {
    if (this.dead) return;
    this.dead = true;
    if (this.diag === '') this.diag = why;
    this.ready?.fail(new SandboxInfraError(`sandbox box failed to start: ${this.diag.trim()}`));
    this.ready = undefined;
    this.pending?.done(null);
  }

  private onFrames(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32LE(1);
      if (this.buf.length < 5 + len) break;
      const type = String.fromCharCode(this.buf[0] ?? 0);
      const payload = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      const p = this.pending;
      if (type === 'H') {
        this.ready?.ok();
        this.ready = undefined;
      } else if (type === 'O' && p) {
        p.stdout.push(Buffer.from(payload));
        p.stdoutBytes += len;
      } else if (type === 'E' && p) p.stderr.push(Buffer.from(payload));
      else if (type === 'X' && p) p.done(payload.toString('utf8'));
      else if (type === 'Z') {
        this.diag = `runner: ${payload.toString('utf8')}`;
        this.runnerFailed = true;
        this.destroy();
      }
    }
  }
}

function parseKv(text: string): Partial<Record<string, number>> {
  const out: Partial<Record<string, number>> = {};
  for (const part of text.split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = Number(part.slice(eq + 1));
  }
  return out;
}
