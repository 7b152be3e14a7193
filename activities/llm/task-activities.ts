import { cancellationSignal } from '@temporalio/activity';
import { z } from 'zod';
import type { LlmEndpoint } from '../../workflows/config';
import type { ArtifactKey, LlmUsage, TaskStyle } from '../../workflows/types';
import { rngFor } from '../common/rng';
import { ContentStore } from '../store/content-store';
import { askParsed, chat, provenance } from './chat';
import type { LlmClientFactory } from './client';
import { parseOutputRule } from './output-rule';
import { codeAnswer, jsonObject } from './parse';
import { solveCppPrompt } from './prompts/solve-cpp';
import { selectFeaturesPrompt } from './prompts/select-features';
import { writeStatementPrompt } from './prompts/write-statement';
import { writeStatementFunctionPrompt } from './prompts/write-statement-function';
import { checkFunctionCandidates, parseFunctionStatement, solveRequest, testInputProblem, testsRequest, type FunctionStatement } from './function-io';
import { promptHeader } from './prompt';
import { pythonSyntaxErrors } from './python-syntax';
import { addUsage, priceUsage } from './usage';
import { proseRefusal, refusalReason } from './refusal';
import { estimateTokens, statementProblems, type StatementFilterOptions } from './statement-filters';
import type { Candidate, CandidatesRecord, OutputRule, SelectionRecord, StatementRecord, TestsRecord } from './records';
import { TestSuite } from '../sandbox/test-inputs';

const SelectionSchema = z.object({
  feature_roles_tree: z.record(z.string(), z.unknown()),
  selected_features_tree: z.record(z.string(), z.unknown()),
  integration_strategy: z.string().trim().min(1),
});
const StatementSchema = z.object({ question: z.string().trim().min(1) });

/** A stdio statement answer: the question and its optional output rule, every problem of both in one repair turn. */
function parseStdioStatement(text: string): { question: string; output?: OutputRule } {
  const answer = jsonObject(text);
  const problems: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
  const statement = attempt(() => parseWith(StatementSchema, answer));
  const output = attempt(() => parseOutputRule((answer as { output?: unknown }).output, 'stdio'));
  if (!statement || problems.length) throw new Error(problems.join('; '));
  return { question: statement.question, ...(output ? { output } : {}) };
}
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
      /** How LeetCode-style tasks take their input (tasks.leetcodeIo); absent = stdio, as before the option. */
      leetcodeIo?: 'function' | 'stdio';
    }): Promise<{ statementKey: ArtifactKey; taskId: string; style: TaskStyle; rejected?: string; usage: LlmUsage }> {
      const selection = await store.getJson<SelectionRecord>(input.selectionKey);
      const style = STYLES[rngFor(input.seed, 'style', input.selectionKey).weighted(STYLES.map((s) => input.styleWeights[s]))] as TaskStyle;
      const plan = { selectedFeatures: JSON.stringify(selection.selectedFeaturesTree, null, 2), integrationStrategy: selection.integrationStrategy };
      const functionIo = style === 'leetcode' && input.leetcodeIo === 'function';
      const prompt = functionIo ? writeStatementFunctionPrompt : writeStatementPrompt;
      const { value, usage } = await askParsed<unknown, { question: string; output?: OutputRule } & Partial<FunctionStatement>>(
        clientFor,
        input.endpoint,
        prompt,
        { ...plan, style },
        // A malformed output rule is a schema error like any other: the model is asked to repair it.
        (text) => (functionIo ? parseFunctionStatement(text) : parseStdioStatement(text)),
        { signal: cancellationSignal() }
      );
      const question = value.question.trim();
      // The ID is derived from the statement, so the same task gets the same ID in every run that makes it.
      const taskId = `task-${ContentStore.keyOf(question).slice('sha256:'.length, 'sha256:'.length + 12)}`;
      const record: StatementRecord = {
        taskId,
        style,
        ioMode: functionIo ? 'function' : 'stdio',
        question,
        ...(functionIo ? { fnName: value.fnName, starterCode: value.starterCode, fnParams: value.fnParams } : {}),
        // Absent = exact, as in every record written before the rule existed.
        ...(value.output ? { output: value.output } : {}),
        selectionKey: input.selectionKey,
        provenance: provenance(prompt, input.endpoint),
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
      /** C++ candidates are compiled by the judge (a compile error leaves the candidate out of the vote). */
      language?: 'python' | 'cpp';
      /** Answers (reasoning + code) estimated longer than this are invalid (paper App. C.1: 25k). */
      maxAnswerTokens?: number;
    }): Promise<{ candidatesKey: ArtifactKey; total: number; valid: number; usage: LlmUsage }> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      // Function-I/O tasks call a Python `class Solution`, so their candidates are Python whatever the solver.
      const language = input.language === 'cpp' && statement.ioMode !== 'function' ? 'cpp' : 'python';
      const solve = language === 'cpp' ? { prompt: solveCppPrompt, user: solveCppPrompt.user({ statement: statement.question }) } : solveRequest(statement);
      const messages = [
        { role: 'system' as const, content: `${promptHeader(solve.prompt)}\n${solve.prompt.system}` },
        { role: 'user' as const, content: solve.user },
      ];
      const answer = await chat(clientFor, input.endpoint, messages, { n: input.candidates, signal: cancellationSignal() });
      let usage = priceUsage(answer.usage, input.endpoint);
      // Some servers and gateways ignore `n` and answer one choice: ask again for the rest (at most m requests
      // in all), so the task still gets its m candidates.
      for (let asked = 1; answer.choices.length < input.candidates && asked < input.candidates; asked++) {
        const more = await chat(clientFor, input.endpoint, messages, { n: input.candidates - answer.choices.length, signal: cancellationSignal() });
        answer.choices.push(...more.choices.slice(0, input.candidates - answer.choices.length));
        usage = addUsage(usage, priceUsage(more.usage, input.endpoint));
      }
      const drafts: Candidate[] = answer.choices.map((choice, index) => {
        const invalid = (invalidReason: string): Candidate => ({ index, reasoning: '', code: '', language, valid: false, invalidReason });
        if (choice.refusal) return invalid(refusalReason(choice.refusal));
        if (choice.truncated) return invalid('truncated');
        // Paper App. C.1: a reasoning section must be complete, and the whole answer within the token limit.
        if (choice.text.includes('<think>') && !choice.text.includes('</think>')) return invalid('incomplete reasoning: <think> is never closed');
        const tokens = estimateTokens(choice.text);
        if (input.maxAnswerTokens && tokens > input.maxAnswerTokens) return invalid(`too long: ~${tokens} tokens > ${input.maxAnswerTokens}`);
        try {
          return { index, ...codeAnswer(choice.text, language), language, valid: true };
        } catch (err) {
          const refused = proseRefusal(choice.text);
          return invalid(refused ? refusalReason(refused) : (err as Error).message);
        }
      });
      const syntax = await pythonSyntaxErrors(drafts.map((c) => (c.valid && c.language === 'python' ? c.code : '')));
      // A function task's candidate must define the method the harness calls, taking the starter code's arguments.
      const candidates = await checkFunctionCandidates(
        statement,
        drafts.map((c, i) => (c.valid && syntax[i] ? { ...c, valid: false, invalidReason: `does not parse: ${syntax[i]}` } : c))
      );
      const record: CandidatesRecord = {
        statementKey: input.statementKey,
        candidates,
        provenance: provenance(solve.prompt, input.endpoint),
      };
      return {
        candidatesKey: await store.putJson(record),
        total: candidates.length,
        valid: candidates.filter((c) => c.valid).length,
        usage,
      };
    },

    /** Prompted test inputs (paper §4): empty, oversized and duplicate inputs are dropped with a reason. */
    async generateTestInputs(input: {
      statementKey: ArtifactKey;
      count: number;
      endpoint: LlmEndpoint;
    }): Promise<{ testsKey: ArtifactKey; total: number; usage: LlmUsage }> {
      const statement = await store.getJson<StatementRecord>(input.statementKey);
      const request = testsRequest(statement, input.count);
      const { value, usage } = await askParsed(
        clientFor,
        input.endpoint,
        request.prompt,
        request.args,
        (text) => parseWith(TestsSchema, jsonObject(text)),
        { signal: cancellationSignal() }
      );
      // The same intake rules as generator inputs (empty, malformed, oversized, duplicate, over the count).
      const suite = new TestSuite((text) => testInputProblem(statement, text));
      value.test_cases.forEach((tc, idx) => suite.offer(tc.input_string, tc.description ?? '', { source: 'prompted', idx }, input.count));
      const tests = suite.recordTests();
      const dropped = suite.dropped;
      const record: TestsRecord = {
        statementKey: input.statementKey,
        tests,
        dropped,
        provenance: provenance(request.prompt, input.endpoint),
      };
      return { testsKey: await store.putJson(record), total: tests.length, usage };
    },
  };
}
