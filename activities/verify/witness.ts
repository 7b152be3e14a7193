/**
 * Verification by independent witnesses (policy algorithm 'witness', independent-witnesses@2), a pure function
 * of the execution matrix, so that it can be unit-tested on hand-made matrices and re-run under another policy
 * without executing anything (relabel.ts). Where the paper's plurality vote fails (repeated samples of one
 * program voting as if independent; wrong programs that agree on a small test set; correct programs printing
 * different valid answers), these rules hold instead:
 *
 * 1. Outputs are compared under the task's rule (classes.ts): exact, token, float, or a checker program.
 * 2. Candidates with the same verdicts and output classes on every test form a behaviour cluster.
 * 3. A cluster's witnesses are its distinct programs (programs.ts: identical sources count once); its evidence
 *    is witnesses + 0.5 per extra language + 0.5 per extra model (a brute-force reference that agrees with it on
 *    the tests it ran adds a witness of its own model).
 * 4. The golden cluster is the one with the most evidence; it must have `witnesses.min` distinct programs, beat
 *    the runner-up by `witnesses.margin`, and lead every test: on no test may another answer be backed by as many
 *    distinct programs as its own (a tie is no evidence for it), and it must succeed wherever any program did.
 *    Clusters are ranked by evidence, then tests succeeded on; a tie left after that discards the task: never
 *    list order.
 * 5. A test is labelled only where the golden cluster's answer strictly leads that test's vote of distinct
 *    programs; the label is the golden's exact stdout (a strict checker sees what the golden printed).
 */
import type { DiscardReason } from '../../workflows/types';
import { outputClasses, type OutputClasses } from './classes';
import type { VerificationInput, VerificationResult, WitnessReport } from './dual-verify';
import { rngFor } from '../common/rng';
import { flagCheatableTests, type CheatFlag } from './flags';
import { comparatorFor, type Comparison } from './outputs';
import { policyTag, solvabilityFailure, type VerificationPolicy } from './policy';
import { programKey } from './programs';
import type { MatrixCell, TestVote } from './votes';

interface Cluster {
  members: number[];
  programs: Set<string>;
  languages: Set<string>;
  models: Set<string>;
  /** References (indices) that agree with the cluster on every test they ran. */
  references: number[];
  evidence: number;
  /** Tests the cluster's programs ran successfully. */
  okTests: number;
  /** Class per test (null = failed, undefined = not run). */
  classes: (number | null | undefined)[];
}

const fmt = (x: number): string => Number(x.toFixed(3)).toString();

export function witnessVerify(input: VerificationInput, policy: VerificationPolicy): VerificationResult {
  const { cells, inputs, label } = input;
  const n = inputs.length;
  const rule = input.outputRule;
  const comparison = input.checker ?? (rule && rule.kind !== 'testlib' ? rule : policy.comparison);
  const refs = input.references ?? [];
  const rows: (readonly (MatrixCell | null | undefined)[] | null)[] = [...cells, ...refs.map((r) => r.cells)];
  const testlib = rule?.kind === 'testlib';
  // Echo/constant flags compare strings; under a checker that is the exact rule.
  const comparator = comparatorFor(testlib ? { kind: 'exact' } : comparison);
  const oc: OutputClasses = testlib && input.classes ? outputClasses(rows, n, { given: input.classes }) : outputClasses(rows, n, { comparator });
  const meta = input.candidates ?? [];
  const programOf = cells.map((row, i) => (row ? programKey(meta[i]?.code ?? `#row ${i}`, meta[i]?.language ?? 'python') : null));
  const refProgram = refs.map((r, k) => `reference:${k}:${programKey(r.code, 'python')}`);

  // 2. Behaviour clusters of the candidates that ran.
  const bySignature = new Map<string, Cluster>();
  cells.forEach((row, i) => {
    if (!row) return;
    const classes = oc.of.map((ofT) => ofT[i]);
    const signature = classes.map((k, t) => (k === null ? `!${row[t]?.status ?? '?'}` : k === undefined ? '_' : String(k))).join(',');
    let c = bySignature.get(signature);
    if (!c) {
      c = { members: [], programs: new Set(), languages: new Set(), models: new Set(), references: [], evidence: 0, okTests: classes.filter((k) => typeof k === 'number').length, classes };
      bySignature.set(signature, c);
    }
    c.members.push(i);
    c.programs.add(programOf[i] as string);
    c.languages.add(meta[i]?.language ?? 'python');
    c.models.add(meta[i]?.model ?? 'unknown');
  });
  const clusters = [...bySignature.values()];
  // A reference ran on small inputs only: it backs every cluster that matches it wherever it succeeded.
  refs.forEach((r, k) => {
    const row = cells.length + k;
    const okTests = oc.of.flatMap((ofT, t) => (typeof ofT[row] === 'number' ? [t] : []));
    if (!okTests.length) return;
    for (const c of clusters) {
      if (okTests.every((t) => c.classes[t] === oc.of[t]?.[row])) {
        c.references.push(k);
        c.programs.add(refProgram[k] as string);
        c.models.add(`reference/${r.model ?? 'unknown'}`);
      }
    }
  });
  for (const c of clusters) c.evidence = c.programs.size + 0.5 * (c.languages.size - 1) + 0.5 * (c.models.size - 1);
  clusters.sort((a, b) => b.evidence - a.evidence || b.okTests - a.okTests || a.members[0]! - b.members[0]!);

  // Per-test support: distinct programs (candidates and references) behind each answer.
  const support: Map<number, Set<string>>[] = oc.of.map((ofT) => {
    const m = new Map<number, Set<string>>();
    ofT.forEach((k, row) => {
      if (typeof k !== 'number') return;
      const p = row < cells.length ? programOf[row] : refProgram[row - cells.length];
      if (!p) return;
      if (!m.has(k)) m.set(k, new Set());
      m.get(k)!.add(p);
    });
    return m;
  });
  const backing = (t: number, k: number | null | undefined): number => (typeof k === 'number' ? (support[t]?.get(k)?.size ?? 0) : 0);
  const rival = (t: number, k: number | null | undefined): number => Math.max(0, ...[...(support[t] ?? new Map()).entries()].filter(([x]) => x !== k).map(([, s]) => s.size));

  // A cluster that never succeeded has no answer to be a golden for (two programs crashing alike are not evidence).
  const answering = clusters.filter((c) => c.okTests > 0);
  const best = answering[0];
  const runnerUp = answering[1];
  const tied = !!best && !!runnerUp && best.evidence === runnerUp.evidence && best.okTests === runnerUp.okTests;
  const golden = best ? bestMember(best, programOf, input.seed, label) : undefined;
  const gClasses = best?.classes ?? [];
  // 4. Contested tests: another answer has as many distinct programs, or the golden failed where something succeeded.
  const contradicted = best
    ? gClasses.flatMap((k, t) => (k === undefined ? [] : k === null ? (rival(t, k) > 0 ? [t] : []) : rival(t, k) >= backing(t, k) ? [t] : []))
    : [];
  // 5. Labels only where the golden's answer strictly leads.
  const labels: (string | null)[] = Array.from({ length: n }, (_, t) => {
    const k = gClasses[t];
    if (golden === undefined || typeof k !== 'number' || backing(t, k) <= rival(t, k)) return null;
    return cells[golden]?.[t]?.stdout ?? null;
  });
  const votes: TestVote[] = Array.from({ length: n }, (_, t) => {
    const entries = [...(support[t] ?? new Map<number, Set<string>>()).entries()].sort((a, b) => b[1].size - a[1].size || a[0] - b[0]);
    const voters = new Set(entries.flatMap(([, s]) => [...s])).size;
    const k = gClasses[t];
    const votesFor = backing(t, k);
    const lead = entries[0]?.[1].size ?? 0;
    const dropped = !voters ? 'no_successful_run' : labels[t] === null ? (typeof k === 'number' ? 'low_agreement' : 'golden_failed') : undefined;
    return {
      test: t,
      label: labels[t] ?? null,
      votes: typeof k === 'number' ? votesFor : lead,
      voters,
      agreement: voters ? (typeof k === 'number' ? votesFor : lead) / voters : 0,
      tally: entries.map(([cls, s]) => ({ output: comparator.canonical(oc.reps[t]?.[cls] ?? ''), votes: s.size, firstCandidate: oc.of[t]!.findIndex((x) => x === cls) })),
      tie: entries.length > 1 && entries[0]![1].size === entries[1]![1].size,
      ...(dropped ? { dropped } : {}),
    };
  });
  const labelled = votes.filter((v) => v.label !== null).map((v) => v.test);
  const matchesGolden = (row: number, t: number): boolean => typeof gClasses[t] === 'number' && oc.of[t]?.[row] === gClasses[t];
  const passRates = cells.map((row, i) => (row ? (labelled.length ? labelled.filter((t) => matchesGolden(i, t)).length / labelled.length : 0) : null));
  const cheat = flagCheatableTests(votes, inputs, cells, comparator);
  const dropFlags = new Set<CheatFlag>(policy.rlDropFlags);
  const rlSuite = labelled.filter((t) => !(cheat.flags[t] ?? []).some((f) => dropFlags.has(f)));
  const solverPassRate = solverRate(input, labelled, labels, comparison, testlib);
  const withOutput = oc.of.filter((ofT) => ofT.some((k) => typeof k === 'number')).length;
  const sources = input.sources ?? [];
  const report: WitnessReport = {
    clusters: clusters.slice(0, 8).map((c) => ({
      members: c.members,
      witnesses: c.programs.size,
      languages: [...c.languages].sort(),
      models: [...c.models].sort(),
      references: c.references,
      evidence: c.evidence,
      okTests: c.okTests,
    })),
    clusterCount: clusters.length,
    witnesses: best ? witnessList(best, programOf, meta) : [],
    margin: best ? best.evidence - (runnerUp?.evidence ?? 0) : 0,
    runnerUpEvidence: runnerUp?.evidence ?? 0,
    contradicted,
    tests: { given: sources.filter((s) => s !== 'generated').length, generated: sources.filter((s) => s === 'generated').length, labelled: labelled.length, total: n },
    goldenPassFraction: withOutput ? labelled.length / withOutput : 0,
  };

  const base: Omit<VerificationResult, 'decision' | 'explanation'> = {
    policy,
    seeds: { tie: input.seed, split: input.seed },
    comparison,
    votes,
    labelled,
    weights: Object.fromEntries(labelled.map((t) => [t, 1])),
    goldenHalf: labelled,
    heldOutHalf: [],
    goldenScores: passRates.map((r) => (r === null ? null : r * labelled.length)),
    goldenMaxScore: labelled.length,
    heldOutAccuracy: passRates,
    passRates,
    flags: cheat.flags,
    constantPassRate: cheat.constantPassRate,
    echoPassRate: cheat.echoPassRate,
    rlSuite,
    solverPassRate,
    witness: report,
    ...(input.outputRule ? { outputRule: input.outputRule } : {}),
  };
  const tag = policyTag(policy);
  const discard = (reason: DiscardReason, why: string): VerificationResult => ({ ...base, decision: 'discarded', reason, explanation: `discarded (${tag}): ${why}` });
  const describe = (c: Cluster | undefined): string =>
    c ? `${c.programs.size} distinct program(s) in ${[...c.languages].join('+')}${c.references.length ? ' with the reference' : ''} (evidence ${fmt(c.evidence)})` : 'nothing';

  if (input.checkerFailure) return discard('checker_failed', input.checkerFailure);
  if (!clusters.length) return discard('no_valid_candidates', 'no candidate could be run');
  if (!best) return discard('no_labelled_tests', `no candidate succeeded on any of ${n} tests`);
  if (best.programs.size < policy.witnesses.min)
    return discard('too_few_witnesses', `the best-supported behaviour has ${describe(best)}; ${policy.witnesses.min} distinct programs are needed (${clusters.length} clusters)`);
  if (tied || best.evidence - (runnerUp?.evidence ?? 0) < policy.witnesses.margin)
    return discard('no_clear_winner', `the best cluster has ${describe(best)}, the runner-up ${describe(runnerUp)}; a margin of ${policy.witnesses.margin} is needed`);
  if (contradicted.length)
    return discard('golden_contradicted', `the best cluster (${describe(best)}) is outvoted or fails on ${contradicted.length} test(s), first test ${contradicted[0]}`);
  if (!labelled.length) return discard('no_labelled_tests', `none of ${n} tests has an answer the golden cluster leads`);
  const unsolvable = solvabilityFailure(policy, solverPassRate);
  if (unsolvable) return discard('unsolvable', unsolvable);
  return {
    ...base,
    decision: 'kept',
    goldenIndex: golden,
    bestOnGolden: golden,
    bestOnHeldOut: golden,
    explanation:
      `kept (${tag}): candidate ${golden} of a cluster of ${describe(best)} beats the runner-up (${describe(runnerUp)}) by ${fmt(report.margin)}; ` +
      `${labelled.length}/${n} tests labelled (${report.tests.generated} generated); RL suite ${rlSuite.length} tests`,
  };
}

/**
 * The member to export. Members behave identically on every test, so no test prefers one: a seeded draw over the
 * cluster's distinct programs (not over copies, which would favour the most repeated program; not the fastest,
 * which favours programs that skip work), then that program's first candidate.
 */
function bestMember(c: Cluster, programOf: (string | null)[], seed: number, label: string): number {
  const programs = [...new Set(c.members.map((i) => programOf[i] as string))].sort();
  const chosen = programs[rngFor(seed, 'golden', label).int(programs.length)];
  return c.members.find((i) => programOf[i] === chosen) as number;
}

function witnessList(c: Cluster, programOf: (string | null)[], meta: NonNullable<VerificationInput['candidates']>): WitnessReport['witnesses'] {
  const seen = new Set<string>();
  const out: WitnessReport['witnesses'] = [];
  for (const i of c.members) {
    const p = programOf[i] as string;
    if (seen.has(p)) continue;
    seen.add(p);
    out.push({ candidate: i, language: meta[i]?.language ?? 'python', model: meta[i]?.model ?? 'unknown' });
  }
  return out;
}

/** The strong solver's share of the labels; under a checker program its pass rate must come measured. */
function solverRate(input: VerificationInput, labelled: number[], labels: (string | null)[], comparison: Comparison, testlib: boolean): number | null {
  const cells = input.solver?.cells;
  if (!cells || testlib) return input.solver?.passRate ?? null;
  if (!labelled.length) return 0;
  const match = comparatorFor(comparison);
  return labelled.filter((t) => cells[t]?.status === 'OK' && match.matches(cells[t]!.stdout, match.canonical(labels[t] ?? ''))).length / labelled.length;
}
