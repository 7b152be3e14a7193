import { describe, expect, it } from 'vitest';
import { dualVerify, sizeQuartileWeights, splitTests, voteLabels, type MatrixCell } from '../activities/verify/dual-verify';

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
