import { spawn } from 'node:child_process';
import * as readline from 'node:readline';

/** One line of the trainer's stdout protocol (trainer/README.md). */
export type TrainerEvent =
  | { event: 'start'; kind: 'sft' | 'grpo'; total_steps: number; resumed_from_step: number }
  | { event: 'step'; step: number; loss: number; [metric: string]: number | string }
  | { event: 'checkpoint'; step: number; path: string }
  | { event: 'done'; checkpoint: string; steps: number; metrics: Record<string, number> };

export type TrainerDone = Extract<TrainerEvent, { event: 'done' }>;

export interface TrainerProcessOptions {
  python: string;
  module: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (event: TrainerEvent) => void;
}

/**
 * Runs the Python trainer as a child process and follows its JSON-lines progress. On abort (activity
 * cancellation or worker shutdown) it sends SIGTERM, which the trainer handles by exiting promptly; its last
 * checkpoint stays on disk for the next attempt to resume from.
 */
export function runTrainerProcess(opts: TrainerProcessOptions): Promise<TrainerDone> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.python, ['-m', opts.module, ...opts.args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let done: TrainerDone | undefined;
    let stderrTail = '';
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      let event: TrainerEvent;
      try {
        event = JSON.parse(line) as TrainerEvent;
      } catch {
        return; // The protocol reserves stdout for JSON; anything else is noise from a library.
      }
      if (event.event === 'done') done = event;
      opts.onEvent?.(event);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-4000);
    });
    child.on('error', (err) => reject(new Error(`cannot start the trainer (${opts.python}): ${err.message}`)));
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      if (code === 0 && done) return resolve(done);
      reject(new Error(`trainer ${opts.module} exited with ${sig ?? `code ${code}`}${done ? '' : ' before finishing'}: ${stderrTail.trim().slice(-1500)}`));
    });
  });
}
