import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOrchestratorWorker } from '../workers/create-workers';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

describe('an invalid pipeline config', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fails the run at once, non-retryably, naming each bad field, before any activity runs', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const config = { ...h.config(), solutions: { candidates: 0 }, llm: { baseURL: 'nowhere', model: 'm' } };
    const workflowId = `invalid-config-${Date.now()}`;
    const started = Date.now();
    const error = await withWorkers([worker], () =>
      h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId, args: [config] }).then(
        () => undefined,
        (err: unknown) => err
      )
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('InvalidConfig');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause?.message).toContain('solutions.candidates');
    expect(cause?.message).toContain('llm.baseURL');

    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
    expect(scheduled).toHaveLength(0);
    // One workflow task, then failure: no retry loop.
    expect(history.events?.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
  });
});
