import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox, type JudgeSandbox } from '../activities/sandbox/bwrap-sandbox';
import { CORPUS } from './fixtures/verification/corpus';
import { executeCorpus, metrics, trials, type ExecutedProblem } from './fixtures/verification/harness';

describe('dual verification on the fixture corpus (known correct and wrong solutions, Python and C++)', () => {
  let sandbox: JudgeSandbox;
  let executed: ExecutedProblem[];

  beforeAll(async () => {
    sandbox = createBwrapSandbox();
    executed = await executeCorpus(sandbox);
  }, 120_000);
  afterAll(() => sandbox?.close());

  it('runs every solution in both languages, and the known-correct ones agree', () => {
    for (const e of executed) {
      expect(e.notRun).toEqual([]);
      expect(e.truth.every((t) => t !== null)).toBe(true);
      e.problem.solutions.forEach((s, i) => {
        const row = e.rows[i]!;
        const right = row.every((c, t) => c.status === 'OK' && c.stdout.trim() === e.truth[t]);
        // Every wrong solution fails at least one test: the corpus can tell them apart.
        expect(right, `${e.problem.id}/${s.id}`).toBe(s.correct);
      });
    }
    expect(new Set(CORPUS.flatMap((p) => p.solutions.map((s) => s.language)))).toEqual(new Set(['python', 'cpp']));
  });

  it('picks a correct golden solution whenever correct candidates are the majority', () => {
    for (let k = 5; k <= 8; k++) {
      const ts = executed.flatMap((e) => trials(e, 8, k, 10, 500 + k));
      const kept = ts.filter((t) => t.decision === 'kept');
      expect(kept.length).toBeGreaterThan(ts.length / 2);
      expect(kept.every((t) => t.goldenCorrect)).toBe(true);
      expect(metrics(ts).labelAccuracy).toBe(1);
    }
  });

  it('the verify CLI prints the verdict matrix, labels, golden and decision', async () => {
    const problem = CORPUS.find((p) => p.id === 'min-coins')!;
    const input = {
      tests: problem.inputs.slice(0, 6).map((i) => ({ input: i })),
      solutions: problem.solutions.filter((s) => ['py-dp', 'cpp-dp', 'py-greedy'].includes(s.id)).map(({ id, code, language }) => ({ id, code, language })),
    };
    const child = spawn('npx', ['tsx', path.join(__dirname, '..', 'workers', 'verify-cli.ts')], { cwd: path.join(__dirname, '..') });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(JSON.stringify(input));
    expect(await code).toBe(0);
    const out = JSON.parse(stdout) as { decision: string; golden: { id: string } | null; labels: string[]; matrix: { id: string; verdicts: string[] }[]; witnesses: string[] };
    expect([...out.witnesses].sort()).toEqual(['cpp-dp', 'py-dp']);
    // Two correct solutions (Python, C++) against a greedy one: the greedy one is WA on 6 and 10.
    expect(out.matrix.map((r) => r.id)).toEqual(['py-dp', 'cpp-dp', 'py-greedy']);
    // Labels are the golden's exact output; the two correct programs (two languages) are its witnesses.
    expect(out.labels).toEqual(['0\n', '1\n', '2\n', '2\n', '3\n', '3\n']);
    expect(out.matrix[2]!.verdicts).toEqual(['AC', 'AC', 'WA', 'AC', 'WA', 'AC']);
    expect(out.decision).toBe('kept');
    expect(['py-dp', 'cpp-dp']).toContain(out.golden?.id);
  }, 60_000);
});
