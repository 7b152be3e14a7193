import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { TrainInput, TrainResult } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import { materializeDirectory, putDirectory } from './checkpoint-store';
import { GpuMonitor } from './gpu-monitor';
import { runTrainerProcess, type TrainerEvent } from './trainer-process';

export interface TrainingActivityDeps {
  store: ContentStore;
  /** Python of the project virtualenv (torch, transformers, trl). */
  python: string;
  /** The trainer/ directory (the Python package's parent). */
  trainerDir: string;
  /** Command the RL reward uses to judge code; the same judge as synthesis. */
  judgeCommand: string;
  judgeCwd: string;
  /** nvidia-smi poll interval; tests shorten it. */
  gpuPollMs?: number;
  /** Where run outputs go; the store's root by default (a fast local disk on a GPU host). */
  outputRoot?: string;
}

/** Failure type of an attempt that resumed but made no step: retrying it the same way would loop. */
export const TRAINING_DID_NOT_ADVANCE = 'TrainingDidNotAdvance';

/**
 * Training activities for the GPU task queue. Each launches the Python trainer and heartbeats its progress;
 * output directories are derived from the run ID, so a retried attempt (worker crash, preemption) finds the
 * previous attempt's checkpoints and the trainer resumes from the latest one. Inputs and outputs travel by
 * content key: the dataset is fetched from the store, and final/ is published to it as a directory manifest.
 */
export function createTrainingActivities(deps: TrainingActivityDeps) {
  const outputDir = (runId: string, kind: string): string =>
    path.join(deps.outputRoot ?? deps.store.root, 'runs', runId, 'checkpoints', kind);

  const train = async (kind: 'sft' | 'grpo', input: TrainInput, extra: string[]): Promise<TrainResult> => {
    const initFrom = input.initFromKey ? await materializeDirectory(deps.store, input.initFromKey) : input.initFrom;
    const args = [
      '--dataset', await deps.store.localPath(input.datasetKey),
      '--output-dir', outputDir(input.runId, kind),
      '--preset', input.preset,
      '--max-steps', String(input.maxSteps),
      '--seed', String(input.seed),
      ...(input.learningRate !== undefined ? ['--learning-rate', String(input.learningRate)] : []),
      ...(input.saveEvery !== undefined ? ['--save-every', String(input.saveEvery)] : []),
      ...(initFrom ? ['--init-from', initFrom] : []),
      ...extra,
    ];
    const gpu = new GpuMonitor(deps.gpuPollMs);
    await gpu.start();
    let start: Extract<TrainerEvent, { event: 'start' }> | undefined;
    let lastStep = 0;
    let details: Record<string, unknown> = {};
    const beat = (): void => heartbeat({ ...details, gpu: gpu.current(), attempt: activityInfo().attempt });
    // Heartbeats also while the trainer imports torch or loads a large model, so a slow start is not a dead worker;
    // at a third of the heartbeat timeout, which is also how fast a cancellation reaches us.
    const timeoutMs = activityInfo().heartbeatTimeoutMs ?? 60_000;
    const keepAlive = setInterval(beat, Math.min(10_000, Math.max(500, timeoutMs / 3)));
    beat();
    try {
      const done = await runTrainerProcess({
        python: deps.python,
        module: `synthsmith_trainer.${kind}`,
        args,
        cwd: deps.trainerDir,
        launcher: kind === 'sft' ? input.launcher : undefined,
        signal: cancellationSignal(),
        onEvent: (event: TrainerEvent) => {
          if (event.event === 'start') {
            start = event;
            log.info('trainer started', { ...event, kind });
          }
          // Heartbeat details show in the Web UI's pending-activity panel: keep them small and readable.
          if (event.event === 'step' || event.event === 'checkpoint') {
            if (event.event === 'step') lastStep = event.step;
            details = { ...details, ...event, resumed_from_step: start?.resumed_from_step ?? 0 };
            beat();
          }
        },
      });
      const resumedFrom = start?.resumed_from_step ?? 0;
      // A resumed attempt must take at least one step past its checkpoint (unless that checkpoint was the last
      // step). Otherwise something (a stale output dir, a wrong --max-steps, a trainer that silently skips) is
      // wrong, and "succeeding" would hand the previous checkpoint on as if it had been trained further.
      if (resumedFrom > 0 && resumedFrom < (start?.total_steps ?? 0) && !(lastStep > resumedFrom && done.steps > resumedFrom)) {
        throw ApplicationFailure.nonRetryable(
          `${kind} resumed from step ${resumedFrom} but did not advance (last step ${lastStep}, done at ${done.steps})`,
          TRAINING_DID_NOT_ADVANCE
        );
      }
      heartbeat({ ...details, publishing: done.checkpoint });
      const checkpointKey = await putDirectory(deps.store, done.checkpoint);
      return {
        kind,
        checkpointDir: done.checkpoint,
        checkpointKey,
        steps: done.steps,
        resumedFromStep: resumedFrom,
        metrics: done.metrics,
        gpu: gpu.summary(),
      };
    } finally {
      clearInterval(keepAlive);
      gpu.stop();
    }
  };

  return {
    async trainSft(input: TrainInput): Promise<TrainResult> {
      return train('sft', input, [
        ...(input.sft?.usePeft ? ['--use-peft'] : []),
        ...(input.sft?.packing === undefined ? [] : [input.sft.packing ? '--packing' : '--no-packing']),
      ]);
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
