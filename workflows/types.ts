/**
 * Types that cross the workflow/activity boundary. Everything here is small: blobs (trees, statements, code,
 * test data, execution matrices, datasets) live in the content store and travel as `ArtifactKey`s, because
 * Temporal caps a payload at 2 MB and a history at 51,200 events.
 *
 * Imported by workflow code: no Node imports here.
 */
import type { LlmEndpoint, PipelineConfig } from './config';

/** `sha256:<hex>` key of an immutable blob in the content store. */
export type ArtifactKey = string;

export type TaskStyle = 'codeforces' | 'leetcode' | 'atcoder';

/** Why a task left the pipeline. Stable strings: tests, dashboards and notes rely on them. */
export type DiscardReason =
  | 'no_valid_candidates'
  | 'no_labelled_tests'
  | 'too_few_labelled_tests'
  | 'golden_not_confirmed';

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
}
export interface SampleSubtreesResult {
  subtreeKeys: ArtifactKey[];
  /** Set when fewer distinct subtrees than requested could be drawn. */
  shortfall?: string;
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
  kept: TaskOutcome[];
  configKey: ArtifactKey;
  /** Earlier version to append to: its records are kept (same task IDs are replaced by this run's). */
  parentManifestKey?: ArtifactKey;
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
  paths: { sft: string; rl: string; manifest: string };
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
  rl?: { numGenerations: number; maxNewTokens: number; temperature: number };
}
export interface TrainResult {
  kind: 'sft' | 'grpo';
  checkpointDir: string;
  steps: number;
  metrics: Record<string, number>;
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
  seeds: { loaded: number; rejected: number; extracted: number; extractionFailures: { index: number; reason: string }[] };
  features: { base: FeatureTreeResult; evolved: EvolveFeaturesResult; subtrees: number; shortfall?: string };
  tasks: {
    requested: number;
    kept: number;
    discarded: number;
    failed: number;
    /** Count per DiscardReason or failure type. */
    reasons: Record<string, number>;
    outcomes: TaskOutcome[];
  };
  datasets?: DatasetRefs;
  training?: { sft?: TrainResult; rl?: TrainResult; skipped?: string };
}
