import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { DEFAULT_LIMITS } from '../activities/sandbox/types';
import type { RlRecord, SftRecord } from '../activities/store/datasets';
import { createOrchestratorWorker, createSandboxWorker, createTrainerWorker } from '../workers/create-workers';
import { temporalCliPath } from '../workers/dev-server';
import { loadReplayCorpus, type ReplayCorpus } from '../workers/replay-llm/corpus';
import type { PipelineSummary } from '../workflows/types';
import { DEMO_CORPUS_PATH, startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const run = promisify(execFile);

/**
 * The whole pipeline on a real dev server, started exactly as the README tells users to: with the Temporal
 * CLI and an input file. The replay corpus holds five tasks with known fates (two good, one where every
 * candidate crashes, one whose halves disagree, one with a malformed stage-1 answer).
 */
describe('synthSmithPipeline end to end (started with the temporal CLI)', () => {
  let h: PipelineHarness;
  let corpus: ReplayCorpus;
  let summary: PipelineSummary;

  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    corpus = await loadReplayCorpus(DEMO_CORPUS_PATH);
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker, createTrainerWorker].map((f) => f({ connection: h.connection, env: h.env })));
    const config = h.config();
    const inputFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-cli-')), 'pipeline.json');
    await fs.writeFile(inputFile, JSON.stringify(config));
    const workflowId = `pipeline/${config.runId}`;
    // A rate-limit storm and a server error on the way: Temporal retries them and nothing is lost.
    h.llm.failNext({ promptId: 'extract-features', status: 429, count: 3, retryAfterSeconds: 1 });
    h.llm.failNext({ promptId: 'solve', status: 503, count: 2 });
    summary = await withWorkers(workers, async () => {
      await run(temporalCliPath(), [
        'workflow', 'start',
        '--type', 'synthSmithPipeline',
        '--task-queue', h.env.taskQueues.orchestrator,
        '--workflow-id', workflowId,
        '--input-file', inputFile,
        '--address', h.env.temporalAddress,
      ]);
      return h.client.workflow.getHandle(workflowId).result();
    });
    // The whole demo: 5 tasks through the sandbox, then 200 SFT and 3 GRPO steps of the tiny model on CPU. About
    // 4 minutes on an idle 2-core machine; CI machines are shared, so the budget allows for one 3x slower.
  }, 900_000);

  afterAll(async () => {
    await h?.close();
  });

  const corpusTaskOf = (prompt: string) => {
    const task = corpus.tasks.find((t) => prompt.includes(t.statement.question));
    expect(task, 'every exported task comes from the corpus').toBeDefined();
    return task!;
  };

  it('rides out 429 storms and 5xx answers from the LLM endpoint by retrying', () => {
    const statuses = h.llm.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(summary.seeds.extracted).toBe(3);
    expect(summary.seeds.extractionFailures).toEqual([]);
  });

  it('keeps exactly the good tasks and discards or fails the others with their reasons', () => {
    expect(summary.seeds.loaded).toBe(3);
    expect(summary.features.evolved.leafCount).toBeGreaterThan(summary.features.base.leafCount);
    expect(summary.tasks).toMatchObject({ requested: 5, kept: 2, discarded: 2, failed: 1 });
    expect(summary.tasks.reasons).toEqual({ no_labelled_tests: 1, too_few_witnesses: 1, InvalidLlmOutput: 1 });
    const failed = summary.tasks.outcomes.find((o) => o.status === 'failed');
    expect(failed).toMatchObject({ stage: 'select' });
    expect(failed?.reason).toMatch(/InvalidLlmOutput: select-features@1: unusable answer after 3 attempts/);
  });

  it('exports SFT records whose golden code is a correct candidate, never the wrong one', async () => {
    const sft = (await fs.readFile(summary.datasets!.paths.sft, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as SftRecord);
    expect(sft).toHaveLength(2);
    // The run's five tasks are the corpus's first five; the sixth (function I/O) answers only runs that ask for it.
    const expectedKept = corpus.tasks.filter((t) => t.expect === 'kept' && !t.statement.fn_name);
    expect(new Set(sft.map((r) => corpusTaskOf(r.messages[0]!.content).id))).toEqual(new Set(expectedKept.map((t) => t.id)));
    for (const record of sft) {
      const task = corpusTaskOf(record.messages[0]!.content);
      const answer = record.messages[1]!.content;
      const correct = task.candidates.filter((c) => c.correct);
      const wrong = task.candidates.filter((c) => !c.correct);
      expect(correct.some((c) => answer.includes(c.code.trim()))).toBe(true);
      for (const w of wrong) expect(answer.includes(w.code.trim())).toBe(false);
      expect(record.messages[0]!.role).toBe('user');
      expect(record.messages[1]!.role).toBe('assistant');
    }
  });

  it('exports RL tests whose outputs are what a correct solution prints', async () => {
    const rl = (await fs.readFile(summary.datasets!.paths.rl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RlRecord);
    expect(rl).toHaveLength(2);
    const sandbox = createBwrapSandbox();
    for (const record of rl) {
      const reference = corpusTaskOf(record.prompt).candidates.find((c) => c.correct)!;
      expect(record.tests.length).toBeGreaterThanOrEqual(4);
      expect(record.pass_rate).toBeGreaterThan(0);
      expect(record.pass_rate).toBeLessThan(1);
      for (const test of record.tests) {
        const r = await sandbox.runPython(reference.code, test.input, DEFAULT_LIMITS);
        // Labels are the golden's exact stdout, so a correct program prints them byte for byte.
        expect(r.stdout).toBe(test.output);
      }
    }
  });

  it('trains SFT then RL on the exported data, leaving loadable checkpoints', () => {
    const { sft, rl } = summary.training!;
    expect(sft?.kind).toBe('sft');
    expect(existsSync(path.join(sft!.checkpointDir, 'config.json'))).toBe(true);
    expect(sft!.metrics.last_loss).toBeLessThan(sft!.metrics.first_loss! / 2);
    expect(rl?.kind).toBe('grpo');
    expect(rl!.steps).toBe(3);
    expect(existsSync(path.join(rl!.checkpointDir, 'config.json'))).toBe(true);
    // Rewards come from judging the model's code: after SFT it reproduces a golden program at least once.
    expect(rl!.metrics.reward_max).toBeGreaterThan(0);
  });

  it('writes a manifest with the lineage of every record', async () => {
    const manifest = JSON.parse(await fs.readFile(summary.datasets!.paths.manifest, 'utf8')) as {
      records: { task_id: string; statementKey: string; candidatesKey: string; matrixKey: string; verificationKey: string }[];
      files: { sft: string; rl: string };
    };
    expect(manifest.records).toHaveLength(2);
    for (const r of manifest.records) for (const k of [r.statementKey, r.candidatesKey, r.matrixKey, r.verificationKey]) expect(k).toMatch(/^sha256:/);
    expect(manifest.files).toEqual({ sft: summary.datasets!.sftKey, rl: summary.datasets!.rlKey });
  });
});
