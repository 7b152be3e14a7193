import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOrchestratorWorker } from '../workers/create-workers';
import type { PipelineSummary } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

describe('statement filters in a run', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('discard filtered statements with the reason, before any candidate is sampled or executed', async () => {
    // No sandbox worker at all: a filtered task must never reach execution.
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const before = h.llm.requests.length;
    const summary = (await withWorkers([worker], () =>
      h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId: `filters-${Date.now()}`,
        args: [h.config({ tasks: { count: 5, minStatementTokens: 5000 }, training: { enabled: false } })],
      })
    )) as PipelineSummary;
    expect(summary.tasks).toMatchObject({ kept: 0, discarded: 4, failed: 1 });
    expect(summary.tasks.reasons).toEqual({ statement_filtered: 4, InvalidLlmOutput: 1 });
    const filtered = summary.tasks.outcomes.filter((o) => o.reason === 'statement_filtered');
    for (const o of filtered) expect(o.detail).toMatch(/too short: ~\d+ tokens < 5000/);
    expect(h.llm.requests.slice(before).some((r) => r.promptId === 'solve')).toBe(false);
    expect(summary.training).toEqual({ skipped: 'training.enabled is false' });
  });
});
