/**
 * Per-box cgroups, detected once at start-up. Three outcomes:
 *   - 'v1' (this project's VMs: hybrid mode): memory, pids and cpuacct are v1 hierarchies, and a controller-less
 *     v2 is mounted at /sys/fs/cgroup/unified, used only for its one-write cgroup.kill;
 *   - 'v2' (a pure cgroup v2 machine whose cgroup can delegate memory and pids to children);
 *   - 'none': not root, or nothing writable: limits fall back to rlimits (logged once by the engine).
 * Our own position in each hierarchy comes from /proc/self/cgroup (here memory is /process_api/<id>, which
 * differs per machine), so boxes nest under it, in a `synthsmith-sbx` directory.
 * Once a mode is detected, failing to create or fill a cgroup is a SandboxInfraError (retryable), never a verdict.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxInfraError } from './types';
import { isAlive } from './slots';

export type CgroupMode = 'v1' | 'v2' | 'none';

export interface BoxCgroupLimits {
  memoryBytes: number;
  pids: number;
}

export interface RunUsage {
  cpuUs: number;
  /** Peak charged memory above the box's idle footprint during the run. */
  peakBytes: number;
  oomKills: number;
}

/** The cgroups of one box (one long-lived sandbox), with counters that are re-based before every run. */
export interface BoxCgroup {
  /** cgroup.procs files the launcher joins before exec-ing bwrap. */
  readonly procsFiles: readonly string[];
  beginRun(): void;
  /** CPU time since beginRun, for the worker's TLE poll. */
  cpuUs(): number;
  endRun(): RunUsage;
  /** Processes in the box now (bwrap's monitor and the runner when idle). */
  pids(): number;
  killAll(): void;
  /** Kills what is left and removes the directories (rmdir retries while the kernel still tears down). */
  remove(): Promise<void>;
}

export interface CgroupDriver {
  readonly mode: CgroupMode;
  /** Why the mode is what it is, for the one start-up log line. */
  readonly reason: string;
  create(name: string, limits: BoxCgroupLimits): BoxCgroup;
  /** Directories that hold this driver's boxes (tests check that nothing is left behind). */
  readonly roots: readonly string[];
}

const CG = '/sys/fs/cgroup';
const GROUP = 'synthsmith-sbx';

function ownPaths(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, ctrls = '', path = '/'] = m;
    if (ctrls === '') map.set('', path);
    for (const c of ctrls.split(',')) if (c) map.set(c, path);
  }
  return map;
}

/** Mount point of the v1 hierarchy holding `controller` (e.g. /sys/fs/cgroup/cpu,cpuacct on some systems). */
function v1Mount(controller: string): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup') continue;
    if (superOpts.split(',').includes(controller)) return line.slice(0, sep).split(' ')[4];
  }
  return undefined;
}

function v2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep >= 0 && line.slice(sep + 3).startsWith('cgroup2 ')) return line.slice(0, sep).split(' ')[4];
  }
  return undefined;
}

const read = (file: string): string => readFileSync(file, 'utf8');
const readNum = (file: string): number => Number(read(file).trim());

function write(file: string, value: string | number): void {
  try {
    writeFileSync(file, String(value));
  } catch (err) {
    throw new SandboxInfraError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

function mkdir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new SandboxInfraError(`cannot create cgroup ${dir}: ${(err as Error).message}`);
  }
}

function field(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function procsOf(dir: string): number[] {
  try {
    return read(join(dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killProcs(dir: string): void {
  for (const pid of procsOf(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function removeDir(dir: string): Promise<void> {
  // rmdir fails with EBUSY while killed tasks are still exiting; measured to clear within milliseconds.
  for (let attempt = 0; ; attempt++) {
    if (!existsSync(dir)) return;
    const kill = join(dir, 'cgroup.kill');
    if (existsSync(kill)) {
      try {
        writeFileSync(kill, '1');
      } catch {
        // v1 directories have no cgroup.kill
      }
    } else killProcs(dir);
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= 200) throw new SandboxInfraError(`cannot remove cgroup ${dir}: ${String(err)}`);
      await new Promise((ok) => setTimeout(ok, attempt < 10 ? 2 : 20));
    }
  }
}

/** Removes boxes left by workers that died (their pid, the first part of the name, no longer exists). */
async function removeStale(root: string): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = Number(/^(\d+)\./.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    try {
      await removeDir(join(root, name));
    } catch {
      // best effort; another worker may be doing the same
    }
  }
}


/** Room for bwrap's monitor process and the runner, which live in the box's cgroup next to the program. */
export const BOX_OVERHEAD_PIDS = 2;
/** The runner and bwrap's monitor use ~1 MiB; the rest is slack for page cache before reclaim. */
export const BOX_OVERHEAD_BYTES = 16 * 1024 * 1024;

function v1Driver(): CgroupDriver | string {
  const own = ownPaths();
  const mounts: Record<'memory' | 'pids' | 'cpuacct', string> = { memory: '', pids: '', cpuacct: '' };
  for (const c of ['memory', 'pids', 'cpuacct'] as const) {
    const m = v1Mount(c);
    if (!m) return `no cgroup v1 ${c} hierarchy`;
    mounts[c] = join(m, own.get(c) ?? '/', GROUP);
  }
  const unifiedMount = v2Mount();
  const unified = unifiedMount ? join(unifiedMount, own.get('') ?? '/', GROUP) : undefined;
  const roots = [mounts.memory, mounts.pids, mounts.cpuacct, ...(unified ? [unified] : [])];
  // Probe: creatable and limitable, or we are in 'none' mode (not an error: e.g. a non-root developer).
  const probe = `${process.pid}.probe`;
  try {
    for (const r of roots) mkdirSync(join(r, probe), { recursive: true });
    writeFileSync(join(mounts.memory, probe, 'memory.limit_in_bytes'), String(64 << 20));
    writeFileSync(join(mounts.pids, probe, 'pids.max'), '8');
  } catch (err) {
    return `cgroup v1 not writable: ${(err as Error).message}`;
  } finally {
    for (const r of roots) {
      try {
        rmdirSync(join(r, probe));
      } catch {
        // absent
      }
    }
  }
  for (const r of roots) void removeStale(r);
  return {
    mode: 'v1',
    reason: `cgroup v1 memory/pids/cpuacct under ${mounts.memory}${unified ? ', v2 unified for cgroup.kill' : ''}`,
    roots,
    create(name, limits) {
      const mem = join(mounts.memory, name);
      const pids = join(mounts.pids, name);
      const cpu = join(mounts.cpuacct, name);
      const uni = unified ? join(unified, name) : undefined;
      const dirs = [mem, pids, cpu, ...(uni ? [uni] : [])];
      for (const d of dirs) mkdir(d);
      write(join(mem, 'memory.limit_in_bytes'), limits.memoryBytes);
      // No swap on these VMs, but a memsw limit keeps it that way if swap appears.
      if (existsSync(join(mem, 'memory.memsw.limit_in_bytes'))) write(join(mem, 'memory.memsw.limit_in_bytes'), limits.memoryBytes);
      write(join(pids, 'pids.max'), limits.pids);
      let cpu0 = 0;
      let mem0 = 0;
      let oom0 = 0;
      return {
        procsFiles: dirs.map((d) => join(d, 'cgroup.procs')),
        beginRun() {
          write(join(mem, 'memory.max_usage_in_bytes'), 0);
          mem0 = readNum(join(mem, 'memory.usage_in_bytes'));
          oom0 = field(read(join(mem, 'memory.oom_control')), 'oom_kill');
          cpu0 = readNum(join(cpu, 'cpuacct.usage'));
        },
        cpuUs: () => (readNum(join(cpu, 'cpuacct.usage')) - cpu0) / 1000,
        endRun() {
          return {
            cpuUs: (readNum(join(cpu, 'cpuacct.usage')) - cpu0) / 1000,
            peakBytes: Math.max(0, readNum(join(mem, 'memory.max_usage_in_bytes')) - mem0),
            oomKills: field(read(join(mem, 'memory.oom_control')), 'oom_kill') - oom0,
          };
        },
        pids: () => readNum(join(pids, 'pids.current')),
        killAll() {
          if (uni) {
            try {
              writeFileSync(join(uni, 'cgroup.kill'), '1');
              return;
            } catch {
              // kernel < 5.14: fall back to signalling every member
            }
          }
          killProcs(pids);
        },
        async remove() {
          killProcs(pids);
          for (const d of dirs) await removeDir(d);
        },
      };
    },
  };
}

function v2Driver(): CgroupDriver | string {
  const mount = v2Mount();
  if (mount !== CG) return 'no pure cgroup v2 mount at /sys/fs/cgroup';
  const own = ownPaths().get('') ?? '/';
  const root = join(mount, own, GROUP);
  try {
    mkdirSync(root, { recursive: true });
    // Delegate memory and pids to the boxes. Fails with EBUSY if our cgroup's parent rules forbid it (the
    // "no internal processes" rule applies to `root` only if it had members, which it never does).
    writeFileSync(join(root, 'cgroup.subtree_control'), '+memory +pids +cpu');
  } catch (err) {
    return `cgroup v2 not delegable here: ${(err as Error).message}`;
  }
  void removeStale(root);
  return {
    mode: 'v2',
    reason: `cgroup v2 under ${root}`,
    roots: [root],
    create(name, limits) {
      const dir = join(root, name);
      mkdir(dir);
      write(join(dir, 'memory.max'), limits.memoryBytes);
      if (existsSync(join(dir, 'memory.swap.max'))) write(join(dir, 'memory.swap.max'), 0);
      write(join(dir, 'pids.max'), limits.pids);
      const cpu = (): number => field(read(join(dir, 'cpu.stat')), 'usage_usec');
      let cpu0 = 0;
      let mem0 = 0;
      let oom0 = 0;
      let peakResettable = true;
      return {
        procsFiles: [join(dir, 'cgroup.procs')],
        beginRun() {
          // memory.peak is writable (reset) from kernel 6.12; before that it is the box's lifetime peak.
          if (peakResettable) {
            try {
              writeFileSync(join(dir, 'memory.peak'), '0');
            } catch {
              peakResettable = false;
            }
          }
          mem0 = readNum(join(dir, 'memory.current'));
          oom0 = field(read(join(dir, 'memory.events')), 'oom_kill');
          cpu0 = cpu();
        },
        cpuUs: () => cpu() - cpu0,
        endRun: () => ({
          cpuUs: cpu() - cpu0,
          peakBytes: existsSync(join(dir, 'memory.peak')) ? Math.max(0, readNum(join(dir, 'memory.peak')) - mem0) : 0,
          oomKills: field(read(join(dir, 'memory.events')), 'oom_kill') - oom0,
        }),
        pids: () => readNum(join(dir, 'pids.current')),
        killAll() {
          try {
            writeFileSync(join(dir, 'cgroup.kill'), '1');
          } catch {
            killProcs(dir);
          }
        },
        remove: () => removeDir(dir),
      };
    },
  };
}

export function detectCgroups(): CgroupDriver {
  if (process.getuid?.() !== 0) return noneDriver('not running as root');
  const v1 = v1Driver();
  if (typeof v1 !== 'string') return v1;
  const v2 = v2Driver();
  if (typeof v2 !== 'string') return v2;
  return noneDriver(`${v1}; ${v2}`);
}

export function noneDriver(reason: string): CgroupDriver {
  return {
    mode: 'none',
    reason,
    roots: [],
    create: () => {
      throw new SandboxInfraError('no cgroups in this mode');
    },
  };
}
