/** Verdicts of each candidate against the voted labels: the matrix a person reads next to a decision. */
import type { MatrixCell, VerificationResult } from './dual-verify';
import { comparatorFor } from './outputs';

/** AC/WA against the label; 'OK' = ran fine on a test that has no label; the run status otherwise; CE = not run. */
export type LabelVerdict = 'AC' | 'WA' | 'OK' | 'TLE' | 'MLE' | 'RE' | 'OLE' | 'CE';

export function verdictsAgainstLabels(
  cells: readonly (readonly MatrixCell[] | null)[],
  result: Pick<VerificationResult, 'votes' | 'comparison'>
): LabelVerdict[][] {
  const comparator = comparatorFor(result.comparison);
  return cells.map((row) =>
    result.votes.map((v, t): LabelVerdict => {
      const cell = row?.[t];
      if (!row || !cell) return 'CE';
      if (cell.status !== 'OK') return cell.status;
      if (v.label === null) return 'OK';
      return comparator.matches(cell.stdout, v.label) ? 'AC' : 'WA';
    })
  );
}
