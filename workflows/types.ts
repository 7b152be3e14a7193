/**
 * Types that cross the workflow/activity boundary. Everything here is small: blobs (trees, statements, code,
 * test data, execution matrices, datasets) live in the content store and travel as `ArtifactKey`s, because
 * Temporal caps a payload at 2 MB and a history at 51,200 events.
 *
 * Imported by workflow code: no Node imports here.
 */
import type { LlmEndpoint, PipelineConfig, VerificationPolicy } from './config';

/** `sha256:<hex>` key of an immutable blob in the content store. */
export type ArtifactKey = string;

/** LLM spend of an activity, a task or a run (cost is 0 for endpoints without a configured price). */
export interface LlmUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export type TaskStyle = 'codeforces' | 'leetcode' | 'atcoder';

/** Why a task left the pipeline. Stable strings: tests, dashboards and notes rely on them. */
export type DiscardReason =
  | 'no_valid_candidates'
  | 'no_labelled_tests'
  | 'too_few_labelled_tests'
  | 'golden_not_confirmed'
  /** The statement failed a filter (too short, names the technique, states the complexity). */
  | 'statement_filtered'
  /** The verification policy requires a strong solver to pass at least once (paper step 5), and it did not. */
  | 'unsolvable';

export interface LoadSeedsInput {
  runId: string;
  seedsPath: string;
}
export interface LoadSeedsResult {
  /** Blob holding the array of valid seeds. */
  seedsKey: ArtifactKey;
  count: number;
  /** Lines of the seed file that were not usable, with the reason. */
  rejected: { line: number; reason: string }[];
}

export interface ExtractFeaturesInput {
  seedsKey: ArtifactKey;
  index: number;
  endpoint: LlmEndpoint;
}
export interface FeatureTreeResult {
  treeKey: ArtifactKey;
  /** LLM spend of the activity that produced the tree (absent for merges). */
  usage?: LlmUsage;
  leafCount: number;
  /** Leaves per top-level category. */
  perCategory: Record<string, number>;
}

export interface MergeFeaturesInput {
  treeKeys: ArtifactKey[];
}

export interface EvolveFeaturesInput {
  treeKey: ArtifactKey;
  rounds: number;
  branching: number[];
  seed: number;
  endpoint: LlmEndpoint;
}
export interface EvolveFeaturesResult extends FeatureTreeResult {
  roundsSucceeded: number;
  /** Reasons of rounds whose LLM answer was unusable; the tree is kept as it was for those rounds. */
  roundFailures: string[];
}

export interface SampleSubtreesInput {
  treeKey: ArtifactKey;
  count: number;
  seed: number;
  shapes: [number, number, number][];
  minLeaves: number;
  maxDepth: number;
  /** Subtree keys per stored chunk: one chunk is one batch of tasks. */
  chunkSize: number;
}
export interface SampleSubtreesResult {
  /** Blobs holding arrays of at most chunkSize subtree keys: a list of 200k keys would not fit a payload. */
  chunkKeys: ArtifactKey[];
  count: number;
  /** Set when fewer distinct subtrees than requested could be drawn. */
  shortfall?: string;
}

export interface SynthesizeBatchInput {
  runId: string;
  config: PipelineConfig;
  chunkKey: ArtifactKey;
  /** Index of the chunk's first task in the run (task child IDs are `<parent>/task-<index>`). */
  firstIndex: number;
  batch: number;
  /** The pipeline workflow, which gets progress signals by workflow ID (they reach it after continue-as-new). */
  parentWorkflowId: string;
  /** LLM spend this batch may still start tasks with (undefined: no budget). */
  budgetUsd?: number;
}

export interface BatchProgress {
  batch: number;
  finished: number;
  kept: number;
  discarded: number;
  failed: number;
}

export interface SynthesizeBatchResult extends BatchProgress {
  /** Blob holding this batch's TaskOutcome[]: outcomes of large runs never travel through history. */
  outcomesKey: ArtifactKey;
  reasons: Record<string, number>;
  usage: LlmUsage;
  /** The outcomes themselves, only for small batches (for summaries of small runs). */
  outcomes?: TaskOutcome[];
}

export interface SynthesizeTaskInput {
  runId: string;
  index: number;
  subtreeKey: ArtifactKey;
  config: PipelineConfig;
}

/** Everything that made one task, for lineage in the dataset manifest. */
export interface TaskLineage {
  subtreeKey: ArtifactKey;
  selectionKey?: ArtifactKey;
  statementKey?: ArtifactKey;
  candidatesKey?: ArtifactKey;
  testsKey?: ArtifactKey;
  matrixKey?: ArtifactKey;
  verificationKey?: ArtifactKey;
}

export interface TaskOutcome {
  index: number;
  /** Content-derived ID (hash of the statement) once a statement exists. */
  taskId?: string;
  status: 'kept' | 'discarded' | 'failed';
  /** The stage that decided the outcome. */
  stage: 'select' | 'statement' | 'solutions' | 'tests' | 'execute' | 'verify';
  /** DiscardReason for 'discarded', the failure type and message for 'failed'. */
  reason?: string;
  /** Specifics behind the reason (e.g. which filter a statement failed). */
  detail?: string;
  /** LLM spend of the task's successful calls. */
  usage?: LlmUsage;
  style?: TaskStyle;
  lineage: TaskLineage;
  candidates?: { total: number; valid: number };
  tests?: { total: number; labelled: number };
  goldenIndex?: number;
}

export interface ExecuteCandidatesInput {
  candidatesKey: ArtifactKey;
  testsKey: ArtifactKey;
  timeLimitMs: number;
  memoryMb: number;
}
export interface ExecuteCandidatesResult {
  matrixKey: ArtifactKey;
  runs: number;
  /** Runs that exited normally (status OK). */
  okRuns: number;
}

export interface VerifyTaskInput {
  /** Separates this task's random stream (ties, split); content-derived so reruns draw the same. */
  taskId: string;
  candidatesKey: ArtifactKey;
  testsKey: ArtifactKey;
  matrixKey: ArtifactKey;
  seed: number;
  /** The rules to apply; absent = the defaults of VerificationPolicySchema (the paper's Algorithm 1). */
  policy?: VerificationPolicy;
  /** A MatrixRecord whose single row is a strong solver's runs on the same tests (solvability filter). */
  solverMatrixKey?: ArtifactKey;
}
export interface VerifyTaskResult {
  verificationKey: ArtifactKey;
  decision: 'kept' | 'discarded';
  reason?: DiscardReason;
  goldenIndex?: number;
  labelledTests: number;
}

export interface ExportDatasetsInput {
  runId: string;
  /** Blobs of TaskOutcome[] (one per batch); the kept ones become records, the others feed the data card. */
  outcomesKeys?: ArtifactKey[];
  /** Outcomes passed inline (small callers and tests); added to those read from outcomesKeys. */
  kept?: TaskOutcome[];
  configKey: ArtifactKey;
  /** Earlier version to append to: its records are kept (same task IDs are replaced by this run's). */
  parentManifestKey?: ArtifactKey;
  /** Discarded and failed tasks, so the data card can show why tasks left (optional: kept-only callers work). */
  discarded?: TaskOutcome[];
}
export interface DatasetRefs {
  manifestKey: ArtifactKey;
  sftKey: ArtifactKey;
  rlKey: ArtifactKey;
  sftRecords: number;
  rlRecords: number;
  /** Records this run added on top of the parent version. */
  addedRecords: number;
  parentManifestKey?: ArtifactKey;
  /** Human-friendly copies under the data directory: runs/<runId>/dataset/. */
  paths: { sft: string; rl: string; manifest: string; sftQueryResponse?: string; rlParquet?: string; dataCard?: string };
  /** verl-layout Parquet of the RL records. */
  rlParquetKey?: ArtifactKey;
}

export interface TrainInput {
  runId: string;
  datasetKey: ArtifactKey;
  preset: 'tiny' | 'paper';
  maxSteps: number;
  learningRate?: number;
  seed: number;
  /** Checkpoint directory to start from (RL starts from the SFT result). */
  initFrom?: string;
  /** The same checkpoint by reference (a directory manifest): preferred, it works on any trainer host. */
  initFromKey?: ArtifactKey;
  /** single process, torchrun or accelerate launch (SFT; GRPO runs in one process). */
  launcher?: { kind: 'single' | 'torchrun' | 'accelerate'; nprocPerNode?: number; configFile?: string };
  /** Checkpoint interval in steps; the preset's when unset. */
  saveEvery?: number;
  sft?: { usePeft: boolean; packing?: boolean };
  rl?: { numGenerations: number; maxNewTokens: number; temperature: number };
}
export interface TrainResult {
  kind: 'sft' | 'grpo';
  checkpointDir: string;
  /** final/ as a directory manifest in the content store. */
  checkpointKey?: ArtifactKey;
  steps: number;
  /** Step the last attempt resumed from (0: a fresh start). */
  resumedFromStep?: number;
  metrics: Record<string, number>;
  /** nvidia-smi peaks over the job, or "no GPU". */
  gpu?: { gpus: 'none'; note: string } | { gpus: number; peakMemoryMb: number; meanUtilizationPct: number; samples: number };
}

export type PipelineStage =
  | 'validating'
  | 'loading seeds'
  | 'extracting features'
  | 'evolving features'
  | 'sampling subtrees'
  | 'synthesizing tasks'
  | 'exporting datasets'
  | 'training sft'
  | 'training rl'
  | 'done';

export interface PipelineProgress {
  stage: PipelineStage;
  seeds: { total: number; extracted: number; failed: number };
  tasks: { total: number; finished: number; kept: number; discarded: number; failed: number };
}

export interface PipelineSummary {
  runId: string;
  /** LLM spend: feature extraction and evolution, task synthesis, and their sum. */
  usage: { features: LlmUsage; tasks: LlmUsage; total: LlmUsage };
  seeds: { loaded: number; rejected: number; extracted: number; extractionFailures: { index: number; reason: string }[] };
  features: { base: FeatureTreeResult; evolved: EvolveFeaturesResult; subtrees: number; shortfall?: string };
  tasks: {
    requested: number;
    kept: number;
    discarded: number;
    failed: number;
    /** Count per DiscardReason or failure type. */
    reasons: Record<string, number>;
    /** Every task's outcome, for runs of at most a few hundred tasks (else empty: read outcomesKeys). */
    outcomes: TaskOutcome[];
    /** Blobs of TaskOutcome[], one per batch. */
    outcomesKeys: ArtifactKey[];
  };
  datasets?: DatasetRefs;
  training?: { sft?: TrainResult; rl?: TrainResult; skipped?: string };
}
