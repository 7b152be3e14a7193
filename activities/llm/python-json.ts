import { spawn } from 'node:child_process';

/**
 * Runs a static-analysis script (`ast` only, never the analysed code) in one Python process: JSON in on
 * stdin, JSON out on stdout. Batching many snippets into one process keeps the start-up cost (~30 ms) per
 * activity, not per candidate.
 */
export function runPythonJson<T>(script: string, input: unknown, what: string, python = process.env.SYNTHSMITH_PYTHON_SYNTAX ?? 'python3'): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-I', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${what} failed (exit ${code}): ${stderr.slice(-500)}`));
      resolve(JSON.parse(stdout) as T);
    });
    child.stdin.end(JSON.stringify(input));
  });
}
