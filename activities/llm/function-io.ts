/**
 * The function-I/O side of task writing (LeetCode style with tasks.leetcodeIo = 'function'): parsing the
 * statement + starter code answer, the prompts a function task's candidates and tests are asked with, and the
 * checks that turn a candidate or test input the harness could not call into a recorded reason.
 */
import { z } from 'zod';
import { FN_NAME_RE, functionInputProblem } from '../sandbox/function-harness';
import { methodSignatures, signatureMismatch } from './function-signature';
import { parseOutputRule } from './output-rule';
import { jsonObject } from './parse';
import type { Prompt } from './prompt';
import { solvePrompt } from './prompts/solve';
import { solveFunctionPrompt } from './prompts/solve-function';
import { writeTestsPrompt } from './prompts/write-tests';
import { writeTestsFunctionPrompt } from './prompts/write-tests-function';
import type { Candidate, OutputRule, StatementRecord } from './records';

const FunctionStatementSchema = z.object({
  question: z.string().trim().min(1),
  fn_name: z.string().trim().regex(FN_NAME_RE, { message: 'must be a Python identifier (the method name)' }),
  starter_code: z.string().trim().min(1),
});

export interface FunctionStatement {
  question: string;
  fnName: string;
  starterCode: string;
  fnParams: string[];
  /** Exact or float only: the harness prints the returned value as canonical JSON. Absent = exact. */
  output?: OutputRule;
}

/**
 * The write-statement-function answer, checked with Python's `ast`: the starter code must define class Solution
 * with the named method taking plain positional parameters (each test input line is one of them). Throws with
 * a message the model can act on in a repair turn.
 */
export async function parseFunctionStatement(text: string): Promise<FunctionStatement> {
  const answer = jsonObject(text);
  const parsed = FunctionStatementSchema.safeParse(answer);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; '));
  const output = parseOutputRule((answer as { output?: unknown }).output, 'function');
  const { question, fn_name: fnName } = parsed.data;
  const starterCode = `${parsed.data.starter_code.replace(/\s+$/, '')}\n`;
  const [signature] = await methodSignatures([{ code: starterCode, fnName }]);
  if (!signature?.ok) throw new Error(`starter_code: ${signature?.error ?? 'no signature'}`);
  if (signature.varargs || signature.required !== signature.params.length) {
    throw new Error(`starter_code: Solution.${fnName} must take plain positional parameters (no defaults, no *args)`);
  }
  if (signature.params.length === 0) throw new Error(`starter_code: Solution.${fnName} must take at least one argument`);
  return { question, fnName, starterCode, fnParams: signature.params, ...(output ? { output } : {}) };
}

function functionParts(statement: StatementRecord): { fnName: string; starterCode: string; fnParams: string[] } | undefined {
  if (statement.ioMode !== 'function') return undefined;
  const { fnName, starterCode, fnParams } = statement;
  if (!fnName || starterCode === undefined || !fnParams) throw new Error(`statement ${statement.taskId}: function I/O without fnName, starterCode or fnParams`);
  return { fnName, starterCode, fnParams };
}

/** The solve prompt and user turn a statement's candidates are asked with. */
export function solveRequest(statement: StatementRecord): { prompt: Pick<Prompt<unknown>, 'id' | 'version' | 'system'>; user: string } {
  const fn = functionParts(statement);
  return fn
    ? { prompt: solveFunctionPrompt, user: solveFunctionPrompt.user({ statement: statement.question, starterCode: fn.starterCode }) }
    : { prompt: solvePrompt, user: solvePrompt.user({ statement: statement.question }) };
}

/** The write-tests prompt and arguments for a statement (askParsed takes both). */
export function testsRequest(statement: StatementRecord, count: number): { prompt: Prompt<unknown>; args: unknown } {
  const fn = functionParts(statement);
  return fn
    ? { prompt: writeTestsFunctionPrompt, args: { statement: statement.question, starterCode: fn.starterCode, fnName: fn.fnName, params: fn.fnParams, count } }
    : { prompt: writeTestsPrompt, args: { statement: statement.question, count } };
}

/** Why a normalized test input cannot be a function task's arguments (null when it can, or for stdio tasks). */
export function testInputProblem(statement: StatementRecord, input: string): string | null {
  const fn = functionParts(statement);
  return fn ? functionInputProblem(input, fn.fnParams) : null;
}

/** Valid candidates of a function task whose method the harness could not call become invalid, with the reason. */
export async function checkFunctionCandidates(statement: StatementRecord, candidates: Candidate[]): Promise<Candidate[]> {
  const fn = functionParts(statement);
  if (!fn) return candidates;
  const signatures = await methodSignatures(candidates.map((c) => ({ code: c.valid ? c.code : '', fnName: fn.fnName })));
  return candidates.map((c, i) => {
    if (!c.valid) return c;
    const problem = signatureMismatch(signatures[i]!, fn.fnParams, fn.fnName);
    return problem ? { ...c, valid: false, invalidReason: `signature: ${problem}` } : c;
  });
}
