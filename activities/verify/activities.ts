import type { ArtifactKey, VerifyTaskInput, VerifyTaskResult } from '../../workflows/types';
import type { CandidatesRecord, TestsRecord } from '../llm/records';
import type { MatrixRecord } from '../sandbox/matrix';
import type { ContentStore } from '../store/content-store';
import { dualVerify, type VerificationResult } from './dual-verify';
import { DEFAULT_POLICY, resolvePolicy, type VerificationPolicy, type VerificationPolicyInput } from './policy';

/** Name and version of the default rules (kept for callers that only need the tag; the full policy is stored). */
export const VERIFICATION_POLICY = { name: DEFAULT_POLICY.name, version: DEFAULT_POLICY.version } as const;

/**
 * The stored decision for one task: the policy it was made under, the blobs it was made from, and the full
 * explainable result (dual-verify.ts documents every field). Free of run IDs and timestamps, so the same
 * inputs and policy always give the same key.
 */
export interface VerificationRecord {
  taskId: string;
  policy: VerificationPolicy & { seed: number };
  candidatesKey: ArtifactKey;
  testsKey: ArtifactKey;
  matrixKey: ArtifactKey;
  solverMatrixKey?: ArtifactKey;
  result: VerificationResult;
}

export interface VerifyBlobsInput {
  taskId: string;
  candidatesKey: ArtifactKey;
  testsKey: ArtifactKey;
  matrixKey: ArtifactKey;
  solverMatrixKey?: ArtifactKey;
  seed: number;
  policy?: VerificationPolicyInput;
}

/** Loads the stored blobs of one task and verifies them: no execution, no LLM (also used by relabel.ts). */
export async function verifyStoredTask(store: ContentStore, input: VerifyBlobsInput): Promise<VerificationRecord> {
  const [candidates, tests, matrix, solver] = await Promise.all([
    store.getJson<CandidatesRecord>(input.candidatesKey),
    store.getJson<TestsRecord>(input.testsKey),
    store.getJson<MatrixRecord>(input.matrixKey),
    input.solverMatrixKey ? store.getJson<MatrixRecord>(input.solverMatrixKey) : Promise.resolve(undefined),
  ]);
  const policy = resolvePolicy(input.policy);
  const solverRow = solver?.cells[0];
  const result = dualVerify({
    cells: candidates.candidates.map((c) => matrix.cells[c.index] ?? null),
    inputs: tests.tests.map((t) => t.input),
    seed: input.seed,
    label: input.taskId,
    policy,
    ...(solverRow ? { solver: { cells: solverRow } } : {}),
  });
  return {
    taskId: input.taskId,
    policy: { ...policy, seed: input.seed },
    candidatesKey: input.candidatesKey,
    testsKey: input.testsKey,
    matrixKey: input.matrixKey,
    ...(input.solverMatrixKey ? { solverMatrixKey: input.solverMatrixKey } : {}),
    result,
  };
}

export function createVerifyActivities({ store }: { store: ContentStore }) {
  return {
    /** Pure computation over stored blobs: re-running it never executes code or calls an LLM. */
    async verifyTask(input: VerifyTaskInput): Promise<VerifyTaskResult> {
      const record = await verifyStoredTask(store, input);
      const { result } = record;
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
