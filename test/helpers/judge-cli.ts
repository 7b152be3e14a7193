import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** Runs `workers/judge-cli.ts` as people and the RL reward do: JSON on stdin, JSON on stdout, an exit code. */
export function runJudgeCli(stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(resolve(REPO_ROOT, 'node_modules/.bin/tsx'), ['workers/judge-cli.ts'], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
