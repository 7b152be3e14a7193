/**
 * Output-label accuracy and golden precision of dual verification on the fixture corpus of problems with known
 * correct and known wrong solutions (test/fixtures/verification/corpus.ts, Python and C++), executed once in the
 * real sandbox. For m = 8 candidates and each number k of correct ones, many seeded candidate sets are drawn
 * from the executed rows and verified under the default policy (the paper's algorithm) and two stricter ones,
 * side by side. Usage: `npx tsx bench/verification-accuracy.ts [trials per k, default 40]`.
 */
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import type { VerificationPolicyInput } from '../activities/verify/policy';
import { executeCorpus, metrics, trials, type Trial } from '../test/fixtures/verification/harness';

const M = 8;
const POLICIES: { name: string; policy?: VerificationPolicyInput }[] = [
  { name: 'paper (default)' },
  { name: 'agreement >= 0.6', policy: { name: 'agreement-gate', minAgreement: 0.6 } },
  { name: 'minVotes 3 + agreement >= 0.5', policy: { name: 'votes-gate', minVotes: 3, minAgreement: 0.5 } },
];

const pct = (x: number): string => (Number.isNaN(x) ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

async function main(): Promise<void> {
  const perK = Number(process.argv[2] ?? 40);
  const sandbox = createBwrapSandbox();
  const started = Date.now();
  const executed = await executeCorpus(sandbox);
  await sandbox.close();
  const langs = (lang: string): number => executed.reduce((s, e) => s + e.problem.solutions.filter((x) => x.language === lang).length, 0);
  console.log(`fixture corpus: ${executed.length} problems, ${langs('python')} Python + ${langs('cpp')} C++ solutions, executed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const e of executed) for (const n of e.notRun) console.log(`  ${e.problem.id}/${n.id}: ${n.why}`);

  for (const { name, policy } of POLICIES) {
    console.log(`\npolicy: ${name}; m = ${M} candidates, ${perK} draws per (problem, k)`);
    console.log('  k correct | kept  | label acc | golden precision');
    const all: Trial[] = [];
    for (let k = 0; k <= M; k++) {
      const ts = executed.flatMap((e) => trials(e, M, k, perK, 1000 + k, policy));
      all.push(...ts);
      const m = metrics(ts);
      console.log(`  ${String(k).padStart(9)} | ${pct(m.kept / m.trials)} | ${pct(m.labelAccuracy)}    | ${pct(m.goldenPrecision)}`);
    }
    const m = metrics(all);
    const majority = all.filter((t) => t.correctCount > M / 2 && t.decision === 'kept');
    console.log(`  overall   | ${pct(m.kept / m.trials)} | ${pct(m.labelAccuracy)}    | ${pct(m.goldenPrecision)}`);
    console.log(`  correct majority (k > ${M / 2}): ${majority.filter((t) => t.goldenCorrect).length}/${majority.length} kept tasks have a correct golden`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
