/**
 * Follows a pipeline run with a progress bar, then prints its final report:
 *   npm run follow -- <workflowId>
 * Reads the `progress` query (no history scan), so it is cheap to leave running.
 */
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { progressQuery } from '../workflows/messages';
import type { PipelineProgress, PipelineSummary } from '../workflows/types';
import { readWorkerEnv } from './env';

export function progressBar(p: PipelineProgress, width = 30): string {
  const t = p.tasks;
  const fraction = t.total ? t.finished / t.total : 0;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${t.finished}/${t.total} tasks · kept ${t.kept} · discarded ${t.discarded} · failed ${t.failed} · ${p.stage}`;
}

export function finalReport(s: PipelineSummary): string {
  const lines = [
    `run ${s.runId}: ${s.tasks.kept} kept, ${s.tasks.discarded} discarded, ${s.tasks.failed} failed of ${s.tasks.requested} requested`,
    ...Object.entries(s.tasks.reasons).map(([reason, n]) => `  ${n} × ${reason}`),
  ];
  if (s.datasets) lines.push(`SFT ${s.datasets.paths.sft}`, `RL  ${s.datasets.paths.rl}`);
  if (s.training?.sft) lines.push(`SFT checkpoint ${s.training.sft.checkpointDir}`);
  if (s.training?.rl) lines.push(`RL checkpoint  ${s.training.rl.checkpointDir}`);
  return lines.join('\n');
}

async function run(): Promise<void> {
  const workflowId = process.argv[2];
  if (!workflowId) throw new Error('usage: follow <workflowId>');
  const env = readWorkerEnv();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.namespace });
  const handle = client.workflow.getHandle(workflowId);
  const tty = process.stdout.isTTY;
  let last = '';
  const timer = setInterval(() => {
    handle
      .query(progressQuery)
      .then((p) => {
        const line = progressBar(p);
        if (line === last) return;
        last = line;
        process.stdout.write(tty ? `\r${line}` : `${line}\n`);
      })
      .catch(() => undefined);
  }, 1000);
  try {
    const summary = (await handle.result()) as PipelineSummary;
    process.stdout.write(tty ? '\n' : '');
    console.log(finalReport(summary));
  } catch (err) {
    if (err instanceof WorkflowFailedError) throw new Error(`run ${workflowId} failed: ${err.cause?.message ?? err.message}`);
    throw err;
  } finally {
    clearInterval(timer);
    await connection.close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
