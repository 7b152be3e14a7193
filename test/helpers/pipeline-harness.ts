import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { readWorkerEnv, REPO_ROOT, type WorkerEnv } from '../../workers/env';
import { loadReplayCorpus } from '../../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../../workers/replay-llm/server';
import type { PipelineConfigInput } from '../../workflows/config';
import type { PipelineSummary } from '../../workflows/types';
import { createOrchestratorWorker, createSandboxWorker } from '../../workers/create-workers';

export const DEMO_CONFIG_PATH = path.join(REPO_ROOT, 'workers', 'demo-data', 'pipeline.json');
export const DEMO_CORPUS_PATH = path.join(REPO_ROOT, 'workers', 'demo-data', 'replay-corpus.json');

/**
 * Everything a pipeline test needs on a real dev server: a client, the replay LLM on loopback, a fresh data
 * directory, and task queues unique to the test so parallel test files never steal each other's tasks.
 */
export interface PipelineHarness {
  client: Client;
  connection: NativeConnection;
  env: WorkerEnv;
  llm: ReplayLlmServer;
  /** The demo config pointed at this harness (replay URL, absolute seeds path, the test's queues). */
  config(overrides?: Partial<PipelineConfigInput>): PipelineConfigInput;
  /** One pipeline run to completion on fresh workers: the orchestrator, plus the sandbox unless `sandbox: false`. */
  runPipeline(workflowId: string, config: PipelineConfigInput, opts?: { sandbox?: boolean }): Promise<PipelineSummary>;
  close(): Promise<void>;
}

export async function startHarness(address: string): Promise<PipelineHarness> {
  const id = randomUUID().slice(0, 8);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-test-'));
  const env: WorkerEnv = {
    ...readWorkerEnv({ ...process.env, SYNTHSMITH_DATA_DIR: dataDir }),
    temporalAddress: address,
    taskQueues: { orchestrator: `test-${id}`, sandbox: `test-${id}-sandbox`, gpu: `test-${id}-gpu` },
  };
  const llm = await ReplayLlmServer.start({ corpus: await loadReplayCorpus(DEMO_CORPUS_PATH) });
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const demo = JSON.parse(await fs.readFile(DEMO_CONFIG_PATH, 'utf8')) as PipelineConfigInput;
  return {
    client,
    connection,
    env,
    llm,
    config: (overrides = {}) => ({
      ...demo,
      runId: `test-${id}-${randomUUID().slice(0, 6)}`,
      seedsPath: path.resolve(REPO_ROOT, demo.seedsPath),
      llm: { ...demo.llm, baseURL: llm.baseURL },
      taskQueues: { sandbox: env.taskQueues.sandbox, gpu: env.taskQueues.gpu },
      ...overrides,
    }),
    runPipeline: async (workflowId, config, opts = {}) => {
      const workers = [await createOrchestratorWorker({ connection, env })];
      if (opts.sandbox !== false) workers.push(await createSandboxWorker({ connection, env }));
      return withWorkers(workers, () =>
        client.workflow.execute('synthSmithPipeline', { taskQueue: env.taskQueues.orchestrator, workflowId, args: [config] })
      ) as Promise<PipelineSummary>;
    },
    close: async () => {
      await llm.close();
      await connection.close();
      await clientConnection.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the workers until fn settles, then shuts them down (the samples' `worker.runUntil`, for several). */
export async function withWorkers<T>(workers: Worker[], fn: () => Promise<T>): Promise<T> {
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
  }
}
