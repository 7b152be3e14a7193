/**
 * Dual verification, the paper's Algorithm 1 (reference/synthsmith-paper.md §5), as a pure function of the
 * m × n execution matrix so that it can be unit-tested on hand-made matrices and re-run without executing
 * anything.
 *
 * 1. Only successful runs vote; outputs are compared after normalisation; the plurality output labels the
 *    test; ties are broken by a seeded RNG; tests with no successful run get no label and are dropped.
 * 2. Labelled tests are weighted 1..4 by input-size quartile (largest = 4).
 * 3. A seeded ~50/50 split into a golden half and a held-out half.
 * 4. j* = argmax weighted score on the golden half; j† = argmax unweighted accuracy on the held-out half
 *    (first maximum, as in the released code). Keep the task only if j* = j†; the golden half is the RL suite.
 */
import { normalizeOutput } from '../common/compare';
import { rngFor } from '../common/rng';
import type { RunStatus } from '../sandbox/types';
import type { DiscardReason } from '../../workflows/types';

export interface MatrixCell {
  status: RunStatus;
  stdout: string;
}

export interface VerificationInput {
  /** cells[candidate][test]; null for candidates that were not run (invalid code). */
  cells: (MatrixCell[] | null)[];
  inputs: string[];
  seed: number;
  /** Separates the RNG stream of this task from other tasks (e.g. the task ID). */
  label: string;
}

export interface TestVote {
  test: number;
  label: string | null;
  votes: number;
  voters: number;
  /** Distinct outputs with their vote counts, most votes first. */
  tally: { output: string; votes: number }[];
  tie: boolean;
}

export interface VerificationResult {
  decision: 'kept' | 'discarded';
  reason?: DiscardReason;
  votes: TestVote[];
  /** Indices of labelled tests. */
  labelled: number[];
  weights: Record<number, number>;
  goldenHalf: number[];
  heldOutHalf: number[];
  /** Per candidate; null for candidates that were not run. */
  goldenScores: (number | null)[];
  heldOutAccuracy: (number | null)[];
  bestOnGolden?: number;
  bestOnHeldOut?: number;
  goldenIndex?: number;
  /** Per candidate: fraction of labelled tests it matches (for RL pass-rate buckets). */
  passRates: (number | null)[];
}

export function voteLabels(cells: (MatrixCell[] | null)[], testCount: number, seed: number, label: string): TestVote[] {
  const votes: TestVote[] = [];
  for (let t = 0; t < testCount; t++) {
    const counts = new Map<string, number>();
    for (const row of cells) {
      const cell = row?.[t];
      if (!cell || cell.status !== 'OK') continue;
      const out = normalizeOutput(cell.stdout);
      counts.set(out, (counts.get(out) ?? 0) + 1);
    }
    const tally = [...counts.entries()]
      .map(([output, n]) => ({ output, votes: n }))
      .sort((a, b) => b.votes - a.votes || (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
    const top = tally[0]?.votes ?? 0;
    const leaders = tally.filter((x) => x.votes === top);
    // Ties are broken at random (seeded, per test), as in the released majority_voting.py.
    const winner = leaders.length > 1 ? leaders[rngFor(seed, 'tie', label, t).int(leaders.length)] : leaders[0];
    votes.push({
      test: t,
      label: winner ? winner.output : null,
      votes: top,
      voters: tally.reduce((s, x) => s + x.votes, 0),
      tally,
      tie: leaders.length > 1,
    });
  }
  return votes;
}

/** Weights 1..4 by input-size quartile among the given tests (stable on equal sizes). */
export function sizeQuartileWeights(tests: number[], inputs: string[]): Record<number, number> {
  const bySize = [...tests].sort((a, b) => byteLength(inputs[a] ?? '') - byteLength(inputs[b] ?? '') || a - b);
  const weights: Record<number, number> = {};
  bySize.forEach((t, rank) => {
    weights[t] = 1 + Math.floor((4 * rank) / bySize.length);
  });
  return weights;
}

function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 2 : 3;
  }
  return n;
}

/** Seeded 50/50 split: the golden half gets the extra test when the count is odd. */
export function splitTests(tests: number[], seed: number, label: string): { golden: number[]; heldOut: number[] } {
  const shuffled = rngFor(seed, 'split', label).shuffle(tests);
  const cut = Math.ceil(shuffled.length / 2);
  return { golden: shuffled.slice(0, cut).sort((a, b) => a - b), heldOut: shuffled.slice(cut).sort((a, b) => a - b) };
}

function argmaxFirst(values: (number | null)[]): number | undefined {
  let best: number | undefined;
  values.forEach((v, i) => {
    if (v !== null && (best === undefined || v > (values[best] as number))) best = i;
  });
  return best;
}

function matches(cell: MatrixCell | undefined, label: string | null): boolean {
  return !!cell && cell.status === 'OK' && label !== null && normalizeOutput(cell.stdout) === label;
}

export function dualVerify(input: VerificationInput): VerificationResult {
  const { cells, inputs, seed, label } = input;
  const votes = voteLabels(cells, inputs.length, seed, label);
  const labelled = votes.filter((v) => v.label !== null).map((v) => v.test);
  const weights = sizeQuartileWeights(labelled, inputs);
  const { golden, heldOut } = splitTests(labelled, seed, label);
  const labelOf = (t: number): string | null => votes[t]?.label ?? null;

  const goldenScores = cells.map((row) =>
    row ? golden.reduce((s, t) => s + (matches(row[t], labelOf(t)) ? (weights[t] ?? 1) : 0), 0) : null
  );
  const heldOutAccuracy = cells.map((row) =>
    row && heldOut.length ? heldOut.filter((t) => matches(row[t], labelOf(t))).length / heldOut.length : row ? 0 : null
  );
  const passRates = cells.map((row) =>
    row && labelled.length ? labelled.filter((t) => matches(row[t], labelOf(t))).length / labelled.length : row ? 0 : null
  );
  const base = { votes, labelled, weights, goldenHalf: golden, heldOutHalf: heldOut, goldenScores, heldOutAccuracy, passRates };

  if (cells.every((row) => row === null)) return { ...base, decision: 'discarded', reason: 'no_valid_candidates' };
  if (labelled.length === 0) return { ...base, decision: 'discarded', reason: 'no_labelled_tests' };
  // Both halves must hold a test, or "confirmed on held-out tests" would mean nothing.
  if (heldOut.length === 0) return { ...base, decision: 'discarded', reason: 'too_few_labelled_tests' };

  const bestOnGolden = argmaxFirst(goldenScores);
  const bestOnHeldOut = argmaxFirst(heldOutAccuracy);
  if (bestOnGolden === undefined || bestOnGolden !== bestOnHeldOut) {
    return { ...base, decision: 'discarded', reason: 'golden_not_confirmed', bestOnGolden, bestOnHeldOut };
  }
  return { ...base, decision: 'kept', bestOnGolden, bestOnHeldOut, goldenIndex: bestOnGolden };
}
