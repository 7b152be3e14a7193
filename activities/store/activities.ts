import { promises as fs } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import type { DatasetRefs, ExportDatasetsInput, LoadSeedsInput, LoadSeedsResult } from '../../workflows/types';
import type { ContentStore } from './content-store';
import { buildDatasets } from './datasets';
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

    async exportDatasets(input: ExportDatasetsInput): Promise<DatasetRefs> {
      const { sft, rl, manifest } = await buildDatasets(store, input);
      const [sftKey, rlKey] = await Promise.all([store.putText(sft.jsonl), store.putText(rl.jsonl)]);
      const manifestKey = await store.putJson({ ...manifest, files: { sft: sftKey, rl: rlKey } });
      const dir = `runs/${input.runId}/dataset`;
      const paths = {
        sft: await store.publish(sftKey, `${dir}/sft.jsonl`),
        rl: await store.publish(rlKey, `${dir}/rl.jsonl`),
        manifest: await store.publish(manifestKey, `${dir}/manifest.json`),
      };
      return { manifestKey, sftKey, rlKey, sftRecords: sft.count, rlRecords: rl.count, paths };
    },
  };
}
