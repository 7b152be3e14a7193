/**
 * Runs/s of trivial programs spawned bare vs under the judge, side by side in one run, two at a time (one per
 * core on the project's 2-vCPU VMs). Programs: a trivial C++ binary (reads a number, prints it) and Python
 * `print(1)`. Bare = Node `spawn` with pipes, as a judge without a sandbox would do. Judged = the sandbox's
 * runMany: one box per program and worker, reused across its runs (fresh process, re-based cgroup counters,
 * wiped work dir per run). Rounds interleave the modes so background load hits all of them alike.
 * The one-off cost of opening a box is measured separately (a fresh box per run, as in a sandbox-per-test design).
 *
 * Not a test: `npx tsx bench/sandbox-overhead.ts [runsPerRound] [rounds]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import type { Program, RunLimits } from '../activities/sandbox/types';

const PAR = 2;
const LIMITS: RunLimits = { timeLimitMs: 2000, memoryMb: 256, outputLimitBytes: 1 << 20 };
const CPP = '#include <cstdio>\nint main(){ int x = 0; if (scanf("%d", &x) != 1) return 1; printf("%d\\n", x); }\n';

function runBare(file: string, args: string[], input: string, expect: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 && out === expect ? ok() : fail(new Error(`bare run: exit ${code}, ${out}`))));
    child.stdin.on('error', () => undefined); // EPIPE when the program exits without reading
    child.stdin.end(input);
  });
}

/** Runs `n` jobs with `par` in flight; returns runs/s. */
async function rate(n: number, par: number, job: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: par }, async () => {
      while (next < n) await job(next++);
    }),
  );
  return (1000 * n) / (performance.now() - t0);
}

async function main(): Promise<void> {
  const perRound = Number(process.argv[2] ?? 100);
  const rounds = Number(process.argv[3] ?? 5);
  const sandbox = createBwrapSandbox();
  const info = await sandbox.info();
  const compiled = await sandbox.program('cpp', CPP);
  if (!compiled.ok || compiled.program.kind !== 'binary') throw new Error('cannot compile the trivial program');
  const binary = compiled.program.hostPath;
  const py: Program = { kind: 'source', fileName: 'main.py', code: 'print(1)\n', argv: ['/usr/bin/python3', '-I', '/box/main.py'] };
  const dir = mkdtempSync(join(tmpdir(), 'sbx-bench-'));
  const pyFile = join(dir, 'main.py');
  writeFileSync(pyFile, 'print(1)\n');

  /** fork → exit of the program as the runner measures it, per language: the part of a run that is the program's. */
  const inBoxMs: Record<string, number[]> = { 'C++': [], Python: [] };
  /** Judged: PAR boxes, each running its share of `n` inputs. */
  const judged = async (program: Program, n: number, input: string, expect: string): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: PAR }, async () => {
        const rs = await sandbox.runMany(program, Array.from({ length: Math.ceil(n / PAR) }, () => input), LIMITS);
        for (const r of rs) {
          if (r.status !== 'OK' || r.stdout !== expect) throw new Error(`judged run: ${r.status} ${r.stderr}`);
          inBoxMs[program.kind === 'binary' ? 'C++' : 'Python']?.push(r.wallMs);
        }
      }),
    );
    return (1000 * PAR * Math.ceil(n / PAR)) / (performance.now() - t0);
  };
  /** A fresh box per run (the sandbox-per-test design), for the cost of opening a box. */
  const boxPerRun = (program: Program, n: number, input: string): Promise<number> =>
    rate(n, PAR, async () => {
      await sandbox.runMany(program, [input], LIMITS);
    });

  const modes: Record<string, () => Promise<number>> = {
    'C++ bare': () => rate(perRound, PAR, () => runBare(binary, [], '7\n', '7\n')),
    'C++ judged': () => judged(compiled.program, perRound, '7\n', '7\n'),
    'C++ box per run': () => boxPerRun(compiled.program, Math.ceil(perRound / 4), '7\n'),
    'Python bare': () => rate(Math.ceil(perRound / 2), PAR, () => runBare('/usr/bin/python3', ['-I', pyFile], '', '1\n')),
    'Python judged': () => judged(py, Math.ceil(perRound / 2), '', '1\n'),
    'Python box per run': () => boxPerRun(py, Math.ceil(perRound / 4), ''),
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
  const load0 = loadavg()[0] ?? NaN;
  try {
    for (const f of Object.values(modes)) await f(); // warm-up: page cache, PCH, first cgroup attach
    for (let r = 0; r < rounds; r++) {
      for (const name of Object.keys(modes).sort(() => Math.random() - 0.5)) samples[name]?.push(await (modes[name] as () => Promise<number>)());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const f = (x: number | undefined): string => (x ?? NaN).toFixed(1).padStart(8);
  console.log(
    `${PAR} in parallel on ${cpus().length} CPUs; cgroups ${info.cgroupMode}; ${rounds} rounds of ${perRound} C++ / ${Math.ceil(perRound / 2)} Python runs ` +
      `per mode, interleaved; medians of the rounds; loadavg ${load0.toFixed(2)} -> ${(loadavg()[0] ?? NaN).toFixed(2)}`,
  );
  console.log('program          bare runs/s   judged runs/s   judged/bare   box-per-run runs/s   box-per-run/bare');
  for (const lang of ['C++', 'Python']) {
    const bare = m[`${lang} bare`] as number;
    const judgedRate = m[`${lang} judged`] as number;
    const perRun = m[`${lang} box per run`] as number;
    console.log(
      `${lang.padEnd(14)} ${f(bare)}      ${f(judgedRate)}        ${(judgedRate / bare).toFixed(2).padStart(5)}        ${f(perRun)}              ${(perRun / bare).toFixed(2).padStart(5)}`,
    );
  }
  console.log('where the time goes (per run, per box; each box is one of the 2 in parallel):');
  for (const lang of ['C++', 'Python']) {
    const perRunMs = (1000 * PAR) / (m[`${lang} judged`] as number);
    const inBox = median(inBoxMs[lang] ?? []);
    const openMs = (1000 * PAR) / (m[`${lang} box per run`] as number) - perRunMs;
    console.log(
      `  ${lang.padEnd(7)} judged run ${perRunMs.toFixed(2)} ms = program fork→exit in the box ${inBox.toFixed(2)} ms (runner clock) ` +
        `+ ${(perRunMs - inBox).toFixed(2)} ms worker↔runner protocol and cgroup counters; opening + closing a box adds ${openMs.toFixed(1)} ms`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
