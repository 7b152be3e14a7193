import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContentStore } from '../activities/store/content-store';
import { createTrainerWorker } from '../workers/create-workers';
import { REPO_ROOT } from '../workers/env';
import type { PipelineConfigInput } from '../workflows/config';
import type { PipelineSummary } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const DATA = path.join(REPO_ROOT, 'trainer', 'tests', 'data');
type Training = NonNullable<PipelineSummary['training']>;

/** PIDs of trainer processes writing under `dir` (found by their --output-dir argument). */
function trainerPids(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv.includes('synthsmith_trainer.sft') || argv.includes('synthsmith_trainer.grpo') ? argv.some((a) => a.startsWith(dir)) : false;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The real trainer worker (Temporal worker on the GPU queue → Python trainer on the tiny preset, CPU) driven by
 * the `trainModel` workflow, the way the pipeline and the refresh run it.
 */
describe('trainer worker (tiny preset, CPU)', () => {
  let h: PipelineHarness;
  let keys: { sftKey: string; rlKey: string };

  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    const store = new ContentStore(h.env.dataDir);
    keys = {
      sftKey: await store.putBytes(await fs.readFile(path.join(DATA, 'sft_tiny.jsonl'))),
      rlKey: await store.putBytes(await fs.readFile(path.join(DATA, 'rl_tiny.jsonl'))),
    };
  });

  afterAll(async () => {
    await h?.close();
  });

  const start = (training: PipelineConfigInput['training']) => {
    const config = h.config({ training: { heartbeatTimeout: '30s', ...training } });
    const runId = config.runId!;
    const handle = h.client.workflow.start('trainModel', {
      taskQueue: h.env.taskQueues.orchestrator,
      workflowId: `train/${runId}`,
      args: [{ config, runId, ...keys }],
    });
    return { runId, outDir: path.join(h.env.dataDir, 'runs', runId, 'checkpoints'), handle };
  };

  const workers = async () => {
    const { createOrchestratorWorker } = await import('../workers/create-workers');
    return Promise.all([createOrchestratorWorker, createTrainerWorker].map((f) => f({ connection: h.connection, env: h.env })));
  };

  it('runs SFT then GRPO steps: finite loss, checkpoints on disk and in the store, no GPU reported', async () => {
    const { outDir, handle } = start({ sft: { maxSteps: 12 }, rl: { maxSteps: 2, numGenerations: 2, maxNewTokens: 48 }, saveEvery: 6 });
    const result = await withWorkers(await workers(), async () => (await handle).result() as Promise<Training>);
    const { sft, rl } = result;
    expect(sft).toMatchObject({ kind: 'sft', steps: 12, resumedFromStep: 0, gpu: { gpus: 'none' } });
    expect(Number.isFinite(sft!.metrics.first_loss) && Number.isFinite(sft!.metrics.last_loss)).toBe(true);
    expect(sft!.metrics.last_loss).toBeLessThan(sft!.metrics.first_loss!);
    expect(rl).toMatchObject({ kind: 'grpo', steps: 2 });
    expect(Number.isFinite(rl!.metrics.last_reward_mean)).toBe(true);
    for (const kind of ['sft', 'grpo']) {
      const dirs = readdirSync(path.join(outDir, kind)).filter((d) => d.startsWith('checkpoint-') || d === 'final');
      expect(dirs.length).toBeGreaterThanOrEqual(2);
    }
    await fs.access(path.join(sft!.checkpointDir, 'config.json'));
    // final/ is addressable: a worker elsewhere materialises it from the manifest key.
    const manifest = await new ContentStore(h.env.dataDir).getJson<{ files: { path: string }[] }>(sft!.checkpointKey!);
    expect(manifest.files.map((f) => f.path)).toContain('model.safetensors');
  }, 240_000);

  it('resumes from its checkpoint after the trainer is killed mid-run, and advances', async () => {
    const { outDir, handle } = start({ sft: { maxSteps: 16 }, rl: { maxSteps: 0 }, saveEvery: 4 });
    const result = await withWorkers(await workers(), async () => {
      const h2 = await handle;
      await waitFor('checkpoint-4', async () => (await fs.stat(path.join(outDir, 'sft', 'checkpoint-4', 'trainer_state.json')).catch(() => undefined)) ? true : undefined);
      const pids = trainerPids(path.join(outDir, 'sft'));
      expect(pids).toHaveLength(1);
      process.kill(pids[0]!, 'SIGKILL'); // a crash, not a clean stop: the activity fails and is retried
      return h2.result() as Promise<Training>;
    });
    expect(result.sft!.resumedFromStep).toBeGreaterThanOrEqual(4);
    expect(result.sft!.steps).toBe(16);
  }, 240_000);

  it('cancellation stops the trainer cleanly', async () => {
    const { outDir, handle } = start({ sft: { maxSteps: 1000 }, rl: { maxSteps: 0 }, saveEvery: 500, heartbeatTimeout: '5s' });
    await withWorkers(await workers(), async () => {
      const h2 = await handle;
      const pid = await waitFor('the trainer', () => trainerPids(path.join(outDir, 'sft'))[0]);
      await new Promise((r) => setTimeout(r, 1000));
      await h2.cancel();
      await expect(h2.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      await waitFor('the trainer to exit', () => (trainerPids(path.join(outDir, 'sft')).includes(pid) ? undefined : true), 30_000);
    });
  }, 240_000);
});
