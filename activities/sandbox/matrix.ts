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
}
