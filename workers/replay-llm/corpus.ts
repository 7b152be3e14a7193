/**
 * The recorded corpus behind the replay provider: seed problems with their extracted features, evolution
 * answers, and whole tasks (selection → statement → candidate solutions → test inputs) recorded as an LLM
 * would have answered them. It is data for a replay server, not a model; `expect` says what the pipeline
 * is meant to conclude about each task, and test/replay-llm.test.ts checks the fixtures really behave so.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** The demo corpus shipped with the repo (workers/demo-data/replay-corpus.json). */
export const DEFAULT_CORPUS_PATH = path.resolve(__dirname, '..', 'demo-data', 'replay-corpus.json');

/**
 * A node of a feature tree as extractors answer it: objects are categories, lists of strings are features.
 * Plain strings are allowed because real models add free-text keys ("summary"), which the pipeline drops.
 */
export type FeatureNode = string | string[] | { [key: string]: FeatureNode };
export const FeatureNodeSchema: z.ZodType<FeatureNode> = z.lazy(() =>
  z.union([z.string(), z.array(z.string()), z.record(z.string(), FeatureNodeSchema)])
);
export const FeatureTreeSchema = z.record(z.string(), FeatureNodeSchema);
export type FeatureTree = z.infer<typeof FeatureTreeSchema>;

export const ReplaySeedSchema = z.object({
  id: z.string().min(1),
  /** Matched by containment in the extract-features user message, so it must be distinctive. */
  problem: z.string().min(20),
  solution: z.string().min(1),
  features: FeatureTreeSchema,
});

/**
 * The strategy is matched verbatim inside the write-statement prompt. A double quote or backslash would
 * come back JSON-escaped if the pipeline embeds it as JSON, and a newline could be reflowed, so the corpus
 * forbids them rather than letting the match fail mysteriously at run time.
 */
const IntegrationStrategySchema = z
  .string()
  .min(10)
  .refine((s) => !/["\\\r\n]/.test(s), 'integration_strategy must be one line without double quotes or backslashes');

export const ReplaySelectionSchema = z.object({
  feature_roles_tree: z.record(z.string(), z.unknown()),
  selected_features_tree: z.record(z.string(), z.unknown()),
  integration_strategy: IntegrationStrategySchema,
});

export const ReplayCandidateSchema = z.object({
  reasoning: z.string(),
  code: z.string(),
  /** Ground truth known to the fixture author (the pipeline never sees it): does this code solve the task? */
  correct: z.boolean(),
  note: z.string(),
  /** Literal answer content returned instead of reasoning + code block (to exercise the answer filters). */
  raw: z.string().optional(),
});

/** The fate the task was built for under the default policy (golden_not_confirmed: the paper's algorithm). */
export const TaskExpectationSchema = z.enum(['kept', 'no_labelled_tests', 'golden_not_confirmed', 'too_few_witnesses', 'no_clear_winner', 'golden_contradicted', 'invalid_llm_output']);
export type TaskExpectation = z.infer<typeof TaskExpectationSchema>;

export const ReplayTaskSchema = z
  .object({
    id: z.string().min(1),
    expect: TaskExpectationSchema,
    selection: ReplaySelectionSchema.optional(),
    /** A deliberately malformed selection answer, returned verbatim on every attempt. */
    selectionRaw: z.string().optional(),
    /** With fn_name and starter_code the task is function I/O (LeetCode style): answered to write-statement-function only. */
    statement: z
      .object({
        question: z.string().min(20),
        fn_name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
        starter_code: z.string().min(1).optional(),
        /** The statement writer's output rule (write-statement@2): {"kind": "exact"|"float"|"any_valid", ...}; absent = exact. */
        output: z.record(z.string(), z.unknown()).optional(),
      })
      .refine((s) => (s.fn_name === undefined) === (s.starter_code === undefined), { message: 'fn_name and starter_code go together' }),
    candidates: z.array(ReplayCandidateSchema).min(1),
    testInputs: z.array(z.string()).min(1),
    /** Answer to write-generator: a test generator program (the paper's CYaRon contract, see prompts/write-generator.ts). */
    generator: z.string().min(1).optional(),
    /** Answer to write-validator: an input validator program (exit 0 = valid input). */
    validator: z.string().min(1).optional(),
    /** Answer to write-reference: a brute-force reference program for small inputs. */
    reference: z.string().min(1).optional(),
    /** Answer to write-separating-inputs (whatever the two programs): inputs aimed at a disagreement. */
    separatingInputs: z.array(z.string()).min(1).optional(),
  })
  .refine((t) => t.selection !== undefined || t.selectionRaw !== undefined, {
    message: 'a task needs either selection or selectionRaw',
  });

export const ReplayCorpusSchema = z
  .object({
    name: z.string().min(1),
    version: z.number().int().positive(),
    note: z.string(),
    seeds: z.array(ReplaySeedSchema).min(1),
    evolution: z.array(FeatureTreeSchema).min(1),
    tasks: z.array(ReplayTaskSchema).min(1),
  })
  .superRefine((corpus, ctx) => {
    // The server routes by "user message contains X": two keys where one contains the other would make the
    // answer depend on which is tried first, so ambiguity is a corpus error, reported at load time.
    const ambiguous = (kind: string, keys: { id: string; key: string }[]) => {
      for (const a of keys) {
        for (const b of keys) {
          if (a !== b && normalizeText(b.key).includes(normalizeText(a.key))) {
            ctx.addIssue({ code: 'custom', message: `${kind} of ${a.id} is contained in that of ${b.id}; matching would be ambiguous` });
          }
        }
      }
    };
    ambiguous('problem', corpus.seeds.map((s) => ({ id: s.id, key: s.problem })));
    ambiguous('statement', corpus.tasks.map((t) => ({ id: t.id, key: t.statement.question })));
    ambiguous(
      'integration_strategy',
      corpus.tasks.flatMap((t) => (t.selection ? [{ id: t.id, key: t.selection.integration_strategy }] : []))
    );
    const ids = new Set<string>();
    for (const t of corpus.tasks) {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', message: `duplicate task id ${t.id}` });
      ids.add(t.id);
    }
  });

export type ReplaySeed = z.infer<typeof ReplaySeedSchema>;
export type ReplaySelection = z.infer<typeof ReplaySelectionSchema>;
export type ReplayCandidate = z.infer<typeof ReplayCandidateSchema>;
export type ReplayTask = z.infer<typeof ReplayTaskSchema>;
export type ReplayCorpus = z.infer<typeof ReplayCorpusSchema>;

/** Line endings and outer blank space never decide a match (prompts are built on any OS, then trimmed). */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

export async function loadReplayCorpus(file: string = DEFAULT_CORPUS_PATH): Promise<ReplayCorpus> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read replay corpus ${file}: ${(err as Error).message}`);
  }
  const parsed = ReplayCorpusSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid replay corpus ${file}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
