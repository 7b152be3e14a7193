/**
 * Types of the evaluation workflow that cross the workflow/activity boundary. Problems, completions and
 * per-sample verdicts are blobs in the content store; only keys and small summaries travel in history.
 *
 * Imported by workflow code: no Node imports here.
 */
import type { ArtifactKey } from '../../workflows/types';

export type Difficulty = 'easy' | 'medium' | 'hard' | 'unknown';

/** How a sample failed (or 'AC'). OLE (output flood) is kept apart from RE: it usually means a runaway loop. */
export type SampleOutcome = 'AC' | 'WA' | 'TLE' | 'MLE' | 'RE' | 'OLE' | 'no_code' | 'syntax_error' | 'error';
export const FAILURE_CATEGORIES: readonly SampleOutcome[] = ['WA', 'TLE', 'MLE', 'RE', 'OLE', 'no_code', 'syntax_error', 'error'];

/** One LiveCodeBench problem, normalised (activities/eval/lcb.ts). */
export interface EvalProblem {
  id: string;
  title: string;
  platform: string;
  difficulty: Difficulty;
  /** ISO date of the contest, or '' when the file has none. */
  contestDate: string;
  /** stdin problems read input and print; functional (LeetCode) problems define `Solution.<funcName>`. */
  mode: 'stdin' | 'functional';
  funcName?: string;
  starterCode: string;
  question: string;
  /** Public then private tests, as the file has them (functional: one JSON argument per input line). */
  tests: { input: string; output: string }[];
  publicTests: number;
}

/** What the workflow keeps per problem before sampling. */
export interface EvalProblemRef {
  id: string;
  difficulty: Difficulty;
  contestDate: string;
  problemKey: ArtifactKey;
}

export interface LoadEvalProblemsInput {
  problemsPath: string;
  /** Only problems with from <= contest_date < to (ISO dates), when set. */
  from?: string;
  to?: string;
  limit?: number;
}
export interface LoadEvalProblemsResult {
  problems: EvalProblemRef[];
  /** Lines of the file that could not be used, with the reason. */
  rejected: { line: number; reason: string }[];
}

export interface SamplingParams {
  samples: number;
  temperature: number;
  topP: number;
  /** Sent as `top_k` in the request body (vLLM/SGLang extension); omitted when undefined or -1. */
  topK?: number;
  maxTokens: number;
}

export interface SampleCompletionsInput {
  problemKey: ArtifactKey;
  endpoint: { baseURL: string; model: string; apiKeyEnv: string; timeoutMs: number };
  sampling: SamplingParams;
}
export interface SampleCompletionsResult {
  completionsKey: ArtifactKey;
  /** Completions cut off by max_tokens (their code block is usually missing: counted as no_code). */
  truncated: number;
}

export interface JudgeEvalSamplesInput {
  problemKey: ArtifactKey;
  completionsKey: ArtifactKey;
  timeLimitMs: number;
  memoryMb: number;
}
/** One outcome per sample, in sample order; the detailed per-test verdicts are in `detailsKey`. */
export interface JudgeEvalSamplesResult {
  outcomes: SampleOutcome[];
  detailsKey: ArtifactKey;
}

export interface ProblemResult {
  id: string;
  difficulty: Difficulty;
  contestDate: string;
  outcomes: SampleOutcome[];
}

export interface DateWindow {
  name: string;
  /** Inclusive ISO date. */
  from: string;
  /** Exclusive ISO date. */
  to: string;
}

/** pass@1: the first sample of each problem; avg@k: mean fraction of correct samples; pass@k: any sample correct. */
export interface Scores {
  problems: number;
  samples: number;
  pass1: number;
  avgAtK: number;
  passAtK: number;
}

export interface EvaluationReport {
  runId: string;
  model: string;
  k: number;
  sampling: SamplingParams;
  overall: Scores;
  byDifficulty: Partial<Record<Difficulty, Scores>>;
  byWindow: Record<string, Scores>;
  /** Sample counts per outcome, AC included, over all samples. */
  outcomes: Partial<Record<SampleOutcome, number>>;
  problems: { id: string; difficulty: Difficulty; contestDate: string; correct: number; samples: number; firstCorrect: boolean }[];
}

export interface EvaluationComparison {
  baseline: string;
  candidate: string;
  /** candidate − baseline, in absolute fractions, over the problems both runs evaluated. */
  delta: { overall: Scores; byDifficulty: Partial<Record<Difficulty, Scores>>; byWindow: Record<string, Scores> };
  commonProblems: number;
  /** Problems solved by at least one sample in one run and by none in the other. */
  gained: string[];
  lost: string[];
}
