/**
 * Decontamination and near-duplicate removal, as the pipeline and each task call them (activities in
 * activities/quality/). Workflow code: no Node imports.
 */
import { quality } from './activity-proxies';
import type { PipelineConfig } from './config';
import type { PipelineProgress, PipelineStage, PipelineSummary } from './types';

/** Fails the run at once on an unreadable or empty benchmark file, rather than each task one by one. */
export async function checkBenchmarkFile(config: PipelineConfig): Promise<void> {
  const d = config.tasks.decontamination;
  if (d) await quality.loadBenchmark({ benchmarkPath: d.benchmarkPath, ngram: d.ngram });
}

/**
 * The discard detail when the statement is contaminated, else undefined (also when no benchmark is configured,
 * in which case nothing is scheduled, so histories of runs without one are unchanged).
 */
export async function contaminationOf(
  config: PipelineConfig,
  statementKey: string,
  as: (what: string) => { summary: string }
): Promise<string | undefined> {
  const d = config.tasks.decontamination;
  if (!d) return undefined;
  const verdict = await quality.checkContamination.executeWithOptions(as('decontamination against the benchmark'), [{ statementKey, ...d }]);
  return verdict.contaminated ? (verdict.detail ?? 'contaminated') : undefined;
}

/**
 * Before export: near-duplicates among the run's kept tasks become `near_duplicate` discards (the lowest index
 * of each cluster stays), and the summary's counts, reasons, outcomes and outcome blobs are replaced by the
 * deduplicated ones, so the export reads them.
 */
export async function removeNearDuplicates(
  config: PipelineConfig,
  runId: string,
  summary: PipelineSummary,
  progress: PipelineProgress,
  enter: (stage: PipelineStage) => void
): Promise<void> {
  const { nearDuplicates, decontamination } = config.tasks;
  if (!nearDuplicates.enabled && !decontamination) return;
  enter('removing near-duplicates');
  const t = summary.tasks;
  const r = await quality.dedupTasks.executeWithOptions({ summary: `near-duplicate removal over ${t.kept} kept tasks` }, [
    {
      runId,
      outcomesIndexKeys: t.outcomesIndexKeys,
      nearDuplicates,
      ...(decontamination ? { decontamination } : {}),
      listOutcomesKeys: t.outcomesKeys.length > 0,
      returnOutcomes: t.outcomes.length > 0,
    },
  ]);
  t.outcomesIndexKeys = r.outcomesIndexKeys;
  if (r.outcomesKeys) t.outcomesKeys = r.outcomesKeys;
  if (r.outcomes) t.outcomes = r.outcomes;
  if (r.nearDuplicates > 0) {
    t.kept -= r.nearDuplicates;
    t.discarded += r.nearDuplicates;
    t.reasons.near_duplicate = (t.reasons.near_duplicate ?? 0) + r.nearDuplicates;
    progress.tasks.kept -= r.nearDuplicates;
    progress.tasks.discarded += r.nearDuplicates;
  }
  summary.quality = {
    contaminated: r.contaminated,
    nearDuplicates: r.nearDuplicates,
    ...(r.benchmark ? { benchmark: r.benchmark } : {}),
    reportKey: r.reportKey,
    reportPath: r.reportPath,
  };
}
