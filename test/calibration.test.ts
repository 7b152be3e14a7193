/**
 * The calibration lane's small version: a slice of the calibration set (every output kind: exact, float, a testlib
 * checker, function I/O) executed in the real sandbox with a small pool of generator draws, then the default
 * policy measured on candidate sets with 5, 3, 1 and 0 correct of 8 and with duplicated candidates over several
 * seeds. It asserts the targets, and that without a generator the default still beats the paper's
 * algorithm on golden precision. `npm run calibrate` is the full lane (every problem, 10 seeds, a larger pool).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox, type JudgeSandbox } from '../activities/sandbox/bwrap-sandbox';
import { CALIBRATION } from './fixtures/calibration/index';
import { executeProblem, figures, MIXES, runTrial, type ExecutedProblem, type LanePolicy, type Trial } from './fixtures/calibration/lane';
import type { CalibrationProblem } from './fixtures/calibration/types';

const SEEDS = 5;
const POOL = { small: 2, medium: 2, large: 1 };

/** Two problems of each output kind, spread over the three files. */
function slice(): CalibrationProblem[] {
  const kind = (p: CalibrationProblem): string => (p.ioMode === 'function' ? 'function' : p.output.kind);
  const picked: CalibrationProblem[] = [];
  for (const k of ['exact', 'float', 'testlib', 'function']) picked.push(...CALIBRATION.filter((p) => kind(p) === k).slice(0, 2));
  return picked;
}

describe('the calibration lane (small version)', () => {
  let sandbox: JudgeSandbox;
  const executed: ExecutedProblem[] = [];
  const problems = slice();

  beforeAll(async () => {
    sandbox = createBwrapSandbox();
    for (const p of problems) executed.push(await executeProblem(sandbox, p, POOL, 2));
    // Budget: ~8 solutions × ~66 inputs per problem, up to a second each for the deliberately slow ones.
  }, problems.length * 120_000);
  afterAll(() => sandbox?.close());

  const lane = async (policy: LanePolicy): Promise<Trial[]> => {
    const ts: Trial[] = [];
    for (let seed = 0; seed < SEEDS; seed++) for (const e of executed) for (const mix of MIXES) ts.push(await runTrial(e, mix, seed, policy));
    return ts;
  };

  it('covers every output kind, and the known-correct solutions succeed everywhere', () => {
    expect(new Set(problems.map((p) => (p.ioMode === 'function' ? 'function' : p.output.kind)))).toEqual(new Set(['exact', 'float', 'testlib', 'function']));
    for (const e of executed) {
      expect(e.checkerFailure, e.problem.id).toBeUndefined();
      expect(e.correctFailures ?? [], e.problem.id).toEqual([]);
    }
  });

  it('meets the targets with the generator: golden precision, label accuracy, kept and discarded shares', async () => {
    const ts = await lane({ name: 'default', policy: {}, generator: true });
    const all = figures(ts);
    expect(all.goldenPrecision).toBeGreaterThanOrEqual(0.99);
    expect(all.labelAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(figures(ts.filter((t) => t.correct > 4)).keptShare).toBeGreaterThanOrEqual(0.95);
    expect(figures(ts.filter((t) => t.mix === '3 of 8' || t.mix === '5 copies wrong + 3 correct')).keptShare).toBeGreaterThanOrEqual(0.9);
    expect(1 - figures(ts.filter((t) => t.correct === 0)).keptShare).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('without a generator still beats the paper on golden precision, on the same sets', async () => {
    const witness = figures(await lane({ name: 'given only', policy: {}, generator: false }));
    const paper = figures(await lane({ name: 'paper', policy: { algorithm: 'paper' }, generator: false }));
    expect(witness.goldenPrecision).toBeGreaterThan(paper.goldenPrecision);
  }, 120_000);
});
