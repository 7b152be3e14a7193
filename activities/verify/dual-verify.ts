/**
 * Dual verification, the paper's Algorithm 1 (reference/synthsmith-paper.md §5), as a pure function of the
 * m × n execution matrix and a policy (policy.ts), so that it can be unit-tested on hand-made matrices and re-run
 * under another policy without executing anything or calling an LLM (relabel.ts).
 *
 * 1. Consensus labels (votes.ts): only successful runs vote; plurality after normalisation; seeded ties;
 *    unlabelled tests dropped.
 * 2. Labelled tests are weighted 1..4 by input-size quartile (largest = 4).
 * 3. A seeded ~50/50 split into a golden half and a held-out half.
 * 4. j* = first argmax of the weighted golden-half score; j† = first argmax of the unweighted held-out accuracy.
 *    Keep the task only if j* is a held-out maximum (strict: ties with j† count as confirmed), or, with a
 *    tolerance τ, if j*'s held-out accuracy is within τ of the best. The golden half is the RL suite (less any tests the policy drops for cheatable-test flags).
 * 5. Optional solvability filter: a strong solver's pass rate on the labels must be > 0 (and >= a minimum).
 *
 * The result records everything needed to explain the decision: the policy, every test's tally, agreement,
 * weight, half and flags, every candidate's scores on both halves, and a one-line explanation.
 */
import type { DiscardReason } from '../../workflows/types';
import { rngFor } from '../common/rng';
import { flagCheatableTests, type CheatFlag } from './flags';
import { comparatorFor, type Comparison } from './outputs';
import { policyTag, resolvePolicy, solvabilityFailure, type VerificationPolicy, type VerificationPolicyInput } from './policy';
import { voteLabels, type MatrixCell, type TestVote } from './votes';
import { witnessVerify } from './witness';
import type { OutputRule } from '../llm/records';

export { voteLabels, type MatrixCell, type TestVote } from './votes';
export type { CheatFlag } from './flags';

export interface VerificationInput {
  /** cells[candidate][test]; null for candidates that were not run (invalid code, compile error). */
  cells: readonly (readonly MatrixCell[] | null)[];
  inputs: readonly string[];
  /** The run's seed: tie-breaks, and the split unless the policy sets splitSeed. */
  seed: number;
  /** Separates the RNG stream of this task from other tasks (e.g. the task ID). */
  label: string;
  /** Absent = the default policy (the paper's algorithm as this pipeline has always run it). */
  policy?: VerificationPolicyInput;
  /** The task's own built-in checker; it replaces the policy's comparison for this task. */
  checker?: Comparison;
  /** Strong-solver evidence for the solvability filter: its runs on the same tests, or a measured pass rate. */
  solver?: { cells?: readonly MatrixCell[]; passRate?: number };
  /** Witness policy: each candidate's program (identical sources are one witness), language and model. */
  candidates?: readonly { code: string; language: 'python' | 'cpp'; model?: string }[];
  /** Witness policy: brute-force references, run on some tests only (null cells where they did not run). */
  references?: readonly { code: string; model?: string; cells: readonly (MatrixCell | null)[] }[];
  /** The task's output rule; for a checker program, `classes` holds its verdicts. */
  outputRule?: OutputRule;
  /** [test][row] output classes under the task's checker program (rows: candidates, then references). */
  classes?: readonly (readonly (number | null)[])[];
  /** Why the task's checker could not judge (does not compile, crashed): the task is discarded with it. */
  checkerFailure?: string;
  /** Where each test came from: 'given' (prompted or the first generator run) or 'generated' (adaptive draws). */
  sources?: readonly ('given' | 'generated')[];
}

/** Witness policy: who backs the golden, by how much, on what evidence (exported with every record). */
export interface WitnessReport {
  /** The largest clusters, most evidence first (candidate indices, distinct programs, languages, models). */
  clusters: { members: number[]; witnesses: number; languages: string[]; models: string[]; references: number[]; evidence: number; okTests: number }[];
  clusterCount: number;
  /** Distinct programs of the golden (best) cluster: the first candidate of each. */
  witnesses: { candidate: number; language: string; model: string }[];
  /** Evidence of the best cluster minus the runner-up's. */
  margin: number;
  runnerUpEvidence: number;
  /** Tests on which the best cluster is outvoted or fails while another program succeeds. */
  contradicted: number[];
  tests: { given: number; generated: number; labelled: number; total: number };
  /** Labelled tests / tests on which any program succeeded. */
  goldenPassFraction: number;
}

export interface VerificationResult {
  decision: 'kept' | 'discarded';
  reason?: DiscardReason;
  /** One sentence a person can read: why kept or discarded, with the numbers that decided it. */
  explanation: string;
  /** The resolved policy (all defaults filled in) and the seeds actually used. */
  policy: VerificationPolicy;
  seeds: { tie: number; split: number };
  comparison: Comparison;
  votes: TestVote[];
  /** Indices of labelled tests. */
  labelled: number[];
  weights: Record<number, number>;
  goldenHalf: number[];
  heldOutHalf: number[];
  /** Per candidate; null for candidates that were not run. */
  goldenScores: (number | null)[];
  /** Largest possible golden-half score (sum of its weights), to read goldenScores against. */
  goldenMaxScore: number;
  heldOutAccuracy: (number | null)[];
  bestOnGolden?: number;
  bestOnHeldOut?: number;
  goldenIndex?: number;
  /** Per candidate: fraction of labelled tests it matches (for RL pass-rate buckets). */
  passRates: (number | null)[];
  /** Cheatable-test flags per labelled test, and what a constant or echo program would score. */
  flags: Record<number, CheatFlag[]>;
  constantPassRate: number;
  echoPassRate: number;
  /** The golden half less the tests whose flags the policy drops from RL. */
  rlSuite: number[];
  /** The strong solver's pass rate on the labelled tests, when measured. */
  solverPassRate: number | null;
  /** Witness policy only. */
  witness?: WitnessReport;
  outputRule?: OutputRule;
}

/** Weights 1..4 by input-size quartile among the given tests (stable on equal sizes). */
export function sizeQuartileWeights(tests: readonly number[], inputs: readonly string[]): Record<number, number> {
  const bySize = [...tests].sort((a, b) => byteLength(inputs[a] ?? '') - byteLength(inputs[b] ?? '') || a - b);
  const weights: Record<number, number> = {};
  bySize.forEach((t, rank) => {
    weights[t] = 1 + Math.floor((4 * rank) / bySize.length);
  });
  return weights;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Seeded split: a shuffled ceil(n × goldenFraction) tests form the golden half (with 0.5 it gets the extra test
 * when n is odd); the held-out half keeps at least one test whenever n >= 2.
 */
export function splitTests(
  tests: readonly number[],
  seed: number,
  label: string,
  goldenFraction = 0.5
): { golden: number[]; heldOut: number[] } {
  const shuffled = rngFor(seed, 'split', label).shuffle(tests);
  let cut = Math.ceil(shuffled.length * goldenFraction);
  if (shuffled.length >= 2) cut = Math.min(Math.max(cut, 1), shuffled.length - 1);
  return { golden: shuffled.slice(0, cut).sort((a, b) => a - b), heldOut: shuffled.slice(cut).sort((a, b) => a - b) };
}

function argmaxFirst(values: readonly (number | null)[]): number | undefined {
  let best: number | undefined;
  values.forEach((v, i) => {
    if (v !== null && (best === undefined || v > (values[best] as number))) best = i;
  });
  return best;
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : Number(x.toFixed(3)).toString());

/** Verification under the input's policy: the witness rules (default) or the paper's Algorithm 1. */
export function verifyMatrix(input: VerificationInput): VerificationResult {
  const policy = resolvePolicy(input.policy);
  return policy.algorithm === 'paper' ? dualVerify({ ...input, policy }) : witnessVerify(input, policy);
}

/** The paper's Algorithm 1, whatever the policy's algorithm says (the calibration runs both side by side). */
export function dualVerify(input: VerificationInput): VerificationResult {
  const policy = resolvePolicy({ ...(input.policy ?? {}), algorithm: 'paper' });
  const { cells, inputs, seed, label } = input;
  const comparison = input.checker ?? policy.comparison;
  const comparator = comparatorFor(comparison);
  const splitSeed = policy.splitSeed ?? seed;

  const votes = voteLabels(cells, inputs.length, seed, label, policy, comparator);
  const labelled = votes.filter((v) => v.label !== null).map((v) => v.test);
  const weights =
    policy.weights === 'size-quartile' ? sizeQuartileWeights(labelled, inputs) : Object.fromEntries(labelled.map((t) => [t, 1]));
  const { golden, heldOut } = splitTests(labelled, splitSeed, label, policy.goldenFraction);
  const labelOf = (t: number): string | null => votes[t]?.label ?? null;
  const matches = (cell: MatrixCell | undefined, t: number): boolean => {
    const l = labelOf(t);
    return !!cell && cell.status === 'OK' && l !== null && comparator.matches(cell.stdout, l);
  };
  const share = (row: readonly MatrixCell[], tests: number[]): number =>
    tests.length ? tests.filter((t) => matches(row[t], t)).length / tests.length : 0;

  const goldenScores = cells.map((row) => (row ? golden.reduce((s, t) => s + (matches(row[t], t) ? (weights[t] ?? 1) : 0), 0) : null));
  const goldenMaxScore = golden.reduce((s, t) => s + (weights[t] ?? 1), 0);
  const heldOutAccuracy = cells.map((row) => (row ? share(row, heldOut) : null));
  const passRates = cells.map((row) => (row ? share(row, labelled) : null));
  const cheat = flagCheatableTests(votes, inputs, cells, comparator);
  const dropped = new Set<CheatFlag>(policy.rlDropFlags);
  const rlSuite = golden.filter((t) => !(cheat.flags[t] ?? []).some((f) => dropped.has(f)));
  const solverPassRate = input.solver?.cells ? share(input.solver.cells, labelled) : (input.solver?.passRate ?? null);

  const base = {
    policy,
    seeds: { tie: seed, split: splitSeed },
    comparison,
    votes,
    labelled,
    weights,
    goldenHalf: golden,
    heldOutHalf: heldOut,
    goldenScores,
    goldenMaxScore,
    heldOutAccuracy,
    passRates,
    flags: cheat.flags,
    constantPassRate: cheat.constantPassRate,
    echoPassRate: cheat.echoPassRate,
    rlSuite,
    solverPassRate,
  };
  const discard = (reason: DiscardReason, explanation: string, extra: Partial<VerificationResult> = {}): VerificationResult => ({
    ...base,
    ...extra,
    decision: 'discarded',
    reason,
    explanation: `discarded (${policyTag(policy)}): ${explanation}`,
  });

  if (cells.every((row) => row === null)) return discard('no_valid_candidates', 'no candidate could be run');
  if (labelled.length === 0) {
    const noRun = votes.filter((v) => v.dropped === 'no_successful_run').length;
    return discard('no_labelled_tests', `none of ${inputs.length} tests got a label (${noRun} had no successful run, ${inputs.length - noRun} failed the agreement gates)`);
  }
  // Both halves must hold a test, or "confirmed on held-out tests" would mean nothing.
  if (heldOut.length === 0) return discard('too_few_labelled_tests', `only ${labelled.length} labelled test, nothing to hold out`);

  const bestOnGolden = argmaxFirst(goldenScores);
  const bestOnHeldOut = argmaxFirst(heldOutAccuracy);
  const winnerHeldOut = bestOnGolden === undefined ? null : (heldOutAccuracy[bestOnGolden] ?? null);
  const bestHeldOut = bestOnHeldOut === undefined ? null : (heldOutAccuracy[bestOnHeldOut] ?? null);
  const confirmed =
    bestOnGolden !== undefined &&
    winnerHeldOut !== null &&
    bestHeldOut !== null &&
    // Strict: j* must be a held-out maximum. A candidate tying j* there (a copy of it, say) is no evidence against
    // it; taking the first argmax made such ties discard the task by list order.
    winnerHeldOut >= bestHeldOut - (policy.holdOutTolerance ?? 0) - 1e-12;
  const scores =
    `candidate ${bestOnGolden ?? '-'} leads the golden half with ${fmt(bestOnGolden === undefined ? null : goldenScores[bestOnGolden])}/${goldenMaxScore} ` +
    `and scores ${fmt(winnerHeldOut)} on the held-out half, where candidate ${bestOnHeldOut ?? '-'} is best with ${fmt(bestHeldOut)}`;
  if (!confirmed) {
    const rule = policy.holdOutTolerance === null ? 'strict: must be the held-out best' : `tolerance ${policy.holdOutTolerance}`;
    return discard('golden_not_confirmed', `${scores} (${rule})`, { bestOnGolden, bestOnHeldOut });
  }
  const unsolvable = solvabilityFailure(policy, solverPassRate);
  if (unsolvable) return discard('unsolvable', `${unsolvable}; ${scores}`, { bestOnGolden, bestOnHeldOut });
  return {
    ...base,
    decision: 'kept',
    bestOnGolden,
    bestOnHeldOut,
    goldenIndex: bestOnGolden,
    explanation: `kept (${policyTag(policy)}): ${labelled.length}/${inputs.length} tests labelled; ${scores}; RL suite ${rlSuite.length} tests`,
  };
}
