/**
 * Dual verification without Temporal: runs a task's candidate solutions (Python or C++) on its test inputs in the
 * sandbox, then prints the verdict matrix against the voted labels, the labels, the golden solution and the
 * decision with its explanation, as JSON. Usage: `npm run verify -- [input.json]` (stdin when no path is given).
 *
 * Input: {"tests": [{"input": "..."}], "solutions": [{"id": "a", "code": "...", "language": "python"|"cpp"}],
 *         "seed"?: 42, "taskId"?: "cli", "policy"?: {...VerificationPolicy}, "limits"?: {...}, "concurrency"?: n,
 *         "fnName"?: "method"}  (function I/O: Python `class Solution`s, inputs one JSON argument per line)
 * Test outputs, if given, are ignored: labels come from the candidates' votes, as in the pipeline.
 *
 * Exit codes: 0 printed (kept or discarded); 2 unreadable or invalid input (the message names the field);
 * 1 sandbox or other failure.
 */
import { cpus } from 'node:os';
import { z } from 'zod';
import { readJsonInput } from './json-cli';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { FN_NAME_RE, functionProgram } from '../activities/sandbox/function-harness';
import { DEFAULT_LIMITS, type RunLimits } from '../activities/sandbox/types';
import { dualVerify } from '../activities/verify/dual-verify';
import { executeMatrix } from '../activities/verify/execute';
import { VerificationPolicySchema } from '../activities/verify/policy';
import { verdictsAgainstLabels } from '../activities/verify/report';

const InputSchema = z.strictObject({
  taskId: z.string().min(1).default('cli'),
  seed: z.number().int().nonnegative().default(42),
  tests: z.array(z.object({ input: z.string() })).min(1),
  solutions: z.array(z.object({ id: z.string().min(1), code: z.string(), language: z.enum(['python', 'cpp']).default('python') })).min(1),
  policy: VerificationPolicySchema.prefault({}),
  limits: z
    .strictObject({
      timeLimitMs: z.number().int().min(1).max(600_000),
      memoryMb: z.number().int().min(32).max(65_536),
      outputLimitBytes: z.number().int().min(0),
    })
    .partial()
    .optional(),
  concurrency: z.number().int().min(1).max(256).optional(),
  fnName: z.string().regex(FN_NAME_RE, { message: 'must be a Python identifier' }).optional(),
}).refine((input) => input.fnName === undefined || input.solutions.every((s) => s.language === 'python'), {
  message: 'fnName (function I/O) needs Python solutions',
  path: ['fnName'],
});

async function run(): Promise<void> {
  const input = await readJsonInput('verify-cli', InputSchema, process.argv[2]);
  if (!input) return;
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...input.limits };
  const sandbox = createBwrapSandbox();
  try {
    const inputs = input.tests.map((t) => t.input);
    const { fnName } = input;
    const solutions = fnName === undefined ? input.solutions : input.solutions.map((s) => ({ ...s, code: functionProgram(s.code, fnName) }));
    const rows = await executeMatrix(sandbox, solutions, inputs, limits, input.concurrency ?? Math.max(1, cpus().length));
    const cells = rows.map((r) => r.cells);
    const result = dualVerify({ cells, inputs, seed: input.seed, label: input.taskId, policy: input.policy });
    const verdicts = verdictsAgainstLabels(cells, result);
    const golden = result.goldenIndex !== undefined ? { index: result.goldenIndex, id: input.solutions[result.goldenIndex]?.id } : null;
    const out = {
      decision: result.decision,
      ...(result.reason ? { reason: result.reason } : {}),
      explanation: result.explanation,
      golden,
      labels: result.votes.map((v) => v.label),
      matrix: rows.map((r, i) => ({
        id: r.id,
        verdicts: verdicts[i],
        passRate: result.passRates[i],
        ...(r.compileError ? { compileError: r.compileError.slice(0, 2000) } : {}),
      })),
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
