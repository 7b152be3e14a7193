import type { LanguageId } from './languages';

/** Limits for one execution of an untrusted program. */
export interface RunLimits {
  /** CPU time of the program (cgroup CPU accounting where available); exceeding it is TLE. */
  timeLimitMs: number;
  /** Memory (cgroup memory limit; RLIMIT_AS only where there are no cgroups). */
  memoryMb: number;
  /** stdout bytes kept before the program is killed with OLE. */
  outputLimitBytes: number;
  /** Wall-clock limit, which catches sleepers; default 2 × timeLimitMs + 0.5 s (isolate's advice: well above the CPU limit). */
  wallLimitMs?: number;
  /** Processes and threads at once (cgroup pids.max, RLIMIT_NPROC of the slot uid); default 64. */
  maxProcesses?: number;
  /** Largest file the program may write (RLIMIT_FSIZE; the tmpfs sizes bound the total); default 64 MiB. */
  fileSizeBytes?: number;
}

export const DEFAULT_LIMITS: RunLimits = { timeLimitMs: 2000, memoryMb: 512, outputLimitBytes: 16 * 1024 * 1024 };

/**
 * How one execution ended. A judged program misbehaving is always one of these, never an exception:
 * OK = exited 0; RE = non-zero exit or signal; TLE = CPU or wall limit; MLE = memory limit (the cgroup's OOM
 * counter); OLE = flooded stdout.
 */
export type RunStatus = 'OK' | 'RE' | 'TLE' | 'MLE' | 'OLE';

export interface RunResult {
  status: RunStatus;
  stdout: string;
  /** Head of stderr (at most a few KiB), for explaining RE. */
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  /** CPU time of every process of the run (cgroup), or of the main process where there are no cgroups. */
  cpuMs: number;
  /** Peak memory of the run in KiB (cgroup, includes tmpfs files), or the main process's max RSS without cgroups. */
  memoryKb: number;
}

/** A program ready to run: interpreted source, or a compiled binary on the host (bound read-only into the box). */
export type Program =
  | { kind: 'source'; fileName: string; code: string; argv: string[] }
  | { kind: 'binary'; hostPath: string; argv: string[] };

/** How the engine enforces limits on this machine (detected at start-up). */
export interface EngineInfo {
  cgroupMode: 'v1' | 'v2' | 'none';
  cgroupReason: string;
  cgroupRoots: readonly string[];
  uidPerSlot: boolean;
}

/** A box opened by the caller, for runs interleaved with files (testlib checkers read `in out ans` files). */
export interface OpenBox {
  /** A file in the work directory for the next run only (the work directory is emptied after every run). */
  putFile(name: string, data: string | Buffer): void;
  run(input: string | Buffer, signal?: AbortSignal): Promise<RunResult>;
  close(): Promise<void>;
}

export type PreparedProgram = { ok: true; program: Program } | { ok: false; message: string };

/** The sandbox as the activities see it; implemented by createBwrapSandbox (the judge engine). */
export interface Sandbox {
  info(): Promise<EngineInfo>;
  /** One Python run in a fresh box (kept for callers that run a single test). */
  runPython(code: string, input: string, limits: RunLimits): Promise<RunResult>;
  /**
   * One program over many inputs in one box (reused across inputs: a fresh process, fresh counters and an
   * empty work dir per input). Results are in input order; `onResult` fires as each finishes.
   */
  runMany(
    program: Program,
    inputs: readonly string[],
    limits: RunLimits,
    opts?: { signal?: AbortSignal; onResult?: (index: number, result: RunResult) => void },
  ): Promise<RunResult[]>;
  /** The program for a solution: interpreted source, or the compiled binary (compiled once, cached); CE message otherwise. */
  program(language: LanguageId, code: string): Promise<PreparedProgram>;
  openBox(program: Program, limits: RunLimits): Promise<OpenBox>;
  /** Whether a live process other than this one holds the slot of `uid` (tests check for leftovers). */
  slotsHeldElsewhere(uid: number): boolean;
  close(): Promise<void>;
}

/**
 * A fault of the sandbox itself (bwrap missing, cannot spawn, cannot create a cgroup). Activities let it
 * propagate so Temporal retries the attempt, possibly on another worker; it must never become a verdict.
 */
export class SandboxInfraError extends Error {
  override name = 'SandboxInfraError';
}
