import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../activities/store/content-store';
import { writeDatasetVersion } from '../activities/store/datasets';
import type { VerificationRecord } from '../activities/verify/activities';
import { lineagesOfManifest, relabelLineages } from '../activities/verify/relabel';
import type { TaskOutcome } from '../workflows/types';
import { writeSampleRun } from './fixtures/verification/sample-run';

const PAPER = { name: 'paper-dual-verification' } as const;

describe('re-labelling a finished run under another policy', () => {
  let root: string;
  let store: ContentStore;
  let outcomes: TaskOutcome[];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'relabel-'));
    store = new ContentStore(root);
    outcomes = await writeSampleRun(store, undefined, PAPER);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('stores the policy and the explanation with each decision', async () => {
    expect(outcomes.map((o) => [o.taskId, o.status, o.reason])).toEqual([
      ['task-squares', 'kept', undefined],
      ['task-even', 'kept', undefined],
      // Two camps, each right on half the tests, tie on the held-out half: the paper keeps one camp's program.
      ['task-split', 'kept', undefined],
    ]);
    const record = await store.getJson<VerificationRecord>(outcomes[2]!.lineage.verificationKey!);
    expect(record.policy).toMatchObject({ name: 'paper-dual-verification', version: 1, seed: 7 });
    expect(record.result.explanation).toMatch(/^kept .*golden half.*held-out half/);
    expect(record.result.votes[0]?.tally.length).toBeGreaterThan(0);
  });

  it('the same policy reproduces every decision; another one changes them task by task, from stored blobs only', async () => {
    const lineages = outcomes.map((o) => ({ taskId: o.taskId, ...o.lineage }));
    const same = await relabelLineages(store, lineages, PAPER);
    expect(same.counts.unchanged).toBe(3);
    expect(same.comparisons.map((c) => c.verificationKey)).toEqual(outcomes.map((o) => o.lineage.verificationKey));

    // Stricter: two votes and 3/4 agreement, softer hold-out. task-even's labels are 3 of 4 → kept;
    // task-squares' last test (3 of 4 agree) keeps its label; task-split's tests have one vote each → no labels.
    const other = await relabelLineages(store, lineages, { algorithm: 'paper', name: 'strict', version: 2, minVotes: 2, minAgreement: 0.75, holdOutTolerance: 0.5 });
    expect(other.policy).toBe('strict@2');
    const split = other.comparisons.find((c) => c.taskId === 'task-split')!;
    expect(split.after).toMatchObject({ decision: 'discarded', reason: 'no_labelled_tests' });
    expect(split.change).toBe('kept→discarded');
    expect(split.labelChanges).toHaveLength(8);
    expect(other.kept).toEqual({ before: 3, after: 2 });
  });

  it('re-labels the records (and discards) of a dataset manifest', async () => {
    const configKey = await store.putJson({});
    const { manifestKey } = await writeDatasetVersion(store, {
      runId: 'r',
      kept: outcomes.filter((o) => o.status === 'kept'),
      discarded: outcomes.filter((o) => o.status !== 'kept'),
      configKey,
    });
    const lineages = await lineagesOfManifest(store, manifestKey);
    expect(lineages).toHaveLength(3);
    const report = await relabelLineages(store, [...lineages, { task_id: 'never-verified' }], { algorithm: 'paper', minVotes: 5 });
    expect(report.tasks).toBe(3);
    expect(report.skipped).toEqual([{ taskId: 'never-verified', reason: expect.stringMatching(/no verificationKey/) }]);
    expect(report.counts['kept→discarded']).toBe(3);
  });

  it('compares the paper with the default witness policy on the same finished run', async () => {
    const lineages = outcomes.map((o) => ({ taskId: o.taskId, ...o.lineage }));
    const report = await relabelLineages(store, lineages, {});
    expect(report.policy).toBe('independent-witnesses@2');
    const by = Object.fromEntries(report.comparisons.map((c) => [c.taskId, c]));
    // Three distinct programs agree on every square: kept, and the labels say the same as the paper's.
    expect(by['task-squares']).toMatchObject({ after: { decision: 'kept' } });
    expect(by['task-squares']!.labelChanges).toEqual([]);
    // Four programs, four behaviours, none backed by a second program.
    expect(by['task-split']).toMatchObject({ after: { decision: 'discarded', reason: 'too_few_witnesses' } });
    expect(by['task-split']!.explanation).toMatch(/1 distinct program/);
  });
});
