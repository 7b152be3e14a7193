/** Limits for one execution of an untrusted program. */
export interface RunLimits {
  /** CPU+wall budget of the program; the wall timer kills at this value (plus a small grace). */
  timeLimitMs: number;
  /** Address-space / memory budget. */
  memoryMb: number;
  /** stdout bytes kept before the program is killed with OLE. */
  outputLimitBytes: number;
}

export const DEFAULT_LIMITS: RunLimits = { timeLimitMs: 2000, memoryMb: 512, outputLimitBytes: 16 * 1024 * 1024 };

/**
 * How one execution ended. A judged program misbehaving is always one of these, never an exception:
 * OK = exited 0; RE = non-zero exit or signal; TLE = killed by the time limit; MLE = killed for memory;
 * OLE = killed for flooding stdout.
 */
export type RunStatus = 'OK' | 'RE' | 'TLE' | 'MLE' | 'OLE';

export interface RunResult {
  status: RunStatus;
  stdout: string;
  /** Tail of stderr (at most a few KiB), for explaining RE. */
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
}

/** Runs untrusted Python with stdin = input. Throws {@link SandboxInfraError} only for faults of the sandbox. */
export interface Sandbox {
  runPython(code: string, input: string, limits: RunLimits): Promise<RunResult>;
}

/**
 * A fault of the sandbox itself (bwrap missing, cannot spawn, cannot create the work dir). Activities let it
 * propagate so Temporal retries the attempt, possibly on another worker; it must never become a verdict.
 */
export class SandboxInfraError extends Error {
  override name = 'SandboxInfraError';
}
