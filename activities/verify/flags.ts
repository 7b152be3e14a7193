/**
 * Cheatable-test flags, beyond the paper: a labelled test that a policy should not trust as an RL reward because
 * a degenerate program passes it or because its label has no real support. Flags are recorded for every labelled
 * test; the policy's `rlDropFlags` decides which ones keep a test out of the RL suite.
 *
 *  - constant: the label is shared with another labelled test, so one program printing a constant passes both
 *    (YES/NO tasks show up here; the suite-level `constantPassRate` says how much such a program would score);
 *  - echo: a program that copies its input to its output passes;
 *  - trivial: every candidate that ran (two or more) passes, so the test separates nothing;
 *  - single_vote: the label was decided by one successful run.
 */
import type { Comparator } from './outputs';
import type { MatrixCell, TestVote } from './votes';

export type CheatFlag = 'constant' | 'echo' | 'trivial' | 'single_vote';
export const CHEAT_FLAGS: readonly CheatFlag[] = ['constant', 'echo', 'trivial', 'single_vote'];

export interface CheatReport {
  /** Flags per labelled test (tests without flags are absent). */
  flags: Record<number, CheatFlag[]>;
  /** Share of the labelled tests the best constant program passes (0 without labelled tests). */
  constantPassRate: number;
  /** Share of the labelled tests an input-echo program passes. */
  echoPassRate: number;
}

export function flagCheatableTests(
  votes: readonly TestVote[],
  inputs: readonly string[],
  cells: readonly (readonly MatrixCell[] | null)[],
  comparator: Comparator
): CheatReport {
  const labelled = votes.filter((v): v is TestVote & { label: string } => v.label !== null);
  const perLabel = new Map<string, number>();
  for (const v of labelled) perLabel.set(v.label, (perLabel.get(v.label) ?? 0) + 1);
  const ran = cells.filter((row) => row !== null).length;
  const flags: Record<number, CheatFlag[]> = {};
  let echoes = 0;
  for (const v of labelled) {
    const own: CheatFlag[] = [];
    if ((perLabel.get(v.label) ?? 0) >= 2) own.push('constant');
    if (comparator.matches(inputs[v.test] ?? '', v.label)) {
      own.push('echo');
      echoes++;
    }
    if (ran >= 2 && v.votes === ran) own.push('trivial');
    if (v.votes === 1) own.push('single_vote');
    if (own.length) flags[v.test] = own;
  }
  const best = Math.max(0, ...perLabel.values());
  return {
    flags,
    constantPassRate: labelled.length ? best / labelled.length : 0,
    echoPassRate: labelled.length ? echoes / labelled.length : 0,
  };
}
