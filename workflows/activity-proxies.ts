/**
 * Activity proxies with the retry policy that fits each family. Workflow code: type-only imports of the
 * activity factories, so no activity (or Node) code is bundled.
 */
import type { Duration } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { createFeatureActivities } from '../activities/features/activities';
import type { createGeneratorActivities } from '../activities/llm/generator-activities';
import type { createCandidatePoolActivities } from '../activities/llm/candidate-pool';
import type { createSeparatorActivities } from '../activities/llm/separator-activities';
import type { createTaskActivities } from '../activities/llm/task-activities';
import type { createQualityActivities } from '../activities/quality/activities';
import type { createSandboxActivities } from '../activities/sandbox/activities';
import type { createGenerateInputsActivities } from '../activities/sandbox/generate-inputs';
import type { createStoreActivities } from '../activities/store/activities';
import type { createTrainingActivities } from '../activities/training/activities';
import type { createVerifyActivities } from '../activities/verify/activities';
import type { createExtendTestsActivities } from '../activities/verify/extend-tests';
import type { PipelineConfig } from './config';

/** Failure types no retry can fix: bad config or input, a rejected request, an answer that stayed unusable. */
const NON_RETRYABLE = ['InvalidConfig', 'InvalidInput', 'InvalidLlmOutput', 'LlmRequestRejected'];

type FeatureActivities = ReturnType<typeof createFeatureActivities>;
type LlmActivities = Pick<FeatureActivities, 'extractFeatures' | 'evolveFeatureTree'> &
  ReturnType<typeof createTaskActivities> &
  ReturnType<typeof createGeneratorActivities> &
  ReturnType<typeof createSeparatorActivities>;

/**
 * LLM calls: 429/5xx/timeouts retry with exponential backoff (or the endpoint's Retry-After, passed as
 * nextRetryDelay); attempts are capped because each one costs money.
 */
export const llm = proxyActivities<LlmActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Store, tree and verification work: local computation on blobs; retried a few times for I/O hiccups. */
export const local = proxyActivities<
  Pick<FeatureActivities, 'mergeFeatureTrees' | 'sampleFeatureSubtrees'> &
    ReturnType<typeof createStoreActivities> &
    ReturnType<typeof createVerifyActivities> &
    ReturnType<typeof createCandidatePoolActivities>
>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Decontamination and near-duplicate removal: CPU work on the orchestrator over many blobs. The run-wide dedup
 * can take minutes at 200k tasks, so it heartbeats instead of having a short start-to-close limit.
 */
export const quality = proxyActivities<ReturnType<typeof createQualityActivities>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Sandbox execution on its own queue. A crashing candidate is a verdict inside the result, never a failure;
 * what fails is the sandbox itself (or its worker dying), which the heartbeat timeout detects and a retry on
 * another sandbox worker fixes.
 */
export function sandbox(config: PipelineConfig) {
  return proxyActivities<ReturnType<typeof createSandboxActivities> & ReturnType<typeof createGenerateInputsActivities> & ReturnType<typeof createExtendTestsActivities>>({
    taskQueue: config.taskQueues.sandbox,
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: config.sandbox.heartbeatTimeout as Duration,
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

/** Training on the GPU queue: long, heartbeated, resumed from the last checkpoint on retry. */
export function training(config: PipelineConfig) {
  return proxyActivities<ReturnType<typeof createTrainingActivities>>({
    taskQueue: config.taskQueues.gpu,
    startToCloseTimeout: '48 hours',
    heartbeatTimeout: config.training.heartbeatTimeout as Duration,
    retry: { initialInterval: '10s', maximumInterval: '5 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}
