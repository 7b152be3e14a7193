// @temporalio/common, not /workflow: activities use these helpers too.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure } from '@temporalio/common';
import type { LlmUsage } from './types';

/**
 * "Type: message" of the failure that ended an item, unwrapping Temporal's ActivityFailure/ChildWorkflowFailure
 * envelopes so the summary shows the real cause (e.g. "InvalidLlmOutput: select-features@1: ...").
 */
export function failureReason(err: unknown): string {
  const cause = rootCause(err);
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  if (cause instanceof TemporalFailure) return `${cause.name}: ${cause.message}`;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** LLM spend attached to a failure by the activity that spent it (see askParsed), if any. */
export function failureUsage(err: unknown): LlmUsage | undefined {
  const cause = rootCause(err);
  const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as { usage?: LlmUsage } | undefined) : undefined;
  return detail?.usage;
}

/** The failure inside Temporal's ActivityFailure/ChildWorkflowFailure envelopes. */
export function rootCause(err: unknown): unknown {
  let cause: unknown = err;
  while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.cause) cause = cause.cause;
  return cause;
}

/** The failure type alone, for counting reasons ("InvalidLlmOutput", "LlmUnavailable", ...). */
export function failureType(reason: string): string {
  return reason.split(':', 1)[0] ?? 'Error';
}
