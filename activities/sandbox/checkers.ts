/**
 * Output checkers. The default is the whitespace-trimmed exact match that verification voting also uses
 * (common/compare.ts), so a label and a verdict never disagree. Token and float checkers compare
 * whitespace-separated tokens; a testlib-style checker is a C++ program run as `checker in out ans` in its own
 * box, following testlib's exit codes: 0 OK, 1 WA, 2 PE, 3 FAIL (the checker or the task is broken).
 */
import { outputsMatch, tokensMatch, floatTokensMatch } from '../common/compare';
import type { Program, RunLimits } from './types';

export type CheckerSpec =
  | { kind: 'exact' }
  | { kind: 'token' }
  | { kind: 'float'; absTolerance?: number; relTolerance?: number }
  | { kind: 'testlib'; code: string };

export interface CheckOutcome {
  ok: boolean;
  message?: string;
}

/** A checker that could not judge (testlib FAIL, crash or timeout): the task is at fault, not the solution. */
export class CheckerFailure extends Error {
  override name = 'CheckerFailure';
}

export const DEFAULT_FLOAT_TOLERANCE = 1e-6;

/** Limits of a testlib checker run: generous, a checker is trusted to be fast, not to be safe. */
export const CHECKER_LIMITS: RunLimits = { timeLimitMs: 10_000, memoryMb: 512, outputLimitBytes: 64 * 1024 };
/** testlib's convention: `checker <input> <output> <answer>`; the files are written into the box per run. */
export const CHECKER_FILES = ['input.txt', 'output.txt', 'answer.txt'] as const;

/** The compiled checker as run: its argv names the three files. */
export function checkerInvocation(program: Program): Program {
  return { ...program, argv: [...program.argv, ...CHECKER_FILES] };
}

/** Built-in checkers, synchronous and pure. */
export function checkBuiltin(spec: Exclude<CheckerSpec, { kind: 'testlib' }>, output: string, answer: string): CheckOutcome {
  switch (spec.kind) {
    case 'exact':
      return { ok: outputsMatch(output, answer) };
    case 'token':
      return { ok: tokensMatch(output, answer) };
    case 'float':
      return {
        ok: floatTokensMatch(output, answer, spec.absTolerance ?? DEFAULT_FLOAT_TOLERANCE, spec.relTolerance ?? DEFAULT_FLOAT_TOLERANCE),
      };
  }
}

/** testlib exit code → outcome; PE counts as a wrong answer (the verdict set has no PE). */
export function testlibOutcome(exitCode: number | null, message: string): CheckOutcome {
  if (exitCode === 0) return { ok: true, message };
  if (exitCode === 1) return { ok: false, message };
  if (exitCode === 2) return { ok: false, message: `presentation error: ${message}` };
  throw new CheckerFailure(`checker failed (exit ${exitCode ?? 'signal'}): ${message}`);
}
