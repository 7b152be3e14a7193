import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchmarkLine, readBenchmarkFile } from '../activities/quality/benchmark-file';
import { BenchmarkIndex, describeContamination } from '../activities/quality/contamination';
import { estimateJaccard, lshShape, NearDuplicateFilter, signStatement } from '../activities/quality/near-duplicates';
import { distinct, jaccard, ngramHashes, normalizedTokens, normalizeStatement } from '../activities/quality/text';
import { ReplayCorpusSchema } from '../workers/replay-llm/corpus';
import { describeConfigError, PipelineConfigSchema } from '../workflows/config';
import { DEMO_CORPUS_PATH } from './helpers/pipeline-harness';

const corpus = ReplayCorpusSchema.parse(JSON.parse(readFileSync(DEMO_CORPUS_PATH, 'utf8')));
const statementOf = (id: string): string => corpus.tasks.find((t) => t.id === id)!.statement.question;
const LANTERN = statementOf('lantern-rows');
const POSTAGE = statementOf('exact-postage');
const STRETCH = statementOf('best-stretch');

/** The lantern task told again: other variable names, another street, another festival; same problem. */
const LANTERN_RETOLD = LANTERN.replace(/\bN\b/g, 'M')
  .replace(/\bK\b/g, 'S')
  .replace(/a_/g, 'b_')
  .replace(/Lumen Street/g, 'Harbour Road')
  .replace(/festival committee/g, 'town council');

const shingles = (text: string, n: number) => distinct(ngramHashes(normalizedTokens(text), n));

describe('statement normalisation', () => {
  it('drops case, markdown, punctuation and LaTeX commands, and folds single-letter names into one placeholder', () => {
    expect(normalizeStatement('## Input\n\n**1 \\le N \\le 10^5**, the *number*   of lanterns.')).toBe('input 1 # 10 5 the number of lanterns');
    expect(normalizeStatement('1 <= n <= 10^5')).toBe(normalizeStatement('$1 \\leq K \\leq 10^5$'));
    expect(normalizeStatement('a_1, a_2, ..., a_N')).toBe(normalizeStatement('b_1, b_2, ..., b_M'));
  });

  it('keeps numbers, so other constraints are other text', () => {
    expect(normalizeStatement('1 <= N <= 10^5')).not.toBe(normalizeStatement('1 <= N <= 10^6'));
    expect(normalizeStatement('Print 42.')).toBe('print 42');
  });

  it('hashes every word n-gram, a repeated phrase to the same value, and a short text as one n-gram', () => {
    const tokens = normalizedTokens('the quick brown fox jumps over the quick brown fox');
    const grams = ngramHashes(tokens, 3);
    expect(grams).toHaveLength(tokens.length - 2);
    expect(grams[0]).toBe(grams[6]); // "the quick brown" twice, and "quick brown fox"
    expect(distinct(grams)).toHaveLength(tokens.length - 2 - 2);
    expect(ngramHashes(normalizedTokens('two words'), 13)).toHaveLength(1);
    expect(ngramHashes([], 13)).toHaveLength(0);
  });
});

describe('decontamination by n-gram overlap', () => {
  const editedLantern = LANTERN.replace('night market', 'evening fair').replace('banners', 'flags').replace('brighter than the street lamps', 'brighter than the moon');
  const index = new BenchmarkIndex(
    [
      { id: 'bench-postage', text: POSTAGE },
      { id: 'bench-lantern', text: editedLantern },
    ],
    13
  );

  it('flags a lightly edited copy, naming the benchmark problem and the share of 13-grams it holds', () => {
    const verdict = index.check(LANTERN, 0.5);
    expect(verdict.contaminated).toBe(true);
    expect(verdict.match).toMatchObject({ problemId: 'bench-lantern' });
    // Three edits break at most 3 × 13 n-grams; the rest are verbatim.
    expect(verdict.match!.overlap).toBeGreaterThan(0.8);
    expect(verdict.match!.overlap).toBeLessThan(1);
    expect(describeContamination(verdict.match!, 13)).toMatch(/^benchmark problem bench-lantern holds \d+\.\d% of the statement's word 13-grams \(\d+\/\d+\)$/);
  });

  it('passes a different problem, and the threshold decides exactly', () => {
    expect(index.check(STRETCH, 0.5).contaminated).toBe(false);
    const overlap = index.check(LANTERN, 0.5).match!.overlap;
    expect(index.check(LANTERN, overlap).contaminated).toBe(true);
    expect(index.check(LANTERN, overlap + 1e-9).contaminated).toBe(false);
  });

  it('does not count boilerplate that many benchmark problems share', () => {
    const boilerplate =
      'Each test contains multiple test cases. The first line contains the number of test cases t. The description of the test cases follows. ' +
      'It is guaranteed that the sum of n over all test cases does not exceed two hundred thousand. For each test case print the answer on its own line.';
    const problems = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, text: `${boilerplate} Problem ${i} asks about item ${i * 7} in the list ${i}.` }));
    const statement = `${boilerplate}\n\n${STRETCH}`;
    const verdict = new BenchmarkIndex(problems, 13).check(statement, 0.5);
    expect(verdict.contaminated).toBe(false);
    expect(verdict.match?.overlap ?? 0).toBe(0);
    // Without the other 29 problems the same phrases are specific to one problem, and count.
    expect(new BenchmarkIndex(problems.slice(0, 1), 13).check(statement, 0.5).match!.shared).toBeGreaterThan(20);
  });
});

describe('benchmark file', () => {
  it('reads LiveCodeBench records and {id, text} lines, and reports the lines it cannot use', async () => {
    const lcb = (await fs.readFile(path.join(__dirname, 'fixtures', 'lcb', 'mini.jsonl'), 'utf8')).split('\n')[0]!;
    expect(parseBenchmarkLine(lcb)).toEqual({ id: 'abc900_a', text: '[lcb-s1] Read two integers A and B on one line and print A+B.' });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-bench-'));
    const file = path.join(dir, 'bench.jsonl');
    await fs.writeFile(file, [lcb, '', JSON.stringify({ id: 7, text: 'Count the lanterns.' }), '{broken', JSON.stringify({ title: 'no text' })].join('\n'));
    const read = await readBenchmarkFile(file);
    expect(read.problems.map((p) => p.id)).toEqual(['abc900_a', '7']);
    expect(read.rejected).toEqual([
      { line: 4, reason: 'not valid JSON' },
      { line: 5, reason: expect.stringContaining('question_id, question_content') },
    ]);
    await fs.rm(dir, { recursive: true });
  });
});

describe('near-duplicate removal across tasks', () => {
  it('estimates Jaccard similarity of word 5-gram shingles within the MinHash spread', () => {
    const pairs: [string, string][] = [
      [LANTERN, LANTERN_RETOLD],
      [LANTERN, POSTAGE],
      [POSTAGE, STRETCH],
      [LANTERN, LANTERN.replace(/lantern/g, 'lamp')],
    ];
    for (const [a, b] of pairs) {
      const exact = jaccard(shingles(a, 5), shingles(b, 5));
      const estimate = estimateJaccard(signStatement(a, 5).signature, signStatement(b, 5).signature);
      expect(Math.abs(estimate - exact)).toBeLessThan(0.12); // 3 standard errors of 128 bins
    }
  });

  it('removes a retelling with renamed variables as a near-duplicate of the earlier task, and keeps a different problem', () => {
    const filter = new NearDuplicateFilter(0.7);
    expect(filter.offer(0, signStatement(LANTERN, 5))).toBeUndefined();
    expect(filter.offer(1, signStatement(POSTAGE, 5))).toBeUndefined();
    const match = filter.offer(2, signStatement(LANTERN_RETOLD, 5));
    expect(match).toMatchObject({ keptId: 0, identical: false });
    expect(match!.similarity).toBeGreaterThanOrEqual(0.7);
    expect(match!.similarity).toBeLessThan(1);
    expect(filter.offer(3, signStatement(STRETCH, 5))).toBeUndefined();
    expect(filter.kept).toBe(3);
  });

  it('removes an identical statement with similarity 1, whatever the whitespace and case', () => {
    const filter = new NearDuplicateFilter(0.7);
    filter.offer(4, signStatement(POSTAGE, 5));
    expect(filter.offer(9, signStatement(`  ${POSTAGE.toUpperCase().replace(/\n/g, '\n\n')}`, 5))).toEqual({ keptId: 4, similarity: 1, identical: true });
  });

  it('respects the threshold: a retelling below it stays', () => {
    const exact = jaccard(shingles(LANTERN, 5), shingles(LANTERN_RETOLD, 5));
    const strict = new NearDuplicateFilter(Math.min(1, exact + 0.15));
    strict.offer(0, signStatement(LANTERN, 5));
    expect(strict.offer(1, signStatement(LANTERN_RETOLD, 5))).toBeUndefined();
    expect(strict.kept).toBe(2);
  });

  it('is deterministic and keeps whichever comes first', () => {
    const run = (texts: string[]) => {
      const filter = new NearDuplicateFilter(0.7);
      return texts.map((t, i) => filter.offer(i, signStatement(t, 5)) ?? null);
    };
    const texts = [LANTERN, POSTAGE, LANTERN_RETOLD, POSTAGE, STRETCH];
    expect(run(texts)).toEqual(run(texts));
    expect(run(texts).map((m) => m?.keptId ?? null)).toEqual([null, null, 0, 1, null]);
    // Swapped order: the retelling is now the earlier task and the original is its near-duplicate.
    expect(run([LANTERN_RETOLD, LANTERN]).map((m) => m?.keptId ?? null)).toEqual([null, 0]);
  });

  it('bands the signature so that pairs at the threshold become candidates with probability >= 0.98', () => {
    for (const t of [0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
      const { bands, rows } = lshShape(t);
      expect(bands * rows).toBeLessThanOrEqual(128);
      expect(1 - (1 - t ** rows) ** bands).toBeGreaterThanOrEqual(0.98);
    }
    expect(lshShape(0.7)).toEqual({ bands: 25, rows: 5 });
  });
});

describe('quality config', () => {
  const minimal = { seedsPath: 's.jsonl', llm: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' } };

  it('removes near-duplicates by default and decontaminates only with a benchmark file', () => {
    const c = PipelineConfigSchema.parse({ ...minimal, tasks: { count: 2 } });
    expect(c.tasks.nearDuplicates).toEqual({ enabled: true, ngram: 5, threshold: 0.7 });
    expect(c.tasks.decontamination).toBeUndefined();
    const d = PipelineConfigSchema.parse({ ...minimal, tasks: { count: 2, decontamination: { benchmarkPath: '/data/lcb.jsonl' } } });
    expect(d.tasks.decontamination).toEqual({ benchmarkPath: '/data/lcb.jsonl', ngram: 13, threshold: 0.5 });
  });

  it('names each invalid field', () => {
    const r = PipelineConfigSchema.safeParse({
      ...minimal,
      tasks: { count: 2, decontamination: { ngram: 2, threshold: 1.5 }, nearDuplicates: { threshold: 0, ngram: 0, typo: true } },
    });
    expect(r.success).toBe(false);
    const message = describeConfigError(r.error!);
    for (const field of [
      'tasks.decontamination.benchmarkPath',
      'tasks.decontamination.ngram',
      'tasks.decontamination.threshold',
      'tasks.nearDuplicates.threshold',
      'tasks.nearDuplicates.ngram',
    ]) {
      expect(message).toContain(field);
    }
    expect(message).toContain('"typo"');
  });
});
