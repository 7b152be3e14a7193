/**
 * Re-labels finished tasks under another policy from their stored blobs (candidates, tests, execution matrix):
 * nothing is executed and no LLM is called. The comparison is task by task: fate changes (kept→discarded,
 * discarded→kept), golden changes, and every test whose label changed.
 */
import type { ArtifactKey } from '../../workflows/types';
import { normalizeOutput } from '../common/compare';
import type { ContentStore } from '../store/content-store';
import { verifyStoredTask, type VerificationRecord } from './activities';
import { policyTag, resolvePolicy, type VerificationPolicyInput } from './policy';

/** What re-labelling needs of a task; a dataset manifest's records and a run's outcomes' lineage both carry it. */
export interface RelabelLineage {
  taskId?: string;
  task_id?: string;
  candidatesKey?: ArtifactKey;
  testsKey?: ArtifactKey;
  matrixKey?: ArtifactKey;
  verificationKey?: ArtifactKey;
}

export type FateChange = 'kept→discarded' | 'discarded→kept' | 'golden_changed' | 'labels_changed' | 'unchanged';

export interface Fate {
  decision: 'kept' | 'discarded';
  reason?: string;
  goldenIndex?: number;
  labelled: number;
  rlSuite: number;
}

export interface TaskComparison {
  taskId: string;
  change: FateChange;
  before: Fate;
  after: Fate;
  labelChanges: { test: number; before: string | null; after: string | null }[];
  explanation: string;
  verificationKey: ArtifactKey;
}

export interface RelabelReport {
  policy: string;
  tasks: number;
  counts: Record<FateChange, number>;
  kept: { before: number; after: number };
  comparisons: TaskComparison[];
  /** Lineages that could not be re-labelled (missing keys or blobs), with the reason. */
  skipped: { taskId: string; reason: string }[];
}

function fate(record: VerificationRecord): Fate {
  const r = record.result;
  return {
    decision: r.decision,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.goldenIndex !== undefined ? { goldenIndex: r.goldenIndex } : {}),
    labelled: r.labelled.length,
    rlSuite: r.rlSuite?.length ?? r.goldenHalf.length,
  };
}

/** Compares two decisions on the same matrix. */
export function compareDecisions(before: VerificationRecord, after: VerificationRecord): Omit<TaskComparison, 'verificationKey'> {
  const a = fate(before);
  const b = fate(after);
  const n = Math.max(before.result.votes.length, after.result.votes.length);
  const labelChanges: TaskComparison['labelChanges'] = [];
  for (let t = 0; t < n; t++) {
    const x = before.result.votes[t]?.label ?? null;
    const y = after.result.votes[t]?.label ?? null;
    // The paper's labels are normalised forms, the witness policy's exact outputs: compare what they say.
    if ((x === null) !== (y === null) || (x !== null && y !== null && normalizeOutput(x) !== normalizeOutput(y))) labelChanges.push({ test: t, before: x, after: y });
  }
  const change: FateChange =
    a.decision === 'kept' && b.decision === 'discarded'
      ? 'kept→discarded'
      : a.decision === 'discarded' && b.decision === 'kept'
        ? 'discarded→kept'
        : a.decision === 'kept' && a.goldenIndex !== b.goldenIndex
          ? 'golden_changed'
          : labelChanges.length
            ? 'labels_changed'
            : 'unchanged';
  return { taskId: after.taskId, change, before: a, after: b, labelChanges, explanation: after.result.explanation };
}

/**
 * Re-verifies each lineage under `policy` (its old verification record gives the seed and the baseline) and
 * stores the new records, so a report's verificationKey can be opened later.
 */
export async function relabelLineages(
  store: ContentStore,
  lineages: readonly RelabelLineage[],
  policyInput: VerificationPolicyInput
): Promise<RelabelReport> {
  const policy = resolvePolicy(policyInput);
  const comparisons: TaskComparison[] = [];
  const skipped: RelabelReport['skipped'] = [];
  for (const l of lineages) {
    const id = l.taskId ?? l.task_id ?? l.verificationKey ?? '?';
    if (!l.verificationKey) {
      skipped.push({ taskId: id, reason: 'no verificationKey (the task stopped before verification)' });
      continue;
    }
    try {
      const before = await store.getJson<VerificationRecord>(l.verificationKey);
      const after = await verifyStoredTask(store, {
        taskId: before.taskId,
        // What was verified: the record's tests and matrix (adaptive evidence extends the stage's own).
        candidatesKey: before.candidatesKey ?? l.candidatesKey,
        testsKey: before.testsKey ?? l.testsKey,
        matrixKey: before.matrixKey ?? l.matrixKey,
        ...(before.solverMatrixKey ? { solverMatrixKey: before.solverMatrixKey } : {}),
        seed: before.policy.seed,
        policy,
      });
      comparisons.push({ ...compareDecisions(before, after), verificationKey: await store.putJson(after) });
    } catch (err) {
      skipped.push({ taskId: id, reason: (err as Error).message });
    }
  }
  const counts: Record<FateChange, number> = { 'kept→discarded': 0, 'discarded→kept': 0, golden_changed: 0, labels_changed: 0, unchanged: 0 };
  for (const c of comparisons) counts[c.change]++;
  return {
    policy: policyTag(policy),
    tasks: comparisons.length,
    counts,
    kept: {
      before: comparisons.filter((c) => c.before.decision === 'kept').length,
      after: comparisons.filter((c) => c.after.decision === 'kept').length,
    },
    comparisons,
    skipped,
  };
}

/** Lineages of a dataset version (its kept records) plus any extra ones (e.g. the run's discarded tasks). */
export async function lineagesOfManifest(store: ContentStore, manifestKey: ArtifactKey): Promise<RelabelLineage[]> {
  const manifest = await store.getJson<{ records: RelabelLineage[]; discarded?: RelabelLineage[] }>(manifestKey);
  return [...manifest.records, ...(manifest.discarded ?? [])];
}
