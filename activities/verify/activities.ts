import type { VerifyTaskInput, VerifyTaskResult } from '../../workflows/types';
import type { CandidatesRecord, TestsRecord } from '../llm/records';
import type { MatrixRecord } from '../sandbox/matrix';
import type { ContentStore } from '../store/content-store';
import { dualVerify, type VerificationResult } from './dual-verify';

/** Name and version of the verification rules, stored with every decision so a dataset says how it was judged. */
export const VERIFICATION_POLICY = { name: 'paper-dual-verification', version: 1 } as const;

export interface VerificationRecord {
  taskId: string;
  policy: typeof VERIFICATION_POLICY & { seed: number };
  candidatesKey: string;
  testsKey: string;
  matrixKey: string;
  result: VerificationResult;
}

export function createVerifyActivities({ store }: { store: ContentStore }) {
  return {
    /** Pure computation over stored blobs: re-running it never executes code or calls an LLM. */
    async verifyTask(input: VerifyTaskInput): Promise<VerifyTaskResult> {
      const [candidates, tests, matrix] = await Promise.all([
        store.getJson<CandidatesRecord>(input.candidatesKey),
        store.getJson<TestsRecord>(input.testsKey),
        store.getJson<MatrixRecord>(input.matrixKey),
      ]);
      const result = dualVerify({
        cells: candidates.candidates.map((c) => matrix.cells[c.index] ?? null),
        inputs: tests.tests.map((t) => t.input),
        seed: input.seed,
        label: input.taskId,
      });
      const record: VerificationRecord = {
        taskId: input.taskId,
        policy: { ...VERIFICATION_POLICY, seed: input.seed },
        candidatesKey: input.candidatesKey,
        testsKey: input.testsKey,
        matrixKey: input.matrixKey,
        result,
      };
      return {
        verificationKey: await store.putJson(record),
        decision: result.decision,
        ...(result.reason ? { reason: result.reason } : {}),
        ...(result.goldenIndex !== undefined ? { goldenIndex: result.goldenIndex } : {}),
        labelledTests: result.labelled.length,
      };
    },
  };
}
