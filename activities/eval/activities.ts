import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ArtifactKey } from '../../workflows/types';
import { classifyLlmError } from '../llm/chat';
import type { LlmClientFactory } from '../llm/client';
import { pythonSyntaxErrors } from '../llm/python-syntax';
import { judgeSolutions } from '../sandbox/judge';
import type { Semaphore } from '../common/semaphore';
import { DEFAULT_LIMITS, type Sandbox } from '../sandbox/types';
import type { ContentStore } from '../store/content-store';
import { extractCode, judgeJob, sampleOutcome } from './harness';
import { lcbPrompt, parseLcbFile } from './lcb';
import { buildReport, compareReports } from './metrics';
import type {
  DateWindow,
  EvalProblem,
  EvaluationComparison,
  EvaluationReport,
  JudgeEvalSamplesInput,
  JudgeEvalSamplesResult,
  LoadEvalProblemsInput,
  LoadEvalProblemsResult,
  ProblemResult,
  SampleCompletionsInput,
  SampleCompletionsResult,
  SampleOutcome,
  SamplingParams,
} from './types';

interface CompletionsRecord {
  problemId: string;
  model: string;
  sampling: SamplingParams;
  completions: { text: string; truncated: boolean }[];
}

export interface SummarizeEvaluationInput {
  runId: string;
  model: string;
  sampling: SamplingParams;
  windows: DateWindow[];
  results: ProblemResult[];
  /** A previous evaluation's report to compare with. */
  baselineReportKey?: ArtifactKey;
}
export interface SummarizeEvaluationResult {
  reportKey: ArtifactKey;
  report: EvaluationReport;
  comparison?: EvaluationComparison;
  /** Human-friendly copy under the data directory: runs/<runId>/eval/report.json. */
  reportPath: string;
}

/** Orchestrator side: read the problem file, sample from the endpoint, score. */
export function createEvalActivities({ store, clientFor }: { store: ContentStore; clientFor: LlmClientFactory }) {
  return {
    async loadEvalProblems(input: LoadEvalProblemsInput): Promise<LoadEvalProblemsResult> {
      let text: string;
      try {
        text = await readFile(input.problemsPath, 'utf8');
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`cannot read ${input.problemsPath}: ${(err as Error).message}`, 'InvalidInput');
      }
      const { problems, rejected } = parseLcbFile(text);
      const chosen = problems
        .filter((p) => (!input.from || p.contestDate >= input.from) && (!input.to || p.contestDate < input.to))
        .slice(0, input.limit ?? Infinity);
      if (chosen.length === 0) throw ApplicationFailure.nonRetryable(`${input.problemsPath}: no usable problems (${rejected.length} rejected)`, 'InvalidInput');
      return {
        problems: await Promise.all(
          chosen.map(async (p) => ({ id: p.id, difficulty: p.difficulty, contestDate: p.contestDate, problemKey: await store.putJson(p) }))
        ),
        rejected,
      };
    },

    /**
     * k samples in one request (`n`), as vLLM serves them best. `top_k` is not an OpenAI parameter, so it goes
     * in the body as an extra field (what the Python client calls extra_body): the shared chat() helper has no
     * way to add one, so this calls the client directly and reuses its error classification.
     */
    async sampleCompletions(input: SampleCompletionsInput): Promise<SampleCompletionsResult> {
      const problem = await store.getJson<EvalProblem>(input.problemKey);
      const { system, user } = lcbPrompt(problem);
      const s = input.sampling;
      const endpoint = { ...input.endpoint, temperature: s.temperature, topP: s.topP, maxTokens: s.maxTokens };
      const body = {
        model: endpoint.model,
        messages: [
          { role: 'system' as const, content: system },
          { role: 'user' as const, content: user },
        ],
        temperature: s.temperature,
        top_p: s.topP,
        max_tokens: s.maxTokens,
        n: s.samples,
        ...(s.topK !== undefined && s.topK > 0 ? { top_k: s.topK } : {}),
      };
      let completions: CompletionsRecord['completions'];
      try {
        const res = await clientFor(endpoint).chat.completions.create(body, { signal: cancellationSignal(), timeout: endpoint.timeoutMs });
        completions = res.choices
          .sort((a, b) => a.index - b.index)
          .map((c) => {
            const reasoning = (c.message as { reasoning_content?: string }).reasoning_content;
            const content = c.message.content ?? '';
            return { text: reasoning ? `<think>${reasoning}</think>\n${content}` : content, truncated: c.finish_reason === 'length' };
          });
      } catch (err) {
        throw classifyLlmError(err, endpoint);
      }
      if (completions.length !== s.samples) {
        // Some servers ignore `n`; a short answer would silently shrink k, so it is an error worth retrying.
        throw ApplicationFailure.retryable(`endpoint returned ${completions.length} choices for n=${s.samples}`, 'LlmUnavailable');
      }
      const record: CompletionsRecord = { problemId: problem.id, model: endpoint.model, sampling: s, completions };
      return { completionsKey: await store.putJson(record), truncated: completions.filter((c) => c.truncated).length };
    },

    async summarizeEvaluation(input: SummarizeEvaluationInput): Promise<SummarizeEvaluationResult> {
      const report = buildReport(input);
      const reportKey = await store.putJson(report);
      const reportPath = await store.publish(reportKey, `runs/${input.runId}/eval/report.json`);
      const comparison = input.baselineReportKey
        ? compareReports(await store.getJson<EvaluationReport>(input.baselineReportKey), report, input.windows)
        : undefined;
      return { reportKey, report, reportPath, ...(comparison ? { comparison } : {}) };
    },
  };
}

/**
 * Sandbox side: runs every sample of one problem on every test. Samples without a python block or whose code
 * does not parse are classified without running (the reward's rule); the rest go to the judge in one batch.
 */
export function createEvalJudgeActivities({
  store,
  sandbox,
  concurrency,
  boxes,
}: {
  store: ContentStore;
  sandbox: () => Sandbox;
  concurrency: number;
  /** The worker's box permits: a judge batch spreads over `concurrency` boxes, so it takes that many. */
  boxes?: Semaphore;
}) {
  return {
    async judgeEvalSamples(input: JudgeEvalSamplesInput): Promise<JudgeEvalSamplesResult> {
      const [problem, record] = await Promise.all([
        store.getJson<EvalProblem>(input.problemKey),
        store.getJson<CompletionsRecord>(input.completionsKey),
      ]);
      const codes = record.completions.map((c) => extractCode(c.text));
      const syntax = await pythonSyntaxErrors(codes.map((c) => c ?? ''));
      const outcomes: SampleOutcome[] = codes.map((c, i) => (c === null ? 'no_code' : syntax[i] ? 'syntax_error' : 'AC'));
      const runnable = outcomes.flatMap((o, i) => (o === 'AC' ? [i] : []));
      const details: { sample: number; verdicts: string[] }[] = [];
      const limits = { ...DEFAULT_LIMITS, timeLimitMs: input.timeLimitMs, memoryMb: input.memoryMb };
      // One job per sample: functional problems wrap each sample's code in the driver, so programs differ.
      for (const i of runnable) {
        const job = judgeJob(problem, codes[i]!);
        const release = boxes ? await boxes.acquire(cancellationSignal(), Math.min(concurrency, boxes.permits)) : () => undefined;
        const [result] = await judgeSolutions(sandbox(), [{ id: String(i), code: job.code }], job.tests, limits, {
          concurrency,
          signal: cancellationSignal(),
        }).finally(release);
        const verdicts = result!.verdicts.map((v) => v.verdict);
        outcomes[i] = sampleOutcome(verdicts);
        details.push({ sample: i, verdicts });
        heartbeat({ judged: details.length, of: runnable.length });
      }
      return { outcomes, detailsKey: await store.putJson({ problemId: problem.id, outcomes, details, syntax }) };
    },
  };
}
