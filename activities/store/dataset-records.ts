/**
 * One dataset record per kept task, in every form a trainer reads, stored as its own content-addressed blob so
 * that dataset versions which contain the same task literally share it (a refresh re-uses the parent's record
 * keys). Records hold no run IDs or timestamps: the same task always gives the same record and key.
 *
 * Forms: SFT chat messages (TRL SFTTrainer), SFT query/response (ms-swift, LLaMA-Factory via dataset_info.json),
 * RL JSONL (our GRPO trainer) and the verl row (RLHFDataset Parquet), all from the same prompt.
 */
import type { DatasetFormat } from '../../workflows/config';
import type { ArtifactKey, TaskLineage, TaskOutcome } from '../../workflows/types';
import { promptTag } from '../llm/prompt';
import { solvePrompt } from '../llm/prompts/solve';
import { functionStatement, solveFunctionPrompt } from '../llm/prompts/solve-function';
import type { CandidatesRecord, OutputRule, SelectionRecord, StatementRecord, TestsRecord } from '../llm/records';
import type { MatrixRecord } from '../sandbox/matrix';
import { comparatorFor } from '../verify/outputs';
import { policyTag } from '../verify/policy';
import type { VerificationRecord } from '../verify/activities';
import type { CheatFlag } from '../verify/flags';
import { ContentStore } from './content-store';
import { featuresOf } from './features-of';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** TRL SFTTrainer's conversational form. */
export interface SftRecord {
  task_id: string;
  messages: ChatMessage[];
  style: string;
  model: string;
  prompts: { statement: string; solve: string };
  reliability: Reliability;
}

/** ms-swift's query/response form (its ResponsePreprocessor), also mapped for LLaMA-Factory. */
export interface SftQueryResponseRecord {
  task_id: string;
  system?: string;
  query: string;
  response: string;
}

export interface RlTest {
  input: string;
  output: string;
  weight: number;
  /** Cheatable-test flags (verify/flags.ts); absent when none. */
  flags?: CheatFlag[];
}

/**
 * How much to trust a record (the witness policy's evidence; paper-policy records carry what that policy knows),
 * so trainers can filter: the golden's witnesses (distinct programs that behave as it does, with language and
 * model), its evidence margin over the runner-up cluster, test counts, and the golden's pass fraction.
 */
export interface Reliability {
  policy: string;
  witnesses: { language: string; model: string }[];
  witness_count: number;
  /** Evidence of the golden's cluster minus the runner-up's (null under the paper's algorithm). */
  margin: number | null;
  tests: { given: number; generated: number; labelled: number };
  /** Labelled tests / tests any program succeeded on (witness policy), or the golden's pass rate on the labels (paper). */
  golden_pass_fraction: number;
}

export interface RlRecord {
  task_id: string;
  /** The user turn (solve-prompt wrapper + statement); `system`, when set, comes before it. */
  prompt: string;
  system?: string;
  io_mode: 'stdio' | 'function';
  /** Entry point for function-style (LeetCode) tasks. */
  fn_name?: string;
  /** The RL suite: the labelled tests (paper: the golden half), less those the policy drops for flags. Outputs are the golden's exact stdout. */
  tests: RlTest[];
  /** How the reward compares outputs (the task's rule; absent = exact): a float tolerance, or a testlib checker that gets the label as its answer file. */
  checker?: OutputRule;
  reliability: Reliability;
  /** Mean fraction of voted tests the valid candidates pass: a difficulty signal for RL bucketing. */
  pass_rate: number;
  /** A strong solver's pass rate on the voted tests, when the policy's solvability filter measured it. */
  solver_pass_rate?: number;
  style: string;
}

export interface DatasetRecord {
  task_id: string;
  style: string;
  sft: SftRecord;
  sftQueryResponse: SftQueryResponseRecord;
  /** null when the policy dropped every test of the RL suite: the task is SFT-only. */
  rl: RlRecord | null;
  /** Leaf feature paths of the task's selected feature tree ("category/…/leaf"). */
  features: string[];
  tests: { generated: number; labelled: number; rl: number; flagged: number };
  goldenPassRate: number;
  solverModel: string;
  statementModel: string;
  prompts: { statement: string; solve: string };
}

export interface SolveWrapper {
  /** Tag of the stdio tasks' wrapper (the dataset-level name). */
  tag: string;
  system?: string;
  user(statement: string): string;
  /** The user turn and wrapper tag of one task: function I/O tasks show their starter code and ask for the class. */
  forStatement(statement: StatementRecord): { tag: string; user: string };
}

/** The configured solve-prompt wrapper; by default the prompt the candidates were sampled with. */
export function solveWrapper(format: DatasetFormat['solvePrompt']): SolveWrapper {
  const system = format.system;
  const suffix = system ? '+system' : '';
  if (format.template === undefined) {
    const user = (statement: string) => solvePrompt.user({ statement });
    return {
      tag: promptTag(solvePrompt) + suffix,
      ...(system ? { system } : {}),
      user,
      forStatement: (s) =>
        s.ioMode === 'function' && s.starterCode !== undefined
          ? { tag: promptTag(solveFunctionPrompt) + suffix, user: solveFunctionPrompt.user({ statement: s.question, starterCode: s.starterCode }) }
          : { tag: promptTag(solvePrompt) + suffix, user: user(s.question) },
    };
  }
  const template = format.template;
  // A custom wrapper is named by its content, so two datasets say whether they used the same one.
  const tag = `custom@${ContentStore.keyOf(`${template}\u0000${system ?? ''}`).slice(7, 19)}`;
  const user = (statement: string) => template.split('{statement}').join(statement);
  return {
    tag,
    ...(system ? { system } : {}),
    user,
    // A custom template's {statement} of a function task carries the starter code, which the answer must complete.
    forStatement: (s) => ({ tag, user: user(s.ioMode === 'function' && s.starterCode !== undefined ? functionStatement(s.question, s.starterCode) : s.question) }),
  };
}

export function assistantTurn(reasoning: string, code: string, language = 'python'): string {
  return `${reasoning}\n\n\`\`\`${language}\n${code.replace(/\s+$/, '')}\n\`\`\``;
}

export async function buildDatasetRecord(store: ContentStore, outcome: TaskOutcome, wrapper: SolveWrapper): Promise<DatasetRecord> {
  const l: TaskLineage = outcome.lineage;
  if (!l.statementKey || !l.candidatesKey || !l.testsKey || !l.verificationKey || outcome.goldenIndex === undefined) {
    throw new Error(`kept task ${outcome.index} lacks lineage keys`);
  }
  const [statement, candidates, verification, selection] = await Promise.all([
    store.getJson<StatementRecord>(l.statementKey),
    store.getJson<CandidatesRecord>(l.candidatesKey),
    store.getJson<VerificationRecord>(l.verificationKey),
    l.selectionKey ? store.getJson<SelectionRecord>(l.selectionKey) : Promise.resolve(undefined),
  ]);
  // The tests and matrix verification judged (adaptive evidence extends them), not the first suite.
  const [tests, matrix] = await Promise.all([store.getJson<TestsRecord>(verification.testsKey ?? l.testsKey), store.getJson<MatrixRecord>(verification.matrixKey ?? l.matrixKey)]);
  const golden = candidates.candidates[outcome.goldenIndex];
  if (!golden?.valid) throw new Error(`task ${statement.taskId}: golden candidate ${outcome.goldenIndex} is not valid`);
  const result = verification.result;
  const { tag: solveTag, user: prompt } = wrapper.forStatement(statement);
  const response = assistantTurn(golden.reasoning, golden.code, golden.language);
  const prompts = { statement: statement.provenance.prompt, solve: solveTag };
  // Records written before the policy existed have no rlSuite/flags: their RL suite is the golden half.
  const suite = result.rlSuite ?? result.goldenHalf;
  const flags = result.flags ?? {};
  const rates = result.passRates.filter((r): r is number => r !== null);
  const fnName = statement.ioMode === 'function' ? statement.fnName : undefined;
  const checker = statement.output && statement.output.kind !== 'exact' ? statement.output : undefined;
  const label = exactLabel(result, matrix, outcome.goldenIndex);
  const reliability = reliabilityOf(verification, candidates, result.passRates[outcome.goldenIndex] ?? 0);
  const rl: RlRecord | null = suite.length
    ? {
        task_id: statement.taskId,
        prompt,
        ...(wrapper.system ? { system: wrapper.system } : {}),
        io_mode: fnName ? 'function' : 'stdio',
        ...(fnName ? { fn_name: fnName } : {}),
        tests: suite.map((t) => ({
          input: tests.tests[t]?.input ?? '',
          output: label(t),
          weight: result.weights[t] ?? 1,
          ...(flags[t]?.length ? { flags: flags[t] } : {}),
        })),
        pass_rate: rates.length ? rates.reduce((s, r) => s + r, 0) / rates.length : 0,
        ...(typeof result.solverPassRate === 'number' ? { solver_pass_rate: result.solverPassRate } : {}),
        ...(checker ? { checker } : {}),
        reliability,
        style: statement.style,
      }
    : null;
  return {
    task_id: statement.taskId,
    style: statement.style,
    sft: {
      task_id: statement.taskId,
      messages: [
        ...(wrapper.system ? [{ role: 'system' as const, content: wrapper.system }] : []),
        { role: 'user', content: prompt },
        { role: 'assistant', content: response },
      ],
      style: statement.style,
      model: (golden.provenance ?? candidates.provenance).model,
      prompts,
      reliability,
    },
    sftQueryResponse: { task_id: statement.taskId, ...(wrapper.system ? { system: wrapper.system } : {}), query: prompt, response },
    rl,
    features: selection ? featuresOf(selection.selectedFeaturesTree) : [],
    tests: {
      generated: tests.tests.length,
      labelled: result.labelled.length,
      rl: suite.length,
      flagged: Object.keys(flags).length,
    },
    goldenPassRate: result.passRates[outcome.goldenIndex] ?? 0,
    solverModel: (golden.provenance ?? candidates.provenance).model,
    statementModel: statement.provenance.model,
    prompts,
  };
}

/**
 * A test's label as the golden printed it. The witness policy stores exact outputs; the paper's votes store a
 * normalised form (under token or float comparison, all tokens on one line), so the golden's own stdout is used
 * when it matches, else that of the first candidate of the winning group.
 */
function exactLabel(result: VerificationRecord['result'], matrix: MatrixRecord, goldenIndex: number): (t: number) => string {
  const cmp = comparatorFor(result.comparison ?? { kind: 'exact' });
  return (t) => {
    const vote = result.votes[t];
    const l = vote?.label ?? '';
    if (result.witness) return l;
    const golden = matrix.cells[goldenIndex]?.[t];
    if (golden?.status === 'OK' && cmp.matches(golden.stdout, l)) return golden.stdout;
    const first = vote?.tally[0]?.firstCandidate;
    const cell = first !== undefined ? matrix.cells[first]?.[t] : undefined;
    return cell?.status === 'OK' ? cell.stdout : l;
  };
}

function reliabilityOf(verification: VerificationRecord, candidates: CandidatesRecord, goldenPassRate: number): Reliability {
  const r = verification.result;
  const w = r.witness;
  const model = (i: number): string => (candidates.candidates[i]?.provenance ?? candidates.provenance).model;
  const witnesses = w ? w.witnesses.map((x) => ({ language: x.language, model: x.model })) : [{ language: candidates.candidates[r.goldenIndex ?? 0]?.language ?? 'python', model: model(r.goldenIndex ?? 0) }];
  return {
    policy: policyTag(verification.policy),
    witnesses,
    witness_count: w ? w.clusters[0]?.witnesses ?? witnesses.length : 1,
    margin: w ? w.margin : null,
    tests: w ? { given: w.tests.given, generated: w.tests.generated, labelled: w.tests.labelled } : { given: r.votes.length, generated: 0, labelled: r.labelled.length },
    golden_pass_fraction: w ? w.goldenPassFraction : goldenPassRate,
  };
}

/** The manifest's entry for a record: its lineage (features → task → candidates → tests → verdicts → golden). */
export interface ManifestRecord extends TaskLineage {
  task_id: string;
  goldenIndex: number;
  recordKey: ArtifactKey;
}
