import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { describeConfigError, endpointFor, PipelineConfigSchema, type PipelineConfig } from './config';
import { llm, local } from './activity-proxies';
import { mapBounded } from './map-bounded';
import { progressQuery } from './messages';
import { ConfigHashKey, DatasetVersionKey, OutcomeKey, RunIdKey, StageKey, TasksKeptKey } from './search-attributes';
import { extractFeaturesBatch } from './extract-batch';
import { batchProgressSignal, INLINE_OUTCOMES, synthesizeBatch } from './synthesize-batch';
import { checkBenchmarkFile, removeNearDuplicates } from './quality';
import { dedupFeatureTree } from './semantic-dedup';
import { trainOnDatasets } from './train';
import { addUsage, NO_USAGE } from './usage';
import type { BatchProgress, PipelineProgress, PipelineResume, PipelineStage, PipelineSummary, SynthesizeBatchResult } from './types';

/**
 * The whole SynthSmith run: seeds → feature tree → tasks (child workflows) → verified datasets → SFT → RL.
 *
 * The input is validated here, not only by clients, because `temporal workflow start --input-file` reaches the
 * workflow directly: an invalid config fails the run at once, non-retryably, naming the fields, before any
 * activity is scheduled. Everything large travels as content-store keys.
 */
export async function synthSmithPipeline(rawConfig: unknown, resume?: PipelineResume): Promise<PipelineSummary> {
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
  enter(resume ? 'synthesizing tasks' : 'loading seeds');
  try {
    if (!resume) await checkBenchmarkFile(config);
    const summary = await runPipeline(config, runId, progress, enter, resume);
    upsertSearchAttributes([
      { key: OutcomeKey, value: 'completed' },
      { key: TasksKeptKey, value: summary.tasks.kept },
      ...(summary.datasets ? [{ key: DatasetVersionKey, value: datasetVersion(summary.datasets.manifestKey) }] : []),
    ]);
    enter('done');
    return summary;
  } catch (err) {
    if (isContinueAsNew(err)) throw err;
    upsertSearchAttributes([{ key: OutcomeKey, value: isCancellation(err) ? 'cancelled' : 'failed' }]);
    throw err;
  }
}

/** continueAsNew works by throwing; that is the run going on, not failing. */
function isContinueAsNew(err: unknown): boolean {
  return err instanceof ContinueAsNew;
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
  enter: (stage: PipelineStage) => void,
  resume?: PipelineResume
): Promise<PipelineSummary> {
  // A continued run starts where the previous one stopped: features are done, some batches are finished.
  const state = resume ?? (await prepareSynthesis(config, runId, progress, enter));
  upsertSearchAttributes([{ key: ConfigHashKey, value: state.configKey.replace('sha256:', '').slice(0, 16) }]);
  progress.seeds = { total: state.seeds.loaded, extracted: state.seeds.extracted, failed: state.seeds.extractionFailures.length };
  Object.assign(progress.tasks, { total: state.features.subtrees, ...state.totals.counts });

  // 2–5. A tree: batches of ≤ batchSize tasks (child workflows), each running a child per task. Outcomes come
  // back as blobs. This run starts at most `tasks.batchesPerRun` batches, then continues as new with the
  // totals, so its history stays a few thousand events whatever the number of tasks.
  enter('synthesizing tasks');
  const done = { ...progress.tasks };
  const batchProgress = new Map<number, BatchProgress>();
  setHandler(batchProgressSignal, (p) => {
    batchProgress.set(p.batch, p);
    const sum = (k: keyof Omit<BatchProgress, 'batch'>): number => [...batchProgress.values()].reduce((n, b) => n + b[k], done[k]);
    Object.assign(progress.tasks, { finished: sum('finished'), kept: sum('kept'), discarded: sum('discarded'), failed: sum('failed') });
    setCurrentDetails(progressDetails(runId, progress));
  });
  // One batch at a time unless the configured concurrency spans several batches; a budget is then exact.
  const batchConcurrency = Math.max(1, Math.floor(config.tasks.concurrency / config.tasks.batchSize));
  const budget = config.llm.budgetUsd;
  const first = state.nextBatch;
  const last = Math.min(state.chunkCount, first + config.tasks.batchesPerRun);
  const window = Array.from({ length: last - first }, (_, i) => first + i);
  const batches = await mapBounded(window, batchConcurrency, async (batch) => {
    const result = await executeChild(synthesizeBatch, {
      workflowId: `${workflowInfo().workflowId}/batch-${batch}`,
      args: [
        {
          runId,
          config,
          chunksKey: state.chunksKey,
          batch,
          firstIndex: batch * config.tasks.batchSize,
          parentWorkflowId: workflowInfo().workflowId,
          ...(budget !== undefined ? { budgetUsd: Math.max(0, budget - state.spent) } : {}),
        },
      ],
      staticSummary: `tasks ${batch * config.tasks.batchSize}–${batch * config.tasks.batchSize + config.tasks.batchSize - 1} of run ${runId}`,
    });
    state.spent += result.usage.costUsd;
    return result;
  });
  // A batch that failed as a whole (a bug, not an item) fails the run: its tasks' fate would be unknown.
  const results = batches.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  foldBatches(state, results);
  state.outcomesIndexKeys.push(await local.storeJson(results.map((r) => r.outcomesKey)));
  state.nextBatch = last;
  if (state.nextBatch < state.chunkCount) {
    log.info('continuing as new', { runId, nextBatch: state.nextBatch, of: state.chunkCount });
    state.runs++;
    await continueAsNew<typeof synthSmithPipeline>(config, state);
  }

  const { counts, reasons, usage: tasksUsage } = state.totals;
  const featuresUsage = state.featuresUsage;
  // Small runs list every batch blob in the summary; large ones only the index blobs (one per pipeline run).
  const outcomesKeys =
    state.chunkCount <= INLINE_OUTCOMES ? ((await Promise.all(state.outcomesIndexKeys.map((k) => local.loadJson(k)))) as string[][]).flat() : [];
  const summary: PipelineSummary = {
    runId,
    usage: { features: featuresUsage, tasks: tasksUsage, total: addUsage(featuresUsage, tasksUsage) },
    seeds: state.seeds,
    features: state.features,
    tasks: {
      requested: config.tasks.count,
      ...counts,
      reasons,
      outcomes: state.inlineOutcomes ?? [],
      outcomesKeys,
      outcomesIndexKeys: state.outcomesIndexKeys,
      pipelineRuns: state.runs + 1,
    },
  };

  // 6. Near-duplicates across tasks go (the export then reads the deduplicated outcome blobs).
  await removeNearDuplicates(config, runId, summary, progress, enter);

  // 7. Datasets: a new immutable version, appended to the named dataset's current one when configured.
  enter('exporting datasets');
  const parentManifestKey = config.dataset ? await local.readDatasetHead(config.dataset.name) : null;
  summary.datasets = await local.exportDatasets({ runId, outcomesIndexKeys: summary.tasks.outcomesIndexKeys, configKey: state.configKey, ...(parentManifestKey ? { parentManifestKey } : {}) });
  if (config.dataset) await local.setDatasetHead({ name: config.dataset.name, manifestKey: summary.datasets.manifestKey });

  // 8. SFT then RL on the GPU queue.
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


/**
 * Stage 1, run once per pipeline: seeds → per-range extraction children → merge → evolve → sample. Returns the
 * state the synthesis stage starts from (and that continue-as-new carries).
 */
async function prepareSynthesis(
  config: PipelineConfig,
  runId: string,
  progress: PipelineProgress,
  enter: (stage: PipelineStage) => void
): Promise<PipelineResume> {
  const configKey = await local.storeJson(config);
  const seeds = await local.loadSeeds({ runId, seedsPath: config.seedsPath });
  progress.seeds.total = seeds.count;
  enter('extracting features');
  const size = config.features.extractBatchSize;
  const ranges = Array.from({ length: Math.ceil(seeds.count / size) }, (_, i) => ({ from: i * size, to: Math.min(seeds.count, (i + 1) * size) }));
  const extracted = await mapBounded(ranges, Math.max(1, Math.floor(config.tasks.concurrency / size)), async (range) => {
    const r = await executeChild(extractFeaturesBatch, {
      workflowId: `${workflowInfo().workflowId}/extract-${range.from}`,
      args: [{ seedsKey: seeds.seedsKey, ...range, endpoint: endpointFor(config, 'extractor'), concurrency: Math.min(config.tasks.concurrency, size) }],
      staticSummary: `extract features of seeds ${range.from}–${range.to - 1}`,
    });
    progress.seeds.extracted += r.extracted;
    progress.seeds.failed += r.failures.length;
    setCurrentDetails(progressDetails(runId, progress));
    return r;
  });
  const batches = extracted.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const extractionFailures = batches.flatMap((b) => b.failures);
  const treeKeys = batches.flatMap((b) => (b.treeKey ? [b.treeKey] : []));
  if (treeKeys.length === 0) {
    throw ApplicationFailure.nonRetryable(
      `feature extraction failed for every seed; first: ${extractionFailures[0]?.reason ?? 'none'}`,
      'NoFeatures'
    );
  }
  const base = await local.mergeFeatureTrees({ treeKeys });
  let featuresUsage = batches.reduce((u, b) => addUsage(u, b.usage), NO_USAGE);
  enter('evolving features');
  const evolved = await llm.evolveFeatureTree({
    treeKey: base.treeKey,
    rounds: config.features.evolutionRounds,
    branching: config.features.evolutionBranching,
    seed: config.seed,
    endpoint: endpointFor(config, 'evolver'),
  });
  featuresUsage = addUsage(featuresUsage, evolved.usage);
  if (config.features.semanticDedup.enabled) enter('deduplicating features');
  const deduped = await dedupFeatureTree(config, evolved);
  enter('sampling subtrees');
  const sampled = await local.sampleFeatureSubtrees({
    treeKey: (deduped ?? evolved).treeKey,
    count: config.tasks.count,
    seed: config.seed,
    shapes: config.features.shapes,
    minLeaves: config.features.minLeaves,
    maxDepth: config.features.maxDepth,
    chunkSize: config.tasks.batchSize,
  });
  return {
    configKey,
    featuresUsage,
    seeds: { loaded: seeds.count, rejected: seeds.rejected.length, extracted: batches.reduce((n, b) => n + b.extracted, 0), extractionFailures },
    features: { base, evolved, ...(deduped ? { deduped } : {}), subtrees: sampled.count, ...(sampled.shortfall ? { shortfall: sampled.shortfall } : {}) },
    chunksKey: sampled.chunksKey,
    chunkCount: sampled.chunkCount,
    nextBatch: 0,
    spent: featuresUsage.costUsd,
    totals: { counts: { finished: 0, kept: 0, discarded: 0, failed: 0 }, reasons: {}, usage: NO_USAGE },
    outcomesIndexKeys: [],
    ...(config.tasks.count <= INLINE_OUTCOMES ? { inlineOutcomes: [] } : {}),
    runs: 0,
  };
}

/** Adds finished batches to the run's totals (and, for small runs, their outcomes). */
function foldBatches(state: PipelineResume, results: SynthesizeBatchResult[]): void {
  const t = state.totals;
  for (const r of results) {
    t.counts.finished += r.finished;
    t.counts.kept += r.kept;
    t.counts.discarded += r.discarded;
    t.counts.failed += r.failed;
    for (const [k, n] of Object.entries(r.reasons)) t.reasons[k] = (t.reasons[k] ?? 0) + n;
    t.usage = addUsage(t.usage, r.usage);
    state.inlineOutcomes?.push(...(r.outcomes ?? []));
  }
}
