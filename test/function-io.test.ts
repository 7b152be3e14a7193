/**
 * Function I/O (LeetCode-style) tasks end to end: the harness that turns a `class Solution` into a stdio program
 * (through the real judge in the sandbox), the checks on statements, candidates and test inputs, and a pipeline
 * run on a real dev server whose function task is kept with a correct golden, exported with io_mode/fn_name, and
 * scored by the judge CLI the RL reward calls.
 */
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { methodSignatures, signatureMismatch } from '../activities/llm/function-signature';
import { checkFunctionCandidates, parseFunctionStatement, testInputProblem } from '../activities/llm/function-io';
import type { Candidate, CandidatesRecord, StatementRecord, TestsRecord } from '../activities/llm/records';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { functionProgram } from '../activities/sandbox/function-harness';
import { judgeSolutions } from '../activities/sandbox/judge';
import type { RunLimits } from '../activities/sandbox/types';
import { ContentStore } from '../activities/store/content-store';
import type { RlRecord, SftRecord } from '../activities/store/datasets';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import { loadReplayCorpus, type ReplayTask } from '../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../workers/replay-llm/server';
import { describeConfigError, PipelineConfigSchema } from '../workflows/config';
import type { PipelineSummary } from '../workflows/types';
import { runJudgeCli } from './helpers/judge-cli';
import { DEMO_CORPUS_PATH, startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const LIMITS: RunLimits = { timeLimitMs: 2000, memoryMb: 256, outputLimitBytes: 1 << 20 };
const STARTER = 'class Solution:\n    def pairSum(self, nums: List[int], k: int) -> int:\n        pass\n';

describe('function harness through the real judge', () => {
  const sandbox = createBwrapSandbox();
  afterAll(() => sandbox.close());

  const judge = async (codes: string[], fnName: string, tests: { input: string; output: string }[]) =>
    judgeSolutions(sandbox, codes.map((code, i) => ({ id: String(i), code: functionProgram(code, fnName) })), tests, LIMITS, { concurrency: 2 });

  it('prints equal Python values identically: tuples as lists, 2.0 as 2, dict keys sorted, booleans kept', async () => {
    const asTuple = 'class Solution:\n    def f(self, a, b):\n        return (float(a), {"y": b, "x": [True, 3.0]}, None)\n';
    const asList = 'from __future__ import annotations\n\nclass Solution:\n    def f(self, a: int, b: list[int]) -> list:\n        print("debugging goes to stderr")\n        return [a, dict(x=[True, 3], y=b), None]\n\nif __name__ == "__main__":\n    print(Solution().f(int(input()), []))\n';
    const [tuple, list] = await judge([asTuple, asList], 'f', [
      { input: '2\n[1.5, "s"]\n', output: '[2,{"x":[true,3],"y":[1.5,"s"]},null]' },
      { input: '-7\n{"k": [0.5]}\n', output: '[-7,{"x":[true,3],"y":{"k":[0.5]}},null]' },
    ]);
    expect(tuple!.verdicts.map((v) => v.verdict)).toEqual(['AC', 'AC']);
    expect(list!.verdicts.map((v) => v.verdict)).toEqual(['AC', 'AC']);
  });

  it('a method that cannot take the arguments, a missing method or class, and an exception are RE with the reason', async () => {
    const results = await judge(
      [
        'class Solution:\n    def pairSum(self, nums):\n        return 0\n',
        'class Solution:\n    def other(self, nums, k):\n        return 0\n',
        'def pairSum(nums, k):\n    return 0\n',
        'class Solution:\n    def pairSum(self, nums, k):\n        return nums[k]\n',
      ],
      'pairSum',
      [{ input: '[1, 2]\n5\n', output: '0' }]
    );
    expect(results.map((r) => r.verdicts[0]!.verdict)).toEqual(['RE', 'RE', 'RE', 'RE']);
    expect(results.map((r) => r.verdicts[0]!.message)).toEqual([
      expect.stringMatching(/takes 2 positional arguments but 3 were given/),
      expect.stringMatching(/class Solution has no method pairSum/),
      expect.stringMatching(/defines no class Solution/),
      expect.stringMatching(/IndexError/),
    ]);
  });

  it('the judge CLI takes fnName, and refuses it with C++ solutions or a name that is not an identifier', async () => {
    const code = 'class Solution:\n    def pairSum(self, nums, k):\n        return sum(1 for i in range(len(nums)) for j in range(i) if nums[i] + nums[j] == k)\n';
    const tests = [
      { input: '[1, 2, 3, 4]\n5\n', output: '2' },
      { input: '[5]\n5\n', output: '0' },
    ];
    const ok = await runJudgeCli(JSON.stringify({ solutions: [{ id: 'a', code }], tests, fnName: 'pairSum' }));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).results[0]).toMatchObject({ passed: 2, total: 2 });
    // Without fnName the class is run as a script: it prints nothing, so no test passes.
    const plain = await runJudgeCli(JSON.stringify({ solutions: [{ id: 'a', code }], tests }));
    expect(JSON.parse(plain.stdout).results[0]).toMatchObject({ passed: 0, total: 2 });
    const cpp = await runJudgeCli(JSON.stringify({ solutions: [{ id: 'a', code: 'int main(){}', language: 'cpp' }], tests, fnName: 'pairSum' }));
    expect(cpp.code).toBe(2);
    expect(cpp.stderr).toMatch(/fnName: fnName \(function I\/O\) needs Python solutions/);
    const bad = await runJudgeCli(JSON.stringify({ solutions: [{ id: 'a', code }], tests, fnName: 'pair sum' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/fnName: must be a Python identifier/);
  });
});

describe('function-task checks', () => {
  it('tasks.leetcodeIo defaults to stdio (what runs made before it) and rejects anything but function or stdio', () => {
    const base = { seedsPath: 's.jsonl', llm: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' } };
    expect(PipelineConfigSchema.parse({ ...base, tasks: { count: 1 } }).tasks.leetcodeIo).toBe('stdio');
    expect(PipelineConfigSchema.parse({ ...base, tasks: { count: 1, leetcodeIo: 'function' } }).tasks.leetcodeIo).toBe('function');
    const bad = PipelineConfigSchema.safeParse({ ...base, tasks: { count: 1, leetcodeIo: 'json' } });
    expect(bad.success).toBe(false);
    expect(describeConfigError(bad.error!)).toMatch(/^tasks\.leetcodeIo: /);
  });

  const answer = (o: Record<string, unknown>) => `Here it is.\n\`\`\`json\n${JSON.stringify(o)}\n\`\`\``;

  it('a statement answer needs an identifier fn_name and starter code defining Solution.<fn_name> with plain parameters', async () => {
    await expect(parseFunctionStatement(answer({ question: 'Count pairs.', fn_name: 'pairSum', starter_code: STARTER }))).resolves.toEqual({
      question: 'Count pairs.',
      fnName: 'pairSum',
      starterCode: STARTER,
      fnParams: ['nums', 'k'],
    });
    await expect(parseFunctionStatement(answer({ question: 'Q', fn_name: 'pair-sum', starter_code: STARTER }))).rejects.toThrow(/fn_name: must be a Python identifier/);
    await expect(parseFunctionStatement(answer({ question: 'Q', fn_name: 'countPairs', starter_code: STARTER }))).rejects.toThrow(
      /starter_code: class Solution has no method countPairs/
    );
    await expect(parseFunctionStatement(answer({ question: 'Q', fn_name: 'pairSum', starter_code: 'def pairSum(nums, k):\n    pass\n' }))).rejects.toThrow(
      /defines no top-level class Solution/
    );
    const withDefault = 'class Solution:\n    def pairSum(self, nums, k=2):\n        pass\n';
    await expect(parseFunctionStatement(answer({ question: 'Q', fn_name: 'pairSum', starter_code: withDefault }))).rejects.toThrow(/plain positional parameters/);
    await expect(parseFunctionStatement(answer({ question: 'Q', fn_name: 'pairSum' }))).rejects.toThrow(/starter_code/);
  });

  it('candidates whose method the harness cannot call become invalid with the reason; compatible ones stay valid', async () => {
    const statement: StatementRecord = {
      taskId: 't',
      style: 'leetcode',
      ioMode: 'function',
      question: 'Q',
      fnName: 'pairSum',
      starterCode: STARTER,
      fnParams: ['nums', 'k'],
      selectionKey: 's',
      provenance: { prompt: 'p@1', model: 'm', baseURL: 'http://x', temperature: 0, topP: 1, maxTokens: 1 },
    };
    const cand = (index: number, code: string, valid = true): Candidate => ({ index, reasoning: '', code, language: 'python', valid });
    const checked = await checkFunctionCandidates(statement, [
      cand(0, 'class Solution:\n    def pairSum(self, a, b):\n        return 0\n'),
      cand(1, 'class Solution:\n    def pairSum(self, nums, k, extra=None):\n        return 0\n'),
      cand(2, 'class Solution:\n    def pairSum(self, *args):\n        return 0\n'),
      cand(3, 'class Solution:\n    def pairSum(self, nums):\n        return 0\n'),
      cand(4, 'class Solution:\n    async def pairSum(self, nums, k):\n        return 0\n'),
      cand(5, 'class Solver:\n    def pairSum(self, nums, k):\n        return 0\n'),
      { ...cand(6, '', false), invalidReason: 'no ```python code block' },
    ]);
    expect(checked.map((c) => c.valid)).toEqual([true, true, true, false, false, false, false]);
    expect(checked[3]!.invalidReason).toBe("signature: Solution.pairSum(nums) cannot be called with the starter code's 2 argument(s) (nums, k)");
    expect(checked[4]!.invalidReason).toMatch(/is async/);
    expect(checked[5]!.invalidReason).toBe('signature: defines no top-level class Solution');
    expect(checked[6]!.invalidReason).toBe('no ```python code block');
    // A stdio statement's candidates are not touched.
    const stdio = await checkFunctionCandidates({ ...statement, ioMode: 'stdio' }, [cand(0, 'print(1)\n')]);
    expect(stdio[0]!.valid).toBe(true);
  });

  it('a test input must be one JSON value per line, one line per parameter', async () => {
    const statement = { ioMode: 'function', fnName: 'pairSum', starterCode: STARTER, fnParams: ['nums', 'k'] } as StatementRecord;
    expect(testInputProblem(statement, '[1, 2, 3]\n4\n')).toBeNull();
    expect(testInputProblem(statement, '{"a": [1]}\n"text"\n')).toBeNull();
    expect(testInputProblem(statement, '[1, 2, 3\n4\n')).toBe('line 1 is not one JSON value');
    expect(testInputProblem(statement, '3\n1 2 3\n')).toBe('line 2 is not one JSON value');
    expect(testInputProblem(statement, '[1, 2, 3]\n')).toBe('1 argument line(s), the method takes 2 (nums, k)');
    expect(testInputProblem({ ...statement, ioMode: 'stdio' }, '3\n1 2 3\n')).toBeNull();
    const [signature] = await methodSignatures([{ code: STARTER, fnName: 'pairSum' }]);
    expect(signatureMismatch(signature!, ['nums', 'k'], 'pairSum')).toBeNull();
  });
});

describe('a function-I/O task through the pipeline (real dev server and sandbox)', () => {
  let h: PipelineHarness;
  let llm: ReplayLlmServer;
  let task: ReplayTask;
  let summary: PipelineSummary;
  const store = () => new ContentStore(h.env.dataDir);
  const BAD_INPUTS = ['[1, 2\n3\n', '[4, 5, 6]\n'];

  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    const corpus = await loadReplayCorpus(DEMO_CORPUS_PATH);
    task = corpus.tasks.find((t) => t.statement.fn_name)!;
    // Only the function task (the demo's stdio tasks have no function recording), plus two inputs that are not
    // the call's arguments, which the intake must drop with a reason.
    llm = await ReplayLlmServer.start({ corpus: { ...corpus, tasks: [{ ...task, testInputs: [...task.testInputs, ...BAD_INPUTS] }] } });
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker].map((f) => f({ connection: h.connection, env: h.env })));
    summary = (await withWorkers(workers, () =>
      h.client.workflow.execute('synthSmithPipeline', {
        taskQueue: h.env.taskQueues.orchestrator,
        workflowId: `function-io-${Date.now()}`,
        args: [
          h.config({
            llm: { ...h.config().llm, baseURL: llm.baseURL },
            tasks: { count: 1, styleWeights: { codeforces: 0, leetcode: 1, atcoder: 0 }, leetcodeIo: 'function' },
            solutions: { candidates: task.candidates.length },
            tests: { count: 15 },
            training: { enabled: false },
          }),
        ],
      })
    )) as PipelineSummary;
  }, 300_000);

  afterAll(async () => {
    await llm?.close();
    await h?.close();
  });

  it('writes the statement with starter code, asks for the class, drops unusable inputs and bad signatures, keeps a correct golden', async () => {
    expect(summary.tasks).toMatchObject({ requested: 1, kept: 1 });
    const outcome = summary.tasks.outcomes[0]!;
    expect(outcome.style).toBe('leetcode');
    const statement = await store().getJson<StatementRecord>(outcome.lineage.statementKey!);
    expect(statement).toMatchObject({
      ioMode: 'function',
      fnName: 'longestCalmStretch',
      starterCode: task.statement.starter_code,
      fnParams: ['readings', 'limit'],
      provenance: { prompt: 'write-statement-function@2' },
    });
    const prompts = new Set(llm.requests.map((r) => r.promptId));
    for (const id of ['write-statement-function', 'solve-function', 'write-tests-function']) expect(prompts).toContain(id);
    expect(prompts).not.toContain('solve');

    const { candidates, provenance } = await store().getJson<CandidatesRecord>(outcome.lineage.candidatesKey!);
    expect(provenance.prompt).toBe('solve-function@1');
    const badSignature = task.candidates.findIndex((c) => /drops the limit parameter/.test(c.note));
    expect(candidates[badSignature]).toMatchObject({
      valid: false,
      invalidReason: "signature: Solution.longestCalmStretch(readings) cannot be called with the starter code's 2 argument(s) (readings, limit)",
    });
    expect(candidates.filter((c) => c.valid)).toHaveLength(task.candidates.length - 1);

    const tests = await store().getJson<TestsRecord>(outcome.lineage.testsKey!);
    expect(tests.tests.map((t) => t.input)).toEqual(task.testInputs);
    expect(tests.dropped.map((d) => d.reason)).toEqual([
      "not the call's arguments: line 1 is not one JSON value",
      "not the call's arguments: 1 argument line(s), the method takes 2 (readings, limit)",
    ]);

    expect(task.candidates[outcome.goldenIndex!]!.correct).toBe(true);
  });

  it('exports RL and SFT records with io_mode, fn_name and the starter code in the prompt', async () => {
    const rl = (await fs.readFile(summary.datasets!.paths.rl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RlRecord);
    expect(rl).toHaveLength(1);
    expect(rl[0]).toMatchObject({ io_mode: 'function', fn_name: 'longestCalmStretch', style: 'leetcode' });
    expect(rl[0]!.prompt).toContain(task.statement.question);
    expect(rl[0]!.prompt).toContain(`Starter code:\n\`\`\`python\n${task.statement.starter_code!.trim()}\n\`\`\``);
    const sft = (await fs.readFile(summary.datasets!.paths.sft, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as SftRecord);
    expect(sft[0]!.messages[0]!.content).toBe(rl[0]!.prompt);
    expect(sft[0]!.prompts.solve).toBe('solve-function@1');
    expect(task.candidates.filter((c) => c.correct).some((c) => sft[0]!.messages[1]!.content.includes(c.code.trim()))).toBe(true);
    // The labels are the canonical JSON a correct class returns, exactly as the golden printed it.
    const sandbox = createBwrapSandbox();
    try {
      const reference = task.candidates.find((c) => c.correct)!;
      for (const t of rl[0]!.tests) {
        const run = await sandbox.runPython(functionProgram(reference.code, 'longestCalmStretch'), t.input, LIMITS);
        expect(run.stdout).toBe(t.output);
      }
    } finally {
      await sandbox.close();
    }
  });

  it('the judge CLI, given the RL record as the reward sends it, passes a correct class everywhere and a wrong one nowhere', async () => {
    const [record] = (await fs.readFile(summary.datasets!.paths.rl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RlRecord);
    // The last correct candidate, which is not the golden: any correct class earns full marks.
    const correct = task.candidates.filter((c) => c.correct).at(-1)!.code;
    const wrong = 'class Solution:\n    def longestCalmStretch(self, readings, limit):\n        return -1\n';
    const out = await runJudgeCli(
      JSON.stringify({
        solutions: [
          { id: 'correct', code: correct },
          { id: 'wrong', code: wrong },
        ],
        tests: record!.tests.map((t) => ({ input: t.input, output: t.output })),
        fnName: record!.fn_name,
      })
    );
    expect(out.code).toBe(0);
    const results = (JSON.parse(out.stdout) as { results: { id: string; passed: number; total: number }[] }).results;
    const total = record!.tests.length;
    expect(total).toBeGreaterThan(0);
    expect(results).toEqual([
      expect.objectContaining({ id: 'correct', passed: total, total }),
      expect.objectContaining({ id: 'wrong', passed: 0, total }),
    ]);
  });
});
