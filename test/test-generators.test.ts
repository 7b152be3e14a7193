import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InputProgramRecord, StatementRecord, TestsRecord } from '../activities/llm/records';
import { parseHarvest } from '../activities/sandbox/generator-driver';
import { MAX_INPUT_BYTES, TestSuite } from '../activities/sandbox/test-inputs';
import { ContentStore } from '../activities/store/content-store';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import { loadReplayCorpus, type ReplayCorpus, type ReplayTask } from '../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../workers/replay-llm/server';
import { describeConfigError, PipelineConfigSchema, type PipelineConfigInput } from '../workflows/config';
import type { PipelineSummary, TaskOutcome } from '../workflows/types';
import { DEMO_CORPUS_PATH, startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const ARGS = [
  'import argparse, random',
  'p = argparse.ArgumentParser()',
  'p.add_argument("--seed", type=int, default=42)',
  'p.add_argument("--scale", default="small")',
  'args = p.parse_args()',
  'random.seed(args.seed)',
].join('\n');

/** Generators and validators that misbehave in the ways a real model's can; the rest of the corpus is the demo's. */
function doctored(corpus: ReplayCorpus): ReplayCorpus {
  const programs: Record<string, Partial<Pick<ReplayTask, 'generator' | 'validator'>>> = {
    // Crashes at large; at small and medium writes 4 good inputs, a duplicate and a blank; at medium also an oversized one.
    'lantern-rows': {
      generator: `${ARGS}
if args.scale == "large":
    raise RuntimeError("cannot build the large cases")
n = 5 if args.scale == "small" else 300
for i in range(1, 5):
    a = [random.randint(-3, 3) for _ in range(n)]
    with open(f"random_{i}.in", "w") as f:
        f.write(f"{n} {sum(a[:2])}\\n{' '.join(map(str, a))}\\n")
with open("random_1_copy.in", "w") as f:
    f.write(open("random_1.in").read())
with open("blank.in", "w") as f:
    f.write("\\n")
if args.scale == "medium":
    with open("huge.in", "w") as f:
        f.write("2000 1\\n" + " ".join(["1"] * 2000) + "\\n" + " " * (1 << 20))
`,
    },
    // The recorded generator, but a validator stricter than the statement: every input with X > 5000 is rejected.
    'exact-postage': {
      validator: `import sys
m, x = map(int, sys.stdin.readline().split())
if x > 5000:
    sys.exit(f"X = {x} is above 5000")
`,
    },
    // Loops forever at every scale; its validator never parses.
    'demolition-courier': { generator: `${ARGS}\nwhile True:\n    pass\n`, validator: 'def broken(:\n    pass\n' },
    // Runs cleanly and writes nothing.
    'best-stretch': { generator: `${ARGS}\nprint("no inputs today")\n` },
  };
  return { ...corpus, tasks: corpus.tasks.map((t) => ({ ...t, ...programs[t.id] })) };
}

describe('test inputs from generator programs', () => {
  let h: PipelineHarness;
  let corpus: ReplayCorpus;
  let store: ContentStore;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    corpus = await loadReplayCorpus(DEMO_CORPUS_PATH);
    store = new ContentStore(h.env.dataDir);
  });
  afterAll(async () => {
    await h?.close();
  });

  const runPipeline = async (config: PipelineConfigInput, name: string): Promise<PipelineSummary> => {
    const orchestrator = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const sandbox = await createSandboxWorker({ connection: h.connection, env: h.env });
    return (await withWorkers([orchestrator, sandbox], () =>
      h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId: `${name}-${Date.now()}`, args: [config] }),
    )) as PipelineSummary;
  };
  /** Corpus task of an outcome, by its statement (the truncated-selection task never gets one). */
  const corpusTask = async (o: TaskOutcome): Promise<ReplayTask> => {
    if (!o.lineage.statementKey) return corpus.tasks.find((t) => t.expect === 'invalid_llm_output') as ReplayTask;
    const { question } = await store.getJson<StatementRecord>(o.lineage.statementKey);
    return corpus.tasks.find((t) => t.statement.question.trim() === question) as ReplayTask;
  };
  const fate = (o: TaskOutcome) => (o.status === 'failed' ? 'invalid_llm_output' : o.status === 'kept' ? 'kept' : o.reason);

  it('union prompted and generator inputs at every scale, validated, keeping the tasks the corpus keeps, the same on every run', async () => {
    const config = h.config({ tests: { count: 12, methods: ['prompted', 'generator'], validator: true }, training: { enabled: false } });
    const before = h.llm.requests.length;
    const first = await runPipeline(config, 'generators');
    const requests = h.llm.requests.slice(before);

    // Every task keeps the fate its corpus entry was built for: generator inputs add evidence, not noise.
    for (const o of first.tasks.outcomes) expect(fate(o)).toBe((await corpusTask(o)).expect);
    expect(first.tasks).toMatchObject({ kept: 2, discarded: 2, failed: 1 });
    // One generator and one validator per task that got a statement.
    expect(requests.filter((r) => r.promptId === 'write-generator')).toHaveLength(4);
    expect(requests.filter((r) => r.promptId === 'write-validator')).toHaveLength(4);

    const withTests = first.tasks.outcomes.filter((o) => o.lineage.testsKey);
    expect(withTests).toHaveLength(4);
    for (const o of withTests) {
      const record = await store.getJson<TestsRecord>(o.lineage.testsKey!);
      const task = await corpusTask(o);
      // The prompted inputs come first and unchanged (every recorded one is valid and distinct).
      const prompted = record.tests.filter((t) => t.source === 'prompted').map((t) => t.input);
      expect(prompted).toEqual(task.testInputs.slice(0, 12));
      // Then the generator's, from each scale, named after their files.
      expect(record.generator?.scales.map((s) => [s.scale, s.status])).toEqual([
        ['small', 'ok'],
        ['medium', 'ok'],
        ['large', 'ok'],
      ]);
      for (const scale of ['small', 'medium', 'large']) {
        const own = record.tests.filter((t) => t.source === 'generator' && t.scale === scale);
        expect(own.length).toBeGreaterThanOrEqual(3);
        for (const t of own) expect(t.description).toMatch(new RegExp(`^${scale}: [\\w-]+\\.in$`));
      }
      expect(record.tests.length).toBe(o.tests?.total);
      // The validator saw every input and (the recorded programs being right) rejected none.
      expect(record.validator).toMatchObject({ checked: record.tests.length, rejected: 0 });
      expect(record.validator?.unusable).toBeUndefined();
      expect(record.generator?.seed).toBe(config.seed);
    }
    // Large-scale inputs are really large: the biggest of lantern-rows has N = 2000 lanterns.
    const lantern = await Promise.all(withTests.map(async (o) => [(await corpusTask(o)).id, o] as const));
    const lanternTests = await store.getJson<TestsRecord>(lantern.find(([id]) => id === 'lantern-rows')![1].lineage.testsKey!);
    expect(lanternTests.tests.filter((t) => t.scale === 'large').some((t) => t.input.startsWith('2000 '))).toBe(true);
    // Kept tasks reach the RL dataset with generator inputs among their golden tests.
    const rl = (await readFile(first.datasets!.paths.rl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { tests: { input: string }[] });
    const generated = new Set((await Promise.all(withTests.map((o) => store.getJson<TestsRecord>(o.lineage.testsKey!)))).flatMap((r) => r.tests.filter((t) => t.source === 'generator').map((t) => t.input)));
    expect(rl.flatMap((r) => r.tests).some((t) => generated.has(t.input))).toBe(true);

    // Same seed, same programs: byte-identical inputs (the same content-addressed records).
    const second = await runPipeline(config, 'generators-again');
    const keys = (s: PipelineSummary) => s.tasks.outcomes.map((o) => o.lineage.testsKey);
    expect(keys(second)).toEqual(keys(first));
  }, 420_000);

  it('drop empty, oversized, duplicate and rejected inputs and failed scales with their reasons; discard a task left without inputs', async () => {
    const llm = await ReplayLlmServer.start({ corpus: doctored(corpus) });
    try {
      const base = h.config();
      const config = h.config({
        llm: { ...base.llm, baseURL: llm.baseURL },
        tests: { methods: ['generator'], validator: true, generator: { timeLimitMs: 1500 } },
        training: { enabled: false },
      });
      const summary = await runPipeline(config, 'generator-faults');
      // The run completes; the tasks without inputs are discarded with the reason, the others are still kept.
      expect(summary.tasks.reasons).toEqual({ no_test_inputs: 2, InvalidLlmOutput: 1 });
      expect(summary.tasks.kept).toBe(2);
      const byId = new Map(await Promise.all(summary.tasks.outcomes.map(async (o) => [(await corpusTask(o)).id, o] as const)));
      const record = (id: string) => store.getJson<TestsRecord>(byId.get(id)!.lineage.testsKey!);

      // lantern-rows: the crash costs only the large scale; the blank, the copy and the oversized file are dropped.
      const lantern = await record('lantern-rows');
      expect(lantern.generator?.scales).toEqual([
        { scale: 'small', status: 'ok', files: 6, kept: 4 },
        { scale: 'medium', status: 'ok', files: 7, kept: 4 },
        { scale: 'large', status: 'failed', files: 0, kept: 0, reason: expect.stringMatching(/^generator exited with status 1: RuntimeError: cannot build the large cases$/) },
      ]);
      const drops = lantern.dropped.map((d) => [d.scale, d.name, d.reason]);
      expect(drops).toEqual(
        expect.arrayContaining([
          ['small', 'blank.in', 'empty input'],
          ['small', 'random_1_copy.in', 'duplicate input'],
          ['medium', 'blank.in', 'empty input'],
          ['medium', 'random_1_copy.in', 'duplicate input'],
          ['medium', 'huge.in', 'input over 1 MiB'],
        ]),
      );
      expect(drops).toHaveLength(5);
      expect(lantern.tests.every((t) => t.input.trim() && Buffer.byteLength(t.input) <= MAX_INPUT_BYTES)).toBe(true);
      expect(new Set(lantern.tests.map((t) => t.input)).size).toBe(8);

      // exact-postage: every input the (strict) validator rejects is dropped with its message.
      const postage = await record('exact-postage');
      const rejected = postage.dropped.filter((d) => d.reason.startsWith('rejected by the validator'));
      expect(rejected.length).toBe(postage.validator?.rejected);
      expect(rejected.length).toBeGreaterThanOrEqual(4);
      for (const d of rejected) expect(d.reason).toMatch(/^rejected by the validator: exited with status 1: X = \d+ is above 5000$/);
      expect(postage.tests.every((t) => Number(t.input.split(/\s+/)[1]) <= 5000)).toBe(true);
      expect(postage.generator?.scales.find((s) => s.scale === 'large')?.kept).toBe(0);

      // demolition-courier: every scale timed out; its validator never parsed, which is recorded.
      const courier = byId.get('demolition-courier')!;
      expect(courier).toMatchObject({ status: 'discarded', stage: 'tests', reason: 'no_test_inputs' });
      expect(courier.detail).toMatch(/small: generator timed out \(CPU limit 1500 ms\)/);
      const courierTests = await record('demolition-courier');
      expect(courierTests.generator?.scales.map((s) => s.status)).toEqual(['failed', 'failed', 'failed']);
      expect(courierTests.validator?.unusable).toMatch(/does not parse/);
      const validatorProgram = await store.getJson<InputProgramRecord>(courierTests.validator!.programKey);
      expect(validatorProgram).toMatchObject({ kind: 'validator', code: '' });
      expect(llm.requests.filter((r) => r.promptId === 'write-validator' && r.matched === 'task:demolition-courier')).toHaveLength(3);

      // best-stretch: a clean run that wrote nothing.
      const stretch = byId.get('best-stretch')!;
      expect(stretch).toMatchObject({ status: 'discarded', reason: 'no_test_inputs' });
      expect(stretch.detail).toMatch(/^kept 0; small: generator wrote no \.in file; medium: .*; large: /);
      // Nothing was executed for the discarded tasks.
      expect(stretch.lineage.matrixKey).toBeUndefined();
    } finally {
      await llm.close();
    }
  }, 300_000);

  it('count the generator and validator spend of a task whose prompted inputs failed', async () => {
    const llm = await ReplayLlmServer.start({ corpus });
    llm.failNext({ promptId: 'write-tests', status: 400, count: 1 });
    try {
      const summary = await runPipeline(
        h.config({
          llm: { ...h.config().llm, baseURL: llm.baseURL, price: { promptPerMillion: 1, completionPerMillion: 1 } },
          tasks: { count: 1 },
          tests: { count: 12, methods: ['prompted', 'generator'], validator: true },
          training: { enabled: false },
        }),
        'generator-spend',
      );
      const [outcome] = summary.tasks.outcomes;
      expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^LlmRequestRejected: /) });
      const paid = llm.requests.filter((r) => r.status === 200 && r.path.endsWith('/chat/completions'));
      expect(paid.map((r) => r.promptId)).toEqual(expect.arrayContaining(['write-generator', 'write-validator']));
      // Every answered request of the task is in its usage, the programs' included; features are the run's.
      expect(outcome!.usage?.requests).toBe(paid.length - summary.usage.features.requests);
    } finally {
      await llm.close();
    }
  }, 300_000);

  it("generate a function task's inputs as the call's arguments, and drop files that are not", async () => {
    const task = corpus.tasks.find((t) => t.statement.fn_name)!;
    // The recorded generator plus one file per scale that holds a single argument line instead of two.
    const generator = `${task.generator}\nwith open("one_line.in", "w") as f:\n    f.write("[1, 2]\\n")\n`;
    const llm = await ReplayLlmServer.start({ corpus: { ...corpus, tasks: [{ ...task, generator }] } });
    try {
      const summary = await runPipeline(
        h.config({
          llm: { ...h.config().llm, baseURL: llm.baseURL },
          tasks: { count: 1, styleWeights: { codeforces: 0, leetcode: 1, atcoder: 0 }, leetcodeIo: 'function' },
          solutions: { candidates: task.candidates.length },
          tests: { count: 15, methods: ['prompted', 'generator'], validator: true },
          training: { enabled: false },
        }),
        'generator-function-io',
      );
      expect(summary.tasks).toMatchObject({ kept: 1 });
      const record = await store.getJson<TestsRecord>(summary.tasks.outcomes[0]!.lineage.testsKey!);
      expect(record.generator?.scales.map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
      const generated = record.tests.filter((t) => t.source === 'generator');
      expect(new Set(generated.map((t) => t.scale))).toEqual(new Set(['small', 'medium', 'large']));
      for (const t of generated) {
        const [readings, limit, ...rest] = t.input.trim().split('\n').map((line) => JSON.parse(line) as unknown);
        expect(Array.isArray(readings) && typeof limit === 'number' && rest.length === 0).toBe(true);
      }
      expect(record.dropped.filter((d) => d.name === 'one_line.in').map((d) => [d.scale, d.reason])).toEqual(
        ['small', 'medium', 'large'].map((scale) => [scale, "not the call's arguments: 1 argument line(s), the method takes 2 (readings, limit)"]),
      );
      expect(record.validator).toMatchObject({ checked: record.tests.length, rejected: 0 });
    } finally {
      await llm.close();
    }
  }, 300_000);
});

describe('test input bookkeeping', () => {
  it('normalizes line ends, drops empty, oversized and duplicate inputs across sources, and caps each scale', () => {
    const suite = new TestSuite();
    suite.offer('1 2\r\n3', 'p0', { source: 'prompted', idx: 0 });
    suite.offer('  \n', 'p1', { source: 'prompted', idx: 1 });
    suite.offer('1 2\n3\n', 'dup', { source: 'generator', idx: 0, scale: 'small', name: 'a.in' });
    suite.offer(`${'9'.repeat(MAX_INPUT_BYTES)}`, 'big', { source: 'generator', idx: 1, scale: 'small', name: 'b.in' });
    for (let i = 0; i < 4; i++) suite.offer(`${i}`, `s${i}`, { source: 'generator', idx: 2 + i, scale: 'small', name: `c${i}.in` });
    suite.offer('x', 'm', { source: 'generator', idx: 0, scale: 'medium', name: 'm.in' });
    suite.reject(suite.tests.map((t) => (t.input === '3\n' ? 'rejected by the validator: no' : null)));
    suite.capPerScale(2);
    expect(suite.recordTests().map((t) => t.input)).toEqual(['1 2\n3\n', '0\n', '1\n', 'x\n']);
    expect(suite.counts()).toEqual({ prompted: 1, small: 2, medium: 1 });
    expect(suite.dropped.map((d) => [d.name ?? d.idx, d.reason])).toEqual([
      [1, 'empty input'],
      ['a.in', 'duplicate input'],
      ['b.in', 'input over 1 MiB'],
      ['c3.in', 'rejected by the validator: no'],
      ['c2.in', 'more than the 2 inputs kept per scale'],
    ]);
  });

  it('rejects a bad tests section at once, naming the field, and defaults to the prompted method alone', () => {
    const base = { seedsPath: 's.jsonl', llm: { baseURL: 'http://x/v1', model: 'm' }, tasks: { count: 1 } };
    const error = (tests: unknown) => {
      const parsed = PipelineConfigSchema.safeParse({ ...base, tests });
      return parsed.success ? 'ok' : describeConfigError(parsed.error);
    };
    expect(error({ methods: [] })).toMatch(/^tests\.methods: /);
    expect(error({ methods: ['generator', 'generator'] })).toBe('tests.methods: list each method once');
    expect(error({ methods: ['cyaron'] })).toMatch(/^tests\.methods\.0: /);
    expect(error({ generator: { scales: ['huge'] } })).toMatch(/^tests\.generator\.scales\.0: /);
    expect(error({ generator: { perScaleLimit: 0 } })).toMatch(/^tests\.generator\.perScaleLimit: /);
    expect(error({ validator: 'yes' })).toMatch(/^tests\.validator: /);
    const tests = PipelineConfigSchema.parse(base).tests;
    expect(tests).toMatchObject({ methods: ['prompted'], validator: false, generator: { scales: ['small', 'medium', 'large'], perScaleLimit: 10 } });
    expect(tests.generator.seed).toBeUndefined();
  });

  it('reads the driver output defensively', () => {
    expect(() => parseHarvest('garbage')).toThrow(/no readable file list/);
    expect(() => parseHarvest('{"files": []}')).toThrow(/malformed/);
    const h = parseHarvest(JSON.stringify({ exit: 0, log: '', files: [{ name: 'a.in', bytes: 2, text: '1\n' }, { name: 7 }] }));
    expect(h.files).toEqual([{ name: 'a.in', bytes: 2, text: '1\n' }]);
  });
});
