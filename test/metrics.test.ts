import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../workers/dev-server';
import { REPO_ROOT } from '../workers/env';
import { startHarness, type PipelineHarness } from './helpers/pipeline-harness';

describe('worker metrics', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('are scraped from the all-in-one worker over Prometheus: SDK metrics and SynthSmith counters', async () => {
    const port = await freePort();
    // The real entry point, as deployed: configuration through the environment only.
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'all.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: h.env.temporalAddress,
        SYNTHSMITH_DATA_DIR: h.env.dataDir,
        SYNTHSMITH_QUEUE_ORCHESTRATOR: h.env.taskQueues.orchestrator,
        SYNTHSMITH_QUEUE_SANDBOX: h.env.taskQueues.sandbox,
        SYNTHSMITH_QUEUE_GPU: h.env.taskQueues.gpu,
        SYNTHSMITH_METRICS_ADDRESS: `127.0.0.1:${port}`,
        SYNTHSMITH_LOG_LEVEL: 'WARN',
      },
      stdio: 'ignore',
    });
    try {
      await h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId: `metrics-${Date.now()}`,
        args: [h.config({ training: { enabled: false } })],
      });
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      // The SDK's own metrics (Rust core), tagged with the pool.
      expect(text).toMatch(/temporal_workflow_completed.*pool="orchestrator\+sandbox\+trainer"/);
      expect(text).toMatch(/temporal_activity_execution_latency/);
      // Ours: tasks by outcome (from workflow code), LLM calls and tokens, judge runs by verdict.
      expect(text).toMatch(/synthsmith_tasks\{[^}]*status="kept"[^}]*\} 2/);
      expect(text).toMatch(/synthsmith_tasks\{[^}]*reason="no_labelled_tests"[^}]*status="discarded"[^}]*\} 1/);
      expect(text).toMatch(/synthsmith_llm_requests\{[^}]*outcome="ok"[^}]*prompt="solve"/);
      expect(text).toMatch(/synthsmith_llm_tokens\{[^}]*kind="completion"/);
      // The judge's verdict mix (T3's candidates all fail: crashes and a time-out).
      expect(text).toMatch(/synthsmith_judge_runs\{[^}]*status="OK"[^}]*\} \d+/);
      expect(text).toMatch(/synthsmith_judge_runs\{[^}]*status="TLE"[^}]*\} \d+/);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});
