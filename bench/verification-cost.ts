/**
 * What the witness policy's adaptive tests cost, side by side with the paper's policy, on live executions (no
 * cache): for candidate sets of the calibration set, (a) the paper's algorithm on the 16 given tests (execute
 * m × 16, verify), (b) the default policy with the task's generator (the same, then adaptive draws: generator
 * runs, distinct programs on the new inputs, checker runs, re-verification). Both run in one process, one set
 * after the other, so the ratio is measured on the same machine load.
 * Usage: `npx tsx bench/verification-cost.ts [sets, default 8]`.
 */
import { cpus } from 'node:os';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { checkerClasses } from '../activities/sandbox/checker-classes';
import { functionProgram } from '../activities/sandbox/function-harness';
import { DEFAULT_LIMITS } from '../activities/sandbox/types';
import { adaptTests, type AdaptiveState } from '../activities/verify/adaptive';
import { verifyMatrix } from '../activities/verify/dual-verify';
import { executeMatrix } from '../activities/verify/execute';
import { liveAdaptiveDeps } from '../activities/verify/live-adaptive';
import { resolvePolicy } from '../activities/verify/policy';
import { CALIBRATION } from '../test/fixtures/calibration/index';
import { drawMix, MIXES, SCALES } from '../test/fixtures/calibration/lane';

const GEN_LIMITS = { timeLimitMs: 10_000, memoryMb: 1024, outputLimitBytes: 64 << 20 };

async function main(): Promise<void> {
  const sets = Number(process.argv[2] ?? 8);
  const sandbox = createBwrapSandbox();
  const concurrency = Math.max(1, cpus().length);
  const rows: { paper: { ms: number; runs: number }; witness: { ms: number; runs: number; added: number } }[] = [];
  try {
    for (let n = 0; n < sets; n++) {
      const p = CALIBRATION[(n * 7) % CALIBRATION.length]!;
      const mix = MIXES[n % 4]!;
      const picks = drawMix(p, mix, n);
      const wrap = (code: string): string => (p.ioMode === 'function' ? functionProgram(code, p.fnName ?? '') : code);
      const solutions = picks.map((i, j) => ({ id: String(j), code: wrap(p.solutions[i]!.code), language: p.solutions[i]!.language }));
      const testlib = p.output.kind === 'testlib' ? p.output.code : undefined;
      const run = async (witness: boolean): Promise<{ ms: number; runs: number; added: number }> => {
        const t0 = performance.now();
        const executed = await executeMatrix(sandbox, solutions, p.inputs, DEFAULT_LIMITS, concurrency);
        const cells = executed.map((r) => r.cells);
        let runs = solutions.length * p.inputs.length;
        const classes = testlib
          ? await checkerClasses(sandbox, testlib, p.inputs.map((input, t) => ({ input, outputs: cells.map((row) => (row?.[t]?.status === 'OK' ? row[t]!.stdout : null)) })))
          : undefined;
        const policy = resolvePolicy(witness ? {} : { algorithm: 'paper' });
        const state: AdaptiveState = {
          cells,
          inputs: p.inputs,
          seed: n,
          label: p.id,
          policy,
          candidates: picks.map((i) => ({ code: p.solutions[i]!.code, language: p.solutions[i]!.language })),
          outputRule: p.output,
          ...(p.output.kind !== 'testlib' ? { checker: p.output } : {}),
          ...(classes ? (classes.ok ? { classes: classes.classes } : { checkerFailure: classes.reason }) : {}),
          sources: p.inputs.map(() => 'given' as const),
          scales: p.inputs.map(() => undefined),
        };
        let added = 0;
        if (witness) {
          const deps = liveAdaptiveDeps({ sandbox, generator: p.generator, limits: DEFAULT_LIMITS, generatorLimits: GEN_LIMITS, concurrency, ...(p.ioMode === 'function' ? { fnName: p.fnName! } : {}), ...(testlib ? { checkerCode: testlib } : {}) });
          let distinct = 0;
          const outcome = await adaptTests(state, policy, SCALES, {
            ...deps,
            verify: verifyMatrix,
            execute: async (programs, inputs) => {
              distinct = programs.length;
              return deps.execute(programs, inputs);
            },
          });
          added = outcome.added;
          runs += added * distinct;
        } else verifyMatrix(state);
        return { ms: performance.now() - t0, runs, added };
      };
      const paper = await run(false);
      const witness = await run(true);
      rows.push({ paper, witness });
      console.log(`${p.id.padEnd(24)} ${mix.padEnd(8)} paper ${paper.ms.toFixed(0).padStart(6)} ms ${String(paper.runs).padStart(4)} runs | witness ${witness.ms.toFixed(0).padStart(6)} ms ${String(witness.runs).padStart(4)} runs (+${witness.added} inputs)`);
    }
  } finally {
    await sandbox.close();
  }
  const sum = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((s, r) => s + f(r), 0);
  const k = rows.length || 1;
  console.log(
    `\nper task: paper ${(sum((r) => r.paper.ms) / k).toFixed(0)} ms, ${(sum((r) => r.paper.runs) / k).toFixed(0)} runs; ` +
      `witness + generator ${(sum((r) => r.witness.ms) / k).toFixed(0)} ms, ${(sum((r) => r.witness.runs) / k).toFixed(0)} runs ` +
      `(${(sum((r) => r.witness.added) / k).toFixed(1)} inputs added); ratio ${(sum((r) => r.witness.ms) / Math.max(1, sum((r) => r.paper.ms))).toFixed(2)}× time, ` +
      `${(sum((r) => r.witness.runs) / Math.max(1, sum((r) => r.paper.runs))).toFixed(2)}× runs`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
