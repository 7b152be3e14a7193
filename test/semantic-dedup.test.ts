import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SemanticDedupReport } from '../activities/features/semantic-dedup';
import type { FeatureTree } from '../activities/features/feature-tree';
import { ContentStore } from '../activities/store/content-store';
import { createOrchestratorWorker } from '../workers/create-workers';
import { describeConfigError, PipelineConfigSchema } from '../workflows/config';
import type { PipelineSummary } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

/** Every feature of a tree as "category/…/feature" (list items and empty-list keys alike). */
function leaves(tree: FeatureTree | string[], prefix = ''): string[] {
  if (Array.isArray(tree)) return tree.map((f) => `${prefix}${f}`);
  return Object.entries(tree).flatMap(([k, v]) => (Array.isArray(v) && v.length === 0 ? [`${prefix}${k}`] : leaves(v, `${prefix}${k}/`)));
}

function rootCause(err: unknown): unknown {
  let e = err as { cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as { cause?: unknown };
  return e;
}

describe('semantic de-duplication of features (features.semanticDedup)', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is off by default and validates its threshold, naming the field', () => {
    const base = { seedsPath: 's.jsonl', llm: { baseURL: 'http://x/v1', model: 'm' }, tasks: { count: 1 } };
    expect(PipelineConfigSchema.parse(base).features.semanticDedup).toEqual({ enabled: false, threshold: 0.9 });
    const bad = PipelineConfigSchema.safeParse({ ...base, features: { semanticDedup: { enabled: true, threshold: 1.5 } } });
    expect(bad.success).toBe(false);
    expect(describeConfigError(bad.error!)).toContain('features.semanticDedup.threshold');
  });

  it('merges near-duplicate features after evolution, records each merge, and samples from the smaller tree', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const config = h.config({
      features: { ...h.config().features, semanticDedup: { enabled: true } },
      // Statements filtered: no sandbox needed; the run still samples subtrees and finishes every task.
      tasks: { count: 5, minStatementTokens: 5000 },
      training: { enabled: false },
    });
    const workflowId = `dedup-${Date.now()}`;
    const summary = (await withWorkers([worker], () =>
      h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId, args: [config] })
    )) as PipelineSummary;

    const { evolved, deduped } = summary.features;
    expect(deduped).toBeDefined();
    expect(deduped!.before).toEqual({ leafCount: evolved.leafCount, perCategory: evolved.perCategory });
    expect(deduped!.leafCount).toBeLessThan(evolved.leafCount);
    expect(deduped!.merged).toBe(evolved.leafCount - deduped!.leafCount);
    expect(deduped!.threshold).toBe(0.9);

    const store = new ContentStore(h.env.dataDir);
    const report = await store.getJson<SemanticDedupReport>(deduped!.reportKey);
    expect(report.inputTreeKey).toBe(evolved.treeKey);
    expect(report.merges).toHaveLength(deduped!.merged);
    // Two seeds state the same complexity in different words; the first spelling stays.
    expect(report.merges).toContainEqual({
      kept: 'Time Complexity: O(N)',
      dropped: 'O(N) time complexity',
      similarity: expect.any(Number),
      path: ['complexity_analysis'],
      keptPath: ['complexity_analysis'],
    });
    for (const m of report.merges) expect(m.similarity).toBeGreaterThanOrEqual(0.9);

    const tree = await store.getJson<FeatureTree>(deduped!.treeKey);
    const kept = new Set(leaves(tree));
    for (const m of report.merges) {
      expect(kept.has([...m.keptPath, m.kept].join('/'))).toBe(true);
      expect(kept.has([...m.path, m.dropped].join('/'))).toBe(false);
    }
    // Embeddings score O(N) and O(1) space as near-identical; the contrast guard keeps both.
    expect(tree.complexity_analysis).toEqual(expect.arrayContaining(['Space Complexity: O(1)', 'Space Complexity: O(N)']));
    // Per-category counts before and after add up to the merges of each category.
    for (const [category, before] of Object.entries(deduped!.before.perCategory)) {
      const merges = report.merges.filter((m) => m.path[0] === category).length;
      expect((deduped!.perCategory[category] ?? 0) + merges).toBe(before);
    }

    // The subtrees were drawn from the deduplicated tree, and the run finished every task.
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const sampling = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sampleFeatureSubtrees');
    const samplingInput = JSON.parse(Buffer.from(sampling!.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString()) as { treeKey: string };
    expect(samplingInput.treeKey).toBe(deduped!.treeKey);
    for (const o of summary.tasks.outcomes) {
      for (const f of leaves(await store.getJson<FeatureTree>(o.lineage.subtreeKey))) expect(kept.has(f)).toBe(true);
    }
    expect(summary.tasks.reasons).toEqual({ statement_filtered: 4, InvalidLlmOutput: 1 });
  });

  it('fails the run at once, naming the missing Python, when the orchestrator host has no venv', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: { ...h.env, python: '/nonexistent/venv/bin/python' } });
    const config = h.config({ features: { ...h.config().features, semanticDedup: { enabled: true } }, tasks: { count: 1 }, training: { enabled: false } });
    const error = await withWorkers([worker], () =>
      h.client.workflow
        .execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId: `dedup-nopython-${Date.now()}`, args: [config] })
        .then(
          () => undefined,
          (err: unknown) => err
        )
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = rootCause(error) as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('SemanticDedupUnavailable');
    expect(cause.message).toContain('/nonexistent/venv/bin/python does not exist');
  });
});
