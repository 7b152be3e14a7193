import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFeatureActivities } from '../activities/features/activities';
import { createGeneratorActivities } from '../activities/llm/generator-activities';
import { LLM_FAILURE } from '../activities/llm/chat';
import { createOpenAiClientFactory } from '../activities/llm/client';
import { pythonAnswer } from '../activities/llm/parse';
import type { CandidatesRecord, InputProgramRecord, SelectionRecord, StatementRecord, TestsRecord } from '../activities/llm/records';
import { createTaskActivities } from '../activities/llm/task-activities';
import { ContentStore } from '../activities/store/content-store';
import { LlmEndpointSchema, type LlmEndpoint } from '../workflows/config';
import type { EvolveFeaturesResult, LlmUsage } from '../workflows/types';
import { okChoice, PLAIN_REFUSAL, refusalChoice, reply, ScriptedLlm, truncatedChoice, type ScriptedReply } from './helpers/scripted-llm';

/**
 * Every LLM activity against every way an endpoint lets a pipeline down, through the real `openai` client and
 * a scripted server. What a user cares about: a bad answer is repaired and used (its extra attempts paid for
 * and counted), or it fails that one item non-retryably naming the prompt and why, with the spend of the failed
 * attempts carried along; rate limits and outages are retryable (honouring Retry-After); rejected requests are not.
 */

const PRICE = { promptPerMillion: 1, completionPerMillion: 2 };
const STATEMENT =
  'Alice has two integers and wants to know their total. Read the two integers a and b from one line of standard input, ' +
  'separated by a single space, and print a single line with their sum. Constraints: -10^9 <= a, b <= 10^9.';
const SELECTION = {
  feature_roles_tree: { arithmetic: [{ feature: 'integer addition', potential_use: 'core' }] },
  selected_features_tree: { arithmetic: [{ feature: 'integer addition', potential_use: 'core' }] },
  integration_strategy: 'Read two integers and combine them with one addition.',
};
const TEST_CASES = { test_cases: [{ idx: 1, description: 'small', input_string: '1 2' }, { idx: 2, description: 'negative', input_string: '-5 3' }] };
const CORRECT = 'Add them.\n```python\na, b = map(int, input().split())\nprint(a + b)\n```';

let llm: ScriptedLlm;
let store: ContentStore;
let dataDir: string;
const clientFor = createOpenAiClientFactory({});
let baseEndpoint: LlmEndpoint;
let endpoint: LlmEndpoint;
let features: ReturnType<typeof createFeatureActivities>;
let tasks: ReturnType<typeof createTaskActivities>;
let programs: ReturnType<typeof createGeneratorActivities>;

beforeAll(async () => {
  llm = await ScriptedLlm.start();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-llm-failures-'));
  store = ContentStore.open({ root: dataDir });
  baseEndpoint = LlmEndpointSchema.parse({ baseURL: llm.baseURL, model: 'scripted', price: PRICE, timeoutMs: 10_000 });
  features = createFeatureActivities({ store, clientFor });
  tasks = createTaskActivities({ store, clientFor });
  programs = createGeneratorActivities({ store, clientFor });
});
afterAll(async () => {
  await llm?.close();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  llm.reset();
  endpoint = baseEndpoint;
});

function inActivity<R>(fn: () => Promise<R>, info: Partial<Info> = {}, env = new MockActivityEnvironment(info)): Promise<R> {
  return env.run(fn);
}

/** Retry-After is used as sent; without it the first retry comes after 1–2 s, jittered (2 s × 2^n policy). */
function expectRetryDelay(failure: ApplicationFailure, t: { nonRetryable: boolean; nextRetryDelay?: number }): void {
  if (t.nextRetryDelay !== undefined) expect(failure.nextRetryDelay).toBe(t.nextRetryDelay);
  else if (t.nonRetryable) expect(failure.nextRetryDelay).toBeUndefined();
  else {
    expect(failure.nextRetryDelay).toBeGreaterThanOrEqual(1000);
    expect(failure.nextRetryDelay).toBeLessThan(2000);
  }
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (err: unknown) => ({ err })
  );
  if (!('err' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value).slice(0, 300)}`);
  expect(outcome.err).toBeInstanceOf(ApplicationFailure);
  return outcome.err as ApplicationFailure;
}

/** The usage the server handed out for the last `count` requests of a prompt, priced like the endpoint. */
function servedUsage(promptId: string, count: number): LlmUsage {
  const served = llm.requestsFor(promptId).slice(-count);
  expect(served).toHaveLength(count);
  const promptTokens = served.reduce((s, r) => s + (r.usage?.promptTokens ?? 0), 0);
  const completionTokens = served.reduce((s, r) => s + (r.usage?.completionTokens ?? 0), 0);
  return { requests: count, promptTokens, completionTokens, costUsd: (promptTokens * PRICE.promptPerMillion + completionTokens * PRICE.completionPerMillion) / 1e6 };
}

function expectUsage(actual: LlmUsage | undefined, expected: LlmUsage): void {
  expect(actual).toMatchObject({ requests: expected.requests, promptTokens: expected.promptTokens, completionTokens: expected.completionTokens });
  expect(actual?.costUsd).toBeCloseTo(expected.costUsd, 12);
}

/** An activity whose answer goes through askParsed: one item per call, repaired, then failed. */
interface AskedActivity {
  name: string;
  prompt: string;
  run(): Promise<{ usage?: LlmUsage }>;
  goodText: string;
  wrongSchema: ScriptedReply;
  wrongSchemaReason: RegExp;
  /** Asserts the good answer is what the activity stored. */
  used(result: unknown): Promise<void>;
}

const ASKED: AskedActivity[] = [
  {
    name: 'extractFeatures',
    prompt: 'extract-features',
    run: async () => {
      const seedsKey = await store.putJson([{ id: 's', problem: 'Print the sum of two integers.', solution: 'print(sum(map(int, input().split())))' }]);
      return features.extractFeatures({ seedsKey, index: 0, endpoint });
    },
    goodText: '<begin>\n{"algorithm": {"arithmetic": ["integer addition"]}, "implementation logic": ["parse one line"]}\n<end>',
    wrongSchema: reply.ok('<begin>\n{"summary": "adds two numbers", "difficulty": 800}\n<end>'),
    wrongSchemaReason: /the JSON holds no features \(lists of strings\)/,
    used: async (result) => {
      const { treeKey, leafCount } = result as { treeKey: string; leafCount: number };
      expect(leafCount).toBe(2);
      expect(await store.getJson(treeKey)).toEqual({ algorithm: { arithmetic: ['integer addition'] }, 'implementation logic': ['parse one line'] });
    },
  },
  {
    name: 'selectFeatures',
    prompt: 'select-features',
    run: async () => tasks.selectFeatures({ subtreeKey: await store.putJson({ arithmetic: ['integer addition'] }), endpoint }),
    goodText: `\`\`\`json\n${JSON.stringify(SELECTION)}\n\`\`\``,
    wrongSchema: reply.json({ features: ['integer addition'], integration_strategy: '  ' }),
    wrongSchemaReason: /feature_roles_tree: Invalid input: expected record, received undefined; selected_features_tree: .*; integration_strategy: Too small/,
    used: async (result) => {
      const record = await store.getJson<SelectionRecord>((result as { selectionKey: string }).selectionKey);
      expect(record.integrationStrategy).toBe(SELECTION.integration_strategy);
    },
  },
  {
    name: 'writeStatement',
    prompt: 'write-statement',
    run: async () => {
      const selection: SelectionRecord = {
        subtreeKey: 'sha256:0',
        featureRolesTree: SELECTION.feature_roles_tree,
        selectedFeaturesTree: SELECTION.selected_features_tree,
        integrationStrategy: SELECTION.integration_strategy,
        provenance: { prompt: 'select-features@1', model: 'scripted', baseURL: '', temperature: 0, topP: 1, maxTokens: 1 },
      };
      const selectionKey = await store.putJson(selection);
      return tasks.writeStatement({ selectionKey, seed: 1, styleWeights: { codeforces: 1, leetcode: 0, atcoder: 0 }, endpoint, filters: { minTokens: 10, hintFilter: true } });
    },
    goodText: JSON.stringify({ question: STATEMENT }),
    wrongSchema: reply.json({ title: 'Sum', statement: STATEMENT }),
    wrongSchemaReason: /question: Invalid input: expected string, received undefined/,
    used: async (result) => {
      const { statementKey, rejected } = result as { statementKey: string; rejected?: string };
      expect(rejected).toBeUndefined();
      expect((await store.getJson<StatementRecord>(statementKey)).question).toBe(STATEMENT);
    },
  },
  {
    name: 'generateTestInputs',
    prompt: 'write-tests',
    run: async () => tasks.generateTestInputs({ statementKey: await statementKey(), count: 5, endpoint }),
    goodText: JSON.stringify(TEST_CASES),
    wrongSchema: reply.json({ test_cases: [{ idx: 1, input: '1 2' }] }),
    wrongSchemaReason: /test_cases\.0\.input_string: Invalid input: expected string, received undefined/,
    used: async (result) => {
      const record = await store.getJson<TestsRecord>((result as { testsKey: string }).testsKey);
      expect(record.tests.map((t) => t.input)).toEqual(['1 2\n', '-5 3\n']);
    },
  },
];

async function statementKey(): Promise<string> {
  const record: StatementRecord = {
    taskId: 'task-sum',
    style: 'codeforces',
    ioMode: 'stdio',
    question: STATEMENT,
    selectionKey: 'sha256:0',
    provenance: { prompt: 'write-statement@1', model: 'scripted', baseURL: '', temperature: 0, topP: 1, maxTokens: 1 },
  };
  return store.putJson(record);
}

/** Unusable answers: each is repaired when the next answer is good, and fails the item when it never is. */
const BAD_ANSWERS: { kind: string; reply(a: AskedActivity): ScriptedReply; reason(a: AskedActivity): RegExp }[] = [
  { kind: 'malformed JSON', reply: () => reply.malformed(), reason: () => /the JSON is invalid \(/ },
  { kind: 'valid JSON of the wrong schema', reply: (a) => a.wrongSchema, reason: (a) => a.wrongSchemaReason },
  { kind: 'a refusal (message.refusal, content null)', reply: () => reply.refusal(), reason: () => /the model refused to answer \("I'm sorry, but I can't assist with that request\."\)/ },
  { kind: 'a refusal in prose', reply: () => reply.plainRefusal(), reason: () => /the model refused to answer \("I'm sorry, I can't help with that\."\)/ },
  { kind: 'an answer cut off by the token limit', reply: (a) => reply.truncated(a.goodText), reason: () => /the answer was cut off by the token limit/ },
];

/** Endpoint failures: classified for Temporal's retry policy, never as an unusable answer. */
const TRANSPORT: { kind: string; reply: ScriptedReply; type: string; nonRetryable: boolean; message: RegExp; nextRetryDelay?: number; timeoutMs?: number }[] = [
  { kind: '429 with retry-after', reply: reply.rateLimited(3), type: LLM_FAILURE.unavailable, nonRetryable: false, message: /unavailable \(HTTP 429\)/, nextRetryDelay: 3000 },
  { kind: '500', reply: reply.error(500), type: LLM_FAILURE.unavailable, nonRetryable: false, message: /unavailable \(HTTP 500\)/ },
  { kind: '503 with retry-after', reply: reply.error(503, { retryAfter: '1' }), type: LLM_FAILURE.unavailable, nonRetryable: false, message: /HTTP 503/, nextRetryDelay: 1000 },
  // A short client timeout (the endpoint's timeoutMs) so the case takes a fraction of a second.
  { kind: 'a request that never gets an answer', reply: reply.hang(), type: LLM_FAILURE.unavailable, nonRetryable: false, message: /unavailable: Request timed out/, timeoutMs: 300 },
  { kind: '400', reply: reply.error(400, { message: 'context length exceeded' }), type: LLM_FAILURE.rejected, nonRetryable: true, message: /rejected the request \(HTTP 400\): 400 context length exceeded/ },
  { kind: '401', reply: reply.error(401), type: LLM_FAILURE.rejected, nonRetryable: true, message: /\(HTTP 401\) \(is the key in \$OPENAI_API_KEY on the worker\?\)/ },
];

describe.each(ASKED)('$name under failure', (a) => {
  it.each(BAD_ANSWERS)('repairs $kind and uses the next answer, counting both attempts', async (bad) => {
    llm.queue(a.prompt, bad.reply(a), reply.ok(a.goodText));
    const result = await inActivity(() => a.run());
    await a.used(result);
    expectUsage(result.usage, servedUsage(a.prompt, 2));
    // The repair carried the parser's complaint back to the model, after its own bad answer.
    const repair = llm.requestsFor(a.prompt).at(-1)!;
    expect(repair.repairs).toBe(1);
    expect(repair.messages.at(-1)?.content).toMatch(bad.reason(a));
  });

  it.each(BAD_ANSWERS)('fails the item non-retryably on $kind three times, naming the prompt and the reason', async (bad) => {
    llm.queue(a.prompt, bad.reply(a), bad.reply(a), bad.reply(a));
    const failure = await failureOf(inActivity(() => a.run()));
    expect(failure).toMatchObject({ type: LLM_FAILURE.invalidOutput, nonRetryable: true });
    expect(failure.message).toMatch(new RegExp(`^${a.prompt}@\\d+: unusable answer after 3 attempts: `));
    expect(failure.message).toMatch(bad.reason(a));
    // The failed attempts' spend travels with the failure, so the run still accounts for it.
    expectUsage((failure.details?.[0] as { usage?: LlmUsage }).usage, servedUsage(a.prompt, 3));
  });

  it.each(TRANSPORT)('turns $kind into $type', async (t) => {
    if (t.timeoutMs) endpoint = { ...endpoint, timeoutMs: t.timeoutMs };
    llm.queue(a.prompt, t.reply);
    const before = llm.requests.length;
    const failure = await failureOf(inActivity(() => a.run()));
    expect(failure).toMatchObject({ type: t.type, nonRetryable: t.nonRetryable });
    expect(failure.message).toMatch(t.message);
    expectRetryDelay(failure, t);
    // One request: neither a repair turn nor the client's own retry loop; retrying is Temporal's job.
    expect(llm.requests.length - before).toBe(1);
  });

  it('rides out a 429 storm: each attempt is retryable after the Retry-After, and the next answer is used', async () => {
    llm.queue(a.prompt, reply.rateLimited(1), reply.rateLimited(2), reply.rateLimited(1), reply.ok(a.goodText));
    // What Temporal does with the failures: schedules attempt n+1 after nextRetryDelay.
    for (const [attempt, delay] of [[1, 1000], [2, 2000], [3, 1000]] as const) {
      const failure = await failureOf(inActivity(() => a.run(), { attempt }));
      expect(failure).toMatchObject({ type: LLM_FAILURE.unavailable, nonRetryable: false, nextRetryDelay: delay });
    }
    const result = await inActivity(() => a.run(), { attempt: 4 });
    await a.used(result);
    expectUsage(result.usage, servedUsage(a.prompt, 1));
  });
});

describe('evolveFeatureTree under failure (an unusable round is skipped, the rest of the activity goes on)', () => {
  const BASE = { algorithm: { search: ['binary search', 'linear search'] }, 'data structures': ['array', 'stack'] };
  const EVOLVED = '<begin>\n{"algorithm": {"search": ["ternary search", "exponential search"]}}\n<end>';
  const evolve = async (rounds: number, info: Partial<Info> = {}, env?: MockActivityEnvironment): Promise<EvolveFeaturesResult> => {
    const input = { treeKey: await store.putJson(BASE), rounds, branching: [2, 1, 2, 1], seed: 3, endpoint };
    return inActivity(() => features.evolveFeatureTree(input), info, env);
  };
  const asEvolution = (a: AskedActivity): AskedActivity => ({ ...a, goodText: EVOLVED, wrongSchema: reply.ok('<begin>\n{"note": "no new features"}\n<end>') });
  const evolution = asEvolution(ASKED[0]!);

  it.each(BAD_ANSWERS)('repairs $kind and merges the next answer', async (bad) => {
    llm.queue('evolve-features', bad.reply(evolution), reply.ok(EVOLVED));
    const result = await evolve(1);
    expect(result).toMatchObject({ roundsSucceeded: 1, roundFailures: [] });
    expect(((await store.getJson<typeof BASE>(result.treeKey)).algorithm.search)).toEqual(['binary search', 'linear search', 'ternary search', 'exponential search']);
    expectUsage(result.usage, servedUsage('evolve-features', 2));
  });

  it.each(BAD_ANSWERS)('skips a round that gave $kind three times, records why, keeps the tree and counts the spend', async (bad) => {
    const reason = bad.reason(evolution);
    llm.queue('evolve-features', bad.reply(evolution), bad.reply(evolution), bad.reply(evolution), reply.ok(EVOLVED));
    const result = await evolve(2);
    expect(result.roundsSucceeded).toBe(1);
    expect(result.roundFailures).toHaveLength(1);
    expect(result.roundFailures[0]).toMatch(/^round 0: evolve-features@\d+: unusable answer after 3 attempts: /);
    expect(result.roundFailures[0]).toMatch(reason);
    expect(result.leafCount).toBe(6);
    expectUsage(result.usage, servedUsage('evolve-features', 4));
  });

  it('skips a round whose request the endpoint rejects for its content (HTTP 400), and goes on', async () => {
    llm.queue('evolve-features', reply.error(400, { message: 'context length exceeded' }), reply.ok(EVOLVED));
    const result = await evolve(2);
    expect(result.roundsSucceeded).toBe(1);
    expect(result.roundFailures).toEqual([expect.stringMatching(/^round 0: .*rejected the request \(HTTP 400\): 400 context length exceeded/)]);
  });

  it.each(TRANSPORT.filter((t) => !t.kind.startsWith('400')))('fails the activity on $kind as $type', async (t) => {
    if (t.timeoutMs) endpoint = { ...endpoint, timeoutMs: t.timeoutMs };
    llm.queue('evolve-features', t.reply);
    const failure = await failureOf(evolve(1));
    expect(failure).toMatchObject({ type: t.type, nonRetryable: t.nonRetryable });
    expectRetryDelay(failure, t);
  });

  it('resumes after a 429 storm from the last heartbeated round, without asking for finished rounds again', async () => {
    llm.queue('evolve-features', reply.ok(EVOLVED), reply.rateLimited(1), reply.rateLimited(1), reply.ok('<begin>\n{"data structures": ["deque"]}\n<end>'));
    let details: unknown;
    const attempt = async (info: Partial<Info>) => {
      const env = new MockActivityEnvironment(info);
      env.on('heartbeat', (d: unknown) => (details = d));
      return evolve(2, info, env);
    };
    expect(await failureOf(attempt({ attempt: 1 }))).toMatchObject({ type: LLM_FAILURE.unavailable, nextRetryDelay: 1000 });
    expect(await failureOf(attempt({ attempt: 2, heartbeatDetails: details }))).toMatchObject({ type: LLM_FAILURE.unavailable, nextRetryDelay: 1000 });
    const result = await attempt({ attempt: 3, heartbeatDetails: details });
    expect(result.roundsSucceeded).toBe(2);
    expect(await store.getJson(result.treeKey)).toMatchObject({ 'data structures': ['array', 'stack', 'deque'] });
    expect(llm.requestsFor('evolve-features').slice(-4).map((r) => r.status)).toEqual([200, 429, 429, 200]);
    // Only the answered rounds are paid for.
    expect(result.usage?.requests).toBe(2);
  });
});

describe('generateSolutions under failure (n candidates in one request, each judged on its own)', () => {
  const solve = async (candidates: number) => inActivity(async () => tasks.generateSolutions({ statementKey: await statementKey(), candidates, endpoint }));

  it('keeps the good candidates and marks each bad one invalid with its reason', async () => {
    llm.queue(
      'solve',
      reply.choices(
        okChoice(CORRECT),
        truncatedChoice(CORRECT),
        refusalChoice(),
        okChoice(PLAIN_REFUSAL),
        okChoice('The answer is a + b.'),
        okChoice('```python\nprint(1)\n```\n```python\nprint(2)\n```'),
        okChoice('```python\ndef f(:\n    pass\n```'),
        okChoice('```python\nprint(sum(map(int, input().split())))\n```')
      )
    );
    const result = await solve(8);
    expect(result).toMatchObject({ total: 8, valid: 2 });
    const record = await store.getJson<CandidatesRecord>(result.candidatesKey);
    expect(record.candidates.map((c) => [c.valid, c.invalidReason])).toEqual([
      [true, undefined],
      [false, 'truncated'],
      [false, `the model refused to answer ("I'm sorry, but I can't assist with that request.")`],
      [false, `the model refused to answer ("${PLAIN_REFUSAL}")`],
      [false, 'no ```python code block'],
      [false, '2 code blocks; exactly one is allowed'],
      [false, expect.stringMatching(/^does not parse: SyntaxError: /)],
      [true, undefined],
    ]);
    expect(record.candidates[0]?.code).toBe('a, b = map(int, input().split())\nprint(a + b)\n');
    expect(llm.requestsFor('solve').at(-1)?.n).toBe(8);
    expectUsage(result.usage, servedUsage('solve', 1));
  });

  it('drops answers with an unclosed reasoning section or over the token limit (paper App. C.1)', async () => {
    const long = `${'word '.repeat(2000)}\n${CORRECT}`;
    llm.queue('solve', reply.choices(okChoice(`<think>add them${CORRECT}`), okChoice(long), okChoice(`<think>add them</think>\n${CORRECT}`)));
    const result = await inActivity(async () => tasks.generateSolutions({ statementKey: await statementKey(), candidates: 3, endpoint, maxAnswerTokens: 1000 }));
    const record = await store.getJson<CandidatesRecord>(result.candidatesKey);
    expect(record.candidates.map((c) => [c.valid, c.invalidReason])).toEqual([
      [false, 'incomplete reasoning: <think> is never closed'],
      [false, expect.stringMatching(/^too long: ~\d+ tokens > 1000$/)],
      [true, undefined],
    ]);
    expect(record.candidates[2]?.reasoning).toBe('add them\nAdd them.');
  });

  it('asks again for the rest when the endpoint ignores n, so the task still gets its m candidates', async () => {
    llm.queue('solve', reply.ignoringN(CORRECT), reply.ignoringN(CORRECT), reply.ignoringN(CORRECT));
    const result = await solve(3);
    expect(result).toMatchObject({ total: 3, valid: 3 });
    expect(llm.requestsFor('solve').slice(-3).map((r) => r.n)).toEqual([3, 2, 1]);
    expect(result.usage.requests).toBe(3);
    expectUsage(result.usage, servedUsage('solve', 3));
  });

  it('asks a C++ solver with its own prompt and keeps exactly one cpp block per candidate', async () => {
    const cpp = '#include <cstdio>\nint main(){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);}';
    llm.queue('solve-cpp', reply.choices(okChoice(`Sum.\n\`\`\`cpp\n${cpp}\n\`\`\``), okChoice(CORRECT)));
    const result = await inActivity(async () => tasks.generateSolutions({ statementKey: await statementKey(), candidates: 2, endpoint, language: 'cpp' }));
    const record = await store.getJson<CandidatesRecord>(result.candidatesKey);
    expect(record.provenance.prompt).toBe('solve-cpp@1');
    expect(record.candidates.map((c) => [c.language, c.valid, c.invalidReason])).toEqual([
      ['cpp', true, undefined],
      ['cpp', false, 'no ```cpp code block'],
    ]);
    expect(record.candidates[0]?.code).toBe(`${cpp}\n`);
  });

  it('returns zero valid candidates (the task is then discarded, not failed) when every candidate is refused', async () => {
    llm.queue('solve', reply.refusal());
    const result = await solve(4);
    expect(result).toMatchObject({ total: 4, valid: 0 });
    const record = await store.getJson<CandidatesRecord>(result.candidatesKey);
    expect(record.candidates.every((c) => c.invalidReason?.startsWith('the model refused to answer'))).toBe(true);
  });

  it.each(TRANSPORT)('turns $kind into $type', async (t) => {
    if (t.timeoutMs) endpoint = { ...endpoint, timeoutMs: t.timeoutMs };
    llm.queue('solve', t.reply);
    const failure = await failureOf(solve(4));
    expect(failure).toMatchObject({ type: t.type, nonRetryable: t.nonRetryable });
    expect(failure.message).toMatch(t.message);
    expectRetryDelay(failure, t);
  });

  it('rides out a 429 storm: retryable attempts after the Retry-After, then the candidates are used', async () => {
    llm.queue('solve', reply.rateLimited(1), reply.rateLimited(1), reply.choices(okChoice(CORRECT)));
    for (const attempt of [1, 2]) {
      expect(await failureOf(inActivity(async () => tasks.generateSolutions({ statementKey: await statementKey(), candidates: 2, endpoint }), { attempt }))).toMatchObject({
        type: LLM_FAILURE.unavailable,
        nextRetryDelay: 1000,
      });
    }
    expect(await solve(2)).toMatchObject({ total: 2, valid: 2 });
  });
});

describe('a 200 whose body is not JSON (a broken proxy)', () => {
  it('is retried like an outage, not reported as a bad answer', async () => {
    llm.queue('select-features', reply.garbage());
    const failure = await failureOf(inActivity(() => ASKED[1]!.run()));
    expect(failure).toMatchObject({ type: LLM_FAILURE.unavailable, nonRetryable: false });
    expect(failure.message).toMatch(/^LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(model scripted\) sent a response body that is not JSON: /);
  });
});

describe.each([
  {
    name: 'writeGenerator',
    prompt: 'write-generator',
    run: async () => programs.writeGenerator({ statementKey: await statementKey(), scales: ['small'], perScaleLimit: 3, endpoint }),
    goodText:
      'Random pairs.\n```python\nimport argparse, random\np = argparse.ArgumentParser()\np.add_argument("--seed", type=int)\np.add_argument("--scale")\n' +
      'a = p.parse_args()\nrandom.seed(a.seed)\nfor i in range(3):\n    open(f"{a.scale}-{i}.in", "w").write(f"{random.randint(1, 9)} {i}\\n")\n```',
  },
  {
    name: 'writeValidator',
    prompt: 'write-validator',
    run: async () => programs.writeValidator({ statementKey: await statementKey(), endpoint }),
    goodText: 'Check the range.\n```python\na, b = map(int, input().split())\nassert -10**9 <= a <= 10**9 and -10**9 <= b <= 10**9\n```',
  },
])('$name under failure (an unusable program is recorded, and the tests go on without it)', (p) => {
  const BAD_PROGRAMS: { kind: string; reply: ScriptedReply; reason: RegExp }[] = [
    { kind: 'no code block', reply: reply.ok('Here is my plan, no code.'), reason: /no ```python code block/ },
    { kind: 'code that does not parse', reply: reply.ok('```python\ndef f(:\n```'), reason: /the program does not parse: SyntaxError/ },
    { kind: 'a refusal (message.refusal)', reply: reply.refusal(), reason: /the model refused to answer/ },
    { kind: 'a refusal in prose', reply: reply.plainRefusal(), reason: /the model refused to answer \("I'm sorry, I can't help with that\."\)/ },
    { kind: 'an answer cut off by the token limit', reply: reply.truncated(p.goodText), reason: /cut off by the token limit/ },
  ];

  it.each(BAD_PROGRAMS)('repairs $kind and stores the next program', async (bad) => {
    llm.queue(p.prompt, bad.reply, reply.ok(p.goodText));
    const result = await inActivity(() => p.run());
    expect(result.usable).toBe(true);
    expect((await store.getJson<InputProgramRecord>(result.programKey)).code).toBe(pythonAnswer(p.goodText).code);
    expectUsage(result.usage, servedUsage(p.prompt, 2));
  });

  it.each(BAD_PROGRAMS)('records $kind three times as unusable, naming the prompt and the reason, and counts the spend', async (bad) => {
    llm.queue(p.prompt, bad.reply, bad.reply, bad.reply);
    const result = await inActivity(() => p.run());
    expect(result.usable).toBe(false);
    const record = await store.getJson<InputProgramRecord>(result.programKey);
    expect(record.code).toBe('');
    expect(record.unusable).toMatch(new RegExp(`^${p.prompt}@\\d+: unusable answer after 3 attempts: `));
    expect(record.unusable).toMatch(bad.reason);
    expectUsage(result.usage, servedUsage(p.prompt, 3));
  });

  it.each(TRANSPORT)('turns $kind into $type', async (t) => {
    if (t.timeoutMs) endpoint = { ...endpoint, timeoutMs: t.timeoutMs };
    llm.queue(p.prompt, t.reply);
    const failure = await failureOf(inActivity(() => p.run()));
    expect(failure).toMatchObject({ type: t.type, nonRetryable: t.nonRetryable });
    expectRetryDelay(failure, t);
  });
});
