/**
 * Judges candidate solutions against tests with the sandbox. Shared by the RL reward (through the judge CLI)
 * and the Temporal activities, so a verdict means the same thing everywhere.
 */
import { cpus } from 'node:os';
import { outputsMatch } from '../common/compare';
import { mapLimit } from '../common/map-limit';
import type { RunLimits, Sandbox } from './types';

export type Verdict = 'AC' | 'WA' | 'TLE' | 'MLE' | 'RE' | 'OLE';

export interface TestVerdict {
  verdict: Verdict;
  wallMs: number;
}

export interface JudgeResult {
  id: string;
  /** One entry per test, in test order. */
  verdicts: TestVerdict[];
  passed: number;
  total: number;
}

export interface JudgeOptions {
  /** Parallel sandbox runs; defaults to the number of CPUs (one run per core keeps wall times honest). */
  concurrency?: number;
  /** Called after every finished run; `total` = solutions × tests. */
  onProgress?: (done: number, total: number) => void;
  /** Stops starting new runs; the running ones finish, then the promise rejects with the abort reason. */
  signal?: AbortSignal;
}

export async function judgeSolutions(
  sandbox: Sandbox,
  solutions: readonly { id: string; code: string }[],
  tests: readonly { input: string; output: string }[],
  limits: RunLimits,
  opts: JudgeOptions = {},
): Promise<JudgeResult[]> {
  // Flatten to (solution, test) pairs so that the pool stays full even with one solution or one test.
  const jobs = solutions.flatMap((_, s) => tests.map((_, t) => ({ s, t })));
  let done = 0;
  const verdicts = await mapLimit(
    jobs,
    opts.concurrency ?? Math.max(1, cpus().length),
    async ({ s, t }): Promise<TestVerdict> => {
      const solution = solutions[s]!;
      const test = tests[t]!;
      const run = await sandbox.runPython(solution.code, test.input, limits);
      const verdict: Verdict = run.status === 'OK' ? (outputsMatch(run.stdout, test.output) ? 'AC' : 'WA') : run.status;
      done += 1;
      opts.onProgress?.(done, jobs.length);
      return { verdict, wallMs: run.wallMs };
    },
    { signal: opts.signal },
  );

  return solutions.map((solution, s) => {
    const own = verdicts.slice(s * tests.length, (s + 1) * tests.length);
    return { id: solution.id, verdicts: own, passed: own.filter((v) => v.verdict === 'AC').length, total: tests.length };
  });
}
