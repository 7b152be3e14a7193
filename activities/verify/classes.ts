/**
 * Output classes: for each test, which runs printed "the same" answer under the task's output rule. Built-in
 * rules (exact, token) are equivalences, so a canonical key decides; a float tolerance is not transitive, so
 * outputs join the first class whose representative they match, in row order; a checker program's classes
 * (mutual acceptance, computed in the sandbox: activities/sandbox/checker-classes.ts) are taken as given.
 * Every later rule (clusters, votes, labels) compares class ids only, so it means the same for every rule.
 */
import type { Comparator } from './outputs';
import type { MatrixCell } from './votes';

export interface OutputClasses {
  /** [test][row]: class id of the row's output; null = the run did not succeed; undefined = not run on that test. */
  of: (number | null | undefined)[][];
  /** [test][class]: the exact stdout of the class's first member, its representative. */
  reps: string[][];
}

type Row = readonly (MatrixCell | null | undefined)[] | null | undefined;

export function outputClasses(rows: readonly Row[], testCount: number, rule: { comparator: Comparator } | { given: readonly (readonly (number | null)[])[] }): OutputClasses {
  const of: (number | null | undefined)[][] = [];
  const reps: string[][] = [];
  for (let t = 0; t < testCount; t++) {
    const ofT: (number | null | undefined)[] = [];
    const repsT: string[] = [];
    const keys: string[] = [];
    rows.forEach((row, r) => {
      const cell = row?.[t];
      if (!cell) return void (ofT[r] = undefined);
      if (cell.status !== 'OK') return void (ofT[r] = null);
      if ('given' in rule) {
        const k = rule.given[t]?.[r];
        ofT[r] = k ?? null;
        if (typeof k === 'number' && repsT[k] === undefined) repsT[k] = cell.stdout;
        return;
      }
      const { comparator } = rule;
      const key = comparator.canonical(cell.stdout);
      let k = comparator.transitive ? keys.indexOf(key) : keys.findIndex((rep) => comparator.matches(cell.stdout, rep));
      if (k < 0) {
        k = keys.length;
        keys.push(key);
        repsT.push(cell.stdout);
      }
      ofT[r] = k;
    });
    of.push(ofT);
    reps.push(repsT);
  }
  return { of, reps };
}
