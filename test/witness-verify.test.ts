/**
 * The witness rules (activities/verify/witness.ts) on hand-made matrices: identical programs are one witness,
 * behaviour clusters, the margin, outvoted clusters, labels only where the golden leads (its exact output),
 * float and checker classes, ties decided by evidence, and the policy's versioning.
 */
import { describe, expect, it } from 'vitest';
import { normalizedSource, programKey } from '../activities/verify/programs';
import { verifyMatrix, type VerificationInput } from '../activities/verify/dual-verify';
import { resolvePolicy } from '../activities/verify/policy';
import { floatTokensMatch } from '../activities/common/compare';
import type { MatrixCell } from '../activities/verify/votes';

const ok = (stdout: string): MatrixCell => ({ status: 'OK', stdout: `${stdout}\n` });
const tle: MatrixCell = { status: 'TLE', stdout: '' };
const N = 6;
const inputs = Array.from({ length: N }, (_, i) => `${i}\n`);
const right = inputs.map((_, i) => ok(String(i * i)));
/** Right except on test t, where it prints `v`. */
const wrongAt = (t: number, v = '-1'): MatrixCell[] => right.map((c, i) => (i === t ? ok(v) : c));

const py = (n: number, body = 'print(x)'): { code: string; language: 'python'; model: string } => ({ code: `# candidate ${n}\nx = ${n}\n${body}\n`, language: 'python', model: 'm1' });
const cpp = (n: number): { code: string; language: 'cpp'; model: string } => ({ code: `int main(){return ${n};}`, language: 'cpp', model: 'm2' });

function run(cells: (MatrixCell[] | null)[], candidates: VerificationInput['candidates'], extra: Partial<VerificationInput> = {}) {
  return verifyMatrix({ cells, inputs, seed: 1, label: 't', candidates, ...extra });
}

describe('program identity', () => {
  it('drops comments and whitespace but keeps what the program says', () => {
    expect(normalizedSource('x=1  # set x\nprint( x )\n', 'python')).toBe(normalizedSource('x = 1\n\n\nprint(x)', 'python'));
    expect(programKey('int a; // c\n/* block */ int b;', 'cpp')).toBe(programKey('int a;\nint b;', 'cpp'));
    expect(programKey('print("# not a comment")', 'python')).not.toBe(programKey('print("")', 'python'));
    expect(programKey('x=1', 'python')).not.toBe(programKey('x=2', 'python'));
  });
});

describe('independent witnesses', () => {
  it('the default policy is independent-witnesses@2; the paper stays selectable by name', () => {
    expect(resolvePolicy(undefined)).toMatchObject({ algorithm: 'witness', name: 'independent-witnesses', version: 2, witnesses: { min: 2, margin: 1 } });
    expect(resolvePolicy({ name: 'paper-dual-verification' })).toMatchObject({ algorithm: 'paper', version: 1 });
    expect(() => resolvePolicy({ witnesses: { minimum: 3 } } as never)).toThrow(/minimum/);
    expect(() => resolvePolicy({ adaptiv: {} } as never)).toThrow(/adaptiv/);
  });

  it('five identical copies of a wrong program are one witness and lose to three distinct correct ones', () => {
    const naive = wrongAt(5);
    const cells = [naive, naive, naive, naive, naive, right, right, right];
    const candidates = [py(9), py(9), py(9), py(9), py(9), py(1), py(2), cpp(3)];
    const r = run(cells, candidates);
    expect(r.decision).toBe('kept');
    expect([5, 6, 7]).toContain(r.goldenIndex);
    expect(r.witness?.witnesses).toHaveLength(3);
    expect(r.witness?.clusters[1]).toMatchObject({ witnesses: 1, members: [0, 1, 2, 3, 4] });
    // The paper's plurality counts the five copies as five votes and keeps the naive program.
    const paper = run(cells, candidates, { policy: { name: 'paper-dual-verification' } });
    expect(paper.goldenIndex === undefined || paper.goldenIndex < 5).toBe(true);
  });

  it('a single distinct program is not enough, however often it was sampled', () => {
    const r = run([right, right, right, wrongAt(2)], [py(1), py(1), py(1), py(2)]);
    expect(r).toMatchObject({ decision: 'discarded', reason: 'too_few_witnesses' });
    expect(r.explanation).toMatch(/1 distinct program/);
  });

  it('two clusters with equal evidence are a tie, decided by nothing: discarded', () => {
    const r = run([right, right, wrongAt(1), wrongAt(1)], [py(1), py(2), py(3), py(4)]);
    expect(r).toMatchObject({ decision: 'discarded', reason: 'no_clear_winner' });
    // Agreement across languages is more evidence than the same count in one language: that cluster ranks first,
    // but a test on which as many programs back another answer is no evidence for it, so it is still no golden.
    const cross = run([right, right, wrongAt(1), wrongAt(1)], [py(1), cpp(2), py(3), py(4)], { policy: { witnesses: { margin: 0.5 } } });
    expect(cross.witness?.clusters[0]).toMatchObject({ members: [0, 1], evidence: 3 });
    expect(cross).toMatchObject({ decision: 'discarded', reason: 'golden_contradicted' });
    expect(cross.witness?.contradicted).toEqual([1]);
  });

  it('a cluster outvoted on a test by more distinct programs is not a golden', () => {
    // Two programs share a bug on test 4; four others (each wrong elsewhere) agree on the right answer there.
    const pair = wrongAt(4);
    const cells = [pair, pair, wrongAt(0), wrongAt(1), wrongAt(2), wrongAt(3), right];
    const r = run(cells, [py(1), cpp(2), py(3), py(4), py(5), py(6), py(7)]);
    expect(r).toMatchObject({ decision: 'discarded', reason: 'golden_contradicted' });
    expect(r.witness?.contradicted).toEqual([4]);
  });

  it('a cluster that times out where other programs answer is contradicted', () => {
    const slow = right.map((c, i) => (i === 5 ? tle : c));
    const r = run([slow, slow, slow, wrongAt(5, '7')], [py(1), py(2), cpp(3), py(4)]);
    expect(r).toMatchObject({ decision: 'discarded', reason: 'golden_contradicted' });
  });

  it('labels only where the golden leads, with its exact output', () => {
    const cells = [right, right, right, wrongAt(2), wrongAt(2)];
    const r = run(cells, [py(1), py(2), cpp(3), py(4), py(5)], { policy: { witnesses: { margin: 0.5 } } });
    expect(r.decision).toBe('kept');
    expect(r.votes[0]?.label).toBe('0\n');
    // Test 2: three programs for the right answer, two for -1: labelled; everything else unanimous.
    expect(r.labelled).toEqual([0, 1, 2, 3, 4, 5]);
    // Three programs against three on test 2: the golden does not lead there, so it is contradicted, not kept
    // with a label it cannot back.
    const tied = run([right, right, right, wrongAt(2), wrongAt(2), wrongAt(2)], [py(1), py(2), cpp(3), py(4), py(5), py(6)], {
      policy: { witnesses: { margin: 0.5 } },
    });
    expect(tied).toMatchObject({ decision: 'discarded', reason: 'golden_contradicted' });
    expect(tied.votes[2]).toMatchObject({ label: null, dropped: 'low_agreement' });
  });

  it('float outputs with other digits are one answer; integer tokens compare exactly', () => {
    const f = (v: string): MatrixCell[] => inputs.map(() => ok(v));
    const r = run([f('0.333333333'), f('0.33333333'), f('0.3333333334'), f('0.5')], [py(1), py(2), cpp(3), py(4)], {
      outputRule: { kind: 'float', absTolerance: 1e-6, relTolerance: 1e-6 },
    });
    expect(r).toMatchObject({ decision: 'kept', goldenIndex: expect.any(Number) });
    expect(r.witness?.witnesses).toHaveLength(3);
    expect(floatTokensMatch('999999499', '1000000000', 1e-6, 1e-6)).toBe(false);
    expect(floatTokensMatch('1000000000.0000001', '1000000000', 1e-6, 1e-6)).toBe(true);
    expect(floatTokensMatch('123456789012345678901', '123456789012345678901', 0, 0)).toBe(true);
  });

  it('under a checker program, classes from the checker decide: different valid answers vote together', () => {
    const cells = [inputs.map(() => ok('1 2')), inputs.map(() => ok('2 1')), inputs.map(() => ok('2 1')), inputs.map(() => ok('3 3'))];
    const classes = inputs.map(() => [0, 0, 0, 1]);
    const r = run(cells, [py(1), cpp(2), py(3), py(4)], { outputRule: { kind: 'testlib', code: '...' }, classes });
    expect(r.decision).toBe('kept');
    expect(r.witness?.witnesses).toHaveLength(3);
    const broken = run(cells, [py(1), cpp(2), py(3), py(4)], { outputRule: { kind: 'testlib', code: '...' }, checkerFailure: 'the checker does not compile: x' });
    expect(broken).toMatchObject({ decision: 'discarded', reason: 'checker_failed' });
  });

  it('a brute-force reference backs the cluster it agrees with on the small tests it ran', () => {
    const refCells = right.map((c, i) => (i < 3 ? c : null));
    const r = run([right, right, wrongAt(4), wrongAt(4)], [py(1), py(2), py(3), py(4)], { references: [{ code: 'brute', model: 'ref-model', cells: refCells }] });
    // Both clusters match the reference on tests 0..2, so both gain a witness: still a tie.
    expect(r.reason).toBe('no_clear_winner');
    const telling = right.map((c, i) => (i === 4 ? c : null));
    const r2 = run([right, right, wrongAt(4), wrongAt(4)], [py(1), py(2), py(3), py(4)], { references: [{ code: 'brute', model: 'ref-model', cells: telling }] });
    expect(r2.decision).toBe('kept');
    expect(r2.witness?.clusters[0]).toMatchObject({ references: [0], witnesses: 3 });
  });

  it('the report says who the witnesses are, the margin and the test counts', () => {
    const r = run([right, right, right, wrongAt(1)], [py(1), cpp(2), py(3), py(4)], { sources: ['given', 'given', 'given', 'given', 'generated', 'generated'] });
    expect(r.decision).toBe('kept');
    expect(r.witness).toMatchObject({
      witnesses: [
        { candidate: 0, language: 'python', model: 'm1' },
        { candidate: 1, language: 'cpp', model: 'm2' },
        { candidate: 2, language: 'python', model: 'm1' },
      ],
      margin: 3,
      tests: { given: 4, generated: 2, labelled: 6, total: 6 },
      goldenPassFraction: 1,
    });
  });
});
