import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { failureUsage } from '../../workflows/failures';
import type { LlmEndpoint } from '../../workflows/config';
import type { ArtifactKey, LlmUsage, TestScale } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import { askParsed, LLM_FAILURE, provenance } from './chat';
import type { LlmClientFactory } from './client';
import { pythonAnswer, type CodeAnswer } from './parse';
import type { Prompt } from './prompt';
import { functionStatement } from './prompts/solve-function';
import { writeGeneratorPrompt } from './prompts/write-generator';
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
function programContext(statement: StatementRecord): { statement: string; inputFormat: string } {
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

/** One python block that parses: a syntax error goes back to the model as a repair turn. */
async function parseProgram(text: string, extraCheck?: (code: string) => string | undefined): Promise<CodeAnswer> {
  const answer = pythonAnswer(text);
  const [syntax] = await pythonSyntaxErrors([answer.code]);
  if (syntax) throw new Error(`the program does not parse: ${syntax}`);
  const problem = extraCheck?.(answer.code);
  if (problem) throw new Error(problem);
  return answer;
}

/**
 * Stage 3, the programs around test inputs: the tool-based generator (paper §4) and the optional input validator.
 * An answer that stays unusable after the repairs is recorded, not thrown: the task can still have prompted
 * inputs, and a task left without any is discarded later with the reason (never the run).
 */
export function createGeneratorActivities({ store, clientFor }: GeneratorActivityDeps) {
  async function writeProgram<A>(
    kind: InputProgramRecord['kind'],
    prompt: Prompt<A>,
    args: A,
    statementKey: ArtifactKey,
    endpoint: LlmEndpoint,
    extraCheck?: (code: string) => string | undefined,
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
  };
}
