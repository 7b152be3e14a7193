import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContentStore } from '../activities/store/content-store';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import type { PipelineSummary } from '../workflows/types';
import { startMinio, type MinioServer } from './helpers/minio';
import { startHarness, withWorkers } from './helpers/pipeline-harness';

let minio: MinioServer;
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-store-'));

beforeAll(async () => {
  minio = await startMinio();
  await minio.createBucket('synthsmith');
});
afterAll(async () => {
  await minio?.stop();
});

const s3Options = (prefix: string) => ({
  url: `s3://synthsmith/${prefix}`,
  endpoint: minio.endpoint,
  accessKeyId: minio.accessKeyId,
  secretAccessKey: minio.secretAccessKey,
});

const backends: [string, () => Promise<ContentStore>][] = [
  ['a local directory', async () => ContentStore.open({ root: await tmp() })],
  ['S3 (a real MinIO server on loopback)', async () => ContentStore.open({ root: await tmp(), s3: s3Options(`contract-${Date.now()}`) })],
];

describe.each(backends)('the content store on %s', (_name, open) => {
  it('names content by its hash: the same value always gets the same key, and reads back equal', async () => {
    const store = await open();
    const value = { b: [1, 2, { z: 'ü' }], a: 'x' };
    const key = await store.putJson(value);
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await store.putJson({ a: 'x', b: [1, 2, { z: 'ü' }] })).toBe(key);
    expect(await store.getJson(key)).toEqual(value);
    await expect(store.getText(ContentStore.keyOf('never written'))).rejects.toThrow(/not found/);
  });

  it('keeps named refs, publishes readable copies and materialises blobs as local files', async () => {
    const store = await open();
    const key = await store.putText('line 1\nline 2\n');
    expect(await store.readRef('dataset-x')).toBeUndefined();
    await store.writeRef('dataset-x', key);
    expect(await store.readRef('dataset-x')).toBe(key);
    await expect(store.writeRef('../escape', key)).rejects.toThrow(/invalid ref name/);
    const where = await store.publish(key, 'runs/r1/dataset/sft.jsonl');
    expect(where).toMatch(/runs\/r1\/dataset\/sft\.jsonl$/);
    expect(await fs.readFile(await store.localPath(key), 'utf8')).toBe('line 1\nline 2\n');
  });
});

describe('the content store in use', () => {
  it('refuses a corrupt blob instead of handing it out', async () => {
    const root = await tmp();
    const store = ContentStore.open({ root });
    const key = await store.putText('precious');
    await fs.writeFile(store.pathOf(key), 'tampered');
    await expect(store.getText(key)).rejects.toThrow(/corrupt/);
  });

  it('carries a whole pipeline run: workers share nothing but the bucket', async () => {
    const h = await startHarness(inject('temporalAddress'));
    try {
      // Each worker gets its own local cache directory: everything they exchange goes through MinIO.
      const s3 = s3Options(`pipeline-${Date.now()}`);
      const orchestrator = await createOrchestratorWorker({ connection: h.connection, env: { ...h.env, dataDir: await tmp(), s3 } });
      const sandbox = await createSandboxWorker({ connection: h.connection, env: { ...h.env, dataDir: await tmp(), s3 } });
      const summary = await withWorkers([orchestrator, sandbox], () =>
        h.client.workflow.execute('synthSmithPipeline', {
          taskQueue: h.env.taskQueues.orchestrator,
          workflowId: `s3-${Date.now()}`,
          args: [h.config({ training: { enabled: false } })],
        })
      ) as PipelineSummary;
      expect(summary.tasks).toMatchObject({ kept: 2, discarded: 2, failed: 1 });
      expect(summary.datasets!.paths.sft).toMatch(/^s3:\/\/synthsmith\/pipeline-/);
      const reader = ContentStore.open({ root: await tmp(), s3 });
      expect((await reader.getText(summary.datasets!.sftKey)).trim().split('\n')).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
