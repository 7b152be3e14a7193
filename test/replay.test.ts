import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOrchestratorWorker } from '../workers/create-workers';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const WORKFLOWS = path.join(__dirname, '..', 'workflows');
const FIXTURES = path.join(__dirname, 'fixtures', 'histories');

/**
 * Determinism guard. Changing the order or kind of commands a workflow issues breaks runs already in flight;
 * replaying real histories against the current code catches that before deploy (use patched() for changes).
 * The committed fixtures were recorded by earlier versions; fresh histories are recorded by this run.
 */
describe('workflow replay', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replays a fresh run (pipeline, batch and task children) against the current workflow code', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const workflowId = `replay-${Date.now()}`;
    await withWorkers([worker], () =>
      h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId,
        args: [h.config({ tasks: { count: 5, minStatementTokens: 5000 }, training: { enabled: false } })],
      })
    );
    const ids = [workflowId, `${workflowId}/batch-0`, ...[0, 1, 2, 3, 4].map((i) => `${workflowId}/task-${i}`)];
    for (const id of ids) {
      const history = await h.client.workflow.getHandle(id).fetchHistory();
      // Child workflow IDs derive from the parent's ID, so the replay must use the recorded one.
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS, replayName: id }, history, id);
    }
    if (process.env.SYNTHSMITH_RECORD_HISTORIES) {
      await fs.mkdir(FIXTURES, { recursive: true });
      const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
      const fixture = { workflowId, history: JSON.parse(historyToJSON(history)) as unknown };
      await fs.writeFile(path.join(FIXTURES, 'pipeline-filtered.json'), JSON.stringify(fixture));
    }
  });

  it('replays the committed histories of earlier versions', async () => {
    const files = existsSync(FIXTURES) ? (await fs.readdir(FIXTURES)).filter((f) => f.endsWith('.json')) : [];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const { workflowId, history } = JSON.parse(await fs.readFile(path.join(FIXTURES, file), 'utf8')) as { workflowId: string; history: unknown };
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS, replayName: file }, history, workflowId);
    }
  });
});
