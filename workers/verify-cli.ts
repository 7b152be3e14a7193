/**
 * Dual verification without Temporal: runs a task's candidate solutions (Python or C++) on its test inputs in the
 * sandbox, then prints the verdict matrix against the voted labels, the labels, the golden solution and the
 * decision with its explanation, as JSON. Usage: `npm run verify -- [input.json]` (stdin when no path is given).
 *
 * Input: {"tests": [{"input": "..."}], "solutions": [{"id": "a", "code": "...", "language": "python"|"cpp"}],
 *         "seed"?: 42, "taskId"?: "cli", "policy"?: {...VerificationPolicy}, "limits"?: {...}, "concurrency"?: n}
 * Test outputs, if given, are ignored: labels come from the candidates' votes, as in the pipeline.
 *
 * Exit codes: 0 printed (kept or discarded); 2 unreadable or invalid input (the message names the field);
 * 1 sandbox or other failure.
 */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { z } from 'zod';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
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
});

class UsageError extends Error {}

async function readInput(path: string | undefined): Promise<string> {
  if (path !== undefined) {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read input file: ${(err as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseInput(text: string): z.infer<typeof InputSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`input is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = InputSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'));
  return parsed.data;
}

async function run(): Promise<void> {
  let input: z.infer<typeof InputSchema>;
  try {
    input = parseInput(await readInput(process.argv[2]));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`verify-cli: invalid input:\n${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...input.limits };
  const sandbox = createBwrapSandbox();
  try {
    const inputs = input.tests.map((t) => t.input);
    const rows = await executeMatrix(sandbox, input.solutions, inputs, limits, input.concurrency ?? Math.max(1, cpus().length));
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
