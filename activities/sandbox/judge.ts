/**
 * Judges solutions against tests: compile once per solution (cached), run all of a solution's tests in one box,
 * compare with the task's checker. Shared by the RL reward (through the judge CLI) and the Temporal activities,
 * so a verdict means the same thing everywhere.
 */
import { cpus } from 'node:os';
import { mapLimit } from '../common/map-limit';
import { CHECKER_FILES, CHECKER_LIMITS, checkBuiltin, CheckerFailure, checkerInvocation, testlibOutcome, type CheckerSpec, type CheckOutcome } from './checkers';
import type { LanguageId } from './languages';
import type { OpenBox, Program, RunLimits, RunResult, Sandbox } from './types';

export type Verdict = 'AC' | 'WA' | 'TLE' | 'MLE' | 'RE' | 'OLE' | 'CE';

export interface TestVerdict {
  verdict: Verdict;
  wallMs: number;
  cpuMs: number;
  memoryKb: number;
  exitCode?: number | null;
  signal?: string | null;
  /** Checker comment (testlib) or the head of stderr for RE. */
  message?: string;
}

export interface JudgeResult {
  id: string;
  /** One entry per test, in test order. */
  verdicts: TestVerdict[];
  passed: number;
  total: number;
  /** The compiler's message when the verdict is CE (then every test is CE). */
  compileError?: string;
}

export interface JudgeSolution {
  id: string;
  code: string;
  /** Default python. */
  language?: LanguageId;
}

export interface JudgeTest {
  input: string;
  output: string;
}

export interface JudgeOptions {
  /** Parallel boxes; defaults to the number of CPUs (one run per core keeps times honest). */
  concurrency?: number;
  checker?: CheckerSpec;
  /** Called after every finished test; `total` = solutions × tests. */
  onProgress?: (done: number, total: number) => void;
  /** Stops at once (the running test is killed); the promise then rejects with the abort reason. */
  signal?: AbortSignal;
}

const MESSAGE_BYTES = 1024;

export async function judgeSolutions(
  sandbox: Sandbox,
  solutions: readonly JudgeSolution[],
  tests: readonly JudgeTest[],
  limits: RunLimits,
  opts: JudgeOptions = {},
): Promise<JudgeResult[]> {
  const concurrency = opts.concurrency ?? Math.max(1, cpus().length);
  const total = solutions.length * tests.length;
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    opts.onProgress?.(done, total);
  };

  const checker = opts.checker ?? { kind: 'exact' };
  let checkerProgram: Promise<Program> | undefined;
  if (checker.kind === 'testlib') {
    checkerProgram = sandbox.program('cpp', checker.code).then((c) => {
      if (!c.ok) throw new CheckerFailure(`the checker does not compile: ${c.message}`);
      return checkerInvocation(c.program);
    });
    checkerProgram.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
  }

  // With fewer solutions than boxes, a solution's tests are split over several boxes so that no core idles.
  const split = solutions.length >= concurrency ? 1 : Math.min(Math.ceil(concurrency / Math.max(1, solutions.length)), tests.length);
  const chunkLen = Math.max(1, Math.ceil(tests.length / Math.max(1, split)));
  const jobs = solutions.flatMap((_, s) =>
    Array.from({ length: Math.max(1, Math.ceil(tests.length / chunkLen)) }, (_, c) => ({ s, from: c * chunkLen, to: Math.min(tests.length, (c + 1) * chunkLen) })),
  );
  const verdicts: TestVerdict[][] = solutions.map(() => new Array<TestVerdict>(tests.length));
  const compileErrors = new Map<number, string>();

  await mapLimit(
    jobs,
    concurrency,
    async ({ s, from, to }) => {
      const solution = solutions[s] as JudgeSolution;
      const prepared = await sandbox.program(solution.language ?? 'python', solution.code);
      if (!prepared.ok) {
        compileErrors.set(s, prepared.message);
        for (let t = from; t < to; t++) verdicts[s]![t] = { verdict: 'CE', wallMs: 0, cpuMs: 0, memoryKb: 0, message: prepared.message.slice(0, MESSAGE_BYTES) };
        progress(to - from);
        return;
      }
      let checkBox: OpenBox | undefined;
      // Checks of one job run in order through one checker box, overlapping with the next run of the solution.
      let checks: Promise<void> = Promise.resolve();
      try {
        await sandbox.runMany(prepared.program, tests.slice(from, to).map((t) => t.input), limits, {
          signal: opts.signal,
          onResult: (i, run) => {
            checks = checks.then(() => check(from + i, run));
            checks.catch(() => undefined); // surfaced by the await below
          },
        });
        await checks;
      } finally {
        await checks.catch(() => undefined);
        await checkBox?.close();
      }

      async function check(t: number, run: RunResult): Promise<void> {
        const test = tests[t] as JudgeTest;
        let verdict: TestVerdict;
        if (run.status !== 'OK') verdict = base(run, run.status, run.status === 'RE' ? run.stderr : undefined);
        else {
          let outcome: CheckOutcome;
          if (checker.kind === 'testlib') {
            checkBox ??= await sandbox.openBox(await (checkerProgram as Promise<Program>), CHECKER_LIMITS);
            const [inFile, outFile, ansFile] = CHECKER_FILES;
            checkBox.putFile(inFile, test.input);
            checkBox.putFile(outFile, run.stdout);
            checkBox.putFile(ansFile, test.output);
            const c = await checkBox.run('', opts.signal);
            if (c.status !== 'OK' && c.status !== 'RE') throw new CheckerFailure(`checker ${c.status}: ${c.stderr.slice(0, MESSAGE_BYTES)}`);
            outcome = testlibOutcome(c.exitCode, c.stderr.trim().slice(0, MESSAGE_BYTES));
          } else outcome = checkBuiltin(checker, run.stdout, test.output);
          verdict = base(run, outcome.ok ? 'AC' : 'WA', outcome.message);
        }
        verdicts[s]![t] = verdict;
        progress(1);
      }
    },
    { signal: opts.signal },
  );

  return solutions.map((solution, s) => {
    const own = verdicts[s] as TestVerdict[];
    const ce = compileErrors.get(s);
    return {
      id: solution.id,
      verdicts: own,
      passed: own.filter((v) => v.verdict === 'AC').length,
      total: tests.length,
      ...(ce !== undefined ? { compileError: ce } : {}),
    };
  });
}

function base(run: RunResult, verdict: Verdict, message?: string): TestVerdict {
  return {
    verdict,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    memoryKb: run.memoryKb,
    exitCode: run.exitCode,
    signal: run.signal,
    ...(message ? { message: message.slice(0, MESSAGE_BYTES) } : {}),
  };
}
