import type { ArtifactKey, VerifyTaskInput, VerifyTaskResult } from '../../workflows/types';
import type { CandidatesRecord, StatementRecord, TestsRecord } from '../llm/records';
import type { MatrixRecord } from '../sandbox/matrix';
import type { ContentStore } from '../store/content-store';
import { verifyMatrix, type VerificationInput, type VerificationResult } from './dual-verify';
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

/** The verifier's view of stored blobs: candidates with their programs and models, the task's output rule, references. */
export function verificationInput(
  candidates: CandidatesRecord,
  tests: TestsRecord,
  matrix: MatrixRecord,
  statement: Pick<StatementRecord, 'output'> | undefined,
): Omit<VerificationInput, 'seed' | 'label' | 'policy'> {
  const rule = statement?.output;
  return {
    cells: candidates.candidates.map((c) => matrix.cells[c.index] ?? null),
    inputs: tests.tests.map((t) => t.input),
    candidates: candidates.candidates.map((c) => ({ code: c.code, language: c.language, model: (c.provenance ?? candidates.provenance).model })),
    sources: tests.tests.map((t) => (t.source === 'adaptive' || t.source === 'separator' ? 'generated' : 'given')),
    ...(rule ? { outputRule: rule } : {}),
    // A built-in rule of the task replaces the policy's comparison (the paper's algorithm reads it from here).
    ...(rule && rule.kind !== 'testlib' ? { checker: rule } : {}),
    ...(matrix.classes ? { classes: matrix.classes } : {}),
    ...(matrix.checkerFailure ? { checkerFailure: matrix.checkerFailure } : {}),
    ...(rule?.kind === 'testlib' && !matrix.classes && !matrix.checkerFailure ? { checkerFailure: 'the matrix holds no checker verdicts' } : {}),
    ...(matrix.references?.length ? { references: matrix.references.map((r) => ({ code: r.code, model: r.model, cells: r.cells })) } : {}),
  };
}

/** Loads the stored blobs of one task and verifies them: no execution, no LLM (also used by relabel.ts). */
export async function verifyStoredTask(store: ContentStore, input: VerifyBlobsInput): Promise<VerificationRecord> {
  const [candidates, tests, matrix, solver] = await Promise.all([
    store.getJson<CandidatesRecord>(input.candidatesKey),
    store.getJson<TestsRecord>(input.testsKey),
    store.getJson<MatrixRecord>(input.matrixKey),
    input.solverMatrixKey ? store.getJson<MatrixRecord>(input.solverMatrixKey) : Promise.resolve(undefined),
  ]);
  const statement = await store.getJson<StatementRecord>(candidates.statementKey).catch(() => undefined);
  const policy = resolvePolicy(input.policy);
  const solverRow = solver?.cells[0];
  const result = verifyMatrix({
    ...verificationInput(candidates, tests, matrix, statement),
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
