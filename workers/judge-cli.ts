/**
 * Command-line judge: JSON in, JSON out, no Temporal. The Python RL reward and people use the same judge as
 * the workers. Usage: `tsx workers/judge-cli.ts [input.json]` (stdin when no path is given).
 *
 * Input:  {solutions: [{id, code, language?: "python" | "cpp"}], tests: [{input, output}], limits?, concurrency?,
 *          checker?: {kind: "exact" | "token"} | {kind: "float", absTolerance?, relTolerance?} | {kind: "testlib", code}}
 * Output: {results: [{id, verdicts: [{verdict, wallMs, cpuMs, memoryKb, exitCode?, signal?, message?}], passed, total,
 *          compileError?}]}; verdict is AC, WA, TLE, MLE, RE, OLE or CE. New fields are optional and additive.
 *
 * Exit codes: 0 results printed; 2 unreadable or invalid input (the message names the field); 1 sandbox or
 * other failure.
 */
import { z } from 'zod';
import { readJsonInput } from './json-cli';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { judgeSolutions } from '../activities/sandbox/judge';
import { DEFAULT_LIMITS, type RunLimits } from '../activities/sandbox/types';

// Top level and limits are strict: a misspelt "limit" silently falling back to defaults would be worse than
// an error. Solution and test entries may carry extra metadata, which is ignored.
const CheckerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exact') }),
  z.strictObject({ kind: z.literal('token') }),
  z.strictObject({ kind: z.literal('float'), absTolerance: z.number().min(0).optional(), relTolerance: z.number().min(0).optional() }),
  z.strictObject({ kind: z.literal('testlib'), code: z.string().min(1) }),
]);

const InputSchema = z.strictObject({
  solutions: z.array(z.object({ id: z.string().min(1), code: z.string(), language: z.enum(['python', 'cpp']).optional() })),
  tests: z.array(z.object({ input: z.string(), output: z.string() })),
  limits: z
    .strictObject({
      timeLimitMs: z.number().int().min(1).max(600_000),
      memoryMb: z.number().int().min(32).max(65_536),
      outputLimitBytes: z.number().int().min(0),
      wallLimitMs: z.number().int().min(1).max(1_200_000),
      maxProcesses: z.number().int().min(1).max(4096),
      fileSizeBytes: z.number().int().min(0),
    })
    .partial()
    .optional(),
  concurrency: z.number().int().min(1).max(256).optional(),
  checker: CheckerSchema.optional(),
});

async function run(): Promise<void> {
  const input = await readJsonInput('judge-cli', InputSchema, process.argv[2]);
  if (!input) return;
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...input.limits };
  const sandbox = createBwrapSandbox();
  try {
    const results = await judgeSolutions(sandbox, input.solutions, input.tests, limits, {
      concurrency: input.concurrency,
      checker: input.checker,
    });
    process.stdout.write(`${JSON.stringify({ results })}\n`);
  } finally {
    await sandbox.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
