import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LLM_FAILURE } from '../activities/llm/chat';
import { createOpenAiClientFactory } from '../activities/llm/client';
import { createGeneratorActivities } from '../activities/llm/generator-activities';
import { pythonAnswer } from '../activities/llm/parse';
import type { InputProgramRecord, SelectionRecord, SeparatingInputsRecord, StatementRecord } from '../activities/llm/records';
import { createSeparatorActivities } from '../activities/llm/separator-activities';
import { createTaskActivities } from '../activities/llm/task-activities';
import { ContentStore } from '../activities/store/content-store';
import { loadReplayCorpus, type ReplayTask } from '../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../workers/replay-llm/server';
import { LlmEndpointSchema, type LlmEndpoint } from '../workflows/config';
import { reply, ScriptedLlm } from './helpers/scripted-llm';

/**
 * The LLM side of trustworthy verification, through the real `openai` client and a scripted server: the output
 * rule the statement writer declares (exact, float tolerance, or a testlib checker for tasks with several valid
 * answers), the separator's inputs aimed at two candidates' disagreement, and the brute-force reference. A bad
 * rule is repaired like any schema error; an unusable separator or reference answer is recorded with its
 * reason and never fails the task; a rejected request still does.
 */

const PROVENANCE = { prompt: 'x@1', model: 'scripted', baseURL: '', temperature: 0, topP: 1, maxTokens: 1 };
const AVERAGE =
  'A surveyor walked along a straight road and wrote down n distances. Read n on the first line and the n integer ' +
  'distances on the second line, then print their average. Your answer is accepted if its absolute or relative error ' +
  'is at most 10^-6. Constraints: 1 <= n <= 10^5, 0 <= each distance <= 10^9.';
const PAIR =
  'Given n integers and a target t, print the 1-based indices i < j of any two of them whose sum is t, or -1 if ' +
  'there is none. If several pairs exist, print any of them. Input: n and t on the first line, the n integers on ' +
  'the second line. Constraints: 2 <= n <= 2*10^5, |values|, |t| <= 10^9.';
const CHECKER = [
  '#include "testlib.h"',
  'int main(int argc, char* argv[]) {',
  '    registerTestlibCmd(argc, argv);',
  '    int n = inf.readInt(); long long t = inf.readLong();',
  '    std::vector<long long> a(n); for (auto& x : a) x = inf.readLong();',
  '    int i = ouf.readInt(-1, n, "i");',
  '    bool ansHas = ans.readInt() != -1;',
  '    if (i == -1) { if (ansHas) quitf(_wa, "a pair exists"); quitf(_ok, "no pair"); }',
  '    int j = ouf.readInt(1, n, "j");',
  '    if (i < 1 || i >= j || a[i - 1] + a[j - 1] != t) quitf(_wa, "not a valid pair");',
  '    quitf(_ok, "valid pair");',
  '}',
].join('\n');
const SELECTION: SelectionRecord = {
  subtreeKey: 'sha256:0',
  featureRolesTree: { arithmetic: ['mean'] },
  selectedFeaturesTree: { arithmetic: ['mean'] },
  integrationStrategy: 'Average a list of distances read from one line.',
  provenance: PROVENANCE,
};

let llm: ScriptedLlm;
let store: ContentStore;
let dataDir: string;
let endpoint: LlmEndpoint;
const clientFor = createOpenAiClientFactory({});
let tasks: ReturnType<typeof createTaskActivities>;
let programs: ReturnType<typeof createGeneratorActivities>;
let separator: ReturnType<typeof createSeparatorActivities>;

beforeAll(async () => {
  llm = await ScriptedLlm.start();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-adaptive-roles-'));
  store = ContentStore.open({ root: dataDir });
  endpoint = LlmEndpointSchema.parse({ baseURL: llm.baseURL, model: 'scripted', timeoutMs: 10_000 });
  tasks = createTaskActivities({ store, clientFor });
  programs = createGeneratorActivities({ store, clientFor });
  separator = createSeparatorActivities({ store, clientFor });
});
afterAll(async () => {
  await llm?.close();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});
let seen = 0;
beforeEach(() => {
  llm.reset();
  seen = llm.requests.length;
});

/** This test's requests for a prompt (the scripted server's log spans the file). */
function asked(promptId: string) {
  return llm.requests.slice(seen).filter((r) => r.promptId === promptId);
}

function inActivity<R>(fn: () => Promise<R>): Promise<R> {
  return new MockActivityEnvironment().run(fn);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value).slice(0, 300)}`);
    },
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** writeStatement for one scripted answer sequence: stdio (Codeforces style) or a function-I/O LeetCode task. */
async function writeStatement(mode: 'stdio' | 'function' = 'stdio', minTokens = 10) {
  const selectionKey = await store.putJson(SELECTION);
  const styleWeights = mode === 'function' ? { codeforces: 0, leetcode: 1, atcoder: 0 } : { codeforces: 1, leetcode: 0, atcoder: 0 };
  const result = await inActivity(() =>
    tasks.writeStatement({ selectionKey, seed: 1, styleWeights, endpoint, filters: { minTokens, hintFilter: true }, leetcodeIo: 'function' })
  );
  return { ...result, record: await store.getJson<StatementRecord>(result.statementKey) };
}

const STARTER = 'class Solution:\n    def averageDistance(self, distances: List[int]) -> float:\n        pass\n';
const FUNCTION_ANSWER = { question: AVERAGE.replace(/Read n[^.]*\. /, ''), fn_name: 'averageDistance', starter_code: STARTER };

describe('writeStatement declares the output rule', () => {
  it('asks for it in version 2 of both statement prompts, saying the checker’s ans is another candidate’s output', async () => {
    llm.queue('write-statement', reply.json({ question: AVERAGE }));
    llm.queue('write-statement-function', reply.json(FUNCTION_ANSWER));
    const stdio = await writeStatement('stdio');
    const fn = await writeStatement('function');
    expect(stdio.record.provenance.prompt).toBe('write-statement@2');
    expect(fn.record.provenance.prompt).toBe('write-statement-function@2');
    const [stdioRequest] = asked('write-statement');
    expect(stdioRequest?.messages[0]?.content).toMatch(/^\[synthsmith prompt=write-statement version=2\]/);
    expect(stdioRequest?.user).toMatch(/"any_valid"/);
    expect(stdioRequest?.user).toMatch(/registerTestlibCmd\(argc, argv\)/);
    expect(stdioRequest?.user).toMatch(/ans is ANOTHER contestant's output, not a trusted\s+jury answer/);
    expect(stdioRequest?.user).toMatch(/NEVER require ouf to equal ans/);
    const [fnRequest] = asked('write-statement-function');
    expect(fnRequest?.user).toMatch(/"kind": "float"/);
    expect(fnRequest?.user).not.toMatch(/any_valid/);
  });

  it('stores no rule when the answer has none (= exact: old records and recorded answers still work)', async () => {
    llm.queue('write-statement', reply.json({ question: AVERAGE }));
    const { record, rejected } = await writeStatement();
    expect(rejected).toBeUndefined();
    expect(record).not.toHaveProperty('output');
  });

  it('stores a declared exact rule as such', async () => {
    llm.queue('write-statement', reply.json({ question: AVERAGE, output: { kind: 'exact' } }));
    expect((await writeStatement()).record.output).toEqual({ kind: 'exact' });
  });

  it('stores a float rule with its tolerances', async () => {
    llm.queue('write-statement', reply.json({ question: AVERAGE, output: { kind: 'float', abs_tolerance: 1e-6, rel_tolerance: 1e-9 } }));
    const { record } = await writeStatement();
    expect(record.output).toEqual({ kind: 'float', absTolerance: 1e-6, relTolerance: 1e-9 });
    expect(record.question).toBe(AVERAGE);
  });

  it('stores an any_valid checker as a testlib rule (a ```cpp fence around it is removed)', async () => {
    llm.queue('write-statement', reply.json({ question: PAIR, output: { kind: 'any_valid', checker: `\`\`\`cpp\n${CHECKER}\n\`\`\`` } }));
    const { record } = await writeStatement();
    expect(record.output).toEqual({ kind: 'testlib', code: `${CHECKER}\n` });
  });

  it.each([
    { kind: 'an unknown kind', output: { kind: 'checker', code: CHECKER }, reason: /output\.kind: .*\(allowed: \{"kind": "exact"\}/ },
    { kind: 'an empty checker', output: { kind: 'any_valid', checker: '   ' }, reason: /output\.checker: empty/ },
    { kind: 'a checker that is not testlib', output: { kind: 'any_valid', checker: 'int main() { return 0; }' }, reason: /output\.checker: not a testlib checker \(missing #include "testlib.h" and registerTestlibCmd/ },
    { kind: 'a negative tolerance', output: { kind: 'float', abs_tolerance: -1, rel_tolerance: 1e-6 }, reason: /output\.abs_tolerance: / },
    { kind: 'a string for the rule', output: 'float', reason: /output: / },
  ])('repairs $kind, telling the model what was wrong, and stores the repaired rule', async ({ output, reason }) => {
    llm.queue(
      'write-statement',
      reply.json({ question: AVERAGE, output }),
      reply.json({ question: AVERAGE, output: { kind: 'float', abs_tolerance: 1e-6, rel_tolerance: 1e-6 } })
    );
    const { record } = await writeStatement();
    expect(record.output).toEqual({ kind: 'float', absTolerance: 1e-6, relTolerance: 1e-6 });
    const [, repair] = asked('write-statement');
    expect(repair?.repairs).toBe(1);
    expect(repair?.messages.at(-1)?.content).toMatch(reason);
  });

  it('reports a missing question and a bad rule in one repair turn', async () => {
    llm.queue('write-statement', reply.json({ statement: AVERAGE, output: { kind: 'any_valid', checker: '' } }), reply.json({ question: AVERAGE }));
    await writeStatement();
    const repair = asked('write-statement')[1]?.messages.at(-1)?.content ?? '';
    expect(repair).toMatch(/question: Invalid input: expected string, received undefined; output\.checker: empty/);
  });

  it('fails the item like any schema error when the rule stays malformed', async () => {
    const bad = reply.json({ question: AVERAGE, output: { kind: 'any_valid', checker: '' } });
    llm.queue('write-statement', bad, bad, bad);
    const failure = await failureOf(writeStatement());
    expect(failure).toMatchObject({ type: LLM_FAILURE.invalidOutput, nonRetryable: true });
    expect(failure.message).toMatch(/^write-statement@2: unusable answer after 3 attempts: output\.checker: empty/);
  });

  it('keeps the statement filters: a short statement is rejected with the reason, its rule stored for the audit', async () => {
    llm.queue('write-statement', reply.json({ question: 'Print the average.', output: { kind: 'float', abs_tolerance: 1e-6, rel_tolerance: 1e-6 } }));
    const { record, rejected } = await writeStatement('stdio', 200);
    expect(rejected).toMatch(/too short: ~\d+ tokens < 200/);
    expect(record.output).toMatchObject({ kind: 'float' });
  });

  it('allows a function task exact or float only: a checker is repaired into a float rule', async () => {
    llm.queue(
      'write-statement-function',
      reply.json({ ...FUNCTION_ANSWER, output: { kind: 'any_valid', checker: CHECKER } }),
      reply.json({ ...FUNCTION_ANSWER, output: { kind: 'float', abs_tolerance: 1e-6, rel_tolerance: 1e-6 } })
    );
    const { record } = await writeStatement('function');
    expect(record).toMatchObject({ ioMode: 'function', fnName: 'averageDistance', fnParams: ['distances'] });
    expect(record.output).toEqual({ kind: 'float', absTolerance: 1e-6, relTolerance: 1e-6 });
    const repair = asked('write-statement-function')[1]?.messages.at(-1)?.content ?? '';
    expect(repair).toMatch(/output\.kind: a function task's return value is compared as canonical JSON, so only "exact" or "float" is allowed, not "any_valid"/);
  });
});

async function stdioStatement(output?: StatementRecord['output']): Promise<string> {
  const record: StatementRecord = {
    taskId: 'task-pair',
    style: 'codeforces',
    ioMode: 'stdio',
    question: PAIR,
    ...(output ? { output } : {}),
    selectionKey: 'sha256:0',
    provenance: PROVENANCE,
  };
  return store.putJson(record);
}

async function functionStatementKey(): Promise<string> {
  const record: StatementRecord = {
    taskId: 'task-average',
    style: 'leetcode',
    ioMode: 'function',
    question: FUNCTION_ANSWER.question,
    fnName: 'averageDistance',
    starterCode: STARTER,
    fnParams: ['distances'],
    output: { kind: 'float', absTolerance: 1e-6, relTolerance: 1e-6 },
    selectionKey: 'sha256:0',
    provenance: PROVENANCE,
  };
  return store.putJson(record);
}

const PROGRAM_A = { code: 'n, t = map(int, input().split())\na = list(map(int, input().split()))\nprint(1, 2)\n', language: 'python' as const };
const PROGRAM_B = { code: '#include <cstdio>\nint main() { puts("-1"); }\n', language: 'cpp' as const };
const WITNESS = { input: '3 5\n1 4 9\n', outputs: ['1 2\n', '-1\n'] as [string, string] };

describe('writeSeparatingInputs (the separator role)', () => {
  const run = async (count = 3, statementKey?: string) =>
    inActivity(async () => separator.writeSeparatingInputs({ statementKey: statementKey ?? (await stdioStatement()), programs: [PROGRAM_A, PROGRAM_B], witness: WITNESS, count, endpoint }));

  it('shows the statement, both programs and the disagreement, and stores the new inputs that pass the intake', async () => {
    llm.queue(
      'write-separating-inputs',
      reply.json({
        reasoning: 'Program B never finds a pair; program A always prints 1 2.',
        inputs: ['2 3\n1 2', '2 3\r\n1 2\r\n', '3 5\n1 4 9', '', '2 7\n1 2', '2 4\n2 2', '2 0\n0 0'],
      })
    );
    const result = await run(3);
    expect(result.inputs).toEqual(['2 3\n1 2\n', '2 7\n1 2\n', '2 4\n2 2\n']);
    const record = await store.getJson<SeparatingInputsRecord>(result.recordKey);
    expect(record).toMatchObject({
      kind: 'separating-inputs',
      inputs: result.inputs,
      reasoning: 'Program B never finds a pair; program A always prints 1 2.',
      witness: WITNESS,
      provenance: { prompt: 'write-separating-inputs@1', model: 'scripted' },
    });
    expect(record.unusable).toBeUndefined();
    expect(record.dropped).toEqual([
      { idx: 1, reason: 'duplicate input' },
      { idx: 2, reason: 'the input the programs already disagree on' },
      { idx: 3, reason: 'empty input' },
      { idx: 6, reason: 'more than the 3 requested' },
    ]);
    const [request] = asked('write-separating-inputs');
    expect(request?.user).toContain(PAIR);
    expect(request?.user).toContain('## Program A (Python 3)\n```python\nn, t = map(int, input().split())');
    expect(request?.user).toContain('## Program B (C++17)\n```cpp\n#include <cstdio>');
    expect(request?.user).toMatch(/Program A printed:\n```text\n1 2\n```\n\nProgram B printed:\n```text\n-1\n```/);
    expect(request?.user).toMatch(/up to 3 NEW test inputs/);
    expect(result.usage.requests).toBe(1);
  });

  it('repairs an answer none of whose inputs can be used, saying why', async () => {
    llm.queue('write-separating-inputs', reply.json({ inputs: ['3 5\n1 4 9\n', ' '] }), reply.json({ inputs: ['2 3\n1 2'] }));
    const result = await run();
    expect(result.inputs).toEqual(['2 3\n1 2\n']);
    const repair = asked('write-separating-inputs')[1]?.messages.at(-1)?.content ?? '';
    expect(repair).toMatch(/none of the inputs can be used: input 1: the input the programs already disagree on; input 2: empty input/);
    expect(result.usage.requests).toBe(2);
  });

  it('drops inputs that are not a function task’s arguments', async () => {
    llm.queue('write-separating-inputs', reply.json({ inputs: ['[1, 2]', 'not json', '[3]\n4'] }));
    const result = await run(5, await functionStatementKey());
    expect(result.inputs).toEqual(['[1, 2]\n']);
    const record = await store.getJson<SeparatingInputsRecord>(result.recordKey);
    expect(record.dropped.map((d) => d.idx)).toEqual([1, 2]);
    expect(record.dropped.every((d) => d.reason.startsWith("not the call's arguments: "))).toBe(true);
    expect(asked('write-separating-inputs')[0]?.user).toMatch(/Solution\(\)\.averageDistance\(distances\): one JSON value per line/);
  });

  it.each([
    { kind: 'malformed JSON', bad: reply.malformed(), reason: /the JSON is invalid/ },
    { kind: 'inputs that are not strings', bad: reply.json({ inputs: [{ input_string: '1 2' }] }), reason: /inputs\.0: / },
    { kind: 'an empty list', bad: reply.json({ inputs: [] }), reason: /inputs: / },
    { kind: 'a refusal', bad: reply.refusal(), reason: /the model refused to answer/ },
  ])('records $kind three times as unusable: no inputs and the reason, never a failure', async ({ bad, reason }) => {
    llm.queue('write-separating-inputs', bad, bad, bad);
    const result = await run();
    expect(result.inputs).toEqual([]);
    expect(result.usage.requests).toBe(3);
    const record = await store.getJson<SeparatingInputsRecord>(result.recordKey);
    expect(record.inputs).toEqual([]);
    expect(record.unusable).toMatch(/^write-separating-inputs@1: unusable answer after 3 attempts: /);
    expect(record.unusable).toMatch(reason);
  });

  it('fails non-retryably on a rejected request (a bad key), as the other LLM activities do', async () => {
    llm.queue('write-separating-inputs', reply.error(401, { message: 'invalid api key' }));
    const failure = await failureOf(run());
    expect(failure).toMatchObject({ type: LLM_FAILURE.rejected, nonRetryable: true });
  });
});

const REFERENCE = 'Try every pair.\n```python\nn, t = map(int, input().split())\na = list(map(int, input().split()))\n' +
  'print(next((f"{i + 1} {j + 1}" for i in range(n) for j in range(i + 1, n) if a[i] + a[j] == t), -1))\n```';
const FUNCTION_REFERENCE = 'Sum and divide.\n```python\nclass Solution:\n    def averageDistance(self, distances):\n        return sum(distances) / len(distances)\n```';

describe('writeReference (the referenceWriter role)', () => {
  it('stores a brute-force Python program as a reference record, telling the model what the output rule allows', async () => {
    llm.queue('write-reference', reply.ok(REFERENCE));
    const statementKey = await stdioStatement({ kind: 'testlib', code: `${CHECKER}\n` });
    const result = await inActivity(() => programs.writeReference({ statementKey, endpoint }));
    expect(result.usable).toBe(true);
    const record = await store.getJson<InputProgramRecord>(result.programKey);
    expect(record).toMatchObject({
      kind: 'reference',
      statementKey,
      code: pythonAnswer(REFERENCE).code,
      reasoning: 'Try every pair.',
      provenance: { prompt: 'write-reference@1' },
    });
    const [request] = asked('write-reference');
    expect(request?.messages[0]?.content).toMatch(/^\[synthsmith prompt=write-reference version=1\]/);
    expect(request?.user).toMatch(/only has to be correct on SMALL inputs/);
    expect(request?.user).toMatch(/reads the input from standard input and writes the output to standard output/);
    expect(request?.user).toMatch(/print any one of them/);
    expect(request?.user).toContain(PAIR);
  });

  it('asks a function task for the class, and repairs a method the harness could not call', async () => {
    llm.queue('write-reference', reply.ok('Oops.\n```python\nclass Solution:\n    def average(self, distances):\n        return 0\n```'), reply.ok(FUNCTION_REFERENCE));
    const result = await inActivity(async () => programs.writeReference({ statementKey: await functionStatementKey(), endpoint }));
    expect(result.usable).toBe(true);
    expect((await store.getJson<InputProgramRecord>(result.programKey)).code).toBe(pythonAnswer(FUNCTION_REFERENCE).code);
    const [first, repair] = asked('write-reference');
    expect(first?.user).toMatch(/Complete the class Solution of the starter code: the method averageDistance/);
    expect(first?.user).toMatch(/at least 10 digits after the decimal point/);
    expect(first?.user).toContain('Starter code:\n```python\nclass Solution:');
    expect(repair?.messages.at(-1)?.content).toMatch(/class Solution has no method averageDistance/);
  });

  it('records an answer that stays unusable with the reason and empty code, never a failure', async () => {
    const bad = reply.ok('```python\ndef f(:\n```');
    llm.queue('write-reference', bad, bad, bad);
    const result = await inActivity(async () => programs.writeReference({ statementKey: await stdioStatement(), endpoint }));
    expect(result.usable).toBe(false);
    expect(result.usage.requests).toBe(3);
    const record = await store.getJson<InputProgramRecord>(result.programKey);
    expect(record).toMatchObject({ kind: 'reference', code: '' });
    expect(record.unusable).toMatch(/^write-reference@1: unusable answer after 3 attempts: the program does not parse: SyntaxError/);
  });

  it('fails non-retryably on a rejected request', async () => {
    llm.queue('write-reference', reply.error(404, { message: 'model not found' }));
    const failure = await failureOf(inActivity(async () => programs.writeReference({ statementKey: await stdioStatement(), endpoint })));
    expect(failure).toMatchObject({ type: LLM_FAILURE.rejected, nonRetryable: true });
  });
});

describe('the demo replay provider with the new prompts', () => {
  let replay: ReplayLlmServer;
  let replayEndpoint: LlmEndpoint;
  let stdioTask: ReplayTask;
  let functionTask: ReplayTask;
  beforeAll(async () => {
    const corpus = await loadReplayCorpus();
    replay = await ReplayLlmServer.start({ corpus });
    replayEndpoint = LlmEndpointSchema.parse({ baseURL: replay.baseURL, model: 'replay', timeoutMs: 10_000 });
    stdioTask = corpus.tasks.find((t) => t.selection && !t.statement.fn_name)!;
    functionTask = corpus.tasks.find((t) => t.selection && t.statement.fn_name)!;
  });
  afterAll(async () => {
    await replay?.close();
  });

  it('still answers both statement prompts (matched by prompt id and the plan, whatever the version): no rule = exact', async () => {
    for (const [task, mode] of [
      [stdioTask, 'stdio'],
      [functionTask, 'function'],
    ] as const) {
      const selectionKey = await store.putJson({ ...SELECTION, integrationStrategy: task.selection!.integration_strategy, selectedFeaturesTree: task.selection!.selected_features_tree });
      const styleWeights = mode === 'function' ? { codeforces: 0, leetcode: 1, atcoder: 0 } : { codeforces: 1, leetcode: 0, atcoder: 0 };
      const { statementKey } = await inActivity(() =>
        tasks.writeStatement({ selectionKey, seed: 1, styleWeights, endpoint: replayEndpoint, leetcodeIo: 'function' })
      );
      const record = await store.getJson<StatementRecord>(statementKey);
      expect(record.question).toBe(task.statement.question.trim());
      expect(record.ioMode).toBe(mode);
      expect(record).not.toHaveProperty('output');
    }
    expect(replay.requests.filter((r) => r.promptVersion === 2).map((r) => [r.promptId, r.status])).toEqual([
      ['write-statement', 200],
      ['write-statement-function', 200],
    ]);
  });

  it('answers a task recorded without separating inputs or a reference so that the activities record them as unusable', async () => {
    const record: StatementRecord = { taskId: 't', style: 'codeforces', ioMode: 'stdio', question: stdioTask.statement.question, selectionKey: 'sha256:0', provenance: PROVENANCE };
    const statementKey = await store.putJson(record);
    const inputs = await inActivity(() => separator.writeSeparatingInputs({ statementKey, programs: [PROGRAM_A, PROGRAM_B], witness: WITNESS, count: 3, endpoint: replayEndpoint }));
    expect(inputs.inputs).toEqual([]);
    expect((await store.getJson<SeparatingInputsRecord>(inputs.recordKey)).unusable).toMatch(/^write-separating-inputs@1: unusable answer after 3 attempts: inputs: /);
    const reference = await inActivity(() => programs.writeReference({ statementKey, endpoint: replayEndpoint }));
    expect(reference.usable).toBe(false);
    expect((await store.getJson<InputProgramRecord>(reference.programKey)).unusable).toMatch(/no ```python code block/);
    expect(replay.requests.filter((r) => r.promptId === 'write-separating-inputs' || r.promptId === 'write-reference').every((r) => r.status === 200 && r.matched === `task:${stdioTask.id}`)).toBe(true);
  });
});
