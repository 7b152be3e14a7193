/**
 * Adaptive testing against the real sandbox (the verify CLI and the pipeline's extendTests activity): draws run
 * the task's generator (generator-run.ts) and pass its inputs through the same intake as the first suite (empty,
 * oversized, malformed and duplicate inputs dropped, then the validator when there is one); executions run each
 * distinct program in one box over the new inputs; a checker program's classes come from checker-classes.ts.
 * A generator that crashes, loops or writes only invalid inputs loses only that draw, with the reason.
 */
import { checkerClasses } from '../sandbox/checker-classes';
import { functionProgram } from '../sandbox/function-harness';
import { runGeneratorScale } from '../sandbox/generator-run';
import { MAX_INPUT_BYTES, normalizeInput } from '../sandbox/test-inputs';
import type { RunLimits, Sandbox } from '../sandbox/types';
import type { AdaptiveDeps } from './adaptive';
import { executeMatrix } from './execute';

export interface LiveAdaptiveOptions {
  sandbox: Sandbox;
  /** The generator program (Python; `--seed S --scale NAME`, writes `*.in` files). */
  generator: string;
  /** Limits of candidate runs, and of one generator run. */
  limits: RunLimits;
  generatorLimits: RunLimits;
  concurrency: number;
  /** Function I/O: candidates are classes run through the harness. */
  fnName?: string;
  /** A testlib checker: classes by mutual acceptance. */
  checkerCode?: string;
  /** Why an input cannot be the task's input (e.g. not a function call's arguments), else null. */
  formatProblem?: (input: string) => string | null;
  /** The validator's verdicts (null = accepted), when the task has one. */
  validate?: (inputs: string[]) => Promise<(string | null)[]>;
  signal?: AbortSignal;
}

export type LiveAdaptiveDeps = Omit<AdaptiveDeps, 'verify'> & {
  /** The intake of new inputs from any source (generator draws, the separator role): normalised, non-empty, within 1 MiB, well-formed, distinct, accepted by the validator. */
  intake(texts: readonly string[]): Promise<{ inputs: string[]; malformed: number; rejected: number }>;
};

export function liveAdaptiveDeps(o: LiveAdaptiveOptions): LiveAdaptiveDeps {
  const intake: LiveAdaptiveDeps['intake'] = async (raw) => {
    const texts = raw.filter((x) => x.trim()).map(normalizeInput);
    let inputs = [...new Set(texts.filter((x) => Buffer.byteLength(x) <= MAX_INPUT_BYTES && !(o.formatProblem?.(x) ?? null)))];
    const malformed = texts.length - inputs.length;
    let rejected = 0;
    if (o.validate && inputs.length) {
      const verdicts = await o.validate(inputs);
      rejected = verdicts.filter(Boolean).length;
      inputs = inputs.filter((_, i) => !verdicts[i]);
    }
    return { inputs, malformed, rejected };
  };
  return {
    intake,
    async draw(scale, seed) {
      const run = await runGeneratorScale(o.sandbox, o.generator, seed, scale, o.generatorLimits, o.signal);
      if (!run.ok) return { failed: run.reason };
      const { inputs, malformed, rejected } = await intake(run.harvest.files.flatMap((f) => (f.text !== undefined ? [f.text] : [])));
      const lost = malformed + rejected;
      return { inputs, ...(inputs.length === 0 ? { failed: lost ? `every input was dropped (${malformed} malformed, oversized or repeated, ${rejected} rejected by the validator)` : 'the generator wrote no usable input' } : {}) };
    },
    async execute(programs, inputs) {
      const solutions = programs.map((p, i) => ({ id: String(i), code: o.fnName ? functionProgram(p.code, o.fnName) : p.code, language: p.language }));
      const rows = await executeMatrix(o.sandbox, solutions, inputs, o.limits, o.concurrency);
      const cpuMs = rows.reduce((s, r) => s + (r.cells ?? []).reduce((n, c) => n + (c.cpuMs ?? c.wallMs), 0), 0);
      return { cells: rows.map((r) => r.cells), cpuMs };
    },
    ...(o.checkerCode
      ? {
          async classify(tests) {
            const r = await checkerClasses(o.sandbox, o.checkerCode as string, tests, { ...(o.signal ? { signal: o.signal } : {}) });
            return r.ok ? { ok: true as const, classes: r.classes } : { ok: false as const, reason: r.reason };
          },
        }
      : {}),
  };
}
