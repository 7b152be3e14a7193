import { cancellationSignal } from '@temporalio/activity';
import { z } from 'zod';
import type { LlmEndpoint } from '../../workflows/config';
import type { ArtifactKey, LlmUsage, TaskStyle } from '../../workflows/types';
import { rngFor } from '../common/rng';
import { ContentStore } from '../store/content-store';
import { askParsed, chat, provenance } from './chat';
import type { LlmClientFactory } from './client';
import { jsonObject, pythonAnswer } from './parse';
import { selectFeaturesPrompt } from './prompts/select-features';
import { solvePrompt } from './prompts/solve';
import { writeStatementPrompt } from './prompts/write-statement';
import { writeTestsPrompt } from './prompts/write-tests';
import { promptHeader } from './prompt';
import { pythonSyntaxErrors } from './python-syntax';
import { priceUsage } from './usage';
import { statementProblems, type StatementFilterOptions } from './statement-filters';
import type { Candidate, CandidatesRecord, SelectionRecord, StatementRecord, TestsRecord } from './records';

const SelectionSchema = z.object({
  feature_roles_tree: z.record(z.string(), z.unknown()),
  selected_features_tree: z.record(z.string(), z.unknown()),
  integration_strategy: z.string().trim().min(1),
});
const StatementSchema = z.object({ question: z.string().trim().min(1) });
const TestsSchema = z.object({
  test_cases: z
    .array(z.object({ idx: z.unknown().optional(), description: z.string().optional(), input_string: z.string() }))
    .min(1),
});

/** Schema errors in words a model can act on when asked to repair its answer. */
function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; '));
}

const STYLES: TaskStyle[] = ['codeforces', 'leetcode', 'atcoder'];
/** Inputs above this size are dropped: a prompted list is for small and medium cases (generators do scale). */
const MAX_INPUT_BYTES = 1 << 20;

export interface TaskActivityDeps {
  store: ContentStore;
  clientFor: LlmClientFactory;
}

/** Stages 2–3: two-stage task writing, candidate solutions and test inputs (paper §2–§4). */
export function createTaskActivities({ store, clientFor }: TaskActivityDeps) {
  return {
    /** Stage 1: compatible features + integration strategy. */
    async selectFeatures(input: { subtreeKey: ArtifactKey; endpoint: LlmEndpoint }): Promise<{ selectionKey: ArtifactKey; usage: LlmUsage }> {
      const subtree = await store.getJson<unknown>(input.subtreeKey);
      const { value, usage } = await askParsed(
        clientFor,
        input.endpoint,
        selectFeaturesPrompt,
        { subtree: JSON.stringify(subtree, null, 2) },
        (text) => parseWith(SelectionSchema, jsonObject(text)),
        { signal: cancellationSignal() }
      );
      const record: SelectionRecord = {
        subtreeKey: input.subtreeKey,
        featureRolesTree: value.feature_roles_tree,
        selectedFeaturesTree: value.selected_features_tree,
        integrationStrategy: value.integration_strategy.trim(),
        provenance: provenance(selectFeaturesPrompt, input.endpoint),
      };
      return { selectionKey: await store.putJson(record), usage };
    },

    /** Stage 2: the statement, in a style drawn with the configured weights (seeded per selection). */
    async writeStatement(input: {
      selectionKey: ArtifactKey;
      seed: number;
      styleWeights: Record<TaskStyle, number>;
      endpoint: LlmEndpoint;
      filters?: StatementFilterOptions;
    }): Promise<{ statementKey: ArtifactKey; taskId: string; style: TaskStyle; rejected?: string; usage: LlmUsage }> {
      const selection = await store.getJson<SelectionRecord>(input.selectionKey);
      const style = STYLES[rngFor(input.seed, 'style', input.selectionKey).weighted(STYLES.map((s) => input.styleWeights[s]))] as TaskStyle;
      const { value, usage } = await askParsed(
        clientFor,
        input.endpoint,
        writeStatementPrompt,
        {
          selectedFeatures: JSON.stringify(selection.selectedFeaturesTree, null, 2),
          integrationStrategy: selection.integrationStrategy,
          style,
        },
        (text) => parseWith(StatementSchema, jsonObject(text)),
        { signal: cancellationSignal() }
      );
      const question = value.question.trim();
      // The ID is derived from the statement, so the same task gets the same ID in every run that makes it.
      const taskId = `task-${ContentStore.keyOf(question).slice('sha256:'.length, 'sha256:'.length + 12)}`;
      const record: StatementRecord = {
        taskId,
        style,
        ioMode: 'stdio',
        question,
        selectionKey: input.selectionKey,
        provenance: provenance(writeStatementPrompt, input.endpoint),
      };
      // A filtered statement is still stored (and returned by key) so the decision can be audited.
      const problems = statementProblems(question, input.filters ?? { minTokens: 200, hintFilter: true });
      return { statementKey: await store.putJson(record), taskId, style, usage, ...(problems.length ? { rejected: problems.join('; ') } : {}) };
    },

    /**
     * m candidates in one request (`n`), each filtered on its own: exactly one Python block that parses and was
     * not truncated. An invalid candidate is recorded with its reason; it never fails the task.
     */
    async generateSolutions(input: {
      statementKey: ArtifactKey;
      candidates: number;
      endpoint: LlmEndpoint;
    }): Promise<{ candidatesKey: ArtifactKey; total: number; valid: number; usage: LlmUsage }> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      const answer = await chat(
        clientFor,
        input.endpoint,
        [
          { role: 'system', content: `${promptHeader(solvePrompt)}\n${solvePrompt.system}` },
          { role: 'user', content: solvePrompt.user({ statement: statement.question }) },
        ],
        { n: input.candidates, signal: cancellationSignal() }
      );
      const drafts: Candidate[] = answer.choices.map((choice, index) => {
        if (choice.truncated) return { index, reasoning: '', code: '', language: 'python', valid: false, invalidReason: 'truncated' };
        try {
          return { index, ...pythonAnswer(choice.text), language: 'python', valid: true };
        } catch (err) {
          return { index, reasoning: '', code: '', language: 'python', valid: false, invalidReason: (err as Error).message };
        }
      });
      const syntax = await pythonSyntaxErrors(drafts.map((c) => (c.valid ? c.code : '')));
      const candidates = drafts.map((c, i) =>
        c.valid && syntax[i] ? { ...c, valid: false, invalidReason: `does not parse: ${syntax[i]}` } : c
      );
      const record: CandidatesRecord = {
        statementKey: input.statementKey,
        candidates,
        provenance: provenance(solvePrompt, input.endpoint),
      };
      return {
        candidatesKey: await store.putJson(record),
        total: candidates.length,
        valid: candidates.filter((c) => c.valid).length,
        usage: priceUsage(answer.usage, input.endpoint),
      };
    },

    /** Prompted test inputs (paper §4): empty, oversized and duplicate inputs are dropped with a reason. */
    async generateTestInputs(input: {
      statementKey: ArtifactKey;
      count: number;
      endpoint: LlmEndpoint;
    }): Promise<{ testsKey: ArtifactKey; total: number; usage: LlmUsage }> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      const { value, usage } = await askParsed(
        clientFor,
        input.endpoint,
        writeTestsPrompt,
        { statement: statement.question, count: input.count },
        (text) => parseWith(TestsSchema, jsonObject(text)),
        { signal: cancellationSignal() }
      );
      const tests: TestsRecord['tests'] = [];
      const dropped: TestsRecord['dropped'] = [];
      const seen = new Set<string>();
      value.test_cases.forEach((tc, idx) => {
        const text = tc.input_string.replace(/\r\n?/g, '\n');
        const normalized = text.endsWith('\n') ? text : `${text}\n`;
        if (!text.trim()) dropped.push({ idx, reason: 'empty input' });
        else if (Buffer.byteLength(normalized) > MAX_INPUT_BYTES) dropped.push({ idx, reason: 'input over 1 MiB' });
        else if (seen.has(normalized)) dropped.push({ idx, reason: 'duplicate input' });
        else if (tests.length >= input.count) dropped.push({ idx, reason: `more than the ${input.count} requested` });
        else {
          seen.add(normalized);
          tests.push({ input: normalized, description: tc.description ?? '' });
        }
      });
      const record: TestsRecord = {
        statementKey: input.statementKey,
        tests,
        dropped,
        provenance: provenance(writeTestsPrompt, input.endpoint),
      };
      return { testsKey: await store.putJson(record), total: tests.length, usage };
    },
  };
}
