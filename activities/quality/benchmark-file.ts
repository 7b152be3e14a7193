/**
 * The benchmark file of `tasks.decontamination.benchmarkPath`: JSONL, one problem per line, either a
 * LiveCodeBench `code_generation_lite` record (`question_id`, `question_content`; every other field ignored) or
 * the simple form `{"id", "text"}`. Read line by line: the released LCB files carry their private tests inline
 * and reach hundreds of MB, so the file is never held whole.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { BenchmarkProblem } from './contamination';

const LcbProblemSchema = z.object({
  question_id: z.union([z.string().min(1), z.number()]).transform(String),
  question_content: z.string().trim().min(1),
});
const SimpleProblemSchema = z.object({ id: z.union([z.string().min(1), z.number()]).transform(String), text: z.string().trim().min(1) });

export interface BenchmarkFile {
  problems: BenchmarkProblem[];
  /** Lines that were not a usable problem, with the reason. */
  rejected: { line: number; reason: string }[];
}

/** One line → a problem, or the reason it is none. Exported for tests. */
export function parseBenchmarkLine(text: string): BenchmarkProblem | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reason: 'not valid JSON' };
  }
  const lcb = LcbProblemSchema.safeParse(value);
  if (lcb.success) return { id: lcb.data.question_id, text: lcb.data.question_content };
  const simple = SimpleProblemSchema.safeParse(value);
  if (simple.success) return simple.data;
  return { reason: 'expected a LiveCodeBench record (question_id, question_content) or {"id", "text"}' };
}

/** Reads the file; `onLine` is called every 100 lines (activities heartbeat through it). */
export async function readBenchmarkFile(path: string, onLine?: (line: number) => void): Promise<BenchmarkFile> {
  const problems: BenchmarkProblem[] = [];
  const rejected: BenchmarkFile['rejected'] = [];
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (line % 100 === 0) onLine?.(line);
    if (!text.trim()) continue;
    const parsed = parseBenchmarkLine(text);
    if ('reason' in parsed) rejected.push({ line, reason: parsed.reason });
    else problems.push(parsed);
  }
  return { problems, rejected };
}
