/**
 * Builds an execution matrix outside Temporal (the verify CLI and the accuracy bench): each solution is compiled
 * once (C++) or interpreted (Python) and run on every input in one box, through the same sandbox the workers
 * use. A solution that does not compile gets a null row: like an invalid candidate, it does not vote.
 */
import { mapLimit } from '../common/map-limit';
import type { RunLimits, Sandbox } from '../sandbox/types';
import type { LanguageId } from '../sandbox/languages';
import type { MatrixCellRecord } from '../sandbox/matrix';


export interface MatrixSolution {
  id: string;
  code: string;
  language?: LanguageId;
}

export interface ExecutedRow {
  id: string;
  cells: MatrixCellRecord[] | null;
  compileError?: string;
}

export async function executeMatrix(
  sandbox: Sandbox,
  solutions: readonly MatrixSolution[],
  inputs: readonly string[],
  limits: RunLimits,
  concurrency: number
): Promise<ExecutedRow[]> {
  return mapLimit(solutions, concurrency, async (s): Promise<ExecutedRow> => {
    const prepared = await sandbox.program(s.language ?? 'python', s.code);
    if (!prepared.ok) return { id: s.id, cells: null, compileError: prepared.message };
    const runs = await sandbox.runMany(prepared.program, inputs, limits);
    return {
      id: s.id,
      cells: runs.map((r) => ({ status: r.status, stdout: r.status === 'OK' ? r.stdout : '', wallMs: Math.round(r.wallMs), cpuMs: Math.round(r.cpuMs), exitCode: r.exitCode })),
    };
  });
}
