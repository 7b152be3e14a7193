import * as path from 'node:path';
import { cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { TrainInput, TrainResult } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import { runTrainerProcess, type TrainerEvent } from './trainer-process';

export interface TrainingActivityDeps {
  store: ContentStore;
  /** Python of the project virtualenv (torch, transformers). */
  python: string;
  /** The trainer/ directory (the Python package's parent). */
  trainerDir: string;
  /** Command the RL reward uses to judge code; the same judge as synthesis. */
  judgeCommand: string;
  judgeCwd: string;
}

/**
 * Training activities for the GPU task queue. Each launches the Python trainer and heartbeats its progress;
 * output directories are derived from the run ID, so a retried attempt (worker crash, preemption) finds the
 * previous attempt's checkpoints and the trainer resumes from the latest one.
 */
export function createTrainingActivities(deps: TrainingActivityDeps) {
  const outputDir = (runId: string, kind: string): string => path.join(deps.store.root, 'runs', runId, 'checkpoints', kind);

  const train = async (kind: 'sft' | 'grpo', input: TrainInput, extra: string[]): Promise<TrainResult> => {
    const args = [
      '--dataset', await deps.store.localPath(input.datasetKey),
      '--output-dir', outputDir(input.runId, kind),
      '--preset', input.preset,
      '--max-steps', String(input.maxSteps),
      '--seed', String(input.seed),
      ...(input.learningRate !== undefined ? ['--learning-rate', String(input.learningRate)] : []),
      ...(input.initFrom ? ['--init-from', input.initFrom] : []),
      ...extra,
    ];
    let last: Record<string, unknown> = {};
    const done = await runTrainerProcess({
      python: deps.python,
      module: `synthsmith_trainer.${kind}`,
      args,
      cwd: deps.trainerDir,
      signal: cancellationSignal(),
      onEvent: (event: TrainerEvent) => {
        if (event.event === 'start') log.info('trainer started', { ...event, kind });
        // Heartbeat details show in the Web UI's pending-activity panel: keep them small and readable.
        if (event.event === 'step' || event.event === 'checkpoint') {
          last = { ...last, ...event };
          heartbeat(last);
        }
      },
    });
    return { kind, checkpointDir: done.checkpoint, steps: done.steps, metrics: done.metrics };
  };

  return {
    async trainSft(input: TrainInput): Promise<TrainResult> {
      return train('sft', input, []);
    },

    async trainRl(input: TrainInput): Promise<TrainResult> {
      const rl = input.rl ?? { numGenerations: 8, maxNewTokens: 1024, temperature: 1.0 };
      return train('grpo', input, [
        '--num-generations', String(rl.numGenerations),
        '--max-new-tokens', String(rl.maxNewTokens),
        '--temperature', String(rl.temperature),
        '--judge-cmd', deps.judgeCommand,
        '--judge-cwd', deps.judgeCwd,
      ]);
    },
  };
}
