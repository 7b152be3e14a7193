/**
 * Dataset versions. A version is immutable and named by its content (the manifest's key); it lists its records
 * (one blob each, shared with every other version that holds the same task), their lineage, the verification
 * policy, prompt versions, models and statistics, and points at files in every form trainers read:
 *   - sft.jsonl — TRL SFTTrainer chat messages; sft.query-response.jsonl — ms-swift / LLaMA-Factory;
 *   - rl.jsonl — our GRPO trainer; rl.parquet — verl's RLHFDataset;
 *   - dataset_info.json (LLaMA-Factory), README.md data card with SVG charts.
 * Files are sorted by task ID and records hold no run IDs or timestamps, so the same tasks always give
 * byte-identical files (and keys).
 */
import { DatasetFormatSchema, VerificationPolicySchema, type DatasetFormat, type VerificationPolicy } from '../../workflows/config';
import type { ArtifactKey, ExportDatasetsInput, TaskOutcome } from '../../workflows/types';
import { policyTag } from '../verify/policy';
import type { ContentStore } from './content-store';
import { renderDataCard } from './data-card';
import { buildDatasetRecord, solveWrapper, type DatasetRecord, type ManifestRecord } from './dataset-records';
import { datasetStats, type DatasetStats } from './dataset-stats';
import { toVerlRow, writeVerlParquet } from './parquet';

export { assistantTurn, type RlRecord, type SftRecord, type SftQueryResponseRecord, type DatasetRecord } from './dataset-records';

export interface DatasetManifest {
  format: 'synthsmith.dataset/2';
  runId: string;
  configKey: ArtifactKey;
  /** The version this one appends to, or null for a first version. */
  parent: string | null;
  verificationPolicy: VerificationPolicy;
  policyTag: string;
  /** Tag of the solve-prompt wrapper of every SFT/RL prompt. */
  solvePrompt: string;
  prompts: { solve: string; statement: string[] };
  models: { solver: string[]; statement: string[] };
  /** Kept tasks with their lineage and record blob, sorted by task ID. */
  records: ManifestRecord[];
  /** This run's tasks that were not kept, with their lineage (so a new policy can re-label them too). */
  discarded: (Partial<TaskOutcome['lineage']> & { index: number; task_id?: string; stage: string; status: string; reason?: string })[];
  stats: DatasetStats;
  files: { sft: ArtifactKey; rl: ArtifactKey };
  formats: { sftQueryResponse: ArtifactKey; rlParquet: ArtifactKey; llamaFactoryInfo: ArtifactKey };
  card: { readme: ArtifactKey; charts: Record<string, ArtifactKey> };
}

/** The export options a run was configured with (its stored config), defaults for anything absent. */
async function exportOptions(store: ContentStore, configKey: string): Promise<{ format: DatasetFormat; policy: VerificationPolicy }> {
  let config: { datasetFormat?: unknown; verification?: unknown } = {};
  try {
    config = await store.getJson(configKey);
  } catch {
    // A caller without a stored config (tests, tools) gets the defaults.
  }
  return { format: DatasetFormatSchema.parse(config.datasetFormat ?? {}), policy: VerificationPolicySchema.parse(config.verification ?? {}) };
}

/** LLaMA-Factory's dataset registry for the two SFT files (put it in its dataset_dir next to them). */
export function llamaFactoryDatasetInfo(): unknown {
  return {
    synthsmith_sft: {
      file_name: 'sft.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'messages' },
      tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
    },
    synthsmith_sft_query_response: {
      file_name: 'sft.query-response.jsonl',
      columns: { prompt: 'query', response: 'response', system: 'system' },
    },
  };
}

const byTaskId = <T extends { task_id: string }>(a: T, b: T): number => (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0);
const uniqueSorted = (xs: string[]): string[] => [...new Set(xs)].sort();

export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/**
 * A new immutable dataset version: this run's records on top of the parent's (a record with the same task ID,
 * i.e. the same statement, is replaced; the others keep their record blobs, literally shared).
 */
export async function writeDatasetVersion(
  store: ContentStore,
  input: ExportDatasetsInput & { kept: TaskOutcome[] }
): Promise<{ manifestKey: ArtifactKey; manifest: DatasetManifest; added: number }> {
  const { format, policy } = await exportOptions(store, input.configKey);
  const wrapper = solveWrapper(format.solvePrompt);
  const parent = input.parentManifestKey ? await store.getJson<Partial<DatasetManifest>>(input.parentManifestKey) : undefined;

  const byId = new Map<string, { entry: ManifestRecord; record: DatasetRecord }>();
  for (const entry of parent?.records ?? []) {
    if (entry.recordKey) {
      byId.set(entry.task_id, { entry, record: await store.getJson<DatasetRecord>(entry.recordKey) });
      continue;
    }
    // A version written before per-record blobs: rebuild the record from its lineage (same blobs, same result).
    const record = await buildDatasetRecord(store, { index: -1, status: 'kept', stage: 'verify', lineage: entry, goldenIndex: entry.goldenIndex }, wrapper);
    byId.set(entry.task_id, { entry: { ...entry, recordKey: await store.putJson(record) }, record });
  }
  const parentIds = new Set(byId.keys());
  for (const outcome of input.kept) {
    const record = await buildDatasetRecord(store, outcome, wrapper);
    const recordKey = await store.putJson(record);
    byId.set(record.task_id, { entry: { task_id: record.task_id, ...outcome.lineage, goldenIndex: outcome.goldenIndex as number, recordKey }, record });
  }
  const rows = [...byId.values()].sort((a, b) => byTaskId(a.entry, b.entry));
  const records = rows.map((r) => r.record);
  const added = input.kept.filter((o) => o.taskId === undefined || !parentIds.has(o.taskId)).length;

  const rl = records.flatMap((r) => (r.rl ? [r.rl] : []));
  const [sftKey, rlKey, qrKey, parquetKey, infoKey] = await Promise.all([
    store.putText(toJsonl(records.map((r) => r.sft))),
    store.putText(toJsonl(rl)),
    store.putText(toJsonl(records.map((r) => r.sftQueryResponse))),
    store.putBytes(writeVerlParquet(rl.map((r, i) => toVerlRow(r, i, format.dataSource)))),
    store.putJson(llamaFactoryDatasetInfo()),
  ]);

  const discarded = (input.discarded ?? [])
    .filter((o) => o.status !== 'kept')
    .map((o) => ({ index: o.index, ...(o.taskId ? { task_id: o.taskId } : {}), stage: o.stage, status: o.status, ...(o.reason ? { reason: o.reason } : {}), ...o.lineage }))
    .sort((a, b) => a.index - b.index);
  const discardReasons: Record<string, number> = {};
  for (const d of discarded) {
    const key = d.status === 'failed' ? `failed: ${(d.reason ?? 'unknown').split(':')[0]}` : (d.reason ?? 'unknown');
    discardReasons[key] = (discardReasons[key] ?? 0) + 1;
  }
  const stats = datasetStats(records, added, discardReasons);
  const models = { solver: uniqueSorted(records.map((r) => r.solverModel)), statement: uniqueSorted(records.map((r) => r.statementModel)) };
  const files = { sft: sftKey, rl: rlKey };
  const formats = { sftQueryResponse: qrKey, rlParquet: parquetKey, llamaFactoryInfo: infoKey };
  const card = renderDataCard({
    parent: input.parentManifestKey ?? null,
    runId: input.runId,
    policyTag: policyTag(policy),
    policy,
    solvePrompt: wrapper.tag,
    models,
    stats,
    files: { ...files, ...formats },
  });
  const chartKeys: Record<string, ArtifactKey> = {};
  for (const [name, svg] of Object.entries(card.charts)) chartKeys[name] = await store.putText(svg);

  const manifest: DatasetManifest = {
    format: 'synthsmith.dataset/2',
    runId: input.runId,
    configKey: input.configKey,
    parent: input.parentManifestKey ?? null,
    verificationPolicy: policy,
    policyTag: policyTag(policy),
    solvePrompt: wrapper.tag,
    prompts: { solve: wrapper.tag, statement: uniqueSorted(records.map((r) => r.prompts.statement)) },
    models,
    records: rows.map((r) => r.entry),
    discarded,
    stats,
    files,
    formats,
    card: { readme: await store.putText(card.markdown), charts: chartKeys },
  };
  return { manifestKey: await store.putJson(manifest), manifest, added };
}
