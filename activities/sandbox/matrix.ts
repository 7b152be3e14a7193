import type { RunStatus } from './types';

/** One execution in the m × n matrix. stdout is kept only for runs that exited normally (only those vote). */
export interface MatrixCellRecord {
  status: RunStatus;
  stdout: string;
  wallMs: number;
  exitCode: number | null;
}

/** The stored m × n execution matrix: cells[candidate index][test index]; null rows were not run (invalid code). */
export interface MatrixRecord {
  candidatesKey: string;
  testsKey: string;
  limits: { timeLimitMs: number; memoryMb: number };
  cells: (MatrixCellRecord[] | null)[];
}
