import { describe, expect, it } from 'vitest';
import { describeConfigError, endpointFor, PipelineConfigSchema } from '../workflows/config';

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
});
