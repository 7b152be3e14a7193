import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { ApplicationFailure } from '@temporalio/common';

/** One line of the trainer's stdout protocol (trainer/README.md). */
export type TrainerEvent =
  | { event: 'start'; kind: 'sft' | 'grpo'; total_steps: number; resumed_from_step: number }
  | { event: 'step'; step: number; loss: number; [metric: string]: number | string }
  | { event: 'checkpoint'; step: number; path: string }
  | { event: 'done'; checkpoint: string; steps: number; metrics: Record<string, number> };

export type TrainerDone = Extract<TrainerEvent, { event: 'done' }>;

/**
 * How the Python module is started. `single`: one process (one GPU, or CPU). `torchrun` and `accelerate`:
 * one process per GPU of this host; rank 0 alone writes the progress stream, so the worker reads one stream
 * whatever the launcher.
 */
export interface Launcher {
  kind: 'single' | 'torchrun' | 'accelerate';
  /** Processes (GPUs) on this host; torchrun/accelerate only. */
  nprocPerNode?: number;
  /** `accelerate launch --config_file` (FSDP / DeepSpeed settings live there). */
  configFile?: string;
}

export interface TrainerProcessOptions {
  python: string;
  module: string;
  args: string[];
  cwd: string;
  launcher?: Launcher;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (event: TrainerEvent) => void;
}

/** The argv after `python`: the launcher's module, its flags, then `-m <module> <args>`. */
export function launchArgs(module: string, args: string[], launcher: Launcher = { kind: 'single' }): string[] {
  const nproc = String(launcher.nprocPerNode ?? 1);
  switch (launcher.kind) {
    case 'single':
      return ['-m', module, ...args];
    case 'torchrun':
      return ['-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', nproc, '-m', module, ...args];
    case 'accelerate':
      return [
        '-m', 'accelerate.commands.launch',
        ...(launcher.configFile ? ['--config_file', launcher.configFile] : []),
        '--num_processes', nproc,
        '-m', module, ...args,
      ];
  }
}

/** Exit code of the trainer after SIGTERM (128 + 15): a clean stop, not a crash. */
export const EXIT_TERMINATED = 143;

/**
 * Runs the Python trainer as a child process and follows its JSON-lines progress. On abort (activity
 * cancellation or worker shutdown) it sends SIGTERM, which the trainer handles by exiting promptly with 143;
 * its last checkpoint stays on disk for the next attempt to resume from. A 143 nobody asked for (the host
 * preempted it) is a retryable failure: the retry resumes.
 */
export function runTrainerProcess(opts: TrainerProcessOptions): Promise<TrainerDone> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.python, launchArgs(opts.module, opts.args, opts.launcher), {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so SIGTERM reaches torchrun's/accelerate's workers too.
      detached: opts.launcher !== undefined && opts.launcher.kind !== 'single',
    });
    let done: TrainerDone | undefined;
    let stderrTail = '';
    const onAbort = (): void => {
      if (child.pid === undefined) return;
      if (child.spawnargs.includes('torch.distributed.run') || child.spawnargs.includes('accelerate.commands.launch')) {
        process.kill(-child.pid, 'SIGTERM');
      } else {
        child.kill('SIGTERM');
      }
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
      if (code === EXIT_TERMINATED || sig === 'SIGTERM') {
        return reject(ApplicationFailure.retryable(`trainer ${opts.module} was terminated from outside (exit 143); the retry resumes from its last checkpoint`, 'TrainerTerminated'));
      }
      reject(new Error(`trainer ${opts.module} exited with ${sig ?? `code ${code}`}${done ? '' : ' before finishing'}: ${stderrTail.trim().slice(-1500)}`));
    });
  });
}
