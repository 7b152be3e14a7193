/**
 * Verification without Temporal or an LLM: runs a task's candidate solutions (Python or C++) on its test inputs
 * in the sandbox, draws more inputs from a generator where the policy asks for them (adaptive tests), then
 * prints the decision, the golden, the labels, the behaviour clusters and their witnesses as JSON.
 * Usage: `npm run verify -- [input.json]` (stdin when no path is given).
 *
 * Input: {"tests": [{"input": "..."}], "solutions": [{"id", "code", "language"?: "python"|"cpp", "model"?}],
 *         "checker"?: {"kind": "exact"|"token"} | {"kind": "float", absTolerance?, relTolerance?} | {"kind": "testlib", "code"},
 *         "generator"?: {"code", "language"?: "python"}  (run as `--seed S --scale NAME` in an empty directory,
 *                                                        one `*.in` file per input),
 *         "scales"?: ["small", "medium", "large"], "seed"?: 42, "taskId"?: "cli", "policy"?: {...VerificationPolicy},
 *         "limits"?: {...}, "concurrency"?: n, "fnName"?: "method"}
 * Test outputs, if given, are ignored: labels come from the candidates' agreement, as in the pipeline.
 * Output: decision, reason, explanation, golden {index, id}, labels aligned with the given tests (null =
 *         unlabelled), generated (inputs drawn), clusters (solution ids, witnesses, languages), witnesses (ids),
 *         the given tests' verdict matrix against the labels, and the full verification result.
 *
 * Exit codes: 0 printed (kept or discarded); 2 unreadable or invalid input (the message names the field);
 * 1 sandbox or other failure.
 */
import { cpus } from 'node:os';
import { z } from 'zod';
import { CheckerSchema, LimitsSchema } from './cli-schemas';
import { readJsonInput } from './json-cli';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { checkerClasses } from '../activities/sandbox/checker-classes';
import { FN_NAME_RE, functionProgram } from '../activities/sandbox/function-harness';
import { DEFAULT_LIMITS, type RunLimits } from '../activities/sandbox/types';
import { adaptTests, type AdaptiveState } from '../activities/verify/adaptive';
import { verifyMatrix } from '../activities/verify/dual-verify';
import { executeMatrix } from '../activities/verify/execute';
import { liveAdaptiveDeps } from '../activities/verify/live-adaptive';
import { VerificationPolicySchema } from '../activities/verify/policy';
import { verdictsAgainstLabels } from '../activities/verify/report';
import { DEFAULT_FLOAT_TOLERANCE } from '../activities/sandbox/checkers';
import type { OutputRule } from '../activities/llm/records';

const InputSchema = z
  .strictObject({
    taskId: z.string().min(1).default('cli'),
    seed: z.number().int().nonnegative().default(42),
    tests: z.array(z.object({ input: z.string() })).min(1),
    solutions: z
      .array(z.object({ id: z.string().min(1), code: z.string(), language: z.enum(['python', 'cpp']).default('python'), model: z.string().min(1).optional() }))
      .min(1),
    checker: CheckerSchema.optional(),
    generator: z.strictObject({ code: z.string().min(1), language: z.literal('python').default('python') }).optional(),
    scales: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, { message: 'a scale is a short word' })).min(1).default(['small', 'medium', 'large']),
    policy: VerificationPolicySchema.prefault({}),
    limits: LimitsSchema,
    concurrency: z.number().int().min(1).max(256).optional(),
    fnName: z.string().regex(FN_NAME_RE, { message: 'must be a Python identifier' }).optional(),
  })
  .refine((input) => input.fnName === undefined || input.solutions.every((s) => s.language === 'python'), {
    message: 'fnName (function I/O) needs Python solutions',
    path: ['fnName'],
  });

const GENERATOR_LIMITS: RunLimits = { timeLimitMs: 10_000, memoryMb: 1024, outputLimitBytes: 64 << 20 };

function outputRuleOf(checker: z.infer<typeof CheckerSchema> | undefined): OutputRule | undefined {
  if (!checker) return undefined;
  if (checker.kind === 'float') return { kind: 'float', absTolerance: checker.absTolerance ?? DEFAULT_FLOAT_TOLERANCE, relTolerance: checker.relTolerance ?? DEFAULT_FLOAT_TOLERANCE };
  return checker;
}

async function run(): Promise<void> {
  const input = await readJsonInput('verify-cli', InputSchema, process.argv[2]);
  if (!input) return;
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...input.limits };
  const concurrency = input.concurrency ?? Math.max(1, cpus().length);
  const sandbox = createBwrapSandbox();
  try {
    const inputs = input.tests.map((t) => t.input);
    const { fnName } = input;
    const wrap = (code: string): string => (fnName === undefined ? code : functionProgram(code, fnName));
    const rows = await executeMatrix(sandbox, input.solutions.map((s) => ({ ...s, code: wrap(s.code) })), inputs, limits, concurrency);
    const cells = rows.map((r) => r.cells);
    const rule = outputRuleOf(input.checker);
    const testlib = rule?.kind === 'testlib' ? rule.code : undefined;
    let classes: (number | null)[][] | undefined;
    let checkerFailure: string | undefined;
    if (testlib) {
      const c = await checkerClasses(sandbox, testlib, inputs.map((x, t) => ({ input: x, outputs: cells.map((row) => (row?.[t]?.status === 'OK' ? row[t]!.stdout : null)) })));
      if (c.ok) classes = c.classes;
      else checkerFailure = c.reason;
    }
    const start: AdaptiveState = {
      cells,
      inputs,
      seed: input.seed,
      label: input.taskId,
      policy: input.policy,
      candidates: input.solutions.map((s) => ({ code: s.code, language: s.language, ...(s.model ? { model: s.model } : {}) })),
      sources: inputs.map(() => 'given' as const),
      scales: inputs.map(() => undefined),
      ...(rule ? { outputRule: rule } : {}),
      ...(rule && rule.kind !== 'testlib' ? { checker: rule } : {}),
      ...(classes ? { classes } : {}),
      ...(checkerFailure ? { checkerFailure } : {}),
    };
    const adaptive =
      input.generator && input.policy.algorithm === 'witness'
        ? await adaptTests(start, input.policy, input.scales, {
            verify: verifyMatrix,
            ...liveAdaptiveDeps({ sandbox, generator: input.generator.code, limits, generatorLimits: GENERATOR_LIMITS, concurrency, ...(fnName ? { fnName } : {}), ...(testlib ? { checkerCode: testlib } : {}) }),
          })
        : undefined;
    const result = adaptive?.result ?? verifyMatrix(start);
    const state = adaptive?.state ?? start;
    const given = inputs.length;
    const verdicts = verdictsAgainstLabels(state.cells, result, state.classes).map((v) => v.slice(0, given));
    const golden = result.goldenIndex !== undefined ? { index: result.goldenIndex, id: input.solutions[result.goldenIndex]?.id } : null;
    const ids = (members: number[]): string[] => members.map((i) => input.solutions[i]?.id ?? String(i));
    const out = {
      decision: result.decision,
      ...(result.reason ? { reason: result.reason } : {}),
      explanation: result.explanation,
      golden,
      labels: result.votes.slice(0, given).map((v) => v.label),
      generated: state.inputs.length - given,
      ...(adaptive ? { adaptive: { rounds: adaptive.rounds, added: adaptive.added, cpuMs: Math.round(adaptive.cpuMs), stopped: adaptive.stopped, notes: adaptive.notes } } : {}),
      clusters: (result.witness?.clusters ?? []).map((c) => ({ solutions: ids(c.members), witnesses: c.witnesses, languages: c.languages, models: c.models, evidence: c.evidence, okTests: c.okTests })),
      witnesses: (result.witness?.witnesses ?? []).map((w) => input.solutions[w.candidate]?.id),
      matrix: rows.map((r, i) => ({
        id: r.id,
        verdicts: verdicts[i],
        passRate: result.passRates[i],
        ...(r.compileError ? { compileError: r.compileError.slice(0, 2000) } : {}),
      })),
      generatedInputs: state.inputs.slice(given),
      verification: result,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await sandbox.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
