/**
 * Per-execution cost of the sandbox: `print(1)` spawned bare (`python3 -I file`) vs under createBwrapSandbox,
 * interleaved in one run (each round runs both, in random order) so background load hits both equally.
 * Sequential, one at a time. Not a test: `npx tsx bench/sandbox-overhead.ts [runsEach]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBwrapSandbox } from '../activities/sandbox/bwrap-sandbox';
import { DEFAULT_LIMITS } from '../activities/sandbox/types';

const PYTHON = '/usr/bin/python3';
const CODE = 'print(1)\n';

function runBare(file: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(PYTHON, ['-I', file], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 && out === '1\n' ? ok() : fail(new Error(`bare run: exit ${code}, ${out}`))));
    child.stdin.end('');
  });
}

function summary(ms: number[]): { median: number; p95: number; perSec: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const total = ms.reduce((a, b) => a + b, 0);
  return { median: at(0.5), p95: at(0.95), perSec: (1000 * ms.length) / total };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 40);
  const sandbox = createBwrapSandbox();
  const dir = mkdtempSync(join(tmpdir(), 'sbx-bench-'));
  const file = join(dir, 'main.py');
  writeFileSync(file, CODE);
  const bare: number[] = [];
  const boxed: number[] = [];
  const load0 = loadavg()[0] ?? NaN;
  try {
    // Warm-up: page cache for python and bwrap.
    await runBare(file);
    await sandbox.runPython(CODE, '', DEFAULT_LIMITS);
    for (let i = 0; i < runs; i++) {
      const order = Math.random() < 0.5 ? (['bare', 'boxed'] as const) : (['boxed', 'bare'] as const);
      for (const mode of order) {
        const t0 = performance.now();
        if (mode === 'bare') {
          await runBare(file);
          bare.push(performance.now() - t0);
        } else {
          const r = await sandbox.runPython(CODE, '', DEFAULT_LIMITS);
          if (r.status !== 'OK' || r.stdout !== '1\n') throw new Error(`sandboxed run: ${r.status} ${r.stderr}`);
          boxed.push(performance.now() - t0);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const b = summary(bare);
  const s = summary(boxed);
  const f = (x: number): string => x.toFixed(1).padStart(7);
  console.log(`print(1), ${runs} runs each, sequential, interleaved; loadavg ${load0.toFixed(2)} -> ${(loadavg()[0] ?? NaN).toFixed(2)}`);
  console.log('mode                 median ms   p95 ms   runs/s');
  console.log(`bare python3 -I      ${f(b.median)}  ${f(b.p95)}  ${f(b.perSec)}`);
  console.log(`createBwrapSandbox   ${f(s.median)}  ${f(s.p95)}  ${f(s.perSec)}`);
  console.log(`ratio bare/sandbox runs/s: ${(b.perSec / s.perSec).toFixed(2)}x; overhead per run ${(s.median - b.median).toFixed(1)} ms (median)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
