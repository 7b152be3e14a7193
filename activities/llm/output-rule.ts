/**
 * The statement writer's `"output"` object: how the task's outputs are judged. Parsed here into the record's
 * OutputRule; every problem is thrown in words the model can act on, so askParsed turns a malformed rule into a
 * repair turn like any other schema error.
 */
import { z } from 'zod';
import type { OutputRule } from './records';

const DEFAULT_TOLERANCE = 1e-6;
/** A tolerance this loose would accept almost any number: a model mixing up the rule with the statement's values. */
const MAX_TOLERANCE = 1;

const tolerance = z.number().min(0).max(MAX_TOLERANCE).default(DEFAULT_TOLERANCE);

const OutputAnswerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exact') }),
  /** Not offered by the prompt, but harmless: whitespace-separated tokens compared one by one. */
  z.object({ kind: z.literal('token') }),
  z.object({ kind: z.literal('float'), abs_tolerance: tolerance, rel_tolerance: tolerance }),
  z.object({ kind: z.literal('any_valid'), checker: z.string() }),
]);

/** Where a rule can apply: function-I/O answers are canonical JSON printed by the harness, never free text. */
export type OutputRuleMode = 'stdio' | 'function';

/**
 * The record's rule for an answer's `output` value: undefined when absent (or null), which means exact, so
 * answers recorded before the rule existed still parse.
 */
export function parseOutputRule(value: unknown, mode: OutputRuleMode): OutputRule | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = OutputAnswerSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `output${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`).join('; ');
    throw new Error(`${issues} (allowed: {"kind": "exact"}, {"kind": "float", "abs_tolerance": ..., "rel_tolerance": ...}${mode === 'stdio' ? ', {"kind": "any_valid", "checker": "..."}' : ''})`);
  }
  const rule = parsed.data;
  if (mode === 'function' && rule.kind !== 'exact' && rule.kind !== 'float') {
    throw new Error(`output.kind: a function task's return value is compared as canonical JSON, so only "exact" or "float" is allowed, not "${rule.kind}"`);
  }
  switch (rule.kind) {
    case 'exact':
    case 'token':
      return { kind: rule.kind };
    case 'float':
      return { kind: 'float', absTolerance: rule.abs_tolerance, relTolerance: rule.rel_tolerance };
    case 'any_valid':
      return { kind: 'testlib', code: checkerCode(rule.checker) };
  }
}

/**
 * The checker's source, with a ```cpp fence removed if the model wrapped it in one. It must be a testlib checker,
 * or the judge could only fail it on every run (checker_failed) after all candidates were executed.
 */
function checkerCode(raw: string): string {
  const fenced = /^\s*```[\w+]*[^\n]*\n([\s\S]*?)```\s*$/.exec(raw);
  const code = (fenced ? fenced[1] ?? '' : raw).replace(/\s+$/, '');
  if (!code.trim()) throw new Error('output.checker: empty; an "any_valid" task needs the source of its testlib checker');
  const missing = [
    code.includes('testlib.h') ? undefined : '#include "testlib.h"',
    code.includes('registerTestlibCmd') ? undefined : 'registerTestlibCmd(argc, argv)',
  ].filter((m): m is string => m !== undefined);
  if (missing.length) throw new Error(`output.checker: not a testlib checker (missing ${missing.join(' and ')})`);
  return `${code}\n`;
}
