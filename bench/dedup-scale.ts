/**
 * Scale check of decontamination and near-duplicate removal on synthetic statements (no Temporal, no store):
 * N statements of ~300 words (a shared vocabulary plus Codeforces-like boilerplate, so unrelated statements share
 * some shingles as real ones do), 5 % of them edited copies of an earlier one (2 % of words replaced) and 1 %
 * exact copies; a benchmark of 1,000 problems, 20 of which are copies of statements.
 * Prints time and memory of signing + near-duplicate filtering, and of the contamination checks, plus recall of
 * the planted duplicates. Usage: `npx tsx bench/dedup-scale.ts [N, default 50000]`.
 */
import { BenchmarkIndex } from '../activities/quality/contamination';
import { NearDuplicateFilter, signStatement } from '../activities/quality/near-duplicates';
import { distinct, jaccard, ngramHashes, normalizedTokens } from '../activities/quality/text';
import { rngFor } from '../activities/common/rng';

const N = Number(process.argv[2] ?? 50_000);
const rng = rngFor(42, 'dedup-bench');
const rand = (): number => rng.next();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const VOCAB = Array.from({ length: 6000 }, (_, i) => `w${i.toString(36)}`);
const BOILERPLATE = [
  'Each test contains multiple test cases. The first line contains the number of test cases t (1 <= t <= 10^4).',
  'The first line of each test case contains a single integer n (1 <= n <= 2 * 10^5), the length of the array.',
  'It is guaranteed that the sum of n over all test cases does not exceed 2 * 10^5.',
  'For each test case, print a single integer: the answer to the problem.',
];

function statement(): string {
  // Zipf-like word choice: frequent words recur across statements as in real prose.
  const words = Array.from({ length: 260 }, () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)] as string);
  return `${words.join(' ')}\n\nInput\n${BOILERPLATE.join('\n')}\n`;
}

function edit(text: string, share: number): string {
  return text
    .split(' ')
    .map((w) => (rand() < share ? pick(VOCAB) : w))
    .join(' ');
}

const texts: string[] = [];
const plantedOf = new Map<number, number>();
for (let i = 0; i < N; i++) {
  const r = rand();
  if (i > 10 && r < 0.05) {
    const of = Math.floor(rand() * i);
    plantedOf.set(i, of);
    texts.push(edit(texts[of] as string, 0.02));
  } else if (i > 10 && r < 0.06) {
    const of = Math.floor(rand() * i);
    plantedOf.set(i, of);
    texts.push(texts[of] as string);
  } else texts.push(statement());
}
const benchmark = Array.from({ length: 1000 }, (_, i) => ({ id: `bench-${i}`, text: i < 20 ? edit(texts[i * 97] as string, 0.02) : statement() }));

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const seconds = (from: bigint): string => `${(Number(process.hrtime.bigint() - from) / 1e9).toFixed(2)} s`;

globalThis.gc?.();
const before = memory();
let t0 = process.hrtime.bigint();
const filter = new NearDuplicateFilter(0.7, N);
const removedSet = new Set<number>();
for (let i = 0; i < N; i++) if (filter.offer(i, signStatement(texts[i] as string, 5))) removedSet.add(i);
const dedupTime = seconds(t0);
globalThis.gc?.();
const dedupMemory = memory() - before;

// Recall against the exact Jaccard of each planted copy and its source (the filter decides on a ±0.04 estimate).
const shingles = (i: number) => distinct(ngramHashes(normalizedTokens(texts[i] as string), 5));
const recall = { clear: { found: 0, of: 0 }, near: { found: 0, of: 0 }, below: { found: 0, of: 0 } };
for (const [i, of] of plantedOf) {
  const j = jaccard(shingles(i), shingles(of));
  const bucket = j >= 0.75 ? recall.clear : j >= 0.7 ? recall.near : recall.below;
  bucket.of++;
  if (removedSet.has(i)) bucket.found++;
}
const falseRemovals = [...removedSet].filter((i) => !plantedOf.has(i)).length;

t0 = process.hrtime.bigint();
const index = new BenchmarkIndex(benchmark, 13);
const indexTime = seconds(t0);
t0 = process.hrtime.bigint();
// Statements copied into the benchmark, with every planted copy of the same original.
const root = (i: number): number => (plantedOf.has(i) ? root(plantedOf.get(i) as number) : i);
const copiedRoots = new Set(Array.from({ length: 20 }, (_, i) => root(i * 97)));
const copiedIntoBenchmark = new Set(texts.map((_, i) => i).filter((i) => copiedRoots.has(root(i))));
let contaminated = 0;
let contaminatedPlanted = 0;
texts.forEach((text, i) => {
  if (!index.check(text, 0.5).contaminated) return;
  contaminated++;
  if (copiedIntoBenchmark.has(i)) contaminatedPlanted++;
});
const checkTime = seconds(t0);

console.log(`near-duplicates: ${N} statements (${plantedOf.size} planted copies) in ${dedupTime}, ${mb(dedupMemory)} held (signatures + LSH, ${filter.bands} bands × ${filter.rows} rows)`);
console.log(
  `  removed ${removedSet.size} (${falseRemovals} not planted); planted copies removed: exact J >= 0.75 ${recall.clear.found}/${recall.clear.of}, ` +
    `0.7-0.75 ${recall.near.found}/${recall.near.of}, < 0.7 ${recall.below.found}/${recall.below.of}; kept ${filter.kept}`
);
console.log(`decontamination: index of ${benchmark.length} problems (${index.distinctNgrams} 13-grams) in ${indexTime}; ${N} checks in ${checkTime}; contaminated ${contaminated}, of them planted ${contaminatedPlanted}/${copiedIntoBenchmark.size}`);
