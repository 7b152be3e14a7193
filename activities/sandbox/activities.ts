import { cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { ExecuteCandidatesInput, ExecuteCandidatesResult } from '../../workflows/types';
import { mapLimit } from '../common/map-limit';
import type { CandidatesRecord, TestsRecord } from '../llm/records';
import type { ContentStore } from '../store/content-store';
import type { MatrixCellRecord, MatrixRecord } from './matrix';
import { DEFAULT_LIMITS, type Sandbox } from './types';

export interface SandboxActivityDeps {
  store: ContentStore;
  sandbox: Sandbox;
  /** Parallel runs inside one activity; one per core keeps timings honest. */
  concurrency: number;
}

export function createSandboxActivities({ store, sandbox, concurrency }: SandboxActivityDeps) {
  return {
    /**
     * Every valid candidate on every test input. A crash, hang or flood of a candidate is a verdict in the
     * matrix; only a fault of the sandbox itself throws (and is retried, possibly on another worker).
     * Heartbeats carry progress, so a killed worker is noticed within the heartbeat timeout.
     */
    async executeCandidates(input: ExecuteCandidatesInput): Promise<ExecuteCandidatesResult> {
      const [{ candidates }, { tests }] = await Promise.all([
        store.getJson<CandidatesRecord>(input.candidatesKey),
        store.getJson<TestsRecord>(input.testsKey),
      ]);
      const limits = { ...DEFAULT_LIMITS, timeLimitMs: input.timeLimitMs, memoryMb: input.memoryMb };
      const cells: (MatrixCellRecord[] | null)[] = candidates.map((c) => (c.valid ? new Array<MatrixCellRecord>(tests.length) : null));
      const jobs = candidates.flatMap((c) => (c.valid ? tests.map((_, t) => ({ c: c.index, code: c.code, t })) : []));
      log.info('executing candidates', { candidates: candidates.length, tests: tests.length, runs: jobs.length });
      const signal = cancellationSignal();
      let done = 0;
      heartbeat({ done, total: jobs.length });
      await mapLimit(
        jobs,
        concurrency,
        async ({ c, code, t }) => {
        const r = await sandbox.runPython(code, tests[t]?.input ?? '', limits);
        (cells[c] as MatrixCellRecord[])[t] = {
          status: r.status,
          stdout: r.status === 'OK' ? r.stdout : '',
          wallMs: Math.round(r.wallMs),
          exitCode: r.exitCode,
        };
        heartbeat({ done: ++done, total: jobs.length });
        },
        { signal }
      );
      const matrix: MatrixRecord = {
        candidatesKey: input.candidatesKey,
        testsKey: input.testsKey,
        limits: { timeLimitMs: limits.timeLimitMs, memoryMb: limits.memoryMb },
        cells,
      };
      return {
        matrixKey: await store.putJson(matrix),
        runs: jobs.length,
        okRuns: cells.reduce((s, row) => s + (row ? row.filter((x) => x.status === 'OK').length : 0), 0),
      };
    },
  };
}
