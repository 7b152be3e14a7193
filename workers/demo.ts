/**
 * `npm run demo`: the whole SynthSmith pipeline on one machine with the embedded defaults.
 *
 * Starts a Temporal dev server (SQLite under .data/, Web UI on), the replay LLM provider (recorded answers,
 * not a model), all three workers in this process, then runs `synthSmithPipeline` on the bundled corpus,
 * printing progress, the Web UI link to the run, and the summary with where the datasets and checkpoints are.
 *
 * Flags: --keep-open (leave the server and Web UI up until Ctrl-C). TEMPORAL_ADDRESS uses an existing server.
 */
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { progressQuery } from '../workflows/messages';
import type { PipelineConfigInput } from '../workflows/config';
import type { PipelineProgress, PipelineSummary } from '../workflows/types';
import { createOrchestratorWorker, createSandboxWorker, createTrainerWorker } from './create-workers';
import { startDevServer, type DevServer } from './dev-server';
import { readWorkerEnv, REPO_ROOT } from './env';
import { loadReplayCorpus } from './replay-llm/corpus';
import { ReplayLlmServer } from './replay-llm/server';

const DEMO_DIR = path.join(REPO_ROOT, 'workers', 'demo-data');

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer().once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function describeProgress(p: PipelineProgress): string {
  const seeds = `seeds ${p.seeds.extracted}/${p.seeds.total}${p.seeds.failed ? ` (${p.seeds.failed} failed)` : ''}`;
  const t = p.tasks;
  const tasks = t.total ? ` · tasks ${t.finished}/${t.total} (kept ${t.kept}, discarded ${t.discarded}, failed ${t.failed})` : '';
  return `[${p.stage}] ${seeds}${tasks}`;
}

function printSummary(s: PipelineSummary): void {
  const line = (label: string, value: unknown): void => console.log(`  ${label.padEnd(22)} ${String(value)}`);
  console.log('\n=== SynthSmith run summary ===');
  line('run', s.runId);
  line('seeds', `${s.seeds.loaded} loaded, ${s.seeds.extracted} extracted, ${s.seeds.rejected} rejected lines`);
  line('features', `${s.features.base.leafCount} extracted → ${s.features.evolved.leafCount} after evolution; ${s.features.subtrees} subtrees sampled`);
  line('tasks', `${s.tasks.requested} requested: ${s.tasks.kept} kept, ${s.tasks.discarded} discarded, ${s.tasks.failed} failed`);
  line('LLM usage', `${s.usage.total.requests} requests, ${s.usage.total.promptTokens} prompt + ${s.usage.total.completionTokens} completion tokens`);
  for (const o of s.tasks.outcomes) {
    const detail = o.status === 'kept' ? `golden = candidate ${o.goldenIndex}` : `${o.stage}: ${o.reason}`;
    line(`  task ${o.index}`, `${o.status.padEnd(9)} ${o.taskId ?? '(no statement)'} ${o.style ?? ''} · ${detail}`);
  }
  if (s.datasets) {
    line('SFT dataset', `${s.datasets.sftRecords} records  ${s.datasets.paths.sft}`);
    line('RL dataset', `${s.datasets.rlRecords} records  ${s.datasets.paths.rl}`);
    if (s.datasets.paths.rlParquet) line('RL (verl Parquet)', s.datasets.paths.rlParquet);
    if (s.datasets.paths.dataCard) line('data card', s.datasets.paths.dataCard);
    line('manifest', s.datasets.paths.manifest);
  }
  if (s.quality) line('quality report', `${s.quality.contaminated} contaminated, ${s.quality.nearDuplicates} near-duplicates removed  ${s.quality.reportPath}`);
  if (s.training?.sft) line('SFT checkpoint', `${s.training.sft.checkpointDir}  ${JSON.stringify(s.training.sft.metrics)}`);
  if (s.training?.rl) line('RL checkpoint', `${s.training.rl.checkpointDir}  ${JSON.stringify(s.training.rl.metrics)}`);
  if (s.training?.skipped) line('training', `skipped: ${s.training.skipped}`);
}

async function run(): Promise<void> {
  // The demo prints its own progress and every task's fate; the SDK's per-attempt warnings would bury it.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const keepOpen = process.argv.includes('--keep-open');
  const env = readWorkerEnv();
  await fs.mkdir(env.dataDir, { recursive: true });

  let server: DevServer | undefined;
  let uiUrl = process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
  if (!process.env.TEMPORAL_ADDRESS) {
    const port = (await portIsFree(7233)) ? 7233 : undefined;
    const uiPort = (await portIsFree(8233)) ? 8233 : undefined;
    console.log(`starting the Temporal dev server (state in ${path.join(env.dataDir, 'temporal.db')}) ...`);
    server = await startDevServer({ port, uiPort, headless: false, dbFile: path.join(env.dataDir, 'temporal.db') });
    env.temporalAddress = server.address;
    uiUrl = server.uiUrl ?? uiUrl;
  }

  const corpusPath = path.join(DEMO_DIR, 'replay-corpus.json');
  const llm = await ReplayLlmServer.start({ corpus: await loadReplayCorpus(corpusPath) });
  console.log(`LLM: replay provider at ${llm.baseURL}, answering from the recorded corpus ${path.relative(REPO_ROOT, corpusPath)} (not a model)`);

  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker, createTrainerWorker].map((f) => f({ connection, env })));
  const running = workers.map((w) => w.run());
  const clientConnection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection: clientConnection });

  try {
    const demo = JSON.parse(await fs.readFile(path.join(DEMO_DIR, 'pipeline.json'), 'utf8')) as PipelineConfigInput;
    const workflowId = `synthsmith-demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const config: PipelineConfigInput = {
      ...demo,
      runId: workflowId,
      seedsPath: path.resolve(REPO_ROOT, demo.seedsPath),
      llm: { ...demo.llm, baseURL: llm.baseURL },
    };
    const handle = await client.workflow.start('synthSmithPipeline', {
      taskQueue: env.taskQueues.orchestrator,
      workflowId,
      args: [config],
      staticSummary: 'SynthSmith demo run (replay LLM provider)',
    });
    console.log(`run started: ${workflowId}`);
    console.log(`Web UI: ${uiUrl}/namespaces/${env.namespace}/workflows/${encodeURIComponent(workflowId)}`);

    let last = '';
    const poll = setInterval(() => {
      handle
        .query(progressQuery)
        .then((p) => {
          const text = describeProgress(p);
          if (text !== last) console.log(`  ${(last = text)}`);
        })
        .catch(() => undefined);
    }, 1000);
    const summary = await handle.result().finally(() => clearInterval(poll));
    printSummary(summary);
    console.log(`\nWeb UI for this run: ${uiUrl}/namespaces/${env.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    if (keepOpen && server) {
      console.log('--keep-open: the Temporal server and Web UI stay up; press Ctrl-C to stop.');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    } else if (server) {
      console.log(`(the server stops now; its state stays in ${path.join(env.dataDir, 'temporal.db')}: \`npm run demo -- --keep-open\` keeps the UI up)`);
    }
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
    await clientConnection.close();
    await connection.close();
    await llm.close();
    await server?.stop();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
