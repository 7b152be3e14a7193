import { setCurrentDetails } from '@temporalio/workflow';
import { training } from './activity-proxies';
import { PipelineConfigSchema, type PipelineConfig, type PipelineConfigInput } from './config';
import type { DatasetRefs, PipelineStage, PipelineSummary } from './types';

/** SFT on the SFT file, then GRPO from the SFT checkpoint on the RL file, on the GPU task queue. */
export async function trainOnDatasets(
  config: PipelineConfig,
  runId: string,
  datasets: Pick<DatasetRefs, 'sftKey' | 'rlKey'>,
  enter: (stage: PipelineStage) => void = () => undefined
): Promise<NonNullable<PipelineSummary['training']>> {
  const train = training(config);
  const { preset, sft: sftConfig, rl: rlConfig } = config.training;
  enter('training sft');
  const sft = await train.trainSft.executeWithOptions({ summary: `SFT (${preset} preset, ${sftConfig.maxSteps} steps)` }, [
    {
      runId,
      datasetKey: datasets.sftKey,
      preset,
      maxSteps: sftConfig.maxSteps,
      learningRate: sftConfig.learningRate,
      seed: config.seed,
      launcher: config.training.launcher,
      saveEvery: config.training.saveEvery,
      sft: { usePeft: sftConfig.usePeft, packing: sftConfig.packing },
    },
  ]);
  if (rlConfig.maxSteps === 0) return { sft };
  enter('training rl');
  const rl = await train.trainRl.executeWithOptions({ summary: `GRPO (${preset} preset, ${rlConfig.maxSteps} steps)` }, [
    {
      runId,
      datasetKey: datasets.rlKey,
      preset,
      maxSteps: rlConfig.maxSteps,
      learningRate: rlConfig.learningRate,
      seed: config.seed,
      // By reference, so the RL attempt may run on another trainer host than SFT did; the path is the fallback.
      initFrom: sft.checkpointDir,
      initFromKey: sft.checkpointKey,
      saveEvery: config.training.saveEvery,
      rl: { numGenerations: rlConfig.numGenerations, maxNewTokens: rlConfig.maxNewTokens, temperature: rlConfig.temperature },
    },
  ]);
  return { sft, rl };
}

export interface TrainModelInput {
  config: PipelineConfigInput;
  runId: string;
  sftKey: string;
  rlKey: string;
}

/** Training alone, on dataset files already in the store (the refresh workflow starts it after approval). */
export async function trainModel(input: TrainModelInput): Promise<NonNullable<PipelineSummary['training']>> {
  const config = PipelineConfigSchema.parse(input.config);
  return trainOnDatasets(config, input.runId, input, (stage) => setCurrentDetails(`**${input.runId}**: ${stage}`));
}
