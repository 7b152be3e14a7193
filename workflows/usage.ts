/** LLM spend arithmetic, shared by activities (per call) and workflows (per task and run). No Node imports. */
import type { LlmUsage } from './types';

export const NO_USAGE: LlmUsage = { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };

export function addUsage(a: LlmUsage, b: LlmUsage | undefined): LlmUsage {
  if (!b) return a;
  return {
    requests: a.requests + b.requests,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
