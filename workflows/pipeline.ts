import { ApplicationFailure, executeChild, isCancellation, log, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { describeConfigError, endpointFor, PipelineConfigSchema, type PipelineConfig } from './config';
import { llm, local } from './activity-proxies';
import { failureReason, failureUsage } from './failures';
import { mapBounded } from './map-bounded';
import { progressQuery } from './messages';
import { ConfigHashKey, DatasetVersionKey, OutcomeKey, RunIdKey, StageKey, TasksKeptKey } from './search-attributes';
import { batchProgressSignal, synthesizeBatch } from './synthesize-batch';
import { trainOnDatasets } from './train';
import { addUsage, NO_USAGE } from './usage';
import type { BatchProgress, PipelineProgress, PipelineStage, PipelineSummary } from './types';

/**
 * The whole SynthSmith run: seeds → feature tree → tasks (child workflows) → verified datasets → SFT → RL.
 *
 * The input is validated here, not only by clients, because `temporal workflow start --input-file` reaches the
 * workflow directly: an invalid config fails the run at once, non-retryably, naming the fields, before any
 * activity is scheduled. Everything large travels as content-store keys.
 */
export async function synthSmithPipeline(rawConfig: unknown): Promise<PipelineSummary> {
  const parsed = PipelineConfigSchema.safeParse(rawConfig);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid pipeline config: ${describeConfigError(parsed.error)}`, 'InvalidConfig');
  }
  const config: PipelineConfig = parsed.data;
  const runId = config.runId ?? workflowInfo().workflowId.replace(/[^A-Za-z0-9._-]/g, '_');

  const progress: PipelineProgress = {
    stage: 'validating',
    seeds: { total: 0, extracted: 0, failed: 0 },
    tasks: { total: 0, finished: 0, kept: 0, discarded: 0, failed: 0 },
  };
  setHandler(progressQuery, () => progress);
  /** Stage changes are rare (a dozen per run), so they are where the UI and visibility get updated. */
  const enter = (stage: PipelineStage): void => {
    progress.stage = stage;
    upsertSearchAttributes([{ key: StageKey, value: stage }]);
    setCurrentDetails(progressDetails(runId, progress));
  };
  upsertSearchAttributes([{ key: RunIdKey, value: runId }]);
  enter('loading seeds');
  try {
    const summary = await runPipeline(config, runId, progress, enter);
    upsertSearchAttributes([
      { key: OutcomeKey, value: 'completed' },
      { key: TasksKeptKey, value: summary.tasks.kept },
      ...(summary.datasets ? [{ key: DatasetVersionKey, value: datasetVersion(summary.datasets.manifestKey) }] : []),
    ]);
    enter('done');
    return summary;
  } catch (err) {
    upsertSearchAttributes([{ key: OutcomeKey, value: isCancellation(err) ? 'cancelled' : 'failed' }]);
    throw err;
  }
}

/** Short dataset version shown in the UI and searchable: the manifest's content hash prefix. */
function datasetVersion(manifestKey: string): string {
  return manifestKey.replace('sha256:', '').slice(0, 16);
}

/** Markdown for the Web UI's "current details" panel. */
function progressDetails(runId: string, p: PipelineProgress): string {
  const t = p.tasks;
  return [
    `**SynthSmith run** \`${runId}\` · stage **${p.stage}**`,
    `seeds: ${p.seeds.extracted}/${p.seeds.total} extracted${p.seeds.failed ? `, ${p.seeds.failed} failed` : ''}`,
    t.total ? `tasks: ${t.finished}/${t.total} finished · kept ${t.kept} · discarded ${t.discarded} · failed ${t.failed}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

async function runPipeline(
  config: PipelineConfig,
  runId: string,
  progress: PipelineProgress,
  enter: (stage: PipelineStage) => void
): Promise<PipelineSummary> {
  // 1. Features: extract per seed (one bad answer fails that seed), merge, evolve, sample.
  const configKey = await local.storeJson(config);
  upsertSearchAttributes([{ key: ConfigHashKey, value: configKey.replace('sha256:', '').slice(0, 16) }]);
  const seeds = await local.loadSeeds({ runId, seedsPath: config.seedsPath });
  progress.seeds.total = seeds.count;
  enter('extracting features');
  const extracted = await mapBounded(Array.from({ length: seeds.count }, (_, i) => i), config.tasks.concurrency, async (index) => {
    const tree = await llm.extractFeatures
      .executeWithOptions({ summary: `extract features of seed ${index}` }, [{ seedsKey: seeds.seedsKey, index, endpoint: endpointFor(config, 'extractor') }])
      .catch((err: unknown) => {
      progress.seeds.failed++;
      throw err;
    });
    progress.seeds.extracted++;
    return tree;
  });
  const extractionFailures = extracted.flatMap((r, index) => (r.status === 'rejected' ? [{ index, reason: failureReason(r.reason) }] : []));
  const treeKeys = extracted.flatMap((r) => (r.status === 'fulfilled' ? [r.value.treeKey] : []));
  if (treeKeys.length === 0) {
    throw ApplicationFailure.nonRetryable(
      `feature extraction failed for every seed; first: ${extractionFailures[0]?.reason ?? 'none'}`,
      'NoFeatures'
    );
  }
  const base = await local.mergeFeatureTrees({ treeKeys });
  let featuresUsage = extracted.reduce((u, r) => addUsage(u, r.status === 'fulfilled' ? r.value.usage : failureUsage(r.reason)), NO_USAGE);
  enter('evolving features');
  const evolved = await llm.evolveFeatureTree({
    treeKey: base.treeKey,
    rounds: config.features.evolutionRounds,
    branching: config.features.evolutionBranching,
    seed: config.seed,
    endpoint: endpointFor(config, 'evolver'),
  });
  featuresUsage = addUsage(featuresUsage, evolved.usage);
  enter('sampling subtrees');
  const sampled = await local.sampleFeatureSubtrees({
    treeKey: evolved.treeKey,
    count: config.tasks.count,
    seed: config.seed,
    shapes: config.features.shapes,
    minLeaves: config.features.minLeaves,
    maxDepth: config.features.maxDepth,
    chunkSize: config.tasks.batchSize,
  });

  // 2–5. A tree: batches of ≤ batchSize tasks (child workflows), each running a child per task. Outcomes come
  // back as blobs, so the run's size never reaches any history or payload limit.
  enter('synthesizing tasks');
  progress.tasks.total = sampled.count;
  const batchProgress = new Map<number, BatchProgress>();
  setHandler(batchProgressSignal, (p) => {
    batchProgress.set(p.batch, p);
    const sum = (k: keyof Omit<BatchProgress, 'batch'>): number => [...batchProgress.values()].reduce((n, b) => n + b[k], 0);
    Object.assign(progress.tasks, { finished: sum('finished'), kept: sum('kept'), discarded: sum('discarded'), failed: sum('failed') });
    setCurrentDetails(progressDetails(runId, progress));
  });
  // One batch at a time unless the configured concurrency spans several batches; a budget is then exact.
  const batchConcurrency = Math.max(1, Math.floor(config.tasks.concurrency / config.tasks.batchSize));
  const budget = config.llm.budgetUsd;
  let spent = featuresUsage.costUsd;
  const batches = await mapBounded(sampled.chunkKeys, batchConcurrency, async (chunkKey, batch) => {
    const result = await executeChild(synthesizeBatch, {
      workflowId: `${workflowInfo().workflowId}/batch-${batch}`,
      args: [
        {
          runId,
          config,
          chunkKey,
          batch,
          firstIndex: batch * config.tasks.batchSize,
          parentWorkflowId: workflowInfo().workflowId,
          ...(budget !== undefined ? { budgetUsd: Math.max(0, budget - spent) } : {}),
        },
      ],
      staticSummary: `tasks ${batch * config.tasks.batchSize}–${batch * config.tasks.batchSize + config.tasks.batchSize - 1} of run ${runId}`,
    });
    spent += result.usage.costUsd;
    return result;
  });
  // A batch that failed as a whole (a bug, not an item) fails the run: its tasks' fate would be unknown.
  const results = batches.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const count = (k: 'kept' | 'discarded' | 'failed'): number => results.reduce((n, r) => n + r[k], 0);
  const reasons: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.reasons)) reasons[k] = (reasons[k] ?? 0) + n;
  const inline = results.every((r) => r.outcomes) ? results.flatMap((r) => r.outcomes ?? []) : [];
  const outcomesKeys = results.map((r) => r.outcomesKey);

  const tasksUsage = results.reduce((u, r) => addUsage(u, r.usage), NO_USAGE);
  const summary: PipelineSummary = {
    runId,
    usage: { features: featuresUsage, tasks: tasksUsage, total: addUsage(featuresUsage, tasksUsage) },
    seeds: { loaded: seeds.count, rejected: seeds.rejected.length, extracted: treeKeys.length, extractionFailures },
    features: { base, evolved, subtrees: sampled.count, ...(sampled.shortfall ? { shortfall: sampled.shortfall } : {}) },
    tasks: { requested: config.tasks.count, kept: count('kept'), discarded: count('discarded'), failed: count('failed'), reasons, outcomes: inline, outcomesKeys },
  };

  // 6. Datasets: a new immutable version, appended to the named dataset's current one when configured.
  enter('exporting datasets');
  const parentManifestKey = config.dataset ? await local.readDatasetHead(config.dataset.name) : null;
  summary.datasets = await local.exportDatasets({ runId, outcomesKeys, configKey, ...(parentManifestKey ? { parentManifestKey } : {}) });
  if (config.dataset) await local.setDatasetHead({ name: config.dataset.name, manifestKey: summary.datasets.manifestKey });

  // 7. SFT then RL on the GPU queue.
  if (!config.training.enabled) {
    summary.training = { skipped: 'training.enabled is false' };
  } else if (summary.datasets.sftRecords === 0) {
    summary.training = { skipped: 'the dataset is empty: no task survived verification' };
  } else {
    summary.training = await trainOnDatasets(config, runId, summary.datasets, enter);
  }
  log.info('pipeline finished', { runId, kept: summary.tasks.kept, discarded: summary.tasks.discarded, failed: summary.tasks.failed });
  return summary;
}
