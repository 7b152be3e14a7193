/**
 * The tests branch of a task (paper §4): prompted inputs and/or a generator program, plus the optional input
 * validator. The LLM calls run in parallel; the sandbox runs the programs and writes the merged suite.
 *
 * Workflow code: no Node imports.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { endpointFor, type PipelineConfig } from './config';
import { llm, sandbox } from './activity-proxies';
import { failureUsage, rootCause } from './failures';
import type { ArtifactKey, LlmUsage } from './types';
import { addUsage, NO_USAGE } from './usage';

export interface TaskTests {
  testsKey: ArtifactKey;
  total: number;
  usage: LlmUsage;
  /** Why there are no inputs, when total is 0. */
  summary?: string;
}

export async function makeTestInputs(
  config: PipelineConfig,
  statementKey: ArtifactKey,
  as: (what: string) => { summary: string },
): Promise<TaskTests> {
  const { count, methods, generator, validator } = config.tests;
  const endpoint = endpointFor(config, 'testWriter');
  // Scheduled first and unconditionally for the default config, so its command order is what it always was.
  const prompted = methods.includes('prompted')
    ? llm.generateTestInputs.executeWithOptions(as(`${count} test inputs`), [{ statementKey, count, endpoint }])
    : undefined;
  const program = methods.includes('generator')
    ? llm.writeGenerator.executeWithOptions(as('write test generator'), [
        { statementKey, scales: generator.scales, perScaleLimit: generator.perScaleLimit, endpoint },
      ])
    : undefined;
  const check = validator ? llm.writeValidator.executeWithOptions(as('write input validator'), [{ statementKey, endpoint }]) : undefined;
  // allSettled: when one call fails, the others' answers are still paid for and must count in the task's usage.
  const settled = await Promise.allSettled([prompted, program, check]);
  const usage = settled.reduce((sum, r) => (r.status === 'fulfilled' && r.value ? addUsage(sum, r.value.usage) : sum), NO_USAGE);
  const value = <T>(r: PromiseSettledResult<T>): T => {
    if (r.status === 'rejected') throw withUsage(r.reason, usage);
    return r.value;
  };
  const [p, g, v] = [value(settled[0]), value(settled[1]), value(settled[2])];
  // Prompted inputs alone need no sandbox run: the prompted record is the suite.
  if (!g && !v && p) return { testsKey: p.testsKey, total: p.total, usage, ...(p.total === 0 ? { summary: 'every prompted input was dropped' } : {}) };

  const result = await sandbox(config)
    .generateInputs.executeWithOptions(as(`${g ? `generator at ${generator.scales.length} scale(s)` : 'prompted inputs'}${v ? ' + validator' : ''} in the sandbox`), [
      {
        statementKey,
        ...(p ? { promptedTestsKey: p.testsKey } : {}),
        ...(g ? { generatorKey: g.programKey } : {}),
        ...(v ? { validatorKey: v.programKey } : {}),
        seed: generator.seed ?? config.seed,
        scales: generator.scales,
        perScaleLimit: generator.perScaleLimit,
        timeLimitMs: generator.timeLimitMs,
        memoryMb: generator.memoryMb,
      },
    ])
    .catch((err: unknown) => {
      throw withUsage(err, usage);
    });
  return { testsKey: result.testsKey, total: result.total, usage, summary: result.summary };
}

/** The failure with `spent` added to the usage it carries (see failureUsage), keeping its type and message. */
function withUsage(err: unknown, spent: LlmUsage): unknown {
  const cause = rootCause(err);
  if (isCancellation(err) || !(cause instanceof ApplicationFailure) || spent.requests === 0) return err;
  return ApplicationFailure.create({
    ...(cause.type ? { type: cause.type } : {}),
    message: cause.message,
    nonRetryable: cause.nonRetryable === true,
    details: [{ usage: addUsage(spent, failureUsage(err) ?? NO_USAGE) }],
  });
}
