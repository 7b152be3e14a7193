/**
 * Scores of an evaluation and the comparison of two, as pure functions of per-sample outcomes (no I/O), so
 * the numbers are unit-testable and identical wherever they are computed.
 */
import type {
  DateWindow,
  Difficulty,
  EvaluationComparison,
  EvaluationReport,
  ProblemResult,
  SampleOutcome,
  SamplingParams,
  Scores,
} from './types';

type ProblemRow = EvaluationReport['problems'][number];

function scores(rows: readonly ProblemRow[]): Scores {
  const n = rows.length;
  const mean = (f: (r: ProblemRow) => number): number => (n === 0 ? 0 : rows.reduce((s, r) => s + f(r), 0) / n);
  return {
    problems: n,
    samples: rows.reduce((s, r) => s + r.samples, 0),
    pass1: mean((r) => (r.firstCorrect ? 1 : 0)),
    avgAtK: mean((r) => (r.samples === 0 ? 0 : r.correct / r.samples)),
    passAtK: mean((r) => (r.correct > 0 ? 1 : 0)),
  };
}

function inWindow(date: string, w: DateWindow): boolean {
  // ISO dates compare as strings; '2024-08-01T00:00:00' >= '2024-08-01'.
  return date !== '' && date >= w.from && date < w.to;
}

function groupBy<K extends string>(rows: readonly ProblemRow[], key: (r: ProblemRow) => K): Partial<Record<K, Scores>> {
  const groups = new Map<K, ProblemRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, g]) => [k, scores(g)])) as Partial<Record<K, Scores>>;
}

export function buildReport(args: {
  runId: string;
  model: string;
  sampling: SamplingParams;
  windows: readonly DateWindow[];
  results: readonly ProblemResult[];
}): EvaluationReport {
  const problems: ProblemRow[] = args.results.map((r) => ({
    id: r.id,
    difficulty: r.difficulty,
    contestDate: r.contestDate,
    correct: r.outcomes.filter((o) => o === 'AC').length,
    samples: r.outcomes.length,
    firstCorrect: r.outcomes[0] === 'AC',
  }));
  const outcomes: Partial<Record<SampleOutcome, number>> = {};
  for (const r of args.results) for (const o of r.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
  return {
    runId: args.runId,
    model: args.model,
    k: args.sampling.samples,
    sampling: args.sampling,
    overall: scores(problems),
    byDifficulty: groupBy(problems, (r) => r.difficulty),
    byWindow: Object.fromEntries(args.windows.map((w) => [w.name, scores(problems.filter((r) => inWindow(r.contestDate, w)))])),
    outcomes,
    problems,
  };
}

function diff(a: Scores, b: Scores): Scores {
  return {
    problems: b.problems,
    samples: b.samples,
    pass1: b.pass1 - a.pass1,
    avgAtK: b.avgAtK - a.avgAtK,
    passAtK: b.passAtK - a.passAtK,
  };
}

/**
 * candidate − baseline over the problems both evaluated (a run on a different file subset would otherwise
 * compare different questions). Windows are re-derived from the rows' dates with the candidate's windows.
 */
export function compareReports(baseline: EvaluationReport, candidate: EvaluationReport, windows: readonly DateWindow[]): EvaluationComparison {
  const ids = new Set(baseline.problems.map((p) => p.id));
  const common = new Set(candidate.problems.filter((p) => ids.has(p.id)).map((p) => p.id));
  const rowsOf = (r: EvaluationReport) => r.problems.filter((p) => common.has(p.id));
  const a = rowsOf(baseline);
  const b = rowsOf(candidate);
  const byDifficulty: Partial<Record<Difficulty, Scores>> = {};
  const da = groupBy(a, (r) => r.difficulty);
  const db = groupBy(b, (r) => r.difficulty);
  for (const d of Object.keys(db) as Difficulty[]) byDifficulty[d] = diff(da[d]!, db[d]!);
  const solved = (rows: ProblemRow[]) => new Set(rows.filter((r) => r.correct > 0).map((r) => r.id));
  const sa = solved(a);
  const sb = solved(b);
  return {
    baseline: baseline.runId,
    candidate: candidate.runId,
    commonProblems: common.size,
    delta: {
      overall: diff(scores(a), scores(b)),
      byDifficulty,
      byWindow: Object.fromEntries(
        windows.map((w) => [w.name, diff(scores(a.filter((r) => inWindow(r.contestDate, w))), scores(b.filter((r) => inWindow(r.contestDate, w))))])
      ),
    },
    gained: [...sb].filter((id) => !sa.has(id)).sort(),
    lost: [...sa].filter((id) => !sb.has(id)).sort(),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}`;

/** A plain-text table for the CLI and the workflow's details. */
export function formatReport(r: EvaluationReport): string {
  const line = (name: string, s: Scores) =>
    `${name.padEnd(14)} ${String(s.problems).padStart(5)}  ${pct(s.pass1).padStart(6)}  ${pct(s.avgAtK).padStart(6)}  ${pct(s.passAtK).padStart(6)}`;
  const lines = [
    `evaluation ${r.runId} of ${r.model}: k=${r.k}, T=${r.sampling.temperature}, top_p=${r.sampling.topP}, top_k=${r.sampling.topK ?? '-'}`,
    `${''.padEnd(14)} ${'n'.padStart(5)}  ${'pass@1'.padStart(6)}  ${`avg@${r.k}`.padStart(6)}  ${`pass@${r.k}`.padStart(6)}`,
    line('overall', r.overall),
    ...Object.entries(r.byDifficulty).map(([d, s]) => line(d, s)),
    ...Object.entries(r.byWindow).map(([w, s]) => line(w, s)),
    `outcomes: ${Object.entries(r.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')}`,
  ];
  return lines.join('\n');
}

export function formatComparison(c: EvaluationComparison): string {
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${pct(x)}`;
  const line = (name: string, s: Scores) => `${name.padEnd(14)} pass@1 ${signed(s.pass1)}  avg@k ${signed(s.avgAtK)}  pass@k ${signed(s.passAtK)}`;
  return [
    `${c.candidate} vs ${c.baseline} on ${c.commonProblems} common problems (points)`,
    line('overall', c.delta.overall),
    ...Object.entries(c.delta.byDifficulty).map(([d, s]) => line(d, s)),
    ...Object.entries(c.delta.byWindow).map(([w, s]) => line(w, s)),
    `gained: ${c.gained.join(', ') || '-'}`,
    `lost:   ${c.lost.join(', ') || '-'}`,
  ].join('\n');
}
