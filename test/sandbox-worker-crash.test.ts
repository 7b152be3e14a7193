import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOrchestratorWorker } from '../workers/create-workers';
import { REPO_ROOT } from '../workers/env';
import type { PipelineSummary } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

/**
 * The sandbox worker as its own OS process, as in production, so the test can SIGKILL it. Node itself loads
 * tsx (the tsx CLI would be a wrapper process, and killing the wrapper leaves the worker running).
 */
function startSandboxWorker(h: PipelineHarness): ChildProcess & { output: () => string; clear: () => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'sandbox.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.env.temporalAddress,
      SYNTHSMITH_DATA_DIR: h.env.dataDir,
      SYNTHSMITH_QUEUE_SANDBOX: h.env.taskQueues.sandbox,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output, clear: () => void (output = '') });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the sandbox worker killed in the middle of a run', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is replaced, the run completes, and the datasets are the same as an undisturbed run', async () => {
    const orchestrator = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const config = h.config({ training: { enabled: false }, sandbox: { timeLimitMs: 1000, memoryMb: 256, heartbeatTimeout: '3s' } });
    const start = (workflowId: string) =>
      h.client.workflow.start('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId, args: [{ ...config, runId: workflowId }] });

    const first = startSandboxWorker(h);
    let second: ReturnType<typeof startSandboxWorker> | undefined;
    try {
      const [baseline, disturbed] = await withWorkers([orchestrator], async () => {
        const baseline = (await (await start(`crash-baseline-${Date.now()}`)).result()) as PipelineSummary;
        first.clear();
        const handle = await start(`crash-disturbed-${Date.now()}`);
        await waitFor(() => first.output().includes('executing candidates'), 'the sandbox worker to start executing');
        first.kill('SIGKILL');
        second = startSandboxWorker(h);
        const disturbed = (await handle.result()) as PipelineSummary;
        return [baseline, disturbed];
      });

      expect(disturbed.tasks).toMatchObject({ kept: baseline.tasks.kept, discarded: baseline.tasks.discarded, failed: baseline.tasks.failed });
      expect(disturbed.tasks.reasons).toEqual(baseline.tasks.reasons);
      expect(baseline.tasks.kept).toBeGreaterThan(0);
      // Content-addressed: the same bytes give the same key.
      expect(disturbed.datasets!.sftKey).toBe(baseline.datasets!.sftKey);
      expect(disturbed.datasets!.rlKey).toBe(baseline.datasets!.rlKey);

      // The kill really hit an activity in flight: some execution needed a second attempt.
      const attempts: number[] = [];
      for (const o of disturbed.tasks.outcomes) {
        const history = await h.client.workflow.getHandle(`${disturbed.runId}/task-${o.index}`).fetchHistory().catch(() => undefined);
        for (const e of history?.events ?? []) if (e.activityTaskStartedEventAttributes) attempts.push(e.activityTaskStartedEventAttributes.attempt ?? 1);
      }
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
    }
  });
});
