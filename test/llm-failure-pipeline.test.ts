import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CandidatesRecord } from '../activities/llm/records';
import { ContentStore } from '../activities/store/content-store';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import type { PipelineSummary, TaskOutcome } from '../workflows/types';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';
import { okChoice, reply, ScriptedLlm, truncatedChoice, type ScriptedRequest } from './helpers/scripted-llm';

/**
 * A whole run on the real dev server and the real sandbox, with every LLM answer scripted: a 429 storm, a 5xx,
 * malformed JSON, the wrong schema, refusals, truncation and a rejected request, each on its own item. The run
 * must complete, fail or discard exactly the affected items with their reasons, keep the good one (which rode
 * out the storm through Temporal's retries), and account for every token the endpoint served.
 */

const SEEDS = [
  { id: 'seed-a', problem: 'SEED-A: print the sum of a list of integers.', solution: 'print(sum(map(int, input().split())))' },
  { id: 'seed-b', problem: 'SEED-B: count the vowels of a word.', solution: "print(sum(c in 'aeiou' for c in input()))" },
  { id: 'seed-c', problem: 'SEED-C: reverse a string.', solution: 'print(input()[::-1])' },
];
const TREE_A = { algorithm: { search: ['s1', 's2', 's3'], graphs: ['g1', 'g2', 'g3'] }, 'data structures': { linear: ['l1', 'l2', 'l3'], trees: ['t1', 't2'] } };
const TREE_B = { 'problem type': { counting: ['c1', 'c2', 'c3'], optimization: ['o1', 'o2'] }, 'implementation logic': { parsing: ['p1', 'p2'], simulation: ['m1', 'm2'] } };
const STORM = 6;

/** Each task's fate, assigned to the subtrees in the order their select-features requests arrive. */
const PLANS = ['kept', 'select-malformed', 'select-rejected', 'statement-wrong-schema', 'solve-refused', 'tests-truncated'] as const;
type Plan = (typeof PLANS)[number];

const statement = (plan: Plan) =>
  `# Two numbers [plan:${plan}]\n\nAlice has two integers a and b and wants to know their total.\n\n## Input\nOne line with a and b ` +
  `(-10^9 <= a, b <= 10^9), separated by a space.\n\n## Output\nPrint a + b.\n\n## Example\nInput: 1 2\nOutput: 3`;
const CORRECT = 'Read both and add.\n```python\na, b = map(int, input().split())\nprint(a + b)\n```';
const CORRECT_TOO = 'One line.\n```python\nprint(sum(map(int, input().split())))\n```';
const WRONG = 'Subtract, by mistake.\n```python\na, b = map(int, input().split())\nprint(a - b)\n```';
const INPUTS = ['1 2', '3 4', '-5 3', '100 200', '7 -7', '0 9'];

function planOf(text: string): Plan {
  const plan = /\[plan:([a-z-]+)\]/.exec(text)?.[1];
  if (!plan) throw new Error(`no plan marker in: ${text.slice(0, 200)}`);
  return plan as Plan;
}

/** Scripts the whole run; returns the plan each select-features user message (one per subtree) was given. */
function scriptRun(llm: ScriptedLlm): Map<string, Plan> {
  llm.on('extract-features', (r) => {
    if (r.user.includes('SEED-A')) return reply.ok(`<begin>${JSON.stringify(TREE_A)}<end>`);
    // Seed B is repaired: malformed first, then good.
    if (r.user.includes('SEED-B')) return r.repairs === 0 ? reply.malformed() : reply.ok(`<begin>${JSON.stringify(TREE_B)}<end>`);
    return reply.refusal();
  });
  llm.on('evolve-features', (r) => (r.repairs === 0 ? reply.truncated('<begin>{"algorithm": {"search": ["s4"]}}<end>') : reply.ok('<begin>{"algorithm": {"search": ["s4"]}}<end>')));

  const plans = new Map<string, Plan>();
  llm.on('select-features', (r) => {
    let plan = plans.get(r.user);
    if (!plan) plans.set(r.user, (plan = PLANS[plans.size] ?? 'kept'));
    if (plan === 'select-malformed') return reply.malformed();
    if (plan === 'select-rejected') return reply.error(400, { message: "This model's maximum context length is 8192 tokens" });
    return reply.json({
      feature_roles_tree: { arithmetic: ['addition'] },
      selected_features_tree: { arithmetic: ['addition'] },
      integration_strategy: `Combine two numbers with one addition [plan:${plan}].`,
    });
  });
  llm.on('write-statement', (r) => {
    const plan = planOf(r.user);
    return plan === 'statement-wrong-schema' ? reply.json({ title: 'Two numbers', statement: statement(plan) }) : reply.json({ question: statement(plan) });
  });
  let solveAttempts = 0;
  llm.on('solve', (r) => {
    const plan = planOf(r.user);
    if (plan === 'solve-refused') return reply.refusal();
    // An outage on the way: Temporal retries it with the policy's backoff.
    if (plan === 'kept' && solveAttempts++ === 0) return reply.error(500);
    return reply.choices(okChoice(CORRECT), okChoice(CORRECT_TOO), okChoice(WRONG), truncatedChoice(CORRECT));
  });
  let storm = 0;
  llm.on('write-tests', (r) => {
    const plan = planOf(r.user);
    if (plan === 'tests-truncated') return reply.truncated(JSON.stringify({ test_cases: INPUTS.map((input_string) => ({ input_string })) }));
    if (plan === 'kept' && storm++ < STORM) return reply.rateLimited(1);
    return reply.json({ test_cases: INPUTS.map((input_string, idx) => ({ idx, description: `case ${idx}`, input_string })) });
  });
  return plans;
}

describe('a run whose LLM misbehaves in every way, on a different item each', () => {
  let h: PipelineHarness;
  let llm: ScriptedLlm;
  let summary: PipelineSummary;
  let workflowId: string;
  let seedsDir: string;
  const byPlan = new Map<Plan, TaskOutcome>();

  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    llm = await ScriptedLlm.start();
    const plans = scriptRun(llm);
    seedsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-seeds-'));
    const seedsPath = path.join(seedsDir, 'seeds.jsonl');
    await fs.writeFile(seedsPath, SEEDS.map((s) => JSON.stringify(s)).join('\n'));
    const config = h.config({
      seedsPath,
      llm: { ...h.config().llm, baseURL: llm.baseURL, model: 'scripted', price: { promptPerMillion: 1, completionPerMillion: 1 } },
      features: { minLeaves: 3, shapes: [[2, 2, 1], [2, 1, 2]], evolutionRounds: 1 },
      tasks: { count: PLANS.length, concurrency: PLANS.length, minStatementTokens: 20 },
      solutions: { candidates: 4 },
      tests: { count: INPUTS.length },
      training: { enabled: false },
    });
    workflowId = `llm-failures-${config.runId}`;
    const workers = [await createOrchestratorWorker({ connection: h.connection, env: h.env }), await createSandboxWorker({ connection: h.connection, env: h.env })];
    summary = (await withWorkers(workers, () =>
      h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId, args: [config] })
    )) as PipelineSummary;
    // Which plan each outcome followed, from what its subtree was asked (not from the outcome itself).
    const store = new ContentStore(h.env.dataDir);
    for (const o of summary.tasks.outcomes) {
      const subtree = JSON.stringify(await store.getJson(o.lineage.subtreeKey), null, 2);
      const plan = [...plans].find(([user]) => user.includes(subtree))?.[1];
      expect(plan, `task ${o.index} was asked to select features`).toBeDefined();
      byPlan.set(plan!, o);
    }
    expect([...byPlan.keys()].sort()).toEqual([...PLANS].sort());
  }, 180_000);

  afterAll(async () => {
    await llm?.close();
    await h?.close();
    if (seedsDir) await fs.rm(seedsDir, { recursive: true, force: true });
  });

  it('fails only the seed the model refused, repairs the malformed one, and evolves after a truncated answer', () => {
    expect(summary.seeds).toMatchObject({ loaded: 3, extracted: 2 });
    expect(summary.seeds.extractionFailures).toHaveLength(1);
    expect(summary.seeds.extractionFailures[0]?.index).toBe(2);
    expect(summary.seeds.extractionFailures[0]?.reason).toMatch(
      /^InvalidLlmOutput: extract-features@\d+: unusable answer after 3 attempts: the model refused to answer \("I'm sorry/
    );
    expect(summary.features.evolved).toMatchObject({ roundsSucceeded: 1, roundFailures: [] });
    expect(summary.features.evolved.leafCount).toBe(summary.features.base.leafCount + 1);
  });

  it('completes with each affected item failed or discarded with its reason, and the good one kept', () => {
    expect(summary.tasks).toMatchObject({ requested: 6, kept: 1, discarded: 1, failed: 4 });
    expect(summary.tasks.reasons).toEqual({ InvalidLlmOutput: 3, LlmRequestRejected: 1, no_valid_candidates: 1 });
    expect(byPlan.get('kept')).toMatchObject({ status: 'kept', candidates: { total: 4, valid: 3 }, tests: { total: 6, labelled: 6 } });
    expect(byPlan.get('select-malformed')).toMatchObject({ status: 'failed', stage: 'select' });
    expect(byPlan.get('select-malformed')?.reason).toMatch(/^InvalidLlmOutput: select-features@\d+: unusable answer after 3 attempts: the JSON is invalid/);
    expect(byPlan.get('select-rejected')).toMatchObject({ status: 'failed', stage: 'select' });
    expect(byPlan.get('select-rejected')?.reason).toMatch(/^LlmRequestRejected: .*rejected the request \(HTTP 400\): 400 This model's maximum context length/);
    expect(byPlan.get('statement-wrong-schema')).toMatchObject({ status: 'failed', stage: 'statement' });
    expect(byPlan.get('statement-wrong-schema')?.reason).toMatch(/^InvalidLlmOutput: write-statement@\d+: .*question: Invalid input: expected string, received undefined/);
    expect(byPlan.get('solve-refused')).toMatchObject({ status: 'discarded', stage: 'solutions', reason: 'no_valid_candidates', candidates: { total: 4, valid: 0 } });
    expect(byPlan.get('tests-truncated')).toMatchObject({ status: 'failed', stage: 'solutions' });
    expect(byPlan.get('tests-truncated')?.reason).toMatch(/^InvalidLlmOutput: write-tests@\d+: unusable answer after 3 attempts: the answer was cut off by the token limit/);
  });

  it('records why each candidate of a refused task was unusable', async () => {
    const store = new ContentStore(h.env.dataDir);
    const record = await store.getJson<CandidatesRecord>(byPlan.get('solve-refused')!.lineage.candidatesKey!);
    expect(record.candidates.map((c) => c.invalidReason)).toEqual(Array(4).fill(`the model refused to answer ("I'm sorry, but I can't assist with that request.")`));
  });

  it('keeps the item that hit the 429 storm, after Temporal retried it with the Retry-After', async () => {
    const kept = byPlan.get('kept')!;
    const history = await h.client.workflow.getHandle(`${workflowId}/task-${kept.index}`).fetchHistory();
    const scheduled = new Map<string, string>();
    const attempts: Record<string, number> = {};
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
      const started = e.activityTaskStartedEventAttributes;
      if (started) attempts[scheduled.get(String(started.scheduledEventId))!] = started.attempt ?? 1;
    }
    expect(attempts).toMatchObject({ selectFeatures: 1, writeStatement: 1, generateSolutions: 2, generateTestInputs: STORM + 1 });
    const storm = llm.requestsFor('write-tests').filter((r) => r.user.includes('[plan:kept]'));
    expect(storm.map((r) => r.status)).toEqual([...Array(STORM).fill(429), 200]);
    // Temporal waited for the server's Retry-After (1 s) between attempts, not its own backoff (2, 4, 8, 16, 32, 64 s).
    const gaps = storm.slice(1).map((r, i) => r.time - storm[i]!.time);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(900);
    expect(Math.max(...gaps)).toBeLessThan(4000);
  });

  it('accounts for every token the endpoint served, including the failed items\u2019 attempts', () => {
    const served = llm.requests.filter((r) => r.status === 200);
    const sum = (rs: ScriptedRequest[]) => ({
      requests: rs.length,
      promptTokens: rs.reduce((n, r) => n + (r.usage?.promptTokens ?? 0), 0),
      completionTokens: rs.reduce((n, r) => n + (r.usage?.completionTokens ?? 0), 0),
    });
    const isFeature = (r: ScriptedRequest) => r.promptId === 'extract-features' || r.promptId === 'evolve-features';
    expect(summary.usage.features).toMatchObject(sum(served.filter(isFeature)));
    expect(summary.usage.tasks).toMatchObject(sum(served.filter((r) => !isFeature(r))));
  });
});
