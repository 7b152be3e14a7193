import { cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { ExecuteCandidatesInput, ExecuteCandidatesResult } from '../../workflows/types';
import { mapLimit } from '../common/map-limit';
import { Semaphore } from '../common/semaphore';
import { recordJudgeRuns } from '../common/metrics';
import type { Candidate, CandidatesRecord, StatementRecord, TestsRecord } from '../llm/records';
import type { ContentStore } from '../store/content-store';
import { checkerClasses } from './checker-classes';
import { functionProgram } from './function-harness';
import type { MatrixCellRecord, MatrixRecord } from './matrix';
import { DEFAULT_LIMITS, type Program, type Sandbox } from './types';

export interface SandboxActivityDeps {
  store: ContentStore;
  sandbox: Sandbox;
  /** Parallel runs inside one activity; one per core keeps timings honest. */
  concurrency: number;
  /** Box permits shared by every sandbox activity of the worker (one per core), so concurrent activities never oversubscribe. */
  boxes?: Semaphore;
}

export function createSandboxActivities({ store, sandbox, concurrency, boxes = new Semaphore(concurrency) }: SandboxActivityDeps) {
  return {
    /**
     * Every valid candidate on every test input. A crash, hang or flood of a candidate is a verdict in the
     * matrix; only a fault of the sandbox itself throws (and is retried, possibly on another worker).
     * Heartbeats carry progress, so a killed worker is noticed within the heartbeat timeout.
     */
    async executeCandidates(input: ExecuteCandidatesInput): Promise<ExecuteCandidatesResult> {
      const [{ candidates, statementKey }, { tests }] = await Promise.all([
        store.getJson<CandidatesRecord>(input.candidatesKey),
        store.getJson<TestsRecord>(input.testsKey),
      ]);
      // A function-I/O task's candidate is a class: it runs inside the harness, which prints the call's result.
      const { ioMode, fnName, output } = await store.getJson<StatementRecord>(statementKey);
      const source = (code: string) => (ioMode === 'function' ? functionProgram(code, fnName ?? '') : code);
      const limits = { ...DEFAULT_LIMITS, timeLimitMs: input.timeLimitMs, memoryMb: input.memoryMb };
      const cells: (MatrixCellRecord[] | null)[] = candidates.map((c) => (c.valid ? new Array<MatrixCellRecord>(tests.length) : null));
      const runnable = candidates.filter((c) => c.valid);
      const total = runnable.length * tests.length;
      log.info('executing candidates', { candidates: candidates.length, tests: tests.length, runs: total });
      const signal = cancellationSignal();
      let done = 0;
      const compileErrors: Record<number, string> = {};
      heartbeat({ done, total });
      // A test may legitimately take the whole wall limit; keep the heartbeat alive between results.
      const beat = setInterval(() => heartbeat({ done, total }), 1000);
      // C++ is compiled once per distinct source (cached); a compile error leaves the row unrun, so the
      // candidate never votes, and the message is kept in the matrix.
      const runCandidate = async (c: Candidate): Promise<void> => {
        let program: Program = { kind: 'source', fileName: 'main.py', code: source(c.code), argv: ['/usr/bin/python3', '-I', '/box/main.py'] };
        if (c.language === 'cpp') {
          const prepared = await sandbox.program('cpp', c.code);
          if (!prepared.ok) {
            cells[c.index] = null;
            compileErrors[c.index] = prepared.message.slice(0, 2000);
            done += tests.length;
            return;
          }
          program = prepared.program;
        }
        const row = cells[c.index] as MatrixCellRecord[];
        await sandbox.runMany(program, tests.map((t) => t.input), limits, {
          signal,
          onResult: (t, r) => {
            row[t] = { status: r.status, stdout: r.status === 'OK' ? r.stdout : '', wallMs: Math.round(r.wallMs), cpuMs: Math.round(r.cpuMs), exitCode: r.exitCode };
            heartbeat({ done: ++done, total });
          },
        });
      };
      // One box per candidate serves all of its tests (a fresh process, fresh counters and an empty work dir
      // per test); candidates run in parallel, one box per core across every activity of this worker.
      await mapLimit(
        runnable,
        concurrency,
        async (c) => {
          const release = await boxes.acquire(signal);
          try {
            await runCandidate(c);
          } finally {
            release();
          }
        },
        { signal },
      ).finally(() => clearInterval(beat));
      const byStatus: Record<string, number> = {};
      for (const row of cells) for (const cell of row ?? []) if (cell) byStatus[cell.status] = (byStatus[cell.status] ?? 0) + 1;
      recordJudgeRuns(byStatus);
      // A task with several valid answers: which outputs are the same answer is the checker's call, made here
      // once (it runs programs); a checker that cannot judge discards the task in verification, never fails this.
      let judged: Pick<MatrixRecord, 'classes' | 'checkerFailure'> = {};
      if (output?.kind === 'testlib') {
        const release = await boxes.acquire(signal);
        try {
          const c = await checkerClasses(sandbox, output.code, tests.map((t, i) => ({ input: t.input, outputs: cells.map((row) => (row?.[i]?.status === 'OK' ? row[i]!.stdout : null)) })), { signal });
          judged = c.ok ? { classes: c.classes } : { checkerFailure: c.reason };
        } finally {
          release();
        }
      }
      const matrix: MatrixRecord = {
        candidatesKey: input.candidatesKey,
        testsKey: input.testsKey,
        limits: { timeLimitMs: limits.timeLimitMs, memoryMb: limits.memoryMb },
        cells,
        ...(Object.keys(compileErrors).length ? { compileErrors } : {}),
        ...judged,
      };
      return {
        matrixKey: await store.putJson(matrix),
        runs: total,
        okRuns: cells.reduce((s, row) => s + (row ? row.filter((x) => x.status === 'OK').length : 0), 0),
      };
    },
  };
}
