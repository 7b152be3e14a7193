/**
 * The pipeline's input: one JSON document, validated with zod inside the workflow so that a run started from
 * the Temporal CLI (which bypasses any client-side check) still fails at once, non-retryably, naming the field.
 *
 * Imported by workflow code: no Node imports here.
 */
import { z } from 'zod';
import { TASK_QUEUES } from './task-queues';

/** Durations use Temporal's string form ('10s', '5 minutes'); kept loose and checked by the SDK. */
const duration = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/, {
  message: "expected a duration such as '30s' or '5 minutes'",
});

const endpointFields = {
  /** OpenAI-compatible base URL (OpenAI, vLLM, SGLang, a gateway, or the replay provider). */
  baseURL: z.string().url(),
  model: z.string().min(1),
  /** Name of the environment variable holding the key on the worker; the key never enters workflow history. */
  apiKeyEnv: z.string().min(1),
  temperature: z.number().min(0).max(2),
  topP: z.number().gt(0).max(1),
  maxTokens: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  /** Requests in flight to this endpoint from one worker process (a cluster-wide cap: a dedicated queue's rate). */
  maxConcurrency: z.number().int().positive().optional(),
  /** Requests started per second to this endpoint from one worker process. */
  requestsPerSecond: z.number().positive().optional(),
  /** USD per million tokens, for the cost metric. */
  price: z.object({ promptPerMillion: z.number().min(0), completionPerMillion: z.number().min(0) }).strict().optional(),
};

export const LlmEndpointSchema = z.object({
  ...endpointFields,
  apiKeyEnv: endpointFields.apiKeyEnv.default('OPENAI_API_KEY'),
  temperature: endpointFields.temperature.default(0.7),
  topP: endpointFields.topP.default(0.95),
  maxTokens: endpointFields.maxTokens.default(4096),
  timeoutMs: endpointFields.timeoutMs.default(300_000),
});
export type LlmEndpoint = z.infer<typeof LlmEndpointSchema>;

/**
 * strongSolver: the model of the solvability filter (paper: GPT-5 high), called only when that filter is on.
 * separator: writes inputs aimed at a concrete disagreement between two candidate programs (adaptive tests).
 * referenceWriter: writes a brute-force reference for small inputs, one more independent witness there.
 * Both default to the test writer's endpoint.
 */
export const LLM_ROLES = ['extractor', 'evolver', 'taskWriter', 'solver', 'testWriter', 'strongSolver', 'separator', 'referenceWriter'] as const;
export type LlmRole = (typeof LLM_ROLES)[number];

/** Per-role overrides carry no defaults, so an unset field inherits the shared endpoint's value. */
const LlmOverrideSchema = z.object(endpointFields).partial().strict();
const roleOverrides = z
  .object({
    extractor: LlmOverrideSchema.optional(),
    evolver: LlmOverrideSchema.optional(),
    taskWriter: LlmOverrideSchema.optional(),
    solver: LlmOverrideSchema.optional(),
    testWriter: LlmOverrideSchema.optional(),
    strongSolver: LlmOverrideSchema.optional(),
    separator: LlmOverrideSchema.optional(),
    referenceWriter: LlmOverrideSchema.optional(),
  })
  .strict()
  .prefault({});

const ComparisonSchema = z
  .discriminatedUnion('kind', [
    /** Trailing whitespace of each line and surrounding blank space ignored (the paper's `.strip()` match). */
    z.object({ kind: z.literal('exact') }).strict(),
    /** Whitespace-separated tokens must be equal. */
    z.object({ kind: z.literal('token') }).strict(),
    /** Tokens; integer tokens equal exactly, other numbers within an absolute or relative tolerance. */
    z
      .object({ kind: z.literal('float'), absTolerance: z.number().min(0).default(1e-6), relTolerance: z.number().min(0).default(1e-6) })
      .strict(),
  ])
  .default({ kind: 'exact' });

/** Witness rules (algorithm 'witness'): who counts as independent evidence and how clearly the golden must win. */
const WitnessRulesSchema = z
  .object({
    /** Distinct programs (identical sources after normalising whitespace and comments count once) the golden's cluster needs. */
    min: z.number().int().min(1).default(2),
    /**
     * How far the golden cluster's evidence must exceed the runner-up's. Evidence = distinct programs + 0.5 per
     * extra language + 0.5 per extra model in the cluster, so agreement across languages or models counts most.
     */
    margin: z.number().min(0).default(1),
  })
  .strict()
  .prefault({});

/** Adaptive tests (algorithm 'witness', when the task has a generator): more inputs where they are cheap and telling. */
const AdaptiveSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Generated inputs added at most, over all rounds. */
    maxInputs: z.number().int().min(0).max(10_000).default(60),
    /** CPU seconds of candidate runs spent on generated inputs at most (the judge's own measure). */
    maxCpuSeconds: z.number().min(0).default(120),
    /** New inputs per round (one generator run at one scale with a fresh seed). */
    perRound: z.number().int().min(1).max(100).default(10),
    /** Stop early only once the golden is confirmed on at least this many labelled tests, every scale drawn. */
    minTests: z.number().int().min(0).default(30),
    /** Pipeline: inputs the `separator` role writes aimed at the top clusters' disagreement (0 = off). */
    separatingInputs: z.number().int().min(0).max(20).default(4),
    /** Pipeline: a brute-force reference (role `referenceWriter`) judged on small inputs, one more witness there. */
    reference: z.boolean().default(false),
    /** Inputs at most this many bytes count as small (the reference runs only on them). */
    smallInputBytes: z.number().int().min(1).default(2000),
  })
  .strict()
  .prefault({});

/**
 * Verification as a named, versioned policy (activities/verify/policy.ts explains each rule), stored with every
 * decision and in the dataset manifest. Two algorithms: 'witness' (the default, independent-witnesses@2:
 * behaviour clusters of distinct programs, adaptive tests, labels only where trusted) and 'paper' (the paper's
 * Algorithm 1, paper-dual-verification@1, selectable by name). A changed rule should come with a new `name`
 * or `version`. Unknown fields fail the run at once, naming the field.
 */
const PolicyObjectSchema = z
  .object({
    algorithm: z.enum(['witness', 'paper']).default('witness'),
    name: z.string().min(1).max(100),
    version: z.number().int().positive(),
    /** How two outputs are compared when voting and scoring (a task's own checker, when it has one, wins). */
    comparison: ComparisonSchema,
    witnesses: WitnessRulesSchema,
    adaptive: AdaptiveSchema,
    /** Paper: plurality ties: seeded random (the paper's repo), first output seen (lowest candidate index), or lexically smallest. */
    tieBreak: z.enum(['seeded', 'first', 'lexical']).default('seeded'),
    /** Paper: optional confidence gate: a label needs this share of the successful runs (0 = plain plurality, the paper). */
    minAgreement: z.number().min(0).max(1).default(0),
    /** Paper: a label needs at least this many votes (1 = the paper; 2 rejects labels decided by a single run). */
    minVotes: z.number().int().min(1).default(1),
    /** Paper: test weights on the golden half: 1..4 by input-size quartile (the paper's choice), or all 1. */
    weights: z.enum(['size-quartile', 'uniform']).default('size-quartile'),
    /** Paper: seed of the golden/held-out split; defaults to the run's seed. */
    splitSeed: z.number().int().nonnegative().optional(),
    /** Paper: share of the labelled tests in the golden half (the RL suite); the rest are held out. */
    goldenFraction: z.number().gt(0).lt(1).default(0.5),
    /**
     * Paper: null: the strict Algorithm 1 (the golden-half winner must be the first held-out maximum). A number τ:
     * the softer "competitively high" reading, the winner's held-out accuracy must be within τ of the best.
     */
    holdOutTolerance: z.number().min(0).max(1).nullable().default(null),
    /** Strong-solver filter (paper step 5): discard unless the solver's pass rate on the labels is > 0 and >= minPassRate. */
    solvability: z
      .object({ required: z.boolean().default(false), minPassRate: z.number().min(0).max(1).default(0) })
      .strict()
      .prefault({}),
    /** Cheatable-test flags whose tests are left out of the RL suite (they are always recorded). */
    rlDropFlags: z.array(z.enum(['constant', 'echo', 'trivial', 'single_vote'])).default([]),
  })
  .strict();

export const PAPER_POLICY_NAME = 'paper-dual-verification';
export const WITNESS_POLICY_NAME = 'independent-witnesses';

/**
 * The algorithm follows the name when only the name is given (`{"name": "paper-dual-verification"}` is the
 * paper's algorithm, as every policy stored before version 2 was); name and version default per algorithm.
 */
export const VerificationPolicySchema = z.preprocess((raw) => {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const p = { ...(raw as Record<string, unknown>) };
  if (p.algorithm === undefined && p.name === PAPER_POLICY_NAME) p.algorithm = 'paper';
  const paper = p.algorithm === 'paper';
  p.name ??= paper ? PAPER_POLICY_NAME : WITNESS_POLICY_NAME;
  p.version ??= paper ? 1 : 2;
  return p;
}, PolicyObjectSchema);
export type VerificationPolicy = z.infer<typeof VerificationPolicySchema>;
export type VerificationPolicyInput = Partial<z.input<typeof PolicyObjectSchema>>;

/** How datasets are written: the solve-prompt wrapper of SFT/RL prompts and the verl `data_source`. */
export const DatasetFormatSchema = z
  .object({
    solvePrompt: z
      .object({
        /** User turn; `{statement}` is replaced by the task statement (plus its starter code, for function I/O tasks). Default: the solve prompt the candidates saw. */
        template: z.string().includes('{statement}', { message: 'must contain {statement}' }).optional(),
        /** Optional system turn put first in every SFT conversation and RL prompt. */
        system: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /** verl routes rewards by `data_source`; point its custom reward function at the SynthSmith judge. */
    dataSource: z.string().min(1).default('synthsmith'),
  })
  .strict();
export type DatasetFormat = z.infer<typeof DatasetFormatSchema>;

const shape = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);

export const PipelineConfigSchema = z
  .object({
    /** Names the run's artifacts; defaults to the workflow ID. */
    runId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, { message: 'use letters, digits, dot, dash, underscore (max 100)' })
      .optional(),
    /** JSONL of {problem, solution} (plus optional id), readable by the orchestrator workers. */
    seedsPath: z.string().min(1),
    /** Base seed of every random choice (sampling, styles, splits, ties): same seed + same LLM answers → same data. */
    seed: z.number().int().nonnegative().default(42),
    llm: LlmEndpointSchema.extend({
      roles: roleOverrides,
      /** Stop starting new tasks once the run's priced LLM spend reaches this many USD (tasks in flight finish). */
      budgetUsd: z.number().positive().optional(),
    }),
    features: z
      .object({
        /** Paper default branching limits per depth for the evolution subtree. */
        evolutionBranching: z.array(z.number().int().positive()).min(1).default([2, 1, 2, 1]),
        evolutionRounds: z.number().int().min(0).max(1000).default(1),
        /** (root_k, inner_k, leaf_k) shapes, one drawn per task (paper: 3,3,1 / 3,3,2 / 4,3,2). */
        shapes: z
          .array(shape)
          .min(1)
          .default([
            [3, 3, 1],
            [3, 3, 2],
            [4, 3, 2],
          ]),
        minLeaves: z.number().int().positive().default(25),
        /** Seeds per extraction child workflow (its history holds ~3 events per seed). */
        extractBatchSize: z.number().int().min(1).max(1000).default(500),
        maxDepth: z.number().int().positive().max(32).default(8),
        /**
         * Beyond the paper (its merge drops exact duplicates only): after evolution, merge features of one
         * top-level category whose all-MiniLM-L6-v2 embeddings reach `threshold` cosine similarity (first kept).
         * Runs the project's Python on the orchestrator workers, so it is off unless their hosts have the venv.
         */
        semanticDedup: z
          .object({
            enabled: z.boolean().default(false),
            /** Measured on competitive-programming feature names: see README "Feature categories and de-duplication". */
            threshold: z.number().gt(0).max(1).default(0.9),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    tasks: z
      .object({
        count: z.number().int().positive().max(10_000_000),
        /** Paper: Codeforces 0.70 / LeetCode 0.15 / AtCoder 0.15. */
        styleWeights: z
          .object({ codeforces: z.number().min(0), leetcode: z.number().min(0), atcoder: z.number().min(0) })
          .strict()
          .refine((w) => w.codeforces + w.leetcode + w.atcoder > 0, { message: 'at least one weight must be > 0' })
          .default({ codeforces: 0.7, leetcode: 0.15, atcoder: 0.15 }),
        /**
         * How LeetCode-style tasks take input. 'function' is the paper's: starter code with a method signature,
         * tests as JSON arguments, candidates run as `Solution().<fn_name>(*args)`. 'stdio' (the default, what
         * every run did before this option) writes them in LeetCode's tone but reading stdin like the others.
         */
        leetcodeIo: z.enum(['function', 'stdio']).default('stdio'),
        /** Statements estimated shorter than this are dropped (paper: 200 tokens). */
        minStatementTokens: z.number().int().min(0).default(200),
        /** Drop statements that name the algorithm/data structure or state the intended complexity. */
        hintFilter: z.boolean().default(true),
        /** Tasks per batch workflow (the middle level of the fan-out tree); each batch's history stays small. */
        batchSize: z.number().int().min(1).max(1000).default(500),
        /**
         * Batches one pipeline run starts before it continues as new, carrying its totals: ~40 history events
         * per batch (child events plus progress signals), so the default keeps a run near 4k events.
         */
        batchesPerRun: z.number().int().min(1).max(1000).default(100),
        /** Tasks synthesized at once (child workflows in flight). */
        concurrency: z.number().int().positive().max(500).default(8),
        /**
         * Decontamination against a benchmark (activities/quality/contamination.ts): right after a statement
         * passes the filters, before any candidate is sampled, a task whose statement shares at least
         * `threshold` of its distinct word `ngram`-grams with one benchmark problem is discarded as `contaminated`.
         * 13-grams are the usual decontamination unit; 0.5 flags copies with light edits while shared boilerplate
         * ("the first line contains an integer n") stays far below it. Off when unset.
         */
        decontamination: z
          .object({
            /** JSONL readable by the orchestrator workers: LiveCodeBench records (question_id, question_content) or {"id", "text"}. */
            benchmarkPath: z.string().min(1),
            ngram: z.number().int().min(3).max(50).default(13),
            threshold: z.number().gt(0).max(1).default(0.5),
          })
          .strict()
          .optional(),
        /**
         * Near-duplicate removal across the run's kept tasks, before export (activities/quality/near-duplicates.ts):
         * a task whose statement has an estimated Jaccard similarity of word `ngram`-gram shingles of at least
         * `threshold` with a task kept at a lower index is discarded as `near_duplicate`. 5-word shingles and 0.7
         * are the common web-text dedup setting (e.g. datatrove's MinHash); identical statements always go.
         */
        nearDuplicates: z
          .object({
            enabled: z.boolean().default(true),
            ngram: z.number().int().min(1).max(20).default(5),
            threshold: z.number().gt(0).max(1).default(0.7),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    solutions: z
      .object({
        /** m: candidates sampled per task (paper: 8), across all solvers. */
        candidates: z.number().int().min(1).max(64).default(8),
        /** Candidates whose answer (reasoning + code) is estimated longer than this are invalid (paper: 25k tokens). */
        maxAnswerTokens: z.number().int().positive().default(25_000),
        /** Language of the candidates (a solver may override it): Python is parsed with `ast`, C++ compiled by the judge. */
        language: z.enum(['python', 'cpp']).default('python'),
        /**
         * Several solver models: each an override of the `solver` role (e.g. another model or endpoint) with a
         * share of the m candidates (largest remainder; a solver whose share rounds to 0 gets none). Votes then
         * mix models, which makes a shared mistake less likely to win a label. Unset: the `solver` role alone.
         */
        solvers: z
          .array(LlmOverrideSchema.extend({ share: z.number().positive().default(1), language: z.enum(['python', 'cpp']).optional() }).strict())
          .min(1)
          .max(16)
          .optional(),
      })
      .strict()
      .prefault({}),
    tests: z
      .object({
        /** Inputs the prompted method asks for (paper: 15). */
        count: z.number().int().min(2).max(200).default(15),
        /**
         * How inputs are made (paper §4): `prompted` (an LLM lists `count` inputs), `generator` (an LLM writes a
         * CYaRon/Python generator, run in the sandbox once per scale with a fixed seed), or both: their union,
         * deduplicated, at most `count` + scales × `generator.perScaleLimit` inputs.
         */
        methods: z
          .array(z.enum(['prompted', 'generator']))
          .min(1)
          .refine((m) => new Set(m).size === m.length, { message: 'list each method once' })
          .default(['prompted']),
        generator: z
          .object({
            /** `--seed` passed to the generator; the run's seed when unset. */
            seed: z.number().int().nonnegative().optional(),
            /** `--scale` values, one sandbox run each; a scale whose run crashes loses only its own inputs. */
            scales: z
              .array(z.enum(['small', 'medium', 'large']))
              .min(1)
              .refine((s) => new Set(s).size === s.length, { message: 'list each scale once' })
              .default(['small', 'medium', 'large']),
            /** Inputs kept per scale, after empty, oversized, duplicate and rejected ones are dropped. */
            perScaleLimit: z.number().int().min(1).max(100).default(10),
            /** CPU limit of one generator run (all of one scale's files). */
            timeLimitMs: z.number().int().positive().max(120_000).default(10_000),
            memoryMb: z.number().int().min(64).max(16_384).default(1024),
          })
          .strict()
          .prefault({}),
        /** An LLM-written validator program checks every input against the statement; rejected inputs are dropped. */
        validator: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    sandbox: z
      .object({
        timeLimitMs: z.number().int().positive().max(60_000).default(2000),
        memoryMb: z.number().int().min(32).max(16_384).default(512),
        /** How fast a dead sandbox worker is noticed and its work retried elsewhere. */
        heartbeatTimeout: duration.default('30s'),
      })
      .strict()
      .prefault({}),
    training: z
      .object({
        enabled: z.boolean().default(true),
        preset: z.enum(['tiny', 'paper']).default('tiny'),
        /** How the trainer host starts SFT: one process, or one per GPU with torchrun / accelerate launch. */
        launcher: z
          .object({
            kind: z.enum(['single', 'torchrun', 'accelerate']).default('single'),
            nprocPerNode: z.number().int().positive().max(64).default(1),
            /** accelerate config (FSDP / DeepSpeed), a path on the trainer host. */
            configFile: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
        /** Checkpoint every N steps (the preset's interval when unset); a retry resumes from the last one. */
        saveEvery: z.number().int().positive().optional(),
        sft: z
          .object({
            maxSteps: z.number().int().positive().default(200),
            learningRate: z.number().positive().optional(),
            /** LoRA adapters (peft) instead of a full fine-tune; the result is merged. */
            usePeft: z.boolean().default(false),
            /** Pack examples into full-length rows; the preset decides when unset (paper: on). */
            packing: z.boolean().optional(),
          })
          .strict()
          .prefault({}),
        rl: z
          .object({
            maxSteps: z.number().int().min(0).default(4),
            numGenerations: z.number().int().min(2).default(4),
            maxNewTokens: z.number().int().positive().default(1024),
            /** Rollout sampling temperature (paper: 1.0). */
            temperature: z.number().gt(0).max(2).default(1.0),
            learningRate: z.number().positive().optional(),
          })
          .strict()
          .prefault({}),
        heartbeatTimeout: duration.default('2 minutes'),
      })
      .strict()
      .prefault({}),
    verification: VerificationPolicySchema.prefault({}),
    datasetFormat: DatasetFormatSchema.prefault({}),
    /**
     * Named dataset this run appends to: its current version is the parent of this run's, and the name then
     * points at the new version (the nightly refresh uses this). Without it each run writes a fresh version.
     */
    dataset: z
      .object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, { message: 'use letters, digits, dot, dash, underscore' }) })
      .strict()
      .optional(),
    /** Task queues the workflow routes activities to; overridable so deployments and tests can isolate pools. */
    taskQueues: z
      .object({
        sandbox: z.string().min(1).default(TASK_QUEUES.sandbox),
        gpu: z.string().min(1).default(TASK_QUEUES.gpu),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

/** Resolved endpoint for one role: the shared endpoint with the role's overrides on top. */
export function endpointFor(config: PipelineConfig, role: LlmRole): LlmEndpoint {
  const { roles, ...base } = config.llm;
  // The adaptive-test roles write test material, so unset they inherit the test writer's endpoint.
  const inherited = role === 'separator' || role === 'referenceWriter' ? stripUndefined(roles.testWriter ?? {}) : {};
  return { ...base, ...inherited, ...stripUndefined(roles[role] ?? {}) };
}

/**
 * The candidates each solver samples: `solutions.candidates` split over `solutions.solvers` by share, largest
 * remainder first (ties to the earlier solver), so the split is deterministic and sums to m.
 */
export function solverPlan(config: PipelineConfig): { endpoint: LlmEndpoint; candidates: number; language: 'python' | 'cpp' }[] {
  const base = endpointFor(config, 'solver');
  const m = config.solutions.candidates;
  const solvers = config.solutions.solvers;
  if (!solvers) return [{ endpoint: base, candidates: m, language: config.solutions.language }];
  const total = solvers.reduce((n, s) => n + s.share, 0);
  const exact = solvers.map((s) => (m * s.share) / total);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  const left = m - counts.reduce((n, c) => n + c, 0);
  for (let k = 0; k < left; k++) counts[order[k]!.i]! += 1;
  return solvers.flatMap(({ share: _share, language, ...override }, i) =>
    counts[i] ? [{ endpoint: { ...base, ...stripUndefined(override) }, candidates: counts[i], language: language ?? config.solutions.language }] : []
  );
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One line per problem, each naming the field path, e.g. "solutions.candidates: Too small: expected number to be >=1". */
export function describeConfigError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
