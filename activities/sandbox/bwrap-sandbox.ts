/**
 * The sandbox engine: bubblewrap boxes (box.ts) behind a C launcher and runner (native/), limits from cgroups
 * (cgroups.ts) with rlimits as the second layer, one unprivileged uid per parallel box (slots.ts), compiled
 * languages through a content-hash cache (compile-cache.ts). A box is reused for all inputs of one program,
 * which is what makes a sandboxed run cost about as much as a bare one (bench/sandbox-overhead.ts).
 * See shared/reference/sandbox.md for the measurements behind the choices.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { Box, type BoxRunLimits, type BoxSpec, type RawRun } from './box';
import { defaultCacheDir } from './cache-dir';
import { detectCgroups, type CgroupDriver } from './cgroups';
import { CompileCache, type Compiled, type RunInBox } from './compile-cache';
import { LANGUAGES, type LanguageId } from './languages';
import { ensureNativeTools, type NativeTools } from './native';
import { SlotPool, type Slot } from './slots';
import { SandboxInfraError, type Program, type RunLimits, type RunResult, type RunStatus, type Sandbox } from './types';

export interface BwrapSandboxOptions {
  bwrapPath?: string;
  /** Python executable as seen *inside* the sandbox (only /usr is visible there). */
  python?: string;
  /** Judge cache (native tools, PCH, binaries); must be traversable by the slot uids. */
  cacheDir?: string;
  /** Force a cgroup driver (tests); detected at start-up otherwise. */
  cgroups?: CgroupDriver;
  /** Where the one degraded-mode message goes. */
  log?: (msg: string) => void;
}

const MiB = 1024 * 1024;
const MIN_MEMORY_MB = 32;
const STDERR_BYTES = 8192;
const DEFAULT_PROCESSES = 64;
const DEFAULT_FSIZE = 64 * MiB;
/** Python, g++ and the C runtime report memory exhaustion in words when an allocation fails (RLIMIT_AS mode). */
const MEMORY_ERROR_RE = /MemoryError|Cannot allocate memory|std::bad_alloc|out of memory/i;

/** The engine also exposes the compile cache directly. */
export interface JudgeSandbox extends Sandbox {
  compile(language: LanguageId, code: string): Promise<Compiled>;
}

export type { EngineInfo, OpenBox } from './types';

interface Ready {
  tools: NativeTools;
  cgroups: CgroupDriver;
  switchUid: boolean;
}

export function createBwrapSandbox(opts: BwrapSandboxOptions = {}): JudgeSandbox {
  const bwrap = opts.bwrapPath ?? '/usr/bin/bwrap';
  const python = opts.python ?? '/usr/bin/python3';
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const log = opts.log ?? ((m: string) => console.error(m));
  const slots = new SlotPool();
  const open = new Set<Box>();
  let seq = 0;
  let ready: Promise<Ready> | undefined;

  const init = (): Promise<Ready> => {
    ready ??= (async () => {
      try {
        accessSync(bwrap, fsConstants.X_OK);
      } catch (err) {
        throw new SandboxInfraError(`sandbox tool not executable: ${bwrap} (${String(err)})`);
      }
      const tools = await ensureNativeTools(cacheDir);
      const cgroups = opts.cgroups ?? detectCgroups();
      const switchUid = process.getuid?.() === 0;
      if (cgroups.mode === 'none') {
        log(
          `judge: no usable cgroups (${cgroups.reason}); limits by rlimits only: memory = RLIMIT_AS, CPU = RLIMIT_CPU ` +
            `(1 s granularity) and the main process's rusage, processes = ${switchUid ? 'RLIMIT_NPROC of the slot uid' : 'unlimited (pid namespace only)'}; ` +
            'peak memory is the max RSS of the main process',
        );
      }
      return { tools, cgroups, switchUid };
    })();
    ready.catch(() => (ready = undefined)); // a transient fault may clear; retry next time
    return ready;
  };

  const openRaw = async (spec: BoxSpec): Promise<{ box: Box; slot: Slot; r: Ready }> => {
    const r = await init();
    const slot = slots.acquire();
    try {
      const box = await Box.open(
        { tools: r.tools, cgroups: r.cgroups, bwrap, slot, name: `${process.pid}.${slot.index}.${seq++}`, switchUid: r.switchUid },
        spec,
      );
      open.add(box);
      return { box, slot, r };
    } catch (err) {
      slots.release(slot);
      throw err;
    }
  };

  const closeRaw = async (box: Box, slot: Slot): Promise<void> => {
    try {
      await box.close();
    } finally {
      open.delete(box);
      slots.release(slot);
    }
  };

  const specFor = (program: Program, limits: RunLimits): BoxSpec => ({
    program,
    memoryBytes: limits.memoryMb * MiB,
    maxProcesses: limits.maxProcesses ?? DEFAULT_PROCESSES,
  });

  const runLimitsFor = (limits: RunLimits, r: Ready): BoxRunLimits => ({
    cpuMs: limits.timeLimitMs,
    wallMs: limits.wallLimitMs ?? 2 * limits.timeLimitMs + 500,
    outputBytes: limits.outputLimitBytes,
    stderrBytes: STDERR_BYTES,
    fileSizeBytes: limits.fileSizeBytes ?? DEFAULT_FSIZE,
    addressSpaceBytes: r.cgroups.mode === 'none' ? limits.memoryMb * MiB : 0,
  });

  const toResult = (raw: RawRun, limits: RunLimits, r: Ready): RunResult => {
    if (raw.execErrno !== 0) throw new SandboxInfraError(`cannot exec the program in the box (errno ${raw.execErrno})`);
    const stderr = raw.stderr.toString('utf8');
    const sig = raw.signal > 0 ? signalName(raw.signal) : null;
    const status = classify(raw, sig, stderr, limits, r.cgroups.mode !== 'none');
    return {
      status,
      stdout: raw.stdout.toString('utf8'),
      stderr: raw.boxDied && stderr === '' ? 'the sandbox runner was killed during the run' : stderr,
      exitCode: raw.exitCode,
      signal: sig,
      wallMs: Math.round(raw.wallMs * 100) / 100,
      cpuMs: Math.round(raw.cpuMs * 100) / 100,
      memoryKb: raw.memoryKb,
    };
  };

  const runMany: Sandbox['runMany'] = async (program, inputs, limits, o = {}) => {
    validateLimits(limits);
    const results = new Array<RunResult>(inputs.length);
    let cur: { box: Box; slot: Slot; r: Ready } | undefined;
    try {
      for (let i = 0; i < inputs.length; i++) {
        o.signal?.throwIfAborted();
        cur ??= await openRaw(specFor(program, limits));
        const raw = await cur.box.run(inputs[i] ?? '', runLimitsFor(limits, cur.r), o.signal);
        if (raw.killedFor === 'abort') o.signal?.throwIfAborted();
        results[i] = toResult(raw, limits, cur.r);
        if (raw.boxDied || !cur.box.alive) {
          // The program took its box down (or starved it): the next input gets a fresh one.
          const dead = cur;
          cur = undefined;
          await closeRaw(dead.box, dead.slot);
        }
        o.onResult?.(i, results[i] as RunResult);
      }
    } finally {
      if (cur) await closeRaw(cur.box, cur.slot);
    }
    return results;
  };

  const runInBox: RunInBox = async (program, o) => {
    const limits: RunLimits = {
      timeLimitMs: o.cpuMs,
      wallLimitMs: o.wallMs,
      memoryMb: o.memoryMb,
      outputLimitBytes: o.outputBytes,
      maxProcesses: 32,
      fileSizeBytes: o.tmpfsBytes,
    };
    const { box, slot, r } = await openRaw({ ...specFor(program, limits), tmpfsBytes: o.tmpfsBytes, binds: o.binds });
    try {
      const raw = await box.run('', { ...runLimitsFor(limits, r), stderrBytes: 64 * 1024 });
      const res = toResult(raw, limits, r);
      const summary = res.status === 'OK' ? 'ok' : `compiler ${res.status}${res.exitCode !== null ? ` exit ${res.exitCode}` : ''}${res.signal ? ` ${res.signal}` : ''}`;
      return { ok: res.status === 'OK', exitedNonZero: res.status === 'RE' && res.exitCode !== null && res.exitCode > 0, stdout: raw.stdout, stderr: raw.stderr, summary };
    } finally {
      await closeRaw(box, slot);
    }
  };
  const compiler = new CompileCache(cacheDir, runInBox);

  const engine: JudgeSandbox = {
    async info() {
      const r = await init();
      return { cgroupMode: r.cgroups.mode, cgroupReason: r.cgroups.reason, cgroupRoots: r.cgroups.roots, uidPerSlot: r.switchUid };
    },
    runMany,
    async runPython(code, input, limits) {
      const program: Program = { kind: 'source', fileName: 'main.py', code, argv: [python, '-I', '/box/main.py'] };
      const [r] = await runMany(program, [input], limits);
      return r as RunResult;
    },
    async compile(language, code) {
      await init();
      return compiler.compile(language, code);
    },
    async program(language, code) {
      const lang = LANGUAGES[language];
      if (lang.interpret) {
        const p = lang.interpret(code);
        return { ok: true, program: p.kind === 'source' && language === 'python' ? { ...p, argv: [python, ...p.argv.slice(1)] } : p };
      }
      const c = await engine.compile(language, code);
      return c.ok ? { ok: true, program: { kind: 'binary', hostPath: c.binary, argv: ['/box/prog'] } } : c;
    },
    async openBox(program, limits) {
      validateLimits(limits);
      const { box, slot, r } = await openRaw(specFor(program, limits));
      return {
        putFile: (name, data) => box.putFile(name, data),
        run: async (input, signal) => toResult(await box.run(input, runLimitsFor(limits, r), signal), limits, r),
        close: () => closeRaw(box, slot),
      };
    },
    slotsHeldElsewhere: (uid) => slots.heldElsewhere(uid),
    async close() {
      await Promise.all([...open].map((b) => b.close()));
    },
  };
  return engine;
}

/**
 * Verdict inputs, never the exit code alone (an OOM kill and a program's own SIGKILL look the same):
 * - the runner's output cap or SIGXFSZ (a file over RLIMIT_FSIZE) → OLE;
 * - the memory cgroup's oom_kill counter moved → MLE (whatever the exit looked like);
 * - our CPU poll or wall timer killed it, CPU time over the limit, or SIGXCPU (RLIMIT_CPU backstop) → TLE;
 * - the runner died mid-run (the program starved or killed its box) → RE;
 * - exit 0 → OK; anything else → RE.
 * Without cgroups (RLIMIT_AS) an allocation fails instead, which programs report in words (MEMORY_ERROR_RE).
 */
function classify(raw: RawRun, sig: string | null, stderr: string, limits: RunLimits, cgroups: boolean): RunStatus {
  if (raw.outputLimitHit || sig === 'SIGXFSZ') return 'OLE';
  if (raw.oomKills > 0) return 'MLE';
  if (raw.killedFor === 'cpu' || raw.killedFor === 'wall' || sig === 'SIGXCPU' || raw.cpuMs > limits.timeLimitMs) return 'TLE';
  if (raw.boxDied) return 'RE';
  if (raw.exitCode === 0 && sig === null) return 'OK';
  if (!cgroups && (MEMORY_ERROR_RE.test(stderr) || sig === 'SIGKILL')) return 'MLE';
  return 'RE';
}

function validateLimits(limits: RunLimits): void {
  const { timeLimitMs, memoryMb, outputLimitBytes } = limits;
  // A caller bug, not a sandbox fault: a plain error, so it is not retried as infrastructure trouble.
  if (!(Number.isFinite(timeLimitMs) && timeLimitMs > 0)) throw new RangeError(`timeLimitMs must be > 0, got ${timeLimitMs}`);
  if (!(Number.isFinite(memoryMb) && memoryMb >= MIN_MEMORY_MB)) throw new RangeError(`memoryMb must be >= ${MIN_MEMORY_MB}, got ${memoryMb}`);
  if (!(Number.isFinite(outputLimitBytes) && outputLimitBytes >= 0)) throw new RangeError(`outputLimitBytes must be >= 0, got ${outputLimitBytes}`);
}

function signalName(n: number): string | null {
  for (const [name, num] of Object.entries(osConstants.signals)) if (num === n) return name;
  return `SIG${n}`;
}
