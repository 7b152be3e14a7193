import { ApplicationFailure, condition, defineSignal, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { describeConfigError, PipelineConfigSchema, type PipelineConfigInput } from './config';
import { synthSmithPipeline } from './pipeline';
import { trainModel } from './train';
import type { PipelineSummary } from './types';

export interface DataRefreshInput {
  /** The pipeline config; `dataset.name` defaults to "nightly". Its training section is used if training starts. */
  config: PipelineConfigInput;
  /** Start training when the new dataset version holds at least this many records; omit to never train. */
  trainWhenRecordsAtLeast?: number;
  /** Wait for the approveTraining signal before training. */
  requireApproval?: boolean;
  /** How long to wait for approval before giving up on training (default 24 hours). */
  approvalTimeout?: string;
}

export interface DataRefreshResult {
  runId: string;
  seed: number;
  synthesis: PipelineSummary;
  training?: PipelineSummary['training'];
  trainingDecision: 'trained' | 'below threshold' | 'not requested' | 'rejected' | 'approval timed out';
}

/** `temporal workflow signal --name approveTraining --input true -w <id>` (false rejects). */
export const approveTrainingSignal = defineSignal<[boolean]>('approveTraining');

/**
 * The nightly refresh: synthesize new tasks from fresh feature samples, verify them, append them as a new
 * version of the named dataset, and optionally train on it (after an approval signal, if required).
 * Started by a Temporal Schedule (`npm run schedule -- create`); each run's seed follows its start day, so
 * every night samples new subtrees while a retried or replayed run samples the same ones.
 */
export async function dataRefresh(input: DataRefreshInput): Promise<DataRefreshResult> {
  const parsed = PipelineConfigSchema.safeParse(input.config);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid pipeline config: ${describeConfigError(parsed.error)}`, 'InvalidConfig');
  }
  const info = workflowInfo();
  const runId = info.workflowId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  const seed = parsed.data.seed + Math.floor(info.startTime.getTime() / 86_400_000);
  const synthesis = await executeChild(synthSmithPipeline, {
    workflowId: `${info.workflowId}/synthesize`,
    args: [
      {
        ...input.config,
        runId,
        seed,
        dataset: input.config.dataset ?? { name: 'nightly' },
        training: { ...input.config.training, enabled: false },
      },
    ],
    staticSummary: `synthesize and verify ${parsed.data.tasks.count} tasks (seed ${seed})`,
  });
  const result: DataRefreshResult = { runId, seed, synthesis, trainingDecision: 'not requested' };
  const records = synthesis.datasets?.sftRecords ?? 0;
  if (input.trainWhenRecordsAtLeast === undefined) return result;
  if (records < input.trainWhenRecordsAtLeast) return { ...result, trainingDecision: 'below threshold' };

  if (input.requireApproval) {
    let approved: boolean | undefined;
    setHandler(approveTrainingSignal, (ok) => {
      approved = ok;
    });
    const answered = await condition(() => approved !== undefined, (input.approvalTimeout ?? '24 hours') as Duration);
    if (!answered) return { ...result, trainingDecision: 'approval timed out' };
    if (!approved) return { ...result, trainingDecision: 'rejected' };
  }
  const datasets = synthesis.datasets as NonNullable<PipelineSummary['datasets']>;
  const training = await executeChild(trainModel, {
    workflowId: `${info.workflowId}/train`,
    args: [{ config: input.config, runId, sftKey: datasets.sftKey, rlKey: datasets.rlKey }],
    staticSummary: `train on dataset version with ${records} records`,
  });
  return { ...result, training, trainingDecision: 'trained' };
}
