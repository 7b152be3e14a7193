import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreActivities } from '../activities/store/activities';
import { ContentStore } from '../activities/store/content-store';
import type { DatasetManifest, DatasetRecord, RlRecord, SftQueryResponseRecord, SftRecord } from '../activities/store/datasets';
import type { TaskOutcome } from '../workflows/types';
import { sampleTasks, writeSampleRun } from './fixtures/verification/sample-run';

const jsonl = <T>(text: string): T[] => text.trim().split('\n').map((l) => JSON.parse(l) as T);

describe('dataset versions', () => {
  let root: string;
  let store: ContentStore;
  let outcomes: TaskOutcome[];
  const activities = () => createStoreActivities({ store });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'datasets-'));
    store = new ContentStore(root);
    outcomes = await writeSampleRun(store);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const kept = () => outcomes.filter((o) => o.status === 'kept');
  const discarded = () => outcomes.filter((o) => o.status !== 'kept');

  it('writes SFT (messages and query/response), RL (JSONL and verl Parquet), a manifest and a data card', async () => {
    const configKey = await store.putJson({ datasetFormat: { solvePrompt: { template: 'Solve:\n{statement}', system: 'Be exact.' }, dataSource: 'synthsmith-test' } });
    const refs = await activities().exportDatasets({ runId: 'r1', kept: kept(), discarded: discarded(), configKey });
    expect(refs).toMatchObject({ sftRecords: 2, rlRecords: 2, addedRecords: 2 });

    const sft = jsonl<SftRecord>(await readFile(refs.paths.sft, 'utf8'));
    expect(sft.map((r) => r.task_id)).toEqual(['task-even', 'task-squares']);
    expect(sft[0]?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(sft[0]?.messages[1]?.content).toBe('Solve:\nGiven n, print YES if n is even, else NO.');
    expect(sft[0]?.messages[2]?.content).toMatch(/```python\nprint\(\d\)\n```$/);

    const qr = jsonl<SftQueryResponseRecord>(await readFile(refs.paths.sftQueryResponse!, 'utf8'));
    expect(qr[0]).toEqual({ task_id: 'task-even', system: 'Be exact.', query: sft[0]?.messages[1]?.content, response: sft[0]?.messages[2]?.content });

    const rl = jsonl<RlRecord>(await readFile(refs.paths.rl, 'utf8'));
    expect(rl[1]).toMatchObject({ task_id: 'task-squares', io_mode: 'stdio', system: 'Be exact.', style: 'codeforces' });
    // Labels are the golden's exact stdout (a strict checker sees the trailing newline it printed).
    for (const t of rl[1]!.tests) expect(t.output).toBe(`${Number(t.input) ** 2}\n`);
    // Every record says how far to trust it: three distinct programs back the golden, all tests labelled.
    expect(rl[1]!.reliability).toMatchObject({ policy: 'independent-witnesses@2', witness_count: 3, margin: 2, tests: { given: 8, generated: 0, labelled: 8 }, golden_pass_fraction: 1 });
    expect(rl[1]!.checker).toBeUndefined();
    expect(sft[1]!.reliability).toEqual(rl[1]!.reliability);
    expect(rl[0]!.tests.every((t) => t.flags?.includes('constant'))).toBe(true);

    const parquet = await readFile(refs.paths.rlParquet!);
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet.subarray(-4).toString()).toBe('PAR1');

    const manifest = JSON.parse(await readFile(refs.paths.manifest, 'utf8')) as DatasetManifest;
    expect(manifest.files).toEqual({ sft: refs.sftKey, rl: refs.rlKey });
    expect(manifest).toMatchObject({ format: 'synthsmith.dataset/2', parent: null, policyTag: 'independent-witnesses@2', models: { solver: ['solver-model'], statement: ['writer-model'] } });
    expect(manifest.solvePrompt).toMatch(/^custom@[0-9a-f]{12}$/);
    expect(manifest.records.map((r) => [r.task_id, typeof r.recordKey, typeof r.verificationKey])).toEqual([
      ['task-even', 'string', 'string'],
      ['task-squares', 'string', 'string'],
    ]);
    expect(manifest.discarded).toEqual([expect.objectContaining({ task_id: 'task-split', reason: 'too_few_witnesses', verificationKey: expect.any(String) })]);
    expect(manifest.stats).toMatchObject({ tasks: 2, rlTasks: 2, styles: { atcoder: 1, codeforces: 1 }, discardReasons: { too_few_witnesses: 1 } });
    expect(manifest.stats.features.perCategory).toEqual({ math: 2, io: 1 });

    const card = await readFile(refs.paths.dataCard!, 'utf8');
    for (const chart of ['style-mix', 'feature-coverage', 'test-counts', 'pass-rate', 'discard-reasons', 'test-flags']) {
      expect(card).toContain(`charts/${chart}.svg`);
      const svg = await readFile(path.join(path.dirname(refs.paths.dataCard!), 'charts', `${chart}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
    const info = JSON.parse(await readFile(path.join(path.dirname(refs.paths.manifest), 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string }>;
    expect(Object.values(info).map((e) => e.file_name)).toEqual(['sft.jsonl', 'sft.query-response.jsonl']);
  });

  it('is content-named: the same tasks give the same keys, without run IDs in the files', async () => {
    const configKey = await store.putJson({});
    const a = await activities().exportDatasets({ runId: 'run-a', kept: kept(), configKey });
    const b = await activities().exportDatasets({ runId: 'run-b', kept: [...kept()].reverse(), configKey });
    expect([b.sftKey, b.rlKey, b.rlParquetKey]).toEqual([a.sftKey, a.rlKey, a.rlParquetKey]);
    expect(await readFile(a.paths.sft, 'utf8')).not.toContain('run-a');
  });

  it('a refresh appends: unchanged records are the very same blobs, new ones are added', async () => {
    const configKey = await store.putJson({});
    const first = await activities().exportDatasets({ runId: 'v1', kept: kept().slice(0, 1), configKey });
    const v1 = await store.getJson<DatasetManifest>(first.manifestKey);
    const more = await writeSampleRun(store, [{ ...sampleTasks()[0]!, taskId: 'task-cubes', question: 'Given n, print n squared (again).' }]);
    const second = await activities().exportDatasets({ runId: 'v2', kept: [...kept(), ...more], configKey, parentManifestKey: first.manifestKey });
    const v2 = await store.getJson<DatasetManifest>(second.manifestKey);
    expect(v2.parent).toBe(first.manifestKey);
    expect(second.addedRecords).toBe(2);
    expect(v2.records.map((r) => r.task_id)).toEqual(['task-cubes', 'task-even', 'task-squares']);
    const shared = v1.records[0]!;
    expect(v2.records.find((r) => r.task_id === shared.task_id)?.recordKey).toBe(shared.recordKey);
    const record = await store.getJson<DatasetRecord>(shared.recordKey);
    expect(record.sft.task_id).toBe(shared.task_id);
  });

  it('RL drops flagged tests by policy, and a task with no RL test left is SFT-only', async () => {
    const flagged = await writeSampleRun(store, sampleTasks().slice(0, 2), { rlDropFlags: ['constant', 'trivial'] });
    const configKey = await store.putJson({ verification: { rlDropFlags: ['constant', 'trivial'] } });
    const refs = await activities().exportDatasets({ runId: 'r', kept: flagged.filter((o) => o.status === 'kept'), configKey });
    const rl = jsonl<RlRecord>(await readFile(refs.paths.rl, 'utf8'));
    expect(refs.sftRecords).toBe(2);
    expect(rl.map((r) => r.task_id)).toEqual(['task-squares']);
    expect(rl[0]!.tests.every((t) => !t.flags?.some((f) => f === 'constant' || f === 'trivial'))).toBe(true);
  });
});
