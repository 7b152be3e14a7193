import * as path from 'node:path';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createEvalActivities, createEvalJudgeActivities } from '../activities/eval/activities';
import { createFeatureActivities } from '../activities/features/activities';
import { createSemanticDedupActivities } from '../activities/features/semantic-dedup';
import { createOpenAiClientFactory, type LlmClientFactory } from '../activities/llm/client';
import { createGeneratorActivities } from '../activities/llm/generator-activities';
import { createCandidatePoolActivities } from '../activities/llm/candidate-pool';
import { createSeparatorActivities } from '../activities/llm/separator-activities';
import { createTaskActivities } from '../activities/llm/task-activities';
import { Semaphore } from '../activities/common/semaphore';
import { createSandboxActivities } from '../activities/sandbox/activities';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { createGenerateInputsActivities } from '../activities/sandbox/generate-inputs';
import type { Sandbox } from '../activities/sandbox/types';
import { createStoreActivities } from '../activities/store/activities';
import { ContentStore } from '../activities/store/content-store';
import { createTrainingActivities } from '../activities/training/activities';
import { createVerifyActivities } from '../activities/verify/activities';
import { createExtendTestsActivities } from '../activities/verify/extend-tests';
import { createQualityActivities } from '../activities/quality/activities';
import { REPO_ROOT, type WorkerEnv } from './env';

/** What a worker needs; tests override dependencies (LLM client, sandbox) and queues (via env). */
export interface WorkerDeps {
  connection: NativeConnection;
  env: WorkerEnv;
}

const WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows');

/** Workflows + LLM, feature, store and verification activities (the `synthsmith` queue). */
export function createOrchestratorWorker(deps: WorkerDeps & { clientFor?: LlmClientFactory; workflowBundle?: { code: string } }): Promise<Worker> {
  const store = ContentStore.open({ root: deps.env.dataDir, s3: deps.env.s3 });
  const clientFor = deps.clientFor ?? createOpenAiClientFactory();
  return Worker.create({
    connection: deps.connection,
    namespace: deps.env.namespace,
    taskQueue: deps.env.taskQueues.orchestrator,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createFeatureActivities({ store, clientFor }),
      // features.semanticDedup: runs the project's Python here, so orchestrator hosts need the venv when it is on.
      ...createSemanticDedupActivities({ store, python: deps.env.python, trainerDir: path.join(REPO_ROOT, 'trainer') }),
      ...createTaskActivities({ store, clientFor }),
      // writeGenerator, writeValidator and writeReference (the referenceWriter role).
      ...createGeneratorActivities({ store, clientFor }),
      // writeSeparatingInputs (the separator role): inputs aimed at two candidates' disagreement.
      ...createSeparatorActivities({ store, clientFor }),
      ...createCandidatePoolActivities({ store }),
      ...createStoreActivities({ store }),
      ...createVerifyActivities({ store }),
      ...createQualityActivities({ store }),
      ...createEvalActivities({ store, clientFor }),
    },
    // Nondeterminism fails the run visibly instead of retrying the workflow task forever.
    workflowFailureErrorTypes: { '*': ['DeterminismViolationError'] },
  });
}

/** Untrusted code execution (the `synthsmith-sandbox` queue): one activity slot, `sandboxSlots` runs inside it. */
export function createSandboxWorker(deps: WorkerDeps & { sandbox?: Sandbox }): Promise<Worker> {
  const store = ContentStore.open({ root: deps.env.dataDir, s3: deps.env.s3 });
  const sandbox = deps.sandbox ?? createBwrapSandbox();
  // One box per core across every activity of this worker, whatever mix of them runs at once.
  const boxes = new Semaphore(deps.env.sandboxSlots);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.env.namespace,
    taskQueue: deps.env.taskQueues.sandbox,
    activities: {
      ...createSandboxActivities({ store, sandbox, concurrency: deps.env.sandboxSlots, boxes }),
      // Test generators and validators are untrusted LLM code too: same engine, same slots.
      ...createGenerateInputsActivities({ store, sandbox, concurrency: deps.env.sandboxSlots, boxes }),
      // Verification's extra evidence (adaptive draws, separator inputs, the reference) runs programs: same slots.
      ...createExtendTestsActivities({ store, sandbox, concurrency: deps.env.sandboxSlots, boxes }),
      // Evaluation samples, judged by the same engine (its own instance, made on first use), holding every box permit.
      ...createEvalJudgeActivities({ store, sandbox: lazySandbox(deps.sandbox), concurrency: deps.env.sandboxSlots, boxes }),
    },
    // Boxes are capped at one per core by a semaphore shared by the activities (activities/sandbox/activities.ts);
    // a few activities at once let one task's store reads and writes overlap another's runs.
    maxConcurrentActivityTaskExecutions: 4 * deps.env.sandboxSlots,
  });
}

/** Training (the `synthsmith-gpu` queue): one job per GPU host at a time. */
export function createTrainerWorker(deps: WorkerDeps): Promise<Worker> {
  const store = ContentStore.open({ root: deps.env.dataDir, s3: deps.env.s3 });
  return Worker.create({
    connection: deps.connection,
    namespace: deps.env.namespace,
    taskQueue: deps.env.taskQueues.gpu,
    activities: createTrainingActivities({
      store,
      python: deps.env.python,
      trainerDir: path.join(REPO_ROOT, 'trainer'),
      judgeCommand: `${path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx')} ${path.join(REPO_ROOT, 'workers', 'judge-cli.ts')}`,
      judgeCwd: REPO_ROOT,
    }),
    maxConcurrentActivityTaskExecutions: 1,
  });
}

/** The given sandbox, or a bwrap one created when first needed (a worker that never evaluates never makes it). */
function lazySandbox(given: Sandbox | undefined): () => Sandbox {
  let sandbox = given;
  return () => (sandbox ??= createBwrapSandbox());
}
