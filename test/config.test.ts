import { describe, expect, it } from 'vitest';
import { describeConfigError, endpointFor, PipelineConfigSchema, solverPlan } from '../workflows/config';

const minimal = { seedsPath: 'seeds.jsonl', llm: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' }, tasks: { count: 2 } };

describe('pipeline config', () => {
  it('fills the paper defaults (8 candidates, 15 tests, 70/15/15 styles, 2,1,2,1 branching)', () => {
    const c = PipelineConfigSchema.parse(minimal);
    expect(c.solutions.candidates).toBe(8);
    expect(c.tests.count).toBe(15);
    expect(c.tasks.styleWeights).toEqual({ codeforces: 0.7, leetcode: 0.15, atcoder: 0.15 });
    expect(c.features.evolutionBranching).toEqual([2, 1, 2, 1]);
    expect(c.features.minLeaves).toBe(25);
  });

  it('lets a role override only what it sets, inheriting the rest from the shared endpoint', () => {
    const c = PipelineConfigSchema.parse({ ...minimal, llm: { ...minimal.llm, temperature: 0.2, roles: { solver: { model: 'strong' } } } });
    expect(endpointFor(c, 'solver')).toMatchObject({ model: 'strong', temperature: 0.2 });
    expect(endpointFor(c, 'extractor')).toMatchObject({ model: 'm', temperature: 0.2 });
  });

  it('names every invalid field', () => {
    const r = PipelineConfigSchema.safeParse({ ...minimal, llm: { baseURL: 'not a url', model: '' }, solutions: { candidates: 0 }, typo: 1 });
    expect(r.success).toBe(false);
    const message = describeConfigError(r.error!);
    expect(message).toContain('llm.baseURL');
    expect(message).toContain('llm.model');
    expect(message).toContain('solutions.candidates');
    expect(message).toContain('"typo"');
  });

  it('splits the m candidates over several solver models by share, deterministically, each inheriting the solver role', () => {
    const parse = (solvers: unknown, candidates = 8) =>
      PipelineConfigSchema.parse({
        ...minimal,
        llm: { ...minimal.llm, roles: { solver: { temperature: 0.6 } } },
        solutions: { candidates, solvers },
      });
    const plan = (solvers: unknown, candidates?: number) => solverPlan(parse(solvers, candidates)).map((p) => [p.endpoint.model, p.candidates, p.endpoint.temperature]);
    expect(plan(undefined)).toEqual([['m', 8, 0.6]]);
    expect(plan([{ model: 'a' }, { model: 'b', temperature: 1 }])).toEqual([
      ['a', 4, 0.6],
      ['b', 4, 1],
    ]);
    // 8 × 1/3 = 2.67 each: the two largest remainders (ties → earlier solver) take the 2 left over.
    expect(plan([{ model: 'a' }, { model: 'b' }, { model: 'c' }])).toEqual([
      ['a', 3, 0.6],
      ['b', 3, 0.6],
      ['c', 2, 0.6],
    ]);
    // A share that rounds to nothing gets no request at all.
    expect(plan([{ model: 'a', share: 10 }, { model: 'b', share: 1 }], 4)).toEqual([['a', 4, 0.6]]);
    const bad = PipelineConfigSchema.safeParse({ ...minimal, solutions: { solvers: [{ model: 'a', share: 0 }] } });
    expect(describeConfigError(bad.error!)).toContain('solutions.solvers.0.share');
  });
});
