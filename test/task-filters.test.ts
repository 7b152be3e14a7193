import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContentStore } from '../activities/store/content-store';
import { createOrchestratorWorker } from '../workers/create-workers';
import type { PipelineSummary } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

describe('task-level controls in a run', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('discard filtered statements with the reason, before any candidate is sampled or executed', async () => {
    // No sandbox worker at all: a filtered task must never reach execution.
    const before = h.llm.requests.length;
    const config = h.config({ tasks: { count: 5, minStatementTokens: 5000 }, training: { enabled: false } });
    const summary = await h.runPipeline(`filters-${Date.now()}`, config, { sandbox: false });
    expect(summary.tasks).toMatchObject({ kept: 0, discarded: 4, failed: 1 });
    expect(summary.tasks.reasons).toEqual({ statement_filtered: 4, InvalidLlmOutput: 1 });
    const filtered = summary.tasks.outcomes.filter((o) => o.reason === 'statement_filtered');
    for (const o of filtered) expect(o.detail).toMatch(/too short: ~\d+ tokens < 5000/);
    expect(h.llm.requests.slice(before).some((r) => r.promptId === 'solve')).toBe(false);
    expect(summary.training).toEqual({ skipped: 'training.enabled is false' });
  });

  it('account LLM usage and cost per run, and stop starting tasks once the budget is spent', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    // $1 per million tokens, and statements filtered so no sandbox is needed: only LLM spend matters here.
    const priced = (budgetUsd?: number) =>
      h.config({
        llm: { ...h.config().llm, price: { promptPerMillion: 1, completionPerMillion: 1 }, ...(budgetUsd ? { budgetUsd } : {}) },
        tasks: { count: 5, concurrency: 1, minStatementTokens: 5000 },
        training: { enabled: false },
      });
    const run = async (config: ReturnType<typeof priced>) =>
      (await h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId: `budget-${Date.now()}-${Math.random()}`, args: [config] })) as PipelineSummary;
    const [free, atBudget, oneTask] = await withWorkers([worker], async () => {
      const free = await run(priced());
      const atBudget = await run(priced(free.usage.features.costUsd));
      const oneTask = await run(priced(free.usage.features.costUsd + 1e-9));
      return [free, atBudget, oneTask];
    });
    const { total, features, tasks } = free.usage;
    expect(features.requests).toBe(4); // 3 extractions + 1 evolution round
    expect(tasks.requests).toBeGreaterThanOrEqual(4 * 2 + 3); // select + statement per task; 3 attempts for the malformed one
    expect(total.costUsd).toBeCloseTo((total.promptTokens + total.completionTokens) / 1e6, 12);
    // The features alone use the whole budget: no task starts.
    expect(atBudget.tasks.reasons).toEqual({ BudgetExhausted: 5 });
    // A hair more: exactly one task starts, then the budget is spent.
    expect(oneTask.tasks.reasons.BudgetExhausted).toBe(4);
  });

  it('run the strong solver on surviving tasks when the solvability filter is on, and keep what it solves', async () => {
    const before = h.llm.requests.length;
    const summary = await h.runPipeline(
      `solvability-${Date.now()}`,
      h.config({
        llm: { ...h.config().llm, roles: { strongSolver: { model: 'replay:strong-solver', temperature: 0 } } },
        verification: { solvability: { required: true } },
        training: { enabled: false },
      })
    );
    expect(summary.tasks).toMatchObject({ kept: 2, discarded: 2, failed: 1 });
    // One strong-solver request per task that survived verification, on its own role's model.
    const strong = h.llm.requests.slice(before).filter((r) => r.model === 'replay:strong-solver');
    expect(strong.map((r) => [r.promptId, r.n])).toEqual([
      ['solve', 1],
      ['solve', 1],
    ]);
    const store = new ContentStore(h.env.dataDir);
    for (const o of summary.tasks.outcomes.filter((x) => x.status === 'kept')) {
      const record = await store.getJson<{ result: { solverPassRate: number | null } }>(o.lineage.verificationKey!);
      expect(record.result.solverPassRate).toBe(1);
    }
  });

  it('fan out as a tree: batches of tasks under the run, each task under its batch, outcomes stored per batch, continuing as new', async () => {
    const workflowId = `tree-${Date.now()}`;
    const summary = await h.runPipeline(
      workflowId,
      h.config({
        tasks: { count: 5, batchSize: 2, batchesPerRun: 2, concurrency: 4, minStatementTokens: 5000 },
        features: { ...h.config().features, extractBatchSize: 2 },
        training: { enabled: false },
      }),
      { sandbox: false }
    );
    expect(summary.tasks.outcomesKeys).toHaveLength(3);
    expect(summary.tasks.outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
    expect(summary.tasks.reasons).toEqual({ statement_filtered: 4, InvalidLlmOutput: 1 });
    expect(summary.seeds).toMatchObject({ loaded: 3, extracted: 3 });
    const store = new ContentStore(h.env.dataDir);
    const stored = (await Promise.all(summary.tasks.outcomesKeys.map((k) => store.getJson<{ index: number }[]>(k)))).map((b) => b.map((o) => o.index));
    expect(stored).toEqual([[0, 1], [2, 3], [4]]);
    // Two batches per run: the pipeline continued as new once, and its second run started the third batch.
    expect(summary.tasks.pipelineRuns).toBe(2);
    const latest = await h.client.workflow.getHandle(workflowId).describe();
    const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId ?? '';
    expect(firstRunId).not.toBe(latest.runId);
    const first = h.client.workflow.getHandle(workflowId, firstRunId);
    expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
    const childIds = async (handle: ReturnType<typeof h.client.workflow.getHandle>) =>
      ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
        e.startChildWorkflowExecutionInitiatedEventAttributes ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId] : []
      );
    // The runs' histories hold extraction ranges and batches, not seeds or tasks: they do not grow with the run.
    expect(await childIds(first)).toEqual([`${workflowId}/extract-0`, `${workflowId}/extract-2`, `${workflowId}/batch-0`, `${workflowId}/batch-1`]);
    expect(await childIds(h.client.workflow.getHandle(workflowId))).toEqual([`${workflowId}/batch-2`]);
    // Task IDs stay `<run>/task-<index>` whatever batch runs them.
    expect((await h.client.workflow.getHandle(`${workflowId}/task-3`).describe()).status.name).toBe('COMPLETED');
  });

  it('are deterministic: the same seed and the same LLM answers give the same tasks; another seed samples others', async () => {
    const worker = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const run = (seed: number) =>
      h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId: `determinism-${seed}-${Date.now()}`,
        args: [h.config({ seed, tasks: { count: 5, minStatementTokens: 5000 }, training: { enabled: false } })],
      }) as Promise<PipelineSummary>;
    const [a, b, c] = await withWorkers([worker], async () => [await run(7), await run(7), await run(8)]);
    const fingerprint = (s: PipelineSummary) => s.tasks.outcomes.map((o) => [o.lineage.subtreeKey, o.taskId, o.style]);
    expect(fingerprint(b)).toEqual(fingerprint(a));
    expect(b.features.evolved.treeKey).toBe(a.features.evolved.treeKey);
    // Another seed draws other feature subtrees from the same tree.
    expect(new Set(c.tasks.outcomes.map((o) => o.lineage.subtreeKey))).not.toEqual(new Set(a.tasks.outcomes.map((o) => o.lineage.subtreeKey)));
  });

  it('sample candidates from several solver models, pooled with the provenance of each candidate', async () => {
    const before = h.llm.requests.length;
    const summary = await h.runPipeline(
      `solvers-${Date.now()}`,
      h.config({
        solutions: { candidates: 4, solvers: [{ model: 'replay:solver-a', share: 3 }, { model: 'replay:solver-b', temperature: 0.2 }] },
        training: { enabled: false },
      })
    );
    // One request per solver per task that reached sampling: n = 3 from solver-a, n = 1 from solver-b.
    const solves = h.llm.requests.slice(before).filter((r) => r.promptId === 'solve');
    const reached = summary.tasks.outcomes.filter((o) => o.candidates).length;
    expect(reached).toBeGreaterThan(0);
    expect(solves.filter((r) => r.model === 'replay:solver-a').map((r) => r.n)).toEqual(Array(reached).fill(3));
    expect(solves.filter((r) => r.model === 'replay:solver-b').map((r) => r.n)).toEqual(Array(reached).fill(1));
    const store = new ContentStore(h.env.dataDir);
    for (const o of summary.tasks.outcomes.filter((x) => x.candidates)) {
      expect(o.candidates?.total).toBe(4);
      const record = await store.getJson<{ candidates: { index: number; provenance: { model: string; temperature: number } }[]; solvers: { model: string; candidates: number }[] }>(
        o.lineage.candidatesKey!
      );
      expect(record.candidates.map((c) => [c.index, c.provenance.model])).toEqual([
        [0, 'replay:solver-a'],
        [1, 'replay:solver-a'],
        [2, 'replay:solver-a'],
        [3, 'replay:solver-b'],
      ]);
      expect(record.candidates[3]?.provenance.temperature).toBe(0.2);
      expect(record.solvers.map((x) => [x.model, x.candidates])).toEqual([
        ['replay:solver-a', 3],
        ['replay:solver-b', 1],
      ]);
    }
    // The pooled candidates are executed and verified like one model's: tasks are still kept.
    expect(summary.tasks.kept).toBeGreaterThan(0);
  });
});
