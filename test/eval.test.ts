import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseLcbFile } from '../activities/eval/lcb';
import { compareReports } from '../activities/eval/metrics';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import { REPO_ROOT } from '../workers/env';
import { DEFAULT_WINDOWS, type EvaluationConfigInput, type EvaluationSummary } from '../workflows/evaluate';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';
import { ScriptedEvalLlm } from './helpers/scripted-eval-llm';

const PROBLEMS = path.join(REPO_ROOT, 'test', 'fixtures', 'lcb', 'mini.jsonl');

const code = (src: string) => `Let me think.\n\n\`\`\`python\n${src}\n\`\`\``;
const C = {
  add: code('a, b = map(int, input().split())\nprint(a + b)'),
  addWrong: code('a, b = map(int, input().split())\nprint(a - b)'),
  rev: code('print(input()[::-1])'),
  revWrong: code('print(input())'),
  loop: code('while True:\n    pass'),
  syntax: code('def f(:\n    pass'),
  vowelsWrong: code('print(len(input()))'),
  crash: code('raise ValueError("boom")'),
  sum: code('class Solution:\n    def sumArray(self, nums: List[int]) -> int:\n        print("debug output goes to stderr")\n        return sum(nums)'),
  sumCrash: code('class Solution:\n    def sumArray(self, nums):\n        return nums[100]'),
  pair: code('class Solution:\n    def sortedPair(self, a, b):\n        return (min(a, b), max(a, b))'),
  pairWrong: code('class Solution:\n    def sortedPair(self, a, b):\n        return [a, b]'),
  noCode: 'I would read the numbers and add them.',
};

/**
 * Model "a": per problem, the outcomes of its 4 samples:
 *   s1 (easy, v5)  AC AC AC AC             s2 (medium, v6) WA AC syntax TLE     s3 (hard, 2023) WA RE WA no_code
 *   f1 (easy, v6)  AC AC AC RE             f2 (medium, v5) no_code WA AC AC
 * Model "b" solves s3 once and loses s2.
 */
const SCRIPT = {
  'model-a': {
    '[lcb-s1]': [C.add, C.add, C.add, C.add],
    '[lcb-s2]': [C.revWrong, C.rev, C.syntax, C.loop],
    '[lcb-s3]': [C.vowelsWrong, C.crash, C.vowelsWrong, C.noCode],
    '[lcb-f1]': [C.sum, C.sum, C.sum, C.sumCrash],
    '[lcb-f2]': [C.noCode, C.pairWrong, C.pair, C.pair],
  },
  'model-b': {
    '[lcb-s1]': [C.add, C.addWrong, C.add, C.add],
    '[lcb-s2]': [C.revWrong, C.revWrong, C.revWrong, C.revWrong],
    '[lcb-s3]': [code("print(sum(c in 'aeiou' for c in input()))"), C.noCode, C.noCode, C.noCode],
    '[lcb-f1]': [C.sum, C.sum, C.sum, C.sum],
    '[lcb-f2]': [C.pair, C.pair, C.pair, C.pair],
  },
};

describe('LiveCodeBench-format file', () => {
  it('reads stdin and functional problems, public and (compressed) private tests', () => {
    const { problems, rejected } = parseLcbFile(readFileSync(PROBLEMS, 'utf8'));
    expect(rejected).toEqual([]);
    expect(problems.map((p) => [p.id, p.mode, p.difficulty, p.tests.length, p.publicTests])).toEqual([
      ['abc900_a', 'stdin', 'easy', 3, 1],
      ['2001A', 'stdin', 'medium', 3, 1],
      ['arc800_c', 'stdin', 'hard', 3, 1],
      ['3500', 'functional', 'easy', 3, 1],
      ['3400', 'functional', 'medium', 3, 1],
    ]);
    expect(problems[0]!.tests[2]).toEqual({ input: '-5 5\n', output: '0\n' }); // decoded from base64(zlib(pickle))
    expect(problems[3]!.funcName).toBe('sumArray');
  });
});

describe('evaluateModel on the scripted endpoint', () => {
  let h: PipelineHarness;
  let llm: ScriptedEvalLlm;
  let a: EvaluationSummary;
  let b: EvaluationSummary;

  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    llm = await ScriptedEvalLlm.start(SCRIPT);
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker].map((f) => f({ connection: h.connection, env: h.env })));
    const config = (model: string, extra: Partial<EvaluationConfigInput> = {}): EvaluationConfigInput => ({
      problemsPath: PROBLEMS,
      endpoint: { baseURL: llm.baseURL, model },
      sampling: { samples: 4 },
      sandbox: { timeLimitMs: 1000 },
      taskQueues: { sandbox: h.env.taskQueues.sandbox },
      ...extra,
    });
    const run = (id: string, input: EvaluationConfigInput) =>
      h.client.workflow.execute('evaluateModel', { taskQueue: h.env.taskQueues.orchestrator, workflowId: `eval-${id}-${Date.now()}`, args: [input] }) as Promise<EvaluationSummary>;
    [a, b] = await withWorkers(workers, async () => {
      const first = await run('a', config('model-a'));
      return [first, await run('b', config('model-b', { baselineReportKey: first.reportKey }))];
    });
  }, 300_000);

  afterAll(async () => {
    await llm?.close();
    await h?.close();
  });

  it("asks with the paper's sampling protocol, k samples in one request", () => {
    expect(llm.requests).toHaveLength(10);
    expect(llm.requests[0]).toEqual({ model: 'model-a', n: 4, temperature: 0.6, top_p: 0.95, top_k: 20, max_tokens: 32768 });
  });

  it('scores pass@1, avg@k and pass@k overall, per difficulty and per date window', () => {
    const r = a.report;
    expect(r.overall).toEqual({ problems: 5, samples: 20, pass1: 0.4, avgAtK: 0.5, passAtK: 0.8 });
    expect(r.byDifficulty).toEqual({
      easy: { problems: 2, samples: 8, pass1: 1, avgAtK: 0.875, passAtK: 1 },
      hard: { problems: 1, samples: 4, pass1: 0, avgAtK: 0, passAtK: 0 },
      medium: { problems: 2, samples: 8, pass1: 0, avgAtK: 0.375, passAtK: 1 },
    });
    expect(r.byWindow).toEqual({
      v5: { problems: 2, samples: 8, pass1: 0.5, avgAtK: 0.75, passAtK: 1 },
      v6: { problems: 2, samples: 8, pass1: 0.5, avgAtK: 0.5, passAtK: 1 },
    });
    expect(a.failedProblems).toEqual([]);
    expect(a.reportPath).toMatch(/eval\/report\.json$/);
  });

  it('classifies every failed sample: WA, TLE, RE, no code, syntax error', () => {
    expect(a.report.outcomes).toEqual({ AC: 10, WA: 4, TLE: 1, RE: 2, no_code: 2, syntax_error: 1 });
  });

  it('compares two evaluations problem by problem', () => {
    const c = b.comparison!;
    expect(c.baseline).toBe(a.report.runId);
    expect(c.commonProblems).toBe(5);
    // b: s1 3/4 (first AC), s2 0, s3 1/4 (first AC), f1 4/4, f2 4/4 → avg (0.75+0+0.25+1+1)/5 = 0.6, pass@1 0.8, pass@4 0.8
    expect(b.report.overall).toMatchObject({ pass1: 0.8, avgAtK: 0.6, passAtK: 0.8 });
    expect(c.delta.overall.pass1).toBeCloseTo(0.4, 10);
    expect(c.delta.overall.avgAtK).toBeCloseTo(0.1, 10);
    expect(c.delta.overall.passAtK).toBeCloseTo(0, 10);
    expect(c.gained).toEqual(['arc800_c']);
    expect(c.lost).toEqual(['2001A']);
    expect(compareReports(a.report, b.report, DEFAULT_WINDOWS)).toEqual(c);
  });
});
