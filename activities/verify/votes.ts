/**
 * Step 1 of dual verification: consensus labels. Only successful runs vote; outputs are grouped under the
 * policy's comparison; the plurality group labels the test; ties are broken as the policy says (seeded random by
 * default, as in the released majority_voting.py); a test with no successful run, or whose winner misses the
 * optional agreement gates, gets no label and is dropped from everything that follows.
 */
import { rngFor } from '../common/rng';
import type { RunStatus } from '../sandbox/types';
import { comparatorFor, type Comparator } from './outputs';
import { DEFAULT_POLICY, type VerificationPolicy } from './policy';

export interface MatrixCell {
  status: RunStatus;
  stdout: string;
  /** Run costs, when recorded: the witness policy exports the fastest member of the golden cluster. */
  cpuMs?: number;
  wallMs?: number;
}

/** golden_failed (witness policy): the golden cluster did not succeed on the test, so it gets no label. */
export type DropReason = 'no_successful_run' | 'low_agreement' | 'too_few_votes' | 'golden_failed';

export interface TestVote {
  test: number;
  /** Canonical output of the winning group, or null when the test is dropped. */
  label: string | null;
  /** Votes of the winning group (also when a gate then dropped it). */
  votes: number;
  /** Successful runs on this test. */
  voters: number;
  /** votes / voters (0 without voters). */
  agreement: number;
  /** Distinct outputs (groups) with their votes and the first candidate that produced them, most votes first. */
  tally: { output: string; votes: number; firstCandidate: number }[];
  tie: boolean;
  dropped?: DropReason;
}

type Policy = Pick<VerificationPolicy, 'comparison' | 'tieBreak' | 'minAgreement' | 'minVotes'>;

export function voteLabels(
  cells: readonly (readonly MatrixCell[] | null)[],
  testCount: number,
  seed: number,
  label: string,
  policy: Policy = DEFAULT_POLICY,
  comparator: Comparator = comparatorFor(policy.comparison)
): TestVote[] {
  const votes: TestVote[] = [];
  for (let t = 0; t < testCount; t++) {
    const groups: { output: string; votes: number; firstCandidate: number }[] = [];
    const byKey = new Map<string, (typeof groups)[number]>();
    cells.forEach((row, candidate) => {
      const cell = row?.[t];
      if (!cell || cell.status !== 'OK') return;
      const canonical = comparator.canonical(cell.stdout);
      const group = comparator.transitive ? byKey.get(canonical) : groups.find((g) => comparator.matches(cell.stdout, g.output));
      if (group) group.votes += 1;
      else {
        const fresh = { output: canonical, votes: 1, firstCandidate: candidate };
        groups.push(fresh);
        byKey.set(canonical, fresh);
      }
    });
    const tally = groups.sort((a, b) => b.votes - a.votes || (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
    const top = tally[0]?.votes ?? 0;
    const voters = tally.reduce((s, x) => s + x.votes, 0);
    const leaders = tally.filter((x) => x.votes === top);
    const winner = leaders.length > 1 ? breakTie(leaders, policy.tieBreak, seed, label, t) : leaders[0];
    const agreement = voters ? top / voters : 0;
    const dropped: DropReason | undefined = !winner
      ? 'no_successful_run'
      : top < policy.minVotes
        ? 'too_few_votes'
        : agreement < policy.minAgreement
          ? 'low_agreement'
          : undefined;
    votes.push({
      test: t,
      label: winner && !dropped ? winner.output : null,
      votes: top,
      voters,
      agreement,
      tally,
      tie: leaders.length > 1,
      ...(dropped ? { dropped } : {}),
    });
  }
  return votes;
}

function breakTie<T extends { output: string; firstCandidate: number }>(
  leaders: T[],
  mode: VerificationPolicy['tieBreak'],
  seed: number,
  label: string,
  test: number
): T | undefined {
  switch (mode) {
    // Per (seed, task, test) stream, so one test's tie never shifts another's.
    case 'seeded':
      return leaders[rngFor(seed, 'tie', label, test).int(leaders.length)];
    case 'first':
      return leaders.reduce((a, b) => (b.firstCandidate < a.firstCandidate ? b : a));
    case 'lexical':
      return leaders[0]; // the tally is sorted by output within equal votes
  }
}
