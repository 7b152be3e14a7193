/** Verdicts of each candidate against the voted labels: the matrix a person reads next to a decision. */
import type { MatrixCell, VerificationResult } from './dual-verify';
import { comparatorFor } from './outputs';

/** AC/WA against the label; 'OK' = ran fine on a test that has no label; the run status otherwise; CE = not run. */
export type LabelVerdict = 'AC' | 'WA' | 'OK' | 'TLE' | 'MLE' | 'RE' | 'OLE' | 'CE';

/** `classes` ([test][row], a checker program's): AC means the row's answer is in the golden's class. */
export function verdictsAgainstLabels(
  cells: readonly (readonly MatrixCell[] | null)[],
  result: Pick<VerificationResult, 'votes' | 'comparison' | 'goldenIndex'>,
  classes?: readonly (readonly (number | null)[])[]
): LabelVerdict[][] {
  const comparator = comparatorFor(result.comparison);
  const golden = result.goldenIndex;
  return cells.map((row, r) =>
    result.votes.map((v, t): LabelVerdict => {
      const cell = row?.[t];
      if (!row || !cell) return 'CE';
      if (cell.status !== 'OK') return cell.status;
      if (v.label === null) return 'OK';
      if (classes && golden !== undefined) return classes[t]?.[r] === classes[t]?.[golden] ? 'AC' : 'WA';
      return comparator.matches(cell.stdout, v.label) ? 'AC' : 'WA';
    })
  );
}
