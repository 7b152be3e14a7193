/**
 * Data-quality activities on the orchestrator queue: decontamination of each statement against a benchmark file
 * (before any candidate is sampled, so a contaminated task costs no solver, test-writer or sandbox time), and
 * near-duplicate removal over the whole run's kept tasks before export.
 */
import { heartbeat } from '@temporalio/activity';
import type {
  BenchmarkInfo,
  CheckContaminationInput,
  CheckContaminationResult,
  DedupTasksInput,
  DedupTasksResult,
  LoadBenchmarkInput,
  QualityRemoval,
  QualityReport,
  TaskOutcome,
} from '../../workflows/types';
import { mapLimit } from '../common/map-limit';
import type { StatementRecord } from '../llm/records';
import type { ContentStore } from '../store/content-store';
import { BenchmarkCache } from './benchmark-cache';
import { describeContamination } from './contamination';
import { describeNearDuplicate, lshShape, NearDuplicateFilter, SIGNATURE_SIZE, signStatement, type Signed } from './near-duplicates';

/** Statements read at once while signing (blob reads, local or S3). */
const READ_CONCURRENCY = 16;

export function createQualityActivities({ store }: { store: ContentStore }) {
  const benchmarks = new BenchmarkCache(store);

  /** Heartbeats while a promise runs: a task waiting on another task's benchmark load is alive too. */
  async function beating<T>(work: Promise<T>): Promise<T> {
    const beat = setInterval(() => heartbeat(), 5_000);
    try {
      return await work;
    } finally {
      clearInterval(beat);
    }
  }

  return {
    /** Reads and indexes the benchmark once at the start of a run, so a bad path fails the run, not each task. */
    async loadBenchmark(input: LoadBenchmarkInput): Promise<BenchmarkInfo> {
      const { info } = await beating(benchmarks.get(input.benchmarkPath, input.ngram, () => heartbeat()));
      return info;
    },

    async checkContamination(input: CheckContaminationInput): Promise<CheckContaminationResult> {
      const [{ index }, statement] = await Promise.all([
        beating(benchmarks.get(input.benchmarkPath, input.ngram, () => heartbeat())),
        store.getJson<StatementRecord>(input.statementKey),
      ]);
      const verdict = index.check(statement.question, input.threshold);
      const match = verdict.match && {
        problemId: verdict.match.problemId,
        overlap: verdict.match.overlap,
        shared: verdict.match.shared,
        statementNgrams: verdict.match.statementNgrams,
      };
      return {
        contaminated: verdict.contaminated,
        ...(verdict.contaminated && verdict.match ? { detail: describeContamination(verdict.match, input.ngram) } : {}),
        ...(match ? { match } : {}),
      };
    },

    /**
     * Walks every outcome blob in task order (batches are consecutive index ranges), signs each kept task's
     * statement and offers it to the near-duplicate filter; a near-duplicate becomes a `near_duplicate` discard
     * naming the kept task. Changed blobs are stored anew (unchanged ones keep their key), and a report lists
     * every removal, the contaminated tasks included.
     */
    async dedupTasks(input: DedupTasksInput): Promise<DedupTasksResult> {
      const { nearDuplicates: nd } = input;
      // Only recorded here: a benchmark file gone since the tasks were checked must not cost the run its export.
      let benchmark: BenchmarkInfo | undefined;
      let benchmarkError: string | undefined;
      if (input.decontamination) {
        const { benchmarkPath, ngram } = input.decontamination;
        await beating(benchmarks.get(benchmarkPath, ngram)).then(
          (b) => void (benchmark = b.info),
          (err: unknown) => void (benchmarkError = (err as Error).message)
        );
      }
      const lists = await mapLimit(input.outcomesIndexKeys, READ_CONCURRENCY, (k) => store.getJson<string[]>(k));
      const filter = nd.enabled ? new NearDuplicateFilter(nd.threshold, 4096) : undefined;
      const keptTaskIds = new Map<number, string>();
      const removals: QualityRemoval[] = [];
      const all: TaskOutcome[] = [];
      let checked = 0;
      let kept = 0;

      // Reading and signing the next blob overlaps deciding the current one.
      const prepare = async (blobKey: string): Promise<{ outcomes: TaskOutcome[]; signed: Map<number, Signed> }> => {
        const outcomes = (await store.getJson<TaskOutcome[]>(blobKey)).slice().sort((a, b) => a.index - b.index);
        const signed = new Map<number, Signed>();
        if (filter) {
          const keptOnes = outcomes.filter((o) => o.status === 'kept' && o.lineage.statementKey);
          await mapLimit(keptOnes, READ_CONCURRENCY, async (o) => {
            const statement = await store.getJson<StatementRecord>(o.lineage.statementKey as string);
            signed.set(o.index, signStatement(statement.question, nd.ngram));
          });
        }
        return { outcomes, signed };
      };
      const blobKeys = lists.flat();
      const prefetch = (b: number): ReturnType<typeof prepare> | undefined => {
        const key = blobKeys[b];
        if (key === undefined) return undefined;
        const p = prepare(key);
        // Awaited on the next round; until then a failure must not count as unhandled.
        p.catch(() => undefined);
        return p;
      };
      let next = prefetch(0);
      const newBlobKeys = new Map<string, string>();
      for (let b = 0; b < blobKeys.length; b++) {
        const { outcomes, signed } = await (next as ReturnType<typeof prepare>);
        next = prefetch(b + 1);
        let changed = false;
        const decided = outcomes.map((o): TaskOutcome => {
          if (o.status === 'discarded' && o.reason === 'contaminated') {
            removals.push({ index: o.index, ...(o.taskId ? { taskId: o.taskId } : {}), reason: 'contaminated', ...(o.detail ? { detail: o.detail } : {}) });
          }
          const signature = signed.get(o.index);
          if (o.status !== 'kept') return o;
          kept++;
          if (!filter || !signature) return o;
          checked++;
          const match = filter.offer(o.index, signature);
          if (!match) {
            keptTaskIds.set(o.index, o.taskId ?? `index ${o.index}`);
            return o;
          }
          const keptTaskId = keptTaskIds.get(match.keptId) as string;
          const detail = describeNearDuplicate(keptTaskId, match.keptId, match, nd.ngram);
          removals.push({
            index: o.index,
            ...(o.taskId ? { taskId: o.taskId } : {}),
            reason: 'near_duplicate',
            detail,
            keptIndex: match.keptId,
            keptTaskId,
            similarity: round(match.similarity),
          });
          kept--;
          changed = true;
          return { ...o, status: 'discarded', stage: 'dedup', reason: 'near_duplicate', detail };
        });
        newBlobKeys.set(blobKeys[b] as string, changed ? await store.putJson(decided) : (blobKeys[b] as string));
        if (input.returnOutcomes) all.push(...decided);
        heartbeat({ blobs: b + 1, of: blobKeys.length, checked });
      }

      const outcomesIndexKeys = await Promise.all(
        lists.map((list, i) => {
          const mapped = list.map((k) => newBlobKeys.get(k) as string);
          return mapped.every((k, j) => k === list[j]) ? (input.outcomesIndexKeys[i] as string) : store.putJson(mapped);
        })
      );
      const counts = {
        contaminated: removals.filter((r) => r.reason === 'contaminated').length,
        near_duplicate: removals.filter((r) => r.reason === 'near_duplicate').length,
      };
      const shape = lshShape(nd.threshold);
      const report: QualityReport = {
        format: 'synthsmith.quality-report/1',
        runId: input.runId,
        nearDuplicates: {
          ...nd,
          method: `MinHash (one-permutation, ${SIGNATURE_SIZE} bins) over word ${nd.ngram}-gram shingles of the normalised statement; LSH ${shape.bands} bands × ${shape.rows} rows; lowest task index kept`,
        },
        decontamination: input.decontamination
          ? { ...input.decontamination, ...(benchmark ? { benchmark } : {}), ...(benchmarkError ? { benchmarkError } : {}) }
          : null,
        checked,
        kept,
        counts,
        removals: removals.sort((a, b) => a.index - b.index),
      };
      const reportKey = await store.putJson(report);
      return {
        outcomesIndexKeys,
        ...(input.listOutcomesKeys ? { outcomesKeys: blobKeys.map((k) => newBlobKeys.get(k) as string) } : {}),
        ...(input.returnOutcomes ? { outcomes: all.sort((a, b) => a.index - b.index) } : {}),
        checked,
        nearDuplicates: counts.near_duplicate,
        contaminated: counts.contaminated,
        ...(benchmark ? { benchmark } : {}),
        reportKey,
        reportPath: await store.publish(reportKey, `runs/${input.runId}/quality-report.json`),
      };
    },
  };
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;
