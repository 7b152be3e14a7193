import { afterAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { judgeSolutions } from '../activities/sandbox/judge';

const sandbox = createBwrapSandbox();
afterAll(() => sandbox.close());

describe('Python in the judge', () => {
  it('can use CYaRon (test-data generators) as well as the standard library', async () => {
    const generator = [
      'import random',
      'from cyaron import Graph, Sequence',
      'random.seed(int(input()))',
      'g = Graph.tree(5)',
      'print(len(list(g.iterate_edges())))',
      'print(Sequence(lambda i, f: 2 * i).get(1, 3))',
    ].join('\n');
    const [result] = await judgeSolutions(sandbox, [{ id: 'gen', code: generator }], [{ input: '42\n', output: '4\n[2, 4, 6]' }], {
      timeLimitMs: 5000,
      memoryMb: 256,
      outputLimitBytes: 1 << 20,
    });
    expect(result?.verdicts[0]?.verdict).toBe('AC');
  });
});
