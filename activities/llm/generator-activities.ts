import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { failureUsage } from '../../workflows/failures';
import type { LlmEndpoint } from '../../workflows/config';
import type { ArtifactKey, LlmUsage, TestScale } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import { askParsed, LLM_FAILURE, provenance } from './chat';
import type { LlmClientFactory } from './client';
import { methodSignatures, signatureMismatch } from './function-signature';
import { pythonAnswer, type CodeAnswer } from './parse';
import type { Prompt } from './prompt';
import { functionStatement } from './prompts/solve-function';
import { writeGeneratorPrompt } from './prompts/write-generator';
import { writeReferencePrompt } from './prompts/write-reference';
import { writeValidatorPrompt } from './prompts/write-validator';
import { pythonSyntaxErrors } from './python-syntax';
import type { InputProgramRecord, StatementRecord } from './records';
import { NO_USAGE } from './usage';

export interface GeneratorActivityDeps {
  store: ContentStore;
  clientFor: LlmClientFactory;
}

export interface InputProgramResult {
  programKey: ArtifactKey;
  /** False when the answer stayed unusable: the record says why, and the tests go on without this program. */
  usable: boolean;
  usage: LlmUsage;
}

/** The program must honour the command line the sandbox runs it with, or every scale would fail the same way. */
function generatorProblems(code: string): string | undefined {
  const missing = ['--seed', '--scale'].filter((flag) => !code.includes(flag));
  return missing.length ? `the generator must accept ${missing.join(' and ')} (argparse), as the sandbox runs it with both` : undefined;
}

/**
 * The statement as the programs' prompts show it, and what one input file holds: stdin text, or for a
 * function-I/O task the call's arguments as JSON lines (what the harness and the prompted method use).
 */
export function programContext(statement: StatementRecord): { statement: string; inputFormat: string } {
  const { fnName, fnParams, starterCode } = statement;
  if (statement.ioMode !== 'function' || !fnName || !fnParams || starterCode === undefined) {
    return { statement: statement.question, inputFormat: 'exactly what a solution reads on standard input' };
  }
  return {
    statement: functionStatement(statement.question, starterCode),
    inputFormat:
      `the arguments of the call Solution().${fnName}(${fnParams.join(', ')}): one JSON value per line (json.dumps), ` +
      `in this order, ${fnParams.length} line(s); e.g. "[1, 2, 3]\n2\n" for (nums, k)`,
  };
}

/** A check of a program that parses; its message (when it returns one) is the repair turn's complaint. */
type ProgramCheck = (code: string) => string | undefined | Promise<string | undefined>;

/** The reference's prompt arguments: what the program is, and what the output rule lets it print. */
function referenceArgs(statement: StatementRecord): { statement: string; shape: string; outputNote: string } {
  const { fnName } = statement;
  const shape =
    statement.ioMode === 'function' && fnName
      ? `Complete the class Solution of the starter code: the method ${fnName} with the same name and parameters, returning the answer (it reads and prints nothing).`
      : 'A complete Python 3 program that reads the input from standard input and writes the output to standard output, exactly in the format the statement asks for.';
  const rule = statement.output;
  const outputNote =
    rule?.kind === 'float'
      ? `Answers are real numbers accepted within an absolute or relative error of ${rule.absTolerance} / ${rule.relTolerance}: print them with at least 10 digits after the decimal point.`
      : rule?.kind === 'testlib'
        ? 'Several outputs are correct: print any one of them that the statement accepts (an optimal one where the task asks for an optimum).'
        : '';
  return { statement: programContext(statement).statement, shape, outputNote };
}

/** A function task's reference must be callable the way the harness calls candidates, or it witnesses nothing. */
function referenceCheck(statement: StatementRecord): ProgramCheck | undefined {
  const { fnName, fnParams } = statement;
  if (statement.ioMode !== 'function' || !fnName || !fnParams) return undefined;
  return async (code) => {
    const [signature] = await methodSignatures([{ code, fnName }]);
    return signature ? (signatureMismatch(signature, fnParams, fnName) ?? undefined) : 'no signature';
  };
}

/** One python block that parses: a syntax error goes back to the model as a repair turn. */
async function parseProgram(text: string, extraCheck?: ProgramCheck): Promise<CodeAnswer> {
  const answer = pythonAnswer(text);
  const [syntax] = await pythonSyntaxErrors([answer.code]);
  if (syntax) throw new Error(`the program does not parse: ${syntax}`);
  const problem = await extraCheck?.(answer.code);
  if (problem) throw new Error(problem);
  return answer;
}

/**
 * Stage 3, the programs around test inputs: the tool-based generator (paper §4), the optional input validator and
 * the brute-force reference of adaptive tests. An answer that stays unusable after the repairs is recorded, not
 * thrown: the task can still have prompted inputs, and a task left without any is discarded later with the reason
 * (never the run); a task without a reference is verified by its candidates alone.
 */
export function createGeneratorActivities({ store, clientFor }: GeneratorActivityDeps) {
  async function writeProgram<A>(
    kind: InputProgramRecord['kind'],
    prompt: Prompt<A>,
    args: A,
    statementKey: ArtifactKey,
    endpoint: LlmEndpoint,
    extraCheck?: ProgramCheck,
  ): Promise<InputProgramResult> {
    const base = { kind, statementKey, provenance: provenance(prompt, endpoint) };
    try {
      const { value, usage } = await askParsed(clientFor, endpoint, prompt, args, (text) => parseProgram(text, extraCheck), {
        signal: cancellationSignal(),
      });
      const record: InputProgramRecord = { ...base, reasoning: value.reasoning, code: value.code };
      return { programKey: await store.putJson(record), usable: true, usage };
    } catch (err) {
      if (!(err instanceof ApplicationFailure && err.type === LLM_FAILURE.invalidOutput)) throw err;
      const usage = failureUsage(err) ?? NO_USAGE;
      const record: InputProgramRecord = { ...base, reasoning: '', code: '', unusable: err.message };
      return { programKey: await store.putJson(record), usable: false, usage };
    }
  }

  return {
    async writeGenerator(input: {
      statementKey: ArtifactKey;
      scales: TestScale[];
      perScaleLimit: number;
      endpoint: LlmEndpoint;
    }): Promise<InputProgramResult> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      return writeProgram(
        'generator',
        writeGeneratorPrompt,
        { ...programContext(statement), scales: input.scales, perScale: input.perScaleLimit },
        input.statementKey,
        input.endpoint,
        generatorProblems,
      );
    },

    async writeValidator(input: { statementKey: ArtifactKey; endpoint: LlmEndpoint }): Promise<InputProgramResult> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      return writeProgram('validator', writeValidatorPrompt, programContext(statement), input.statementKey, input.endpoint);
    },

    /**
     * A brute-force reference for small inputs (the referenceWriter role): one more independent witness there.
     * Unusable → recorded with the reason and empty code, like the other programs; only a rejected request fails.
     */
    async writeReference(input: { statementKey: ArtifactKey; endpoint: LlmEndpoint }): Promise<InputProgramResult> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      return writeProgram('reference', writeReferencePrompt, referenceArgs(statement), input.statementKey, input.endpoint, referenceCheck(statement));
    },
  };
}
