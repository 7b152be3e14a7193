import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';

/**
 * SynthSmith's own metrics, exported with the SDK's through the worker runtime's Prometheus endpoint
 * (SYNTHSMITH_METRICS_ADDRESS). Recorded through the current activity's meter, which adds the activity's
 * tags (type, task queue, namespace); outside an activity (a CLI, a unit test) nothing is recorded.
 */
function meter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

export function recordLlmCall(
  tags: { prompt: string; model: string; outcome: string },
  usage: { promptTokens: number; completionTokens: number } | undefined,
  latencyMs: number,
  price?: { promptPerMillion: number; completionPerMillion: number }
): void {
  const m = meter();
  if (!m) return;
  m.createCounter('synthsmith_llm_requests', 'requests', 'LLM chat requests by prompt, model and outcome').add(1, tags);
  m.createHistogram('synthsmith_llm_latency', 'int', 'ms', 'LLM request latency').record(Math.round(latencyMs), { prompt: tags.prompt, model: tags.model });
  if (usage) {
    const tokens = m.createCounter('synthsmith_llm_tokens', 'tokens', 'LLM tokens by prompt, model and kind');
    tokens.add(usage.promptTokens, { prompt: tags.prompt, model: tags.model, kind: 'prompt' });
    tokens.add(usage.completionTokens, { prompt: tags.prompt, model: tags.model, kind: 'completion' });
    if (price) {
      // Counters are integers in the SDK core: cost is counted in micro-dollars.
      const micro = Math.round(usage.promptTokens * price.promptPerMillion + usage.completionTokens * price.completionPerMillion);
      m.createCounter('synthsmith_llm_cost_microusd', 'microusd', 'LLM cost in millionths of a US dollar').add(micro, { prompt: tags.prompt, model: tags.model });
    }
  }
}

/** Judged executions by verdict (OK/RE/TLE/...), and their count per second is the judge's throughput. */
export function recordJudgeRuns(byStatus: Record<string, number>): void {
  const m = meter();
  if (!m) return;
  const runs = m.createCounter('synthsmith_judge_runs', 'runs', 'Sandboxed executions by verdict');
  for (const [status, n] of Object.entries(byStatus)) if (n > 0) runs.add(n, { status });
}
