/**
 * Output comparison for voting and scoring, under the policy's normalisation or a task's built-in checker.
 * Exact and token comparison are equivalence relations, so outputs are grouped by a canonical key (fast, and
 * exactly the historical behaviour for 'exact'); a float tolerance is not transitive, so float outputs are
 * grouped greedily against each group's first member, in a fixed order, which keeps results deterministic.
 */
import { floatTokensMatch, normalizeOutput, tokensOf } from '../common/compare';
import type { VerificationPolicy } from './policy';

export type Comparison = VerificationPolicy['comparison'];

export interface Comparator {
  /** Canonical form of an output: the label text stored for a group. */
  canonical(output: string): string;
  /** Whether an output matches a label (a canonical form, or an exact output: both sides are normalised). */
  matches(output: string, label: string): boolean;
  /** True when canonical() equality is the whole story (exact, token). */
  transitive: boolean;
}

export function comparatorFor(comparison: Comparison): Comparator {
  switch (comparison.kind) {
    case 'exact':
      return { canonical: normalizeOutput, matches: (o, l) => normalizeOutput(o) === normalizeOutput(l), transitive: true };
    case 'token': {
      const canonical = (o: string): string => tokensOf(o).join(' ');
      return { canonical, matches: (o, l) => canonical(o) === canonical(l), transitive: true };
    }
    case 'float': {
      const canonical = (o: string): string => tokensOf(o).join(' ');
      return {
        canonical,
        matches: (o, l) => floatTokensMatch(o, l, comparison.absTolerance, comparison.relTolerance),
        transitive: false,
      };
    }
  }
}
