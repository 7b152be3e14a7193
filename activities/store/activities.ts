import { promises as fs } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import type { DatasetRefs, ExportDatasetsInput, LoadSeedsInput, LoadSeedsResult, TaskOutcome } from '../../workflows/types';
import type { ContentStore } from './content-store';
import { mapLimit } from '../common/map-limit';
import { writeDatasetVersion } from './datasets';
import { parseSeedsJsonl } from './seeds';

export function createStoreActivities({ store }: { store: ContentStore }) {
  return {
    /** Reads the seed file once into the store; the workflow then passes one small key instead of the seeds. */
    async loadSeeds({ seedsPath }: LoadSeedsInput): Promise<LoadSeedsResult> {
      let text: string;
      try {
        text = await fs.readFile(seedsPath, 'utf8');
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`seedsPath: cannot read ${seedsPath}: ${(err as Error).message}`, 'InvalidConfig');
      }
      const { seeds, rejected } = parseSeedsJsonl(text);
      if (seeds.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `seedsPath: ${seedsPath} holds no usable seed (${rejected.length} rejected lines${rejected[0] ? `, first: line ${rejected[0].line}: ${rejected[0].reason}` : ''})`,
          'InvalidConfig'
        );
      }
      return { seedsKey: await store.putJson(seeds), count: seeds.length, rejected };
    },

    /** Stores the resolved config so the dataset manifest can point at exactly what made it. */
    async storeJson(value: unknown): Promise<string> {
      return store.putJson(value);
    },

    /** A small blob back (a chunk of subtree keys); large blobs stay in activities. */
    async loadJson(key: string): Promise<unknown> {
      return store.getJson<unknown>(key);
    },

    /** Entry `index` of a list of chunk blobs, dereferenced: one batch's subtree keys (≤ 1,000, ~70 KB). */
    async loadChunk({ chunksKey, index }: { chunksKey: string; index: number }): Promise<string[]> {
      const chunks = await store.getJson<string[]>(chunksKey);
      const key = chunks[index];
      if (!key) throw ApplicationFailure.nonRetryable(`chunk ${index} is not in ${chunksKey} (${chunks.length} chunks)`, 'InvalidInput');
      return store.getJson<string[]>(key);
    },

    /** Writes a new dataset version (appending to a parent version when given) and human-readable copies. */
    async exportDatasets(input: ExportDatasetsInput): Promise<DatasetRefs> {
      // Outcomes of large runs arrive as blobs (one per batch), not through the workflow's history.
      const indexed = (await Promise.all((input.outcomesIndexKeys ?? []).map((k) => store.getJson<string[]>(k)))).flat();
      const blobKeys = [...(input.outcomesKeys ?? []), ...indexed];
      const fromBlobs = (await mapLimit(blobKeys, 16, (k) => store.getJson<TaskOutcome[]>(k))).flat();
      const resolved = {
        ...input,
        kept: [...(input.kept ?? []), ...fromBlobs.filter((o) => o.status === 'kept')],
        discarded: [...(input.discarded ?? []), ...fromBlobs.filter((o) => o.status !== 'kept')],
      };
      const { manifestKey, manifest, added } = await writeDatasetVersion(store, resolved);
      const dir = `runs/${input.runId}/dataset`;
      const paths = {
        sft: await store.publish(manifest.files.sft, `${dir}/sft.jsonl`),
        rl: await store.publish(manifest.files.rl, `${dir}/rl.jsonl`),
        manifest: await store.publish(manifestKey, `${dir}/manifest.json`),
        sftQueryResponse: await store.publish(manifest.formats.sftQueryResponse, `${dir}/sft.query-response.jsonl`),
        rlParquet: await store.publish(manifest.formats.rlParquet, `${dir}/rl.parquet`),
        dataCard: await store.publish(manifest.card.readme, `${dir}/README.md`),
      };
      await store.publish(manifest.formats.llamaFactoryInfo, `${dir}/dataset_info.json`);
      for (const [name, key] of Object.entries(manifest.card.charts)) await store.publish(key, `${dir}/charts/${name}.svg`);
      return {
        manifestKey,
        sftKey: manifest.files.sft,
        rlKey: manifest.files.rl,
        rlParquetKey: manifest.formats.rlParquet,
        sftRecords: manifest.stats.tasks,
        rlRecords: manifest.stats.rlTasks,
        addedRecords: added,
        ...(input.parentManifestKey ? { parentManifestKey: input.parentManifestKey } : {}),
        paths,
      };
    },

    /** The current version of a named dataset (e.g. the one the nightly refresh appends to). */
    async readDatasetHead(name: string): Promise<string | null> {
      return (await store.readRef(`dataset-${name}`)) ?? null;
    },

    async setDatasetHead(input: { name: string; manifestKey: string }): Promise<void> {
      await store.writeRef(`dataset-${input.name}`, input.manifestKey);
    },
  };
}
