import type { RunStatus } from './types';

/** One execution in the m × n matrix. stdout is kept only for runs that exited normally (only those vote). */
export interface MatrixCellRecord {
  status: RunStatus;
  stdout: string;
  wallMs: number;
  /** CPU time of the run (absent in matrices written before it was recorded). */
  cpuMs?: number;
  exitCode: number | null;
}

/** The stored m × n execution matrix: cells[candidate index][test index]; null rows were not run (invalid code). */
export interface MatrixRecord {
  candidatesKey: string;
  testsKey: string;
  limits: { timeLimitMs: number; memoryMb: number };
  cells: (MatrixCellRecord[] | null)[];
  /** Compiler messages of candidates that did not compile (their rows are null). */
  compileErrors?: Record<number, string>;
  /**
   * Tasks with a checker program: [test][row] output classes under the checker (mutual acceptance; rows are the
   * candidates, then the references), or why the checker could not judge.
   */
  classes?: (number | null)[][];
  checkerFailure?: string;
  /** Brute-force references run on the small inputs only (null cells elsewhere). */
  references?: { programKey: string; code: string; model: string; cells: (MatrixCellRecord | null)[] }[];
  /** CPU ms of candidate runs spent on inputs added by adaptive testing, and how they were drawn. */
  adaptive?: { rounds: number; added: number; cpuMs: number; stopped: string; separating?: number; notes?: string[] };
}
