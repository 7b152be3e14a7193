/**
 * The witness policy's extra evidence for one task, after the first execution (DESIGN.md, Verification): a
 * brute-force reference on the small inputs, adaptive draws from the task's generator, and, when the two best
 * clusters are still not separated, inputs the separator role writes at their disagreement. Each step runs in
 * the sandbox and writes an extended tests record and matrix, so verification stays a pure function of blobs.
 *
 * Workflow code: no Node imports. Guarded by patched() so histories recorded before it replay unchanged.
 */
import { patched } from '@temporalio/workflow';
import { endpointFor, type PipelineConfig } from './config';
import { llm, sandbox } from './activity-proxies';
import type { ArtifactKey, LlmUsage } from './types';
import { addUsage, NO_USAGE } from './usage';

export interface TaskEvidence {
  testsKey: ArtifactKey;
  matrixKey: ArtifactKey;
  usage: LlmUsage;
}

export async function gatherEvidence(
  config: PipelineConfig,
  task: { taskId: string; statementKey: ArtifactKey; candidatesKey: ArtifactKey; testsKey: ArtifactKey; matrixKey: ArtifactKey; referenceKey?: ArtifactKey },
  hasGenerator: boolean,
  as: (what: string) => { summary: string },
): Promise<TaskEvidence> {
  const policy = config.verification;
  const a = policy.adaptive;
  let { testsKey, matrixKey } = task;
  let usage = NO_USAGE;
  const wanted = policy.algorithm === 'witness' && a.enabled && (hasGenerator || task.referenceKey !== undefined || a.separatingInputs > 0);
  if (!wanted || !patched('witness-evidence')) return { testsKey, matrixKey, usage };
  const common = {
    taskId: task.taskId,
    candidatesKey: task.candidatesKey,
    seed: config.seed,
    policy,
    scales: config.tests.generator.scales,
    timeLimitMs: config.sandbox.timeLimitMs,
    memoryMb: config.sandbox.memoryMb,
    generatorTimeLimitMs: config.tests.generator.timeLimitMs,
    generatorMemoryMb: config.tests.generator.memoryMb,
  };
  const first = await sandbox(config).extendTests.executeWithOptions(as(hasGenerator ? 'adaptive tests from the generator' : 'reference and clusters'), [
    { ...common, testsKey, matrixKey, ...(task.referenceKey ? { referenceKey: task.referenceKey } : {}) },
  ]);
  ({ testsKey, matrixKey } = first);
  if (a.separatingInputs > 0 && first.disagreement) {
    const { programs, input, outputs } = first.disagreement;
    const written = await llm.writeSeparatingInputs.executeWithOptions(as('inputs at the clusters\u2019 disagreement'), [
      { statementKey: task.statementKey, programs, witness: { input, outputs }, count: a.separatingInputs, endpoint: endpointFor(config, 'separator') },
    ]);
    usage = addUsage(usage, written.usage);
    if (written.inputs.length) {
      const second = await sandbox(config).extendTests.executeWithOptions(as(`${written.inputs.length} separating input(s) in the sandbox`), [
        { ...common, testsKey, matrixKey, separatingInputsKey: written.recordKey },
      ]);
      ({ testsKey, matrixKey } = second);
    }
  }
  return { testsKey, matrixKey, usage };
}
