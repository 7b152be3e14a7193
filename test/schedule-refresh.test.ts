import { execFile } from 'node:child_process';
import { REPO_ROOT } from '../workers/env';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatasetManifest } from '../activities/store/datasets';
import { ContentStore } from '../activities/store/content-store';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import { temporalCliPath } from '../workers/dev-server';
import type { DataRefreshInput, DataRefreshResult } from '../workflows/data-refresh';
import { approveTrainingSignal } from '../workflows/data-refresh';
import { progressQuery } from '../workflows/messages';
import type { PipelineStage } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const exec = promisify(execFile);

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The nightly refresh as operators run it: a Schedule created, triggered and listed with the real Temporal
 * CLI; each refresh appends a new version of the named dataset; runs are found by search attributes; the
 * progress query answers while a run is in flight.
 */
describe('nightly data refresh on a Temporal Schedule', () => {
  let h: PipelineHarness;
  let cli: (...args: string[]) => Promise<string>;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    cli = async (...args) => (await exec(temporalCliPath(), [...args, '--address', h.env.temporalAddress])).stdout;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is created, triggered and listed with the temporal CLI, and each run appends a dataset version', async () => {
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker].map((f) => f({ connection: h.connection, env: h.env })));
    const scheduleId = `refresh-${path.basename(h.env.dataDir)}`;
    const dataset = `nightly-${path.basename(h.env.dataDir)}`;
    const input: DataRefreshInput = { config: { ...h.config(), runId: undefined, dataset: { name: dataset } }, trainWhenRecordsAtLeast: 1000 };
    const inputFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-schedule-')), 'refresh.json');
    await fs.writeFile(inputFile, JSON.stringify(input));

    await withWorkers(workers, async () => {
      await cli(
        'schedule', 'create',
        '--schedule-id', scheduleId,
        '--cron', '0 2 * * *',
        '--overlap-policy', 'Skip',
        '--workflow-id', scheduleId,
        '--task-queue', h.env.taskQueues.orchestrator,
        '--type', 'dataRefresh',
        '--input-file', inputFile
      );
      expect(await cli('schedule', 'list')).toContain(scheduleId);
      const described = JSON.parse(await cli('schedule', 'describe', '--schedule-id', scheduleId, '--output', 'json')) as {
        schedule: { policies: { overlapPolicy: string } };
      };
      expect(described.schedule.policies.overlapPolicy).toMatch(/SKIP/);

      const runOnce = async (previous: Set<string>): Promise<{ id: string; result: DataRefreshResult; stages: Set<PipelineStage> }> => {
        await cli('schedule', 'trigger', '--schedule-id', scheduleId, '--overlap-policy', 'AllowAll');
        const id = await waitFor(async () => {
          for await (const wf of h.client.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) {
            if (!previous.has(wf.workflowId)) return wf.workflowId;
          }
          return undefined;
        }, 'the scheduled run to appear');
        // The progress query answers while the synthesis child runs.
        const stages = new Set<PipelineStage>();
        const child = h.client.workflow.getHandle(`${id}/synthesize`);
        const polling = (async () => {
          for (let i = 0; i < 600; i++) {
            const p = await child.query(progressQuery).catch(() => undefined);
            if (p) stages.add(p.stage);
            if (p?.stage === 'done') return;
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        const result = (await h.client.workflow.getHandle(id).result()) as DataRefreshResult;
        await polling;
        return { id, result, stages };
      };

      const first = await runOnce(new Set());
      const second = await runOnce(new Set([first.id]));

      expect(first.result.synthesis.tasks.kept).toBe(2);
      expect(first.result.trainingDecision).toBe('below threshold');
      expect(first.stages.has('synthesizing tasks')).toBe(true);
      // Both refreshes appended to the same named dataset: the second version's parent is the first.
      const store = new ContentStore(h.env.dataDir);
      const v2 = await store.getJson<DatasetManifest>(second.result.synthesis.datasets!.manifestKey);
      expect(v2.parent).toBe(first.result.synthesis.datasets!.manifestKey);
      expect(await store.readRef(`dataset-${dataset}`)).toBe(second.result.synthesis.datasets!.manifestKey);
      expect(v2.stats.tasks).toBeGreaterThanOrEqual(2);

      // Runs are found by search attributes, with the CLI as an operator would.
      const listed = await cli(
        'workflow', 'list', '--output', 'json',
        '--query', `SynthsmithRunId = '${second.result.runId}' AND SynthsmithOutcome = 'completed' AND SynthsmithTasksKept >= 2`
      );
      expect(listed).toContain(`${second.id}/synthesize`);
      const versionQuery = `SynthsmithDatasetVersion = '${second.result.synthesis.datasets!.manifestKey.slice(7, 23)}'`;
      expect(await cli('workflow', 'list', '--output', 'json', '--query', versionQuery)).toContain(`${second.id}/synthesize`);

      await cli('schedule', 'delete', '--schedule-id', scheduleId);
      expect(await cli('schedule', 'list')).not.toContain(scheduleId);
    });
  });
  it('is managed with the project command: create, pause, update, backfill, describe, delete', async () => {
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker].map((f) => f({ connection: h.connection, env: h.env })));
    const scheduleId = `project-${path.basename(h.env.dataDir)}`;
    const configFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-schedule-')), 'pipeline.json');
    await fs.writeFile(configFile, JSON.stringify({ ...h.config(), runId: undefined, dataset: { name: scheduleId } }));
    const project = async (...args: string[]) =>
      (
        await exec(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'schedule.ts'), ...args, '--schedule-id', scheduleId], {
          cwd: REPO_ROOT,
          env: { ...process.env, TEMPORAL_ADDRESS: h.env.temporalAddress, SYNTHSMITH_QUEUE_ORCHESTRATOR: h.env.taskQueues.orchestrator },
        })
      ).stdout;
    const describeIt = async () => JSON.parse(await project('describe')) as { paused: boolean; note?: string; spec: unknown };

    await project('create', '--config', configFile, '--cron', '0 3 * * *');
    expect(await describeIt()).toMatchObject({ paused: false });
    await project('pause', '--note', 'endpoint maintenance');
    expect(await describeIt()).toMatchObject({ paused: true, note: 'endpoint maintenance' });
    await project('unpause');
    await project('update', '--config', configFile, '--cron', '30 4 * * *');
    expect(JSON.stringify((await describeIt()).spec)).toMatch(/30|4/);

    // Backfilling the night of 2026-01-02 starts exactly the run that would have happened then.
    await withWorkers(workers, async () => {
      await project('backfill', '--from', '2026-01-02T00:00:00Z', '--to', '2026-01-02T23:59:59Z');
      const id = await waitFor(async () => {
        for await (const wf of h.client.workflow.list({ query: `TemporalScheduledById = '${scheduleId}'` })) return wf.workflowId;
        return undefined;
      }, 'the backfilled run');
      expect(id).toContain('2026-01-02T04:30:00Z');
      const result = (await h.client.workflow.getHandle(id).result()) as DataRefreshResult;
      expect(result.synthesis.tasks.kept).toBe(2);
    });
    await project('delete');
    await expect(project('describe')).rejects.toThrow();
  });

  it('waits for approval before training, and a rejection skips training', async () => {
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker].map((f) => f({ connection: h.connection, env: h.env })));
    const input: DataRefreshInput = { config: { ...h.config(), runId: undefined }, trainWhenRecordsAtLeast: 1, requireApproval: true };
    const result = await withWorkers(workers, async () => {
      const handle = await h.client.workflow.start('dataRefresh', { taskQueue: h.env.taskQueues.orchestrator, workflowId: `approval-${Date.now()}`, args: [input] });
      // The signal may arrive before the workflow reaches the wait: it is kept in history and applied then.
      await waitFor(async () => ((await handle.describe()).status.name === 'RUNNING' ? true : undefined), 'the run to start');
      await handle.signal(approveTrainingSignal, false);
      return (await handle.result()) as DataRefreshResult;
    });
    expect(result.trainingDecision).toBe('rejected');
    expect(result.training).toBeUndefined();
  });
});
