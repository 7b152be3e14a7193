/**
 * Command-line judge: JSON in, JSON out, no Temporal. The Python RL reward and people use the same judge as
 * the workers. Usage: `tsx workers/judge-cli.ts [input.json]` (stdin when no path is given).
 *
 * Input:  {solutions: [{id, code, language?: "python" | "cpp"}], tests: [{input, output}], limits?, concurrency?,
 *          checker?: {kind: "exact" | "token"} | {kind: "float", absTolerance?, relTolerance?} | {kind: "testlib", code},
 *          fnName?: string}
 *         fnName: function I/O (LeetCode-style) tests: each Python solution is a class Solution, each test input the
 *         call's arguments (one JSON value per line) and each output the result as the harness prints it
 *         (canonical JSON, activities/sandbox/function-harness.ts); RL records carry it as `fn_name`.
 * Output: {results: [{id, verdicts: [{verdict, wallMs, cpuMs, memoryKb, exitCode?, signal?, message?}], passed, total,
 *          compileError?}]}; verdict is AC, WA, TLE, MLE, RE, OLE or CE. New fields are optional and additive.
 *
 * Exit codes: 0 results printed; 2 unreadable or invalid input (the message names the field); 1 sandbox or
 * other failure.
 */
import { z } from 'zod';
import { CheckerSchema, LimitsSchema } from './cli-schemas';
import { readJsonInput } from './json-cli';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { FN_NAME_RE, functionProgram } from '../activities/sandbox/function-harness';
import { judgeSolutions } from '../activities/sandbox/judge';
import { DEFAULT_LIMITS, type RunLimits } from '../activities/sandbox/types';

// Top level and limits are strict: a misspelt "limit" silently falling back to defaults would be worse than
// an error. Solution and test entries may carry extra metadata, which is ignored.
const InputSchema = z.strictObject({
  solutions: z.array(z.object({ id: z.string().min(1), code: z.string(), language: z.enum(['python', 'cpp']).optional() })),
  tests: z.array(z.object({ input: z.string(), output: z.string() })),
  limits: LimitsSchema,
  concurrency: z.number().int().min(1).max(256).optional(),
  checker: CheckerSchema.optional(),
  fnName: z.string().regex(FN_NAME_RE, { message: 'must be a Python identifier' }).optional(),
}).refine((input) => input.fnName === undefined || input.solutions.every((s) => (s.language ?? 'python') === 'python'), {
  message: 'fnName (function I/O) needs Python solutions',
  path: ['fnName'],
});

async function run(): Promise<void> {
  const input = await readJsonInput('judge-cli', InputSchema, process.argv[2]);
  if (!input) return;
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...input.limits };
  const sandbox = createBwrapSandbox();
  try {
    const { fnName } = input;
    const solutions = fnName === undefined ? input.solutions : input.solutions.map((s) => ({ ...s, code: functionProgram(s.code, fnName) }));
    const results = await judgeSolutions(sandbox, solutions, input.tests, limits, {
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
