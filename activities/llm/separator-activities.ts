import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { failureUsage } from '../../workflows/failures';
import type { LlmEndpoint } from '../../workflows/config';
import type { ArtifactKey, LlmUsage } from '../../workflows/types';
import { normalizeInput, TestSuite } from '../sandbox/test-inputs';
import type { ContentStore } from '../store/content-store';
import { askParsed, LLM_FAILURE, provenance } from './chat';
import type { LlmClientFactory } from './client';
import { testInputProblem } from './function-io';
import { programContext } from './generator-activities';
import { jsonObject } from './parse';
import { writeSeparatingInputsPrompt } from './prompts/write-separating-inputs';
import type { SeparatingInputsRecord, StatementRecord } from './records';
import { NO_USAGE } from './usage';

export interface SeparatorActivityDeps {
  store: ContentStore;
  clientFor: LlmClientFactory;
}

export interface SeparatingProgram {
  code: string;
  language: 'python' | 'cpp';
}

export interface WriteSeparatingInputsInput {
  statementKey: ArtifactKey;
  /** Two candidates that print different outputs on `witness.input`. */
  programs: [SeparatingProgram, SeparatingProgram];
  witness: { input: string; outputs: [string, string] };
  /** At most this many inputs are kept (the answer's first ones that pass the intake). */
  count: number;
  endpoint: LlmEndpoint;
}

export interface SeparatingInputsResult {
  /** Normalized, deduplicated, valid for the task's I/O mode; empty when the answer stayed unusable. */
  inputs: string[];
  recordKey: ArtifactKey;
  usage: LlmUsage;
}

const SeparatingSchema = z.object({
  inputs: z.array(z.string(), { message: 'must be a list of input strings' }).min(1),
  reasoning: z.string().optional(),
});

interface Parsed {
  inputs: string[];
  reasoning?: string;
  dropped: SeparatingInputsRecord['dropped'];
}

/**
 * The answer's inputs through the prompted inputs' intake (empty, malformed function arguments, over 1 MiB,
 * duplicate, over the count), minus the witness itself, which the programs already disagree on. An answer none
 * of whose inputs survives is a repair turn, so the model hears why.
 */
function parseSeparating(text: string, statement: StatementRecord, witness: string, count: number): Parsed {
  const parsed = SeparatingSchema.safeParse(jsonObject(text));
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; '));
  const suite = new TestSuite((input) => testInputProblem(statement, input));
  const known = normalizeInput(witness);
  parsed.data.inputs.forEach((raw, idx) => {
    if (raw.trim() && normalizeInput(raw) === known) suite.drop({ source: 'prompted', idx }, 'the input the programs already disagree on');
    else suite.offer(raw, '', { source: 'prompted', idx }, count);
  });
  const dropped = suite.dropped.map(({ idx, reason }) => ({ idx, reason }));
  if (suite.tests.length === 0) throw new Error(`none of the inputs can be used: ${dropped.map((d) => `input ${d.idx + 1}: ${d.reason}`).join('; ')}`);
  const reasoning = parsed.data.reasoning?.trim();
  return { inputs: suite.tests.map((t) => t.input), dropped, ...(reasoning ? { reasoning } : {}) };
}

/**
 * The separator role of adaptive tests: inputs aimed at a concrete disagreement between two candidates. An answer
 * that stays unusable after the repairs gives no inputs and a record saying why, never a failed task: the
 * verification goes on with the tests it has. Rejected requests and endpoint failures still fail as elsewhere.
 */
export function createSeparatorActivities({ store, clientFor }: SeparatorActivityDeps) {
  return {
    async writeSeparatingInputs(input: WriteSeparatingInputsInput): Promise<SeparatingInputsResult> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      const count = Math.max(1, Math.floor(input.count));
      const prompt = writeSeparatingInputsPrompt;
      const base = {
        kind: 'separating-inputs' as const,
        statementKey: input.statementKey,
        witness: { input: input.witness.input, outputs: input.witness.outputs },
        provenance: provenance(prompt, input.endpoint),
      };
      try {
        const { value, usage } = await askParsed(
          clientFor,
          input.endpoint,
          prompt,
          { ...programContext(statement), programs: input.programs, witness: input.witness, count },
          (text) => parseSeparating(text, statement, input.witness.input, count),
          { signal: cancellationSignal() }
        );
        const record: SeparatingInputsRecord = { ...base, inputs: value.inputs, dropped: value.dropped, ...(value.reasoning ? { reasoning: value.reasoning } : {}) };
        return { inputs: value.inputs, recordKey: await store.putJson(record), usage };
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.type === LLM_FAILURE.invalidOutput)) throw err;
        const record: SeparatingInputsRecord = { ...base, inputs: [], dropped: [], unusable: err.message };
        return { inputs: [], recordKey: await store.putJson(record), usage: failureUsage(err) ?? NO_USAGE };
      }
    },
  };
}
