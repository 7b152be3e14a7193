import { ApplicationFailure } from '@temporalio/workflow';
import { solverPlan, type PipelineConfig } from './config';
import { failureReason, failureType, failureUsage } from './failures';
import { addUsage, NO_USAGE } from './usage';
import { llm, local } from './activity-proxies';
import type { ArtifactKey, LlmUsage } from './types';

type Summary = (what: string) => { summary: string };

/**
 * The m candidates of one task: one request (`n`) per solver model, in parallel, then pooled into one record
 * when there are several. Each solver's request is its own activity, so a rate-limited endpoint retries
 * alone without paying again for the other models' answers.
 */
export async function sampleCandidates(
  config: PipelineConfig,
  statementKey: ArtifactKey,
  as: Summary
): Promise<{ candidatesKey: ArtifactKey; total: number; valid: number; usage: LlmUsage }> {
  const plan = solverPlan(config);
  // allSettled: when one solver fails, the others' answers were still paid for, and the failure must carry
  // their usage (the task records a failure's usage, see failures.ts).
  const settled = await Promise.allSettled(
    plan.map(({ endpoint, candidates, language }) =>
      llm.generateSolutions.executeWithOptions(as(`${candidates} candidate solutions${plan.length > 1 ? ` from ${endpoint.model}` : ''}`), [
        { statementKey, candidates, endpoint, language, maxAnswerTokens: config.solutions.maxAnswerTokens },
      ])
    )
  );
  const parts = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const spent = parts.reduce((u, p) => addUsage(u, p.usage), failureUsage(failed.reason) ?? NO_USAGE);
    // Same "Type: message" as the solver's own failure, so the task's reason and the run's counts read as before.
    const reason = failureReason(failed.reason);
    const type = failureType(reason);
    throw ApplicationFailure.create({ message: reason.slice(type.length + 2), type, nonRetryable: true, details: [{ usage: spent }] });
  }
  if (parts.length === 1) return parts[0]!;
  return local.poolCandidates.executeWithOptions(as(`pool ${config.solutions.candidates} candidates of ${parts.length} solvers`), [
    { parts: parts.map((p) => ({ candidatesKey: p.candidatesKey, usage: p.usage })) },
  ]);
}
