import { defineSignal, executeChild, getExternalWorkflowHandle, metricMeter } from '@temporalio/workflow';
import { local } from './activity-proxies';
import { failureReason, failureType } from './failures';
import { mapBounded } from './map-bounded';
import { synthesizeTask } from './synthesize-task';
import type { BatchProgress, SynthesizeBatchInput, SynthesizeBatchResult, TaskOutcome } from './types';
import { addUsage, NO_USAGE } from './usage';

/** Batch → pipeline progress, signalled by workflow ID so it reaches the pipeline's latest run. */
export const batchProgressSignal = defineSignal<[BatchProgress]>('batchProgress');

/** Up to this many tasks in a run, outcomes travel inline (for its summary); larger runs read the stored blobs. */
export const INLINE_OUTCOMES = 200;

/**
 * One chunk of tasks (≤ `tasks.batchSize`): a child workflow per task with bounded concurrency. Batches are
 * the middle level of the fan-out tree, so no workflow's history grows with the run's size: the pipeline
 * holds ~3 events per batch, a batch ~3 per task and ~10 progress signals.
 */
export async function synthesizeBatch(input: SynthesizeBatchInput): Promise<SynthesizeBatchResult> {
  const { config, runId, firstIndex, batch } = input;
  const subtreeKeys = await local.loadChunk({ chunksKey: input.chunksKey, index: batch });
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  const progress: BatchProgress = { batch, finished: 0, kept: 0, discarded: 0, failed: 0 };
  const reportEvery = Math.max(1, Math.ceil(subtreeKeys.length / 10));
  let spent = 0;

  const settled = await mapBounded(subtreeKeys, config.tasks.concurrency, async (subtreeKey, i) => {
    const index = firstIndex + i;
    let outcome: TaskOutcome;
    // Checked before each start: tasks already in flight finish, so the budget can be overshot by at most
    // `tasks.concurrency` tasks' spend.
    if (input.budgetUsd !== undefined && spent >= input.budgetUsd) {
      const reason = `BudgetExhausted: LLM spend reached llm.budgetUsd = ${config.llm.budgetUsd}; task not started`;
      outcome = { index, status: 'failed', stage: 'select', reason, lineage: { subtreeKey } };
    } else {
      outcome = await executeChild(synthesizeTask, {
        workflowId: `${input.parentWorkflowId}/task-${index}`,
        args: [{ runId, index, subtreeKey, config }],
        staticSummary: `task ${index} of run ${runId}`,
      }).catch((err: unknown): TaskOutcome => ({ index, status: 'failed', stage: 'select', reason: failureReason(err), lineage: { subtreeKey } }));
      spent += outcome.usage?.costUsd ?? 0;
    }
    progress.finished++;
    progress[outcome.status]++;
    // Workflow metrics are replay-aware: a replayed history does not count its tasks twice.
    metricMeter
      .createCounter('synthsmith_tasks', 'tasks', 'Synthesized tasks by final status and reason')
      .add(1, { status: outcome.status, stage: outcome.stage, reason: outcome.status === 'failed' ? failureType(outcome.reason ?? '') : (outcome.reason ?? 'kept') });
    if (progress.finished % reportEvery === 0 || progress.finished === subtreeKeys.length) {
      await parent.signal(batchProgressSignal, { ...progress }).catch(() => undefined);
    }
    return outcome;
  });
  // The callback catches, so every entry is fulfilled.
  const outcomes = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const reasons: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.status === 'kept' || !o.reason) continue;
    const key = o.status === 'failed' ? failureType(o.reason) : o.reason;
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  return {
    ...progress,
    outcomesKey: await local.storeJson(outcomes),
    reasons,
    usage: outcomes.reduce((u, o) => addUsage(u, o.usage), NO_USAGE),
    ...(config.tasks.count <= INLINE_OUTCOMES ? { outcomes } : {}),
  };
}
