import { describe, expect, it } from 'vitest';
import { statementProblems } from '../activities/llm/statement-filters';

const opts = { minTokens: 200, hintFilter: true };
const filler = 'The festival committee walks along the row of lanterns and writes down every setting it sees. '.repeat(12);

describe('statement filters', () => {
  it('passes a long, hint-free statement', () => {
    expect(statementProblems(`# Lanterns\n\n${filler}\n\n## Input\nN and K.`, opts)).toEqual([]);
  });

  it('drops statements under the token floor (paper: 200 tokens)', () => {
    expect(statementProblems('# Tiny\nPrint the sum.', opts)[0]).toMatch(/too short: ~\d+ tokens < 200/);
  });

  it('drops statements that name the technique or the intended complexity', () => {
    expect(statementProblems(`${filler} Use a segment tree to answer queries.`, opts)).toEqual(['names a technique: "segment tree"']);
    expect(statementProblems(`${filler} An O(n log n) solution is expected.`, opts)).toEqual(['states a complexity: "O(n log n)"']);
    expect(statementProblems(`${filler} Solve it with BFS.`, opts)).toEqual(['names a technique: "BFS"']);
  });

  it('does not mistake ordinary words for hints, and can be switched off', () => {
    expect(statementProblems(`${filler} The greedy merchant hoards dfsx coins.`, { ...opts, hintFilter: false })).toEqual([]);
    expect(statementProblems(`${filler} Subsequences of the array are counted.`, opts)).toEqual([]);
  });
});
