/**
 * evaluateModel: LiveCodeBench-format problems from a file → k samples per problem from an OpenAI-compatible
 * endpoint (e.g. vLLM serving a checkpoint) → every sample judged in the sandbox → pass@1, avg@k and pass@k
 * overall, per difficulty and per date window, failure categories, and optionally the comparison with an
 * earlier evaluation. Defaults are the paper's protocol (8 samples, T 0.6, top-p 0.95, top-k 20, 32k tokens).
 */
import type { Duration } from '@temporalio/common';
import { ActivityFailure, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { createEvalActivities, createEvalJudgeActivities, SummarizeEvaluationResult } from '../activities/eval/activities';
import type { ProblemResult, SampleOutcome } from '../activities/eval/types';
import { failureReason } from './failures';
import { mapBounded } from './map-bounded';
import { TASK_QUEUES } from './task-queues';

/** LCB v5 and v6 as the compared work uses them (paper §9; treated there as an assumption). */
export const DEFAULT_WINDOWS = [
  { name: 'v5', from: '2024-08-01', to: '2025-02-01' },
  { name: 'v6', from: '2025-02-01', to: '2025-05-01' },
];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, { message: 'expected an ISO date such as 2024-08-01' });

export const EvaluationConfigSchema = z
  .object({
    /** Names the outputs (runs/<runId>/eval/); defaults to the workflow ID. */
    runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
    /** LiveCodeBench code_generation_lite records (JSONL or a JSON array), readable by the orchestrator workers. */
    problemsPath: z.string().min(1),
    /** Only problems whose contest_date is in [from, to). */
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: z.number().int().positive().optional(),
    endpoint: z
      .object({
        baseURL: z.string().url(),
        model: z.string().min(1),
        apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
        timeoutMs: z.number().int().positive().default(1_800_000),
      })
      .strict(),
    /** Paper protocol: avg@8 at temperature 0.6, top-p 0.95, top-k 20, a 32k generation budget. */
    sampling: z
      .object({
        samples: z.number().int().min(1).max(128).default(8),
        temperature: z.number().min(0).max(2).default(0.6),
        topP: z.number().gt(0).max(1).default(0.95),
        /** -1 disables; sent as `top_k` (a vLLM/SGLang extension of the OpenAI API). */
        topK: z.number().int().min(-1).default(20),
        maxTokens: z.number().int().positive().default(32_768),
      })
      .strict()
      .prefault({}),
    windows: z.array(z.object({ name: z.string().min(1), from: isoDate, to: isoDate }).strict()).default(DEFAULT_WINDOWS),
    sandbox: z
      .object({
        /** Per test; LiveCodeBench allows 6 s. */
        timeLimitMs: z.number().int().positive().max(60_000).default(6000),
        memoryMb: z.number().int().min(32).max(16_384).default(1024),
        heartbeatTimeout: z.string().default('2 minutes'),
      })
      .strict()
      .prefault({}),
    /** Problems sampled and judged at once. */
    concurrency: z.number().int().positive().max(256).default(16),
    /** report key of an earlier evaluation to compare with. */
    baselineReportKey: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
    taskQueues: z.object({ sandbox: z.string().min(1).default(TASK_QUEUES.sandbox) }).strict().prefault({}),
  })
  .strict();
export type EvaluationConfigInput = z.input<typeof EvaluationConfigSchema>;

export interface EvaluationSummary extends SummarizeEvaluationResult {
  rejected: { line: number; reason: string }[];
  /** Problems whose sampling or judging failed for good: scored as all samples 'error'. */
  failedProblems: { id: string; reason: string }[];
  truncatedSamples: number;
}

const NON_RETRYABLE = ['InvalidConfig', 'InvalidInput', 'LlmRequestRejected'];

export async function evaluateModel(input: EvaluationConfigInput): Promise<EvaluationSummary> {
  const config = EvaluationConfigSchema.parse(input);
  const runId = config.runId ?? workflowInfo().workflowId.replace(/[^A-Za-z0-9._-]/g, '_');
  const local = proxyActivities<ReturnType<typeof createEvalActivities>>({
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '10 minutes',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const sandbox = proxyActivities<ReturnType<typeof createEvalJudgeActivities>>({
    taskQueue: config.taskQueues.sandbox,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: config.sandbox.heartbeatTimeout as Duration,
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  });

  const { problems, rejected } = await local.loadEvalProblems({ problemsPath: config.problemsPath, from: config.from, to: config.to, limit: config.limit });
  const failedProblems: EvaluationSummary['failedProblems'] = [];
  let finished = 0;
  let truncatedSamples = 0;
  const settled = await mapBounded(problems, config.concurrency, async (p): Promise<ProblemResult> => {
    let outcomes: SampleOutcome[];
    try {
      const sampled = await local.sampleCompletions({ problemKey: p.problemKey, endpoint: config.endpoint, sampling: config.sampling });
      truncatedSamples += sampled.truncated;
      const judged = await sandbox.judgeEvalSamples({
        problemKey: p.problemKey,
        completionsKey: sampled.completionsKey,
        timeLimitMs: config.sandbox.timeLimitMs,
        memoryMb: config.sandbox.memoryMb,
      });
      outcomes = judged.outcomes;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      failedProblems.push({ id: p.id, reason: failureReason(err) });
      outcomes = new Array<SampleOutcome>(config.sampling.samples).fill('error');
    }
    setCurrentDetails(`**${runId}**: ${++finished}/${problems.length} problems judged`);
    return { id: p.id, difficulty: p.difficulty, contestDate: p.contestDate, outcomes };
  });
  const results = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const summary = await local.summarizeEvaluation({
    runId,
    model: config.endpoint.model,
    sampling: config.sampling,
    windows: config.windows,
    results,
    baselineReportKey: config.baselineReportKey,
  });
  return { ...summary, rejected, failedProblems, truncatedSamples };
}
