import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/**
 * Input handling shared by the JSON command-line tools (judge, verify): read a file (argv path) or stdin,
 * validate with zod, and on a problem print one line per bad field and exit 2, leaving exit 1 for failures
 * of the work itself.
 */
export async function readJsonInput<S extends z.ZodType>(tool: string, schema: S, path: string | undefined): Promise<z.infer<S> | undefined> {
  let problem: string;
  try {
    const text = path !== undefined ? await readFile(path, 'utf8') : await readStdin();
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    problem = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n');
  } catch (err) {
    problem = err instanceof SyntaxError ? `input is not valid JSON: ${err.message}` : `cannot read input: ${(err as Error).message}`;
  }
  process.stderr.write(`${tool}: invalid input:\n${problem}\n`);
  process.exitCode = 2;
  return undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `solutions[0].code`, the way people write paths into JSON. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? '(root)' : out;
}
