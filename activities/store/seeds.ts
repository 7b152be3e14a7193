import { z } from 'zod';

/** One seed: a solved problem whose features the extractor reads (paper: TACO question–solution pairs). */
export const SeedSchema = z.object({
  id: z.string().min(1).optional(),
  problem: z.string().min(1),
  solution: z.string().min(1),
});
export type Seed = { id: string; problem: string; solution: string };

export interface ParsedSeeds {
  seeds: Seed[];
  rejected: { line: number; reason: string }[];
}

/**
 * Parses a JSONL seed file. A bad line is reported with its number and reason and skipped: one malformed
 * seed must not cost the whole run.
 */
export function parseSeedsJsonl(text: string): ParsedSeeds {
  const seeds: Seed[] = [];
  const rejected: ParsedSeeds['rejected'] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      rejected.push({ line: i + 1, reason: `not JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = SeedSchema.safeParse(value);
    if (!parsed.success) {
      rejected.push({ line: i + 1, reason: parsed.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ') });
      return;
    }
    seeds.push({ id: parsed.data.id ?? `line-${i + 1}`, problem: parsed.data.problem, solution: parsed.data.solution });
  });
  return { seeds, rejected };
}
