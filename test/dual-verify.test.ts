import { describe, expect, it } from 'vitest';
import { dualVerify, sizeQuartileWeights, splitTests, voteLabels, type MatrixCell } from '../activities/verify/dual-verify';
import { DEFAULT_POLICY } from '../activities/verify/policy';

const ok = (stdout: string): MatrixCell => ({ status: 'OK', stdout });
const re: MatrixCell = { status: 'RE', stdout: '' };
const tle: MatrixCell = { status: 'TLE', stdout: '' };

describe('plurality voting', () => {
  it('labels each test with the most common output of successful runs only', () => {
    const cells = [[ok('3'), ok('1')], [ok('3 \n'), re], [ok('4'), tle], [re, ok('2')], [ok('4'), ok('1')]];
    const votes = voteLabels(cells, 2, 1, 't');
    expect(votes[0]).toMatchObject({ votes: 2, voters: 4, tie: true });
    expect(['3', '4']).toContain(votes[0]?.label);
    expect(votes[1]).toMatchObject({ label: '1', votes: 2, voters: 3, tie: false });
  });

  it('breaks ties with the seed, reproducibly', () => {
    const cells = [[ok('a')], [ok('b')]];
    const first = voteLabels(cells, 1, 5, 'task')[0]?.label;
    for (let i = 0; i < 5; i++) expect(voteLabels(cells, 1, 5, 'task')[0]?.label).toBe(first);
    const seen = new Set(Array.from({ length: 40 }, (_, s) => voteLabels(cells, 1, s, 'task')[0]?.label));
    expect(seen).toEqual(new Set(['a', 'b']));
  });

  it('leaves a test unlabelled when no run succeeded', () => {
    expect(voteLabels([[re], [tle], null], 1, 1, 't')[0]?.label).toBeNull();
  });
});

describe('size-quartile weights and split', () => {
  it('gives weights 1..4 by input size, largest = 4', () => {
    const inputs = ['1', '22', '333', '4444', '55555', '666666', '7777777', '88888888'];
    expect(sizeQuartileWeights([0, 1, 2, 3, 4, 5, 6, 7], inputs)).toEqual({ 0: 1, 1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4, 7: 4 });
    expect(sizeQuartileWeights([7, 0], inputs)).toEqual({ 0: 1, 7: 3 });
  });

  it('splits 50/50, disjoint, covering every test, reproducibly', () => {
    const tests = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const { golden, heldOut } = splitTests(tests, 9, 'x');
    expect(golden).toHaveLength(5);
    expect(heldOut).toHaveLength(4);
    expect([...golden, ...heldOut].sort((a, b) => a - b)).toEqual(tests);
    expect(splitTests(tests, 9, 'x')).toEqual({ golden, heldOut });
  });
});

describe('golden selection (Algorithm 1)', () => {
  const inputs = Array.from({ length: 8 }, (_, i) => 'x'.repeat(i + 1));
  const right = inputs.map((_, i) => ok(String(i)));

  it('strict confirmation: a candidate that ties the golden on the held-out half does not discard it', () => {
    // The golden-half leader is candidate 1 (candidate 0 misses a golden-half test); candidate 0 ties it on every
    // held-out test, so the first held-out argmax is 0, yet 1 is a held-out maximum too: confirmed.
    for (let seed = 0; seed < 10; seed++) {
      const { golden } = splitTests([0, 1, 2, 3, 4, 5, 6, 7], seed, 't');
      const lesser = right.map((c, i) => (i === golden[0] ? ok('bad') : c));
      const r = dualVerify({ cells: [lesser, right, right], inputs, seed, label: 't' });
      expect(r).toMatchObject({ decision: 'kept', goldenIndex: 1, bestOnHeldOut: 0 });
    }
  });

  it('keeps the task with a correct golden when most candidates agree', () => {
    const wrong = inputs.map((_, i) => ok(i % 2 ? String(i) : 'bad'));
    const r = dualVerify({ cells: [wrong, right, right, right], inputs, seed: 1, label: 't' });
    expect(r.decision).toBe('kept');
    expect(r.goldenIndex).toBe(1);
    expect(r.labelled).toHaveLength(8);
    expect(r.passRates).toEqual([0.5, 1, 1, 1]);
  });

  it('discards when no run succeeds anywhere', () => {
    const r = dualVerify({ cells: [inputs.map(() => re), inputs.map(() => tle)], inputs, seed: 1, label: 't' });
    expect(r).toMatchObject({ decision: 'discarded', reason: 'no_labelled_tests' });
  });

  it('discards when there is no valid candidate', () => {
    expect(dualVerify({ cells: [null, null], inputs, seed: 1, label: 't' })).toMatchObject({ decision: 'discarded', reason: 'no_valid_candidates' });
  });

  it('discards when only one test has a label (nothing to hold out)', () => {
    const cells = [inputs.map((_, i) => (i === 0 ? ok('0') : re))];
    expect(dualVerify({ cells, inputs, seed: 1, label: 't' })).toMatchObject({ decision: 'discarded', reason: 'too_few_labelled_tests' });
  });

  it('discards when the golden-half winner is not the held-out winner', () => {
    // Two camps, each right on one half only; each camp has a crashing ally so labels are the truth.
    for (let seed = 0; seed < 50; seed++) {
      const { golden } = splitTests([0, 1, 2, 3, 4, 5, 6, 7], seed, 't');
      const onGolden = (i: number): boolean => golden.includes(i);
      const a = inputs.map((_, i) => (onGolden(i) ? ok(String(i)) : ok('a')));
      const b = inputs.map((_, i) => (onGolden(i) ? ok('b') : ok(String(i))));
      const allyOfA = inputs.map((_, i) => (onGolden(i) ? ok(String(i)) : re));
      const allyOfB = inputs.map((_, i) => (onGolden(i) ? re : ok(String(i))));
      const r = dualVerify({ cells: [a, b, allyOfA, allyOfB], inputs, seed, label: 't' });
      expect(r.labelled).toHaveLength(8);
      expect(r.decision).toBe('discarded');
      expect(r.reason).toBe('golden_not_confirmed');
      expect(r.bestOnGolden).not.toBe(r.bestOnHeldOut);
    }
  });
});

describe('policy rules', () => {
  const inputs = Array.from({ length: 8 }, (_, i) => 'x'.repeat(i + 1));
  const right = inputs.map((_, i) => ok(String(i)));

  it('defaults are the paper algorithm and are recorded with the decision', () => {
    const r = dualVerify({ cells: [right, right], inputs, seed: 1, label: 't' });
    expect(r.policy).toMatchObject({ name: 'paper-dual-verification', version: 1, tieBreak: 'seeded', weights: 'size-quartile', goldenFraction: 0.5, holdOutTolerance: null, minAgreement: 0, minVotes: 1 });
    expect(r.seeds).toEqual({ tie: 1, split: 1 });
    expect(r.explanation).toMatch(/^kept \(paper-dual-verification@1\)/);
    expect(r.goldenMaxScore).toBe(r.goldenHalf.reduce((s, t) => s + (r.weights[t] ?? 0), 0));
  });

  it('breaks ties by first candidate or lexically when asked', () => {
    const cells = [[ok('b')], [ok('a')]];
    expect(voteLabels(cells, 1, 1, 't', { ...DEFAULT_POLICY, tieBreak: 'first' })[0]?.label).toBe('b');
    expect(voteLabels(cells, 1, 1, 't', { ...DEFAULT_POLICY, tieBreak: 'lexical' })[0]?.label).toBe('a');
  });

  it('drops tests whose label misses the agreement gates, and says why', () => {
    const cells = [[ok('1'), ok('1')], [ok('1'), ok('2')], [ok('2'), ok('3')], [re, re]];
    const gated = voteLabels(cells, 2, 1, 't', { ...DEFAULT_POLICY, minAgreement: 0.6 });
    expect(gated[0]).toMatchObject({ label: '1', agreement: 2 / 3 });
    expect(gated[1]).toMatchObject({ label: null, dropped: 'low_agreement' });
    expect(voteLabels(cells, 2, 1, 't', { ...DEFAULT_POLICY, minVotes: 2 })[1]).toMatchObject({ label: null, dropped: 'too_few_votes' });
    expect(voteLabels([[re], [tle]], 1, 1, 't')[0]).toMatchObject({ label: null, dropped: 'no_successful_run' });
  });

  it('compares with the configured normalisation (token, float tolerance)', () => {
    const cells = [[ok('1  2\n3')], [ok('1 2 3')], [ok('1 2 4')]];
    expect(voteLabels(cells, 1, 1, 't')[0]?.votes).toBe(1);
    expect(voteLabels(cells, 1, 1, 't', { ...DEFAULT_POLICY, comparison: { kind: 'token' } })[0]).toMatchObject({ label: '1 2 3', votes: 2 });
    const floats = [[ok('0.3333333')], [ok('0.33333334')], [ok('0.5')]];
    const f = voteLabels(floats, 1, 1, 't', { ...DEFAULT_POLICY, comparison: { kind: 'float', absTolerance: 1e-6, relTolerance: 0 } })[0];
    expect(f).toMatchObject({ label: '0.3333333', votes: 2, voters: 3 });
  });

  it('a task checker replaces the policy comparison', () => {
    const a = inputs.map((_, i) => ok(`${i}.0000001`));
    const b = inputs.map((_, i) => ok(`${i}.0`));
    const r = dualVerify({ cells: [a, b], inputs, seed: 1, label: 't', checker: { kind: 'float', absTolerance: 1e-3, relTolerance: 0 } });
    expect(r.votes.every((v) => v.votes === 2)).toBe(true);
    expect(r.comparison.kind).toBe('float');
  });

  it('drops tests no candidate ran successfully and verifies on the rest', () => {
    const cells = [right.map((c, i) => (i < 2 ? re : c)), right.map((c, i) => (i < 2 ? tle : c))];
    const r = dualVerify({ cells, inputs, seed: 1, label: 't' });
    expect(r.labelled).toEqual([2, 3, 4, 5, 6, 7]);
    expect(r.votes[0]?.dropped).toBe('no_successful_run');
    expect(r.decision).toBe('kept');
  });

  it('uniform weights, another split seed and golden fraction', () => {
    const r = dualVerify({ cells: [right], inputs, seed: 1, label: 't', policy: { weights: 'uniform', splitSeed: 99, goldenFraction: 0.75 } });
    expect(Object.values(r.weights)).toEqual(Array(8).fill(1));
    expect(r.seeds).toEqual({ tie: 1, split: 99 });
    expect(r.goldenHalf).toHaveLength(6);
    expect(r.heldOutHalf).toHaveLength(2);
    expect(splitTests([0, 1, 2, 3, 4, 5, 6, 7], 99, 't', 0.75)).toEqual({ golden: r.goldenHalf, heldOut: r.heldOutHalf });
  });

  it('a hold-out tolerance keeps a golden winner that is competitively high on the held-out half', () => {
    // Candidate 0 is best on the golden half; candidate 1 beats it by one held-out test.
    for (let seed = 0; seed < 20; seed++) {
      const { golden, heldOut } = splitTests([0, 1, 2, 3, 4, 5, 6, 7], seed, 't');
      const miss = heldOut[0] as number;
      const a = right.map((c, i) => (i === miss ? ok('bad-a') : c));
      const b = right.map((c, i) => (i === golden[0] ? ok('bad-b') : c));
      const c = right;
      const d = right.map((x, i) => (i === golden[0] || i === golden[1] ? ok('bad-d') : x));
      // Make candidate 0 (a) the golden winner: c is placed after a and ties on golden; a wins by first max.
      const cells = [a, b, c, d];
      const strict = dualVerify({ cells, inputs, seed, label: 't' });
      expect(strict.bestOnGolden).toBe(0);
      expect(strict).toMatchObject({ decision: 'discarded', reason: 'golden_not_confirmed', bestOnHeldOut: 1 });
      const tolerant = dualVerify({ cells, inputs, seed, label: 't', policy: { holdOutTolerance: 1 / heldOut.length } });
      expect(tolerant).toMatchObject({ decision: 'kept', goldenIndex: 0 });
      expect(tolerant.explanation).toMatch(/held-out half/);
    }
  });

  it('solvability filter: needs a strong-solver pass rate > 0 (and >= the minimum)', () => {
    const base = { cells: [right, right], inputs, seed: 1, label: 't' };
    expect(dualVerify({ ...base, policy: { solvability: { required: true } } })).toMatchObject({ decision: 'discarded', reason: 'unsolvable', solverPassRate: null });
    expect(dualVerify({ ...base, policy: { solvability: { required: true } }, solver: { passRate: 0 } })).toMatchObject({ reason: 'unsolvable' });
    expect(dualVerify({ ...base, policy: { solvability: { required: true } }, solver: { passRate: 0.25 } })).toMatchObject({ decision: 'kept', solverPassRate: 0.25 });
    expect(dualVerify({ ...base, policy: { solvability: { required: true, minPassRate: 0.5 } }, solver: { passRate: 0.25 } })).toMatchObject({ reason: 'unsolvable' });
    // From the solver's own runs on the same tests: it matches 6 of the 8 labels.
    const solverCells = right.map((c, i) => (i < 2 ? re : c));
    expect(dualVerify({ ...base, policy: { solvability: { required: true } }, solver: { cells: solverCells } })).toMatchObject({ decision: 'kept', solverPassRate: 0.75 });
    // Off by default: the pass rate is still recorded for RL bucketing.
    expect(dualVerify({ ...base, solver: { passRate: 0 } })).toMatchObject({ decision: 'kept', solverPassRate: 0 });
  });
});

describe('cheatable-test flags', () => {
  it('flags constant, echo, trivial and single-vote labels, and drops them from RL by policy', () => {
    const inputs = ['7', '2', '3', '4', '5', '6'];
    // Test 0: every output "YES" (constant with test 1). Test 2: echo of the input. Test 5: one vote.
    const row = (last: MatrixCell): MatrixCell[] => [ok('YES'), ok('YES'), ok('3'), ok('16'), ok('25'), last];
    const cells = [row(re), row(ok('36')), [ok('YES'), ok('YES'), ok('3'), ok('16'), ok('0'), re]];
    const r = dualVerify({ cells, inputs, seed: 3, label: 't' });
    expect(r.flags[0]).toEqual(['constant', 'trivial']);
    expect(r.flags[2]).toEqual(['echo', 'trivial']);
    expect(r.flags[3]).toEqual(['trivial']);
    expect(r.flags[4]).toBeUndefined();
    expect(r.flags[5]).toEqual(['single_vote']);
    expect(r.constantPassRate).toBeCloseTo(2 / 6);
    expect(r.echoPassRate).toBeCloseTo(1 / 6);
    expect(r.rlSuite).toEqual(r.goldenHalf);
    const dropped = dualVerify({ cells, inputs, seed: 3, label: 't', policy: { rlDropFlags: ['constant', 'echo', 'single_vote'] } });
    expect(dropped.rlSuite).toEqual(dropped.goldenHalf.filter((t) => ![0, 1, 2, 5].includes(t)));
  });
});
