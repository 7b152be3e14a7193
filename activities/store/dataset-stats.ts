/** Summary statistics of a dataset version, for the manifest and the data card. */
import type { DatasetRecord } from './dataset-records';
import { histogram01, type Bar } from './svg-charts';

export interface DatasetStats {
  tasks: number;
  rlTasks: number;
  rlTests: number;
  added: number;
  styles: Record<string, number>;
  features: { distinct: number; perCategory: Record<string, number>; tasksWithout: number };
  testCounts: { generated: number; labelled: number; rlSuiteSizes: Record<string, number> };
  passRateHistogram: Bar[];
  solverPassRates: number;
  flags: Record<string, number>;
  discardReasons: Record<string, number>;
}

const inc = (m: Record<string, number>, k: string, by = 1): void => {
  m[k] = (m[k] ?? 0) + by;
};

export function datasetStats(records: readonly DatasetRecord[], added: number, discardReasons: Record<string, number>): DatasetStats {
  const styles: Record<string, number> = {};
  const perCategory: Record<string, number> = {};
  const distinct = new Set<string>();
  const rlSuiteSizes: Record<string, number> = {};
  const flags: Record<string, number> = {};
  let generated = 0;
  let labelled = 0;
  let tasksWithout = 0;
  for (const r of records) {
    inc(styles, r.style);
    if (!r.features.length) tasksWithout++;
    r.features.forEach((f) => distinct.add(f));
    for (const c of new Set(r.features.map((f) => f.split('/')[0] ?? f))) inc(perCategory, c);
    generated += r.tests.generated;
    labelled += r.tests.labelled;
    inc(rlSuiteSizes, String(r.tests.rl));
    for (const t of r.rl?.tests ?? []) for (const f of t.flags ?? []) inc(flags, f);
  }
  const rl = records.flatMap((r) => (r.rl ? [r.rl] : []));
  return {
    tasks: records.length,
    rlTasks: rl.length,
    rlTests: rl.reduce((s, r) => s + r.tests.length, 0),
    added,
    styles,
    features: { distinct: distinct.size, perCategory, tasksWithout },
    testCounts: { generated, labelled, rlSuiteSizes },
    passRateHistogram: histogram01(rl.map((r) => r.pass_rate)),
    solverPassRates: rl.filter((r) => r.solver_pass_rate !== undefined).length,
    flags,
    discardReasons,
  };
}
