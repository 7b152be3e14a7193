/**
 * The suite of test inputs of one task, assembled from its sources in a fixed order (prompted, then each scale
 * of the generator in config order) so the same programs and seed always give the same suite. Every input that
 * does not make it is kept in `dropped` with its reason.
 */
import type { TestSource, TestsRecord } from '../llm/records';

/** The prompted method's cap as well: a larger input would only slow every candidate run down. */
export const MAX_INPUT_BYTES = 1 << 20;

export type Dropped = TestsRecord['dropped'][number];
export type SuiteTest = TestsRecord['tests'][number] & { source: TestSource };
interface Origin {
  source: TestSource;
  idx: number;
  scale?: string;
  name?: string;
}

/** Programs read lines: CRLF never differs from LF, and the last line always ends. */
export function normalizeInput(text: string): string {
  const lf = text.replace(/\r\n?/g, '\n');
  return lf.endsWith('\n') ? lf : `${lf}\n`;
}

export class TestSuite {
  readonly tests: (SuiteTest & { origin: Origin })[] = [];
  readonly dropped: Dropped[] = [];
  private readonly seen = new Set<string>();

  /** `formatProblem`: why an input cannot be the task's input at all (a function task's arguments), else null. */
  constructor(private readonly formatProblem: (input: string) => string | null = () => null) {}

  /**
   * Empty, malformed, oversized and duplicate inputs (across all sources) are dropped here, and so is an input
   * past `limit` kept tests (the prompted method's `count`).
   */
  offer(raw: string, description: string, origin: Origin, limit = Infinity): void {
    const input = normalizeInput(raw);
    const malformed = raw.trim() ? this.formatProblem(input) : null;
    if (!raw.trim()) this.drop(origin, 'empty input');
    else if (malformed) this.drop(origin, `not the call's arguments: ${malformed}`);
    else if (Buffer.byteLength(input) > MAX_INPUT_BYTES) this.drop(origin, 'input over 1 MiB');
    else if (this.seen.has(input)) this.drop(origin, 'duplicate input');
    else if (this.tests.length >= limit) this.drop(origin, `more than the ${limit} requested`);
    else {
      this.seen.add(input);
      this.tests.push({ input, description, source: origin.source, ...(origin.scale ? { scale: origin.scale } : {}), origin });
    }
  }

  drop(origin: Origin, reason: string): void {
    const { source, idx, scale, name } = origin;
    this.dropped.push({ idx, reason, source, ...(scale ? { scale } : {}), ...(name ? { name } : {}) });
  }

  /** Removes the tests `reject` names (by position) with their reasons, e.g. the validator's verdicts. */
  reject(reasons: (string | null)[]): void {
    const kept = this.tests.filter((t, i) => {
      const reason = reasons[i];
      if (reason) this.drop(t.origin, reason);
      return !reason;
    });
    this.tests.splice(0, this.tests.length, ...kept);
  }

  /** Keeps the first `limit` generator inputs of each scale (prompted inputs are already capped at their count). */
  capPerScale(limit: number): void {
    const perScale = new Map<string, number>();
    this.reject(
      this.tests.map((t) => {
        if (t.source !== 'generator' || !t.scale) return null;
        const n = (perScale.get(t.scale) ?? 0) + 1;
        perScale.set(t.scale, n);
        return n > limit ? `more than the ${limit} inputs kept per scale` : null;
      }),
    );
  }

  /** Kept inputs per source: 'prompted' and each scale. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const t of this.tests) {
      const key = t.source === 'generator' ? (t.scale ?? 'generator') : t.source;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** The record's form: without the bookkeeping of where each input came from. */
  recordTests(): TestsRecord['tests'] {
    return this.tests.map(({ origin: _origin, ...t }) => t);
  }
}
