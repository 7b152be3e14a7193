import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContentStore } from '../activities/store/content-store';
import type { DatasetManifest } from '../activities/store/datasets';
import { loadReplayCorpus } from '../workers/replay-llm/corpus';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import type { PipelineSummary, QualityReport, SynthesizeBatchResult, TaskOutcome } from '../workflows/types';
import { DEMO_CORPUS_PATH, startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

describe('decontamination and near-duplicate removal in a run', () => {
  let h: PipelineHarness;
  let lantern: string;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    lantern = (await loadReplayCorpus(DEMO_CORPUS_PATH)).tasks.find((t) => t.id === 'lantern-rows')!.statement.question;
  });
  afterAll(async () => {
    await h?.close();
  });

  const run = async (workflowId: string, tasks: Record<string, unknown>): Promise<PipelineSummary> => {
    const orchestrator = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const sandbox = await createSandboxWorker({ connection: h.connection, env: h.env });
    return (await withWorkers([orchestrator, sandbox], () =>
      h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId,
        args: [h.config({ tasks: { count: 5, concurrency: 5, ...tasks }, training: { enabled: false } })],
      })
    )) as PipelineSummary;
  };

  it('discard a task whose statement is in the benchmark before any candidate or test is asked for, and keep the others', async () => {
    // A LiveCodeBench record of another problem, and the lantern task lightly edited, as a benchmark would hold it.
    const lcb = (await fs.readFile(path.join(__dirname, 'fixtures', 'lcb', 'mini.jsonl'), 'utf8')).split('\n')[0]!;
    const edited = lantern.replace('night market', 'evening fair').replace('banners', 'flags');
    const benchmarkPath = path.join(h.env.dataDir, 'benchmark.jsonl');
    await fs.writeFile(benchmarkPath, `${lcb}\n${JSON.stringify({ id: 'bench-lantern', text: edited })}\n`);
    const before = h.llm.requests.length;

    const summary = await run(`decontaminate-${Date.now()}`, { decontamination: { benchmarkPath } });

    const requests = h.llm.requests.slice(before);
    const about = (task: string) => requests.filter((r) => r.matched === `task:${task}`).map((r) => r.promptId);
    expect(about('lantern-rows')).toEqual(['select-features', 'write-statement']);
    expect(about('exact-postage')).toEqual(expect.arrayContaining(['solve', 'write-tests']));

    const contaminated = summary.tasks.outcomes.filter((o) => o.reason === 'contaminated');
    expect(contaminated).toHaveLength(1);
    expect(contaminated[0]).toMatchObject({ status: 'discarded', stage: 'statement' });
    expect(contaminated[0]!.detail).toMatch(/^benchmark problem bench-lantern holds (8|9)\d\.\d% of the statement's word 13-grams \(\d+\/\d+\)$/);
    expect(contaminated[0]!.lineage.candidatesKey).toBeUndefined();
    expect(summary.tasks).toMatchObject({ kept: 1, discarded: 3, failed: 1 });
    expect(summary.tasks.reasons).toMatchObject({ contaminated: 1 });
    expect(summary.datasets?.sftRecords).toBe(1);

    expect(summary.quality).toMatchObject({ contaminated: 1, nearDuplicates: 0, benchmark: { path: benchmarkPath, problems: 2, ngram: 13, rejectedLines: 0 } });
    const store = new ContentStore(h.env.dataDir);
    const report = await store.getJson<QualityReport>(summary.quality!.reportKey);
    expect(report.removals).toEqual([{ index: contaminated[0]!.index, taskId: contaminated[0]!.taskId, reason: 'contaminated', detail: contaminated[0]!.detail }]);
    expect(report.decontamination).toMatchObject({ benchmarkPath, ngram: 13, threshold: 0.5 });
    expect(JSON.parse(await fs.readFile(summary.quality!.reportPath, 'utf8'))).toEqual(report);
  });

  it('remove a repeated statement as a near-duplicate of the earlier task, before the export', async () => {
    // The replay corpus hands out its tasks in turn: past its end, statements come again, with the same task ID.
    const workflowId = `near-duplicates-${Date.now()}`;
    const summary = await run(workflowId, { count: 8 });

    const byTaskId = new Map<string, TaskOutcome[]>();
    for (const o of summary.tasks.outcomes) if (o.taskId) byTaskId.set(o.taskId, [...(byTaskId.get(o.taskId) ?? []), o]);
    const repeated = [...byTaskId.values()].filter((os) => os.length === 2 && os.some((o) => o.status === 'kept'));
    expect(repeated).toHaveLength(2); // the lantern and postage tasks, both verified twice
    for (const [first, second] of repeated.map((os) => [...os].sort((a, b) => a.index - b.index))) {
      expect(first).toMatchObject({ status: 'kept' });
      expect(second).toMatchObject({ status: 'discarded', stage: 'dedup', reason: 'near_duplicate', goldenIndex: first!.goldenIndex });
      expect(second!.detail).toBe(`identical statement to kept task ${first!.taskId} (task ${first!.index}) after normalisation: similarity 1`);
    }

    // The batch had kept both copies; the run's counts, reasons and dataset are after the removal.
    const batch = (await h.client.workflow.getHandle(`${workflowId}/batch-0`).result()) as SynthesizeBatchResult;
    expect(batch.kept).toBe(summary.tasks.kept + 2);
    expect(summary.tasks.reasons.near_duplicate).toBe(2);
    expect(summary.tasks.kept).toBe(new Set(summary.tasks.outcomes.filter((o) => o.status === 'kept').map((o) => o.taskId)).size);
    expect(summary.tasks.kept + summary.tasks.discarded + summary.tasks.failed).toBe(summary.tasks.outcomes.length);
    expect(summary.datasets?.sftRecords).toBe(summary.tasks.kept);
    expect(summary.quality).toMatchObject({ contaminated: 0, nearDuplicates: 2 });

    const store = new ContentStore(h.env.dataDir);
    const report = await store.getJson<QualityReport>(summary.quality!.reportKey);
    expect(report.removals.map((r) => [r.reason, r.keptTaskId === r.taskId, r.similarity])).toEqual([
      ['near_duplicate', true, 1],
      ['near_duplicate', true, 1],
    ]);
    expect(report).toMatchObject({ checked: summary.tasks.kept + 2, kept: summary.tasks.kept, nearDuplicates: { enabled: true, ngram: 5, threshold: 0.7 } });
    // The export read the deduplicated blobs: the manifest lists the removed copies among the discards.
    const stored = (await Promise.all(summary.tasks.outcomesKeys.map((k) => store.getJson<TaskOutcome[]>(k)))).flat();
    expect(stored.filter((o) => o.reason === 'near_duplicate')).toHaveLength(2);
    const manifest = await store.getJson<DatasetManifest>(summary.datasets!.manifestKey);
    expect(manifest.discarded.filter((d) => d.reason === 'near_duplicate').map((d) => d.index).sort()).toEqual(repeated.map((os) => Math.max(...os.map((o) => o.index))).sort());
    expect(await fs.readFile(summary.datasets!.paths.dataCard!, 'utf8')).toContain('Removed before export: 0 contaminated');
  });

  it('fail the run at once, naming the field, when the benchmark file cannot be read', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const before = h.llm.requests.length;
    const missing = path.join(h.env.dataDir, 'no-such-benchmark.jsonl');
    const failure = await withWorkers([worker], () =>
      h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId: `benchmark-missing-${Date.now()}`,
        args: [h.config({ tasks: { count: 5, decontamination: { benchmarkPath: missing } }, training: { enabled: false } })],
      })
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const activity = (failure as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    const cause = (activity as ActivityFailure).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'InvalidConfig', nonRetryable: true });
    expect(cause?.message).toContain(`tasks.decontamination.benchmarkPath: cannot read ${missing}`);
    expect(h.llm.requests.length).toBe(before);
  });
});
