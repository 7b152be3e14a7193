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
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
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

class UsageError extends Error {}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? '(root)' : out;
}

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
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

async function run(): Promise<void> {
  let input: z.infer<typeof InputSchema>;
  try {
    input = parseInput(await readInput(process.argv[2]));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`judge-cli: invalid input:\n${err.message}\n`);
    process.exitCode = 2;
    return;
  }
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
