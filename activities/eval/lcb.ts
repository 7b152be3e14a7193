/**
 * LiveCodeBench code_generation_lite records → EvalProblem. Field names are LCB's own, so a user can pass a
 * file of the released dataset (JSONL, one record per line, or a JSON array) unchanged:
 *   question_title, question_content, platform, question_id, contest_id, contest_date, starter_code,
 *   difficulty, public_test_cases, private_test_cases, metadata.
 * `public_test_cases` is a JSON string of [{input, output, testtype: 'stdin' | 'functional'}];
 * `private_test_cases` is the same JSON string or, as in the released files, base64(zlib(pickle(json string))).
 * `metadata` is a JSON string holding `func_name` for functional problems.
 */
import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import type { Difficulty, EvalProblem } from './types';

const TestCaseSchema = z.object({ input: z.string(), output: z.string(), testtype: z.enum(['stdin', 'functional']) });
const jsonOrObject = <T extends z.ZodType>(schema: T) => z.union([z.string().transform((s, ctx) => parseJson(s, ctx)), schema]).pipe(schema);

const LcbRecordSchema = z.looseObject({
  question_title: z.string().default(''),
  question_content: z.string().min(1),
  platform: z.string().default(''),
  question_id: z.union([z.string(), z.number()]).transform(String),
  contest_date: z.string().default(''),
  starter_code: z.string().default(''),
  difficulty: z.string().default('unknown'),
  public_test_cases: jsonOrObject(z.array(TestCaseSchema)).default([]),
  private_test_cases: z.union([z.string(), z.array(TestCaseSchema)]).default([]),
  metadata: jsonOrObject(z.looseObject({ func_name: z.string().optional() })).default({}),
});

function parseJson(text: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
    return z.NEVER;
  }
}

/**
 * The string inside a pickle of one `str` (what LCB pickles before compressing): protocols 2–5 store it as
 * SHORT_BINUNICODE (0x8c), BINUNICODE ('X') or BINUNICODE8 (0x8d). Nothing else is accepted, so no pickle is
 * ever executed.
 */
export function unpickleString(bytes: Buffer): string {
  let i = 0;
  if (bytes[i] === 0x80) i += 2; // PROTO n
  if (bytes[i] === 0x95) i += 9; // FRAME <8-byte length>
  const op = bytes[i];
  let length: number;
  if (op === 0x8c) {
    length = bytes.readUInt8(i + 1);
    i += 2;
  } else if (op === 0x58) {
    length = bytes.readUInt32LE(i + 1);
    i += 5;
  } else if (op === 0x8d) {
    length = Number(bytes.readBigUInt64LE(i + 1));
    i += 9;
  } else {
    throw new Error(`unsupported pickle opcode 0x${(op ?? 0).toString(16)} (expected a pickled str)`);
  }
  return bytes.subarray(i, i + length).toString('utf8');
}

function decodePrivateTests(value: string | z.infer<typeof TestCaseSchema>[]): z.infer<typeof TestCaseSchema>[] {
  if (Array.isArray(value)) return value;
  if (value.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    json = JSON.parse(unpickleString(inflateSync(Buffer.from(value, 'base64'))));
  }
  return z.array(TestCaseSchema).parse(json);
}

function difficultyOf(value: string): Difficulty {
  const d = value.toLowerCase();
  return d === 'easy' || d === 'medium' || d === 'hard' ? d : 'unknown';
}

/** One record; throws with a readable reason when the record is unusable. */
export function parseLcbRecord(record: unknown): EvalProblem {
  const parsed = LcbRecordSchema.safeParse(record);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const r = parsed.data;
  const publicTests = r.public_test_cases;
  const tests = [...publicTests, ...decodePrivateTests(r.private_test_cases)];
  if (tests.length === 0) throw new Error('no tests');
  const mode = tests[0]!.testtype === 'functional' ? 'functional' : 'stdin';
  if (tests.some((t) => t.testtype !== tests[0]!.testtype)) throw new Error('mixed stdin and functional tests');
  const funcName = r.metadata.func_name;
  if (mode === 'functional' && !funcName) throw new Error('functional problem without metadata.func_name');
  return {
    id: r.question_id,
    title: r.question_title,
    platform: r.platform,
    difficulty: difficultyOf(r.difficulty),
    contestDate: r.contest_date,
    mode,
    ...(funcName && mode === 'functional' ? { funcName } : {}),
    starterCode: r.starter_code,
    question: r.question_content,
    tests: tests.map(({ input, output }) => ({ input, output })),
    publicTests: publicTests.length,
  };
}

/** A JSONL file or a JSON array; bad records are reported by line (or array index + 1) and skipped. */
export function parseLcbFile(text: string): { problems: EvalProblem[]; rejected: { line: number; reason: string }[] } {
  const trimmed = text.trimStart();
  const records: { line: number; value: unknown }[] = [];
  const rejected: { line: number; reason: string }[] = [];
  if (trimmed.startsWith('[')) {
    (JSON.parse(trimmed) as unknown[]).forEach((value, i) => records.push({ line: i + 1, value }));
  } else {
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      try {
        records.push({ line: i + 1, value: JSON.parse(raw) });
      } catch {
        rejected.push({ line: i + 1, reason: 'not valid JSON' });
      }
    });
  }
  const problems: EvalProblem[] = [];
  const seen = new Set<string>();
  for (const { line, value } of records) {
    try {
      const problem = parseLcbRecord(value);
      if (seen.has(problem.id)) throw new Error(`duplicate question_id ${problem.id}`);
      seen.add(problem.id);
      problems.push(problem);
    } catch (err) {
      rejected.push({ line, reason: (err as Error).message });
    }
  }
  return { problems, rejected };
}

/**
 * The generation prompt, in the layout LiveCodeBench uses for instruct models: the question, then either the
 * starter code to complete or the instruction to read stdin, and one fenced Python block as the answer.
 */
export function lcbPrompt(p: EvalProblem): { system: string; user: string } {
  const system =
    'You are an expert Python programmer. You will be given a question (problem specification) and will generate a ' +
    'correct Python program that matches the specification and passes all tests.';
  const format = p.starterCode
    ? `You will use the following starter code to write the solution to the problem and enclose your code within delimiters.\n\`\`\`python\n${p.starterCode}\n\`\`\``
    : 'Read the inputs from stdin, solve the problem and write the answer to stdout (do not directly test on the sample inputs). ' +
      'Enclose your code within delimiters as follows.\n```python\n# YOUR CODE HERE\n```';
  return { system, user: `### Question:\n${p.question}\n\n### Format: ${format}\n\n### Answer: (use the provided format with backticks)\n` };
}
