import { execFile } from 'node:child_process';
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
});
