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
  /** Witness policy: no behaviour cluster has enough distinct programs (identical sources count once). */
  | 'too_few_witnesses'
  /** Witness policy: the best cluster does not beat the runner-up by the policy's margin. */
  | 'no_clear_winner'
  /** Witness policy: the best-supported cluster is outvoted on some test by other independent programs. */
  | 'golden_contradicted'
  /** The task's checker program does not compile, crashes or answers outside the testlib protocol. */
  | 'checker_failed'
  /** The statement failed a filter (too short, names the technique, states the complexity). */
  | 'statement_filtered'
  /** The verification policy requires a strong solver to pass at least once (paper step 5), and it did not. */
  | 'unsolvable'
  /** Every test input was dropped (empty, oversized, duplicate, rejected by the validator) or none was made. */
  | 'no_test_inputs'
  /** The statement shares at least tasks.decontamination.threshold of its word n-grams with a benchmark problem. */
  | 'contaminated'
  /** The statement is (nearly) the same as that of a task kept at a lower index in the run (tasks.nearDuplicates). */
  | 'near_duplicate';

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
export interface ExtractBatchInput {
  seedsKey: ArtifactKey;
  /** Seed indices [from, to). */
  from: number;
  to: number;
  endpoint: LlmEndpoint;
  /** Extraction calls in flight in this batch. */
  concurrency: number;
}
export interface ExtractBatchResult {
  /** The range's extracted trees merged (absent when every seed of the range failed). */
  treeKey?: ArtifactKey;
  extracted: number;
  failures: { index: number; reason: string }[];
  usage: LlmUsage;
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

export interface SemanticDedupInput {
  treeKey: ArtifactKey;
  /** Cosine similarity at or above which a feature is merged into an earlier one of its category. */
  threshold: number;
}
/** The deduplicated tree (treeKey, counts) plus what the step removed. */
export interface SemanticDedupResult extends FeatureTreeResult {
  /** Counts of the input (evolved) tree, for the before/after comparison. */
  before: { leafCount: number; perCategory: Record<string, number> };
  /** Features removed (one merge each). */
  merged: number;
  threshold: number;
  model: string;
  /** Blob: {merges: [{kept, dropped, similarity, path, keptPath}], perCategory, leaves, seconds, inputTreeKey}. */
  reportKey: ArtifactKey;
  seconds: { loadModel: number; embed: number; compare: number };
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
  /**
   * Blob holding the array of chunk keys; each chunk is a blob of at most chunkSize subtree keys (one batch of
   * tasks). Two levels, because even the list of chunk keys outgrows a payload at 10M tasks.
   */
  chunksKey: ArtifactKey;
  chunkCount: number;
  count: number;
  /** Set when fewer distinct subtrees than requested could be drawn. */
  shortfall?: string;
}

export interface SynthesizeBatchInput {
  runId: string;
  config: PipelineConfig;
  /** The run's list of chunk blobs; this batch's chunk is entry `batch`. */
  chunksKey: ArtifactKey;
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
  /** The outcomes themselves, only in runs of at most INLINE_OUTCOMES tasks (for their summaries). */
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
  stage: 'select' | 'statement' | 'solutions' | 'tests' | 'execute' | 'verify' | 'dedup';
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

export type TestScale = 'small' | 'medium' | 'large';

/** Runs a test generator (per scale) and/or a validator in the sandbox and writes the task's TestsRecord. */
export interface GenerateInputsInput {
  statementKey: ArtifactKey;
  /** TestsRecord of the prompted method, merged first (and validated when there is a validator). */
  promptedTestsKey?: ArtifactKey;
  /** InputProgramRecord of the generator (it may record that the LLM's answer was unusable). */
  generatorKey?: ArtifactKey;
  /** InputProgramRecord of the validator. */
  validatorKey?: ArtifactKey;
  seed: number;
  scales: TestScale[];
  perScaleLimit: number;
  /** Limits of one generator or validator run. */
  timeLimitMs: number;
  memoryMb: number;
}
export interface GenerateInputsResult {
  testsKey: ArtifactKey;
  total: number;
  /** Kept inputs per source ('prompted', or the generator's scale). */
  kept: Record<string, number>;
  dropped: number;
  /** One line on what happened (failed scales, unusable programs, drops): the detail of a no_test_inputs discard. */
  summary: string;
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
  /** Blobs listing outcome blob keys (the pipeline writes one per run of its continue-as-new chain). */
  outcomesIndexKeys?: ArtifactKey[];
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
  | 'deduplicating features'
  | 'sampling subtrees'
  | 'synthesizing tasks'
  | 'removing near-duplicates'
  | 'exporting datasets'
  | 'training sft'
  | 'training rl'
  | 'done';

export interface PipelineProgress {
  stage: PipelineStage;
  seeds: { total: number; extracted: number; failed: number };
  tasks: { total: number; finished: number; kept: number; discarded: number; failed: number };
}

/**
 * What a pipeline run hands to its continuation (continue-as-new) during synthesis: everything stage 1
 * produced, where synthesis stands, and the totals so far. Small whatever the run's size: outcomes stay in
 * blobs, listed by one index blob per run of the chain.
 */
export interface PipelineResume {
  configKey: ArtifactKey;
  featuresUsage: LlmUsage;
  seeds: PipelineSummary['seeds'];
  features: PipelineSummary['features'];
  chunksKey: ArtifactKey;
  chunkCount: number;
  /** First batch the next run starts. */
  nextBatch: number;
  /** Priced LLM spend so far (features + finished batches), for llm.budgetUsd. */
  spent: number;
  totals: {
    counts: { finished: number; kept: number; discarded: number; failed: number };
    reasons: Record<string, number>;
    usage: LlmUsage;
  };
  outcomesIndexKeys: ArtifactKey[];
  /** Every outcome so far, only for runs of at most a few hundred tasks. */
  inlineOutcomes?: TaskOutcome[];
  /** Runs of the chain before this one. */
  runs: number;
}

export interface PipelineSummary {
  runId: string;
  /** LLM spend: feature extraction and evolution, task synthesis, and their sum. */
  usage: { features: LlmUsage; tasks: LlmUsage; total: LlmUsage };
  seeds: { loaded: number; rejected: number; extracted: number; extractionFailures: { index: number; reason: string }[] };
  /** deduped: present when features.semanticDedup.enabled; the subtrees were then sampled from its tree. */
  features: { base: FeatureTreeResult; evolved: EvolveFeaturesResult; deduped?: SemanticDedupResult; subtrees: number; shortfall?: string };
  tasks: {
    requested: number;
    kept: number;
    discarded: number;
    failed: number;
    /** Count per DiscardReason or failure type. */
    reasons: Record<string, number>;
    /** Every task's outcome, for runs of at most a few hundred tasks (else empty: read outcomesKeys). */
    outcomes: TaskOutcome[];
    /** Blobs of TaskOutcome[], one per batch (for runs of at most 200 batches; else empty: read outcomesIndexKeys). */
    outcomesKeys: ArtifactKey[];
    /** Blobs listing outcome blob keys, one per pipeline run of the continue-as-new chain: always complete. */
    outcomesIndexKeys: ArtifactKey[];
    /** Workflow runs the pipeline took (continue-as-new every `tasks.batchesPerRun` batches). */
    pipelineRuns: number;
  };
  datasets?: DatasetRefs;
  training?: { sft?: TrainResult; rl?: TrainResult; skipped?: string };
  /** Decontamination and near-duplicate removal (tasks.decontamination, tasks.nearDuplicates). */
  quality?: QualitySummary;
}

/** Decontamination of one statement against the benchmark file, before any candidate is sampled. */
export interface CheckContaminationInput {
  statementKey: ArtifactKey;
  benchmarkPath: string;
  ngram: number;
  threshold: number;
}
export interface CheckContaminationResult {
  contaminated: boolean;
  /** Which benchmark problem and how much of the statement it holds (set when contaminated). */
  detail?: string;
  /** The closest benchmark problem, also when below the threshold. */
  match?: { problemId: string; overlap: number; shared: number; statementNgrams: number };
}

export interface LoadBenchmarkInput {
  benchmarkPath: string;
  ngram: number;
}
/** The benchmark a run was decontaminated against. */
export interface BenchmarkInfo {
  path: string;
  problems: number;
  /** Blob of the problems as read ({id, text}[]): exactly what the run was checked against. */
  problemsKey: ArtifactKey;
  ngram: number;
  distinctNgrams: number;
  rejectedLines: number;
  firstRejected?: { line: number; reason: string };
}

export interface DedupTasksInput {
  runId: string;
  /** Blobs listing outcome blob keys; the result has one new index blob per input index blob, in the same order. */
  outcomesIndexKeys: ArtifactKey[];
  nearDuplicates: { enabled: boolean; ngram: number; threshold: number };
  /** Recorded in the report (contaminated tasks were already discarded, each by its own task). */
  decontamination?: { benchmarkPath: string; ngram: number; threshold: number };
  /** Also return the new outcome blob keys as one flat list (small runs list them in their summary). */
  listOutcomesKeys: boolean;
  /** Also return every outcome inline (small runs keep them inline in their summary). */
  returnOutcomes: boolean;
}
/** One task taken out by decontamination or near-duplicate removal. */
export interface QualityRemoval {
  index: number;
  taskId?: string;
  reason: 'contaminated' | 'near_duplicate';
  detail?: string;
  /** near_duplicate: the kept task it duplicates, and the similarity (1: identical after normalisation). */
  keptIndex?: number;
  keptTaskId?: string;
  similarity?: number;
}
export interface QualityReport {
  format: 'synthsmith.quality-report/1';
  runId: string;
  nearDuplicates: DedupTasksInput['nearDuplicates'] & { method: string };
  /** benchmarkError: the file could not be read again at the end of the run (the tasks were checked earlier). */
  decontamination: (NonNullable<DedupTasksInput['decontamination']> & { benchmark?: BenchmarkInfo; benchmarkError?: string }) | null;
  /** Kept tasks compared for near-duplicates, and those still kept after. */
  checked: number;
  kept: number;
  counts: { contaminated: number; near_duplicate: number };
  /** Sorted by task index. */
  removals: QualityRemoval[];
}
export interface DedupTasksResult {
  outcomesIndexKeys: ArtifactKey[];
  outcomesKeys?: ArtifactKey[];
  outcomes?: TaskOutcome[];
  checked: number;
  nearDuplicates: number;
  contaminated: number;
  benchmark?: BenchmarkInfo;
  reportKey: ArtifactKey;
  /** Copy of the report under the data directory: runs/<runId>/quality-report.json. */
  reportPath: string;
}
export interface QualitySummary {
  contaminated: number;
  nearDuplicates: number;
  benchmark?: BenchmarkInfo;
  reportKey: ArtifactKey;
  reportPath: string;
}
