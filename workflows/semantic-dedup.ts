/**
 * The optional semantic de-duplication step between evolution and sampling (features.semanticDedup). Its own
 * proxy: the activity runs a Python process for minutes on large trees, so it heartbeats and gets a longer
 * timeout than the local tree activities. It runs on the orchestrator queue, whose workers then need the
 * project's Python (README "Feature categories and de-duplication").
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createSemanticDedupActivities } from '../activities/features/semantic-dedup';
import type { PipelineConfig } from './config';
import type { FeatureTreeResult, SemanticDedupResult } from './types';

const { semanticDedupFeatures } = proxyActivities<ReturnType<typeof createSemanticDedupActivities>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '5s',
    maximumInterval: '1 minute',
    maximumAttempts: 3,
    // SemanticDedupUnavailable: SEMANTIC_DEDUP_UNAVAILABLE of the activity (a value import would bundle Node code).
    nonRetryableErrorTypes: ['InvalidConfig', 'InvalidInput', 'SemanticDedupUnavailable'],
  },
});

/** The deduplicated tree when enabled, else undefined (the evolved tree is sampled as it is). */
export async function dedupFeatureTree(config: PipelineConfig, evolved: FeatureTreeResult): Promise<SemanticDedupResult | undefined> {
  const { enabled, threshold } = config.features.semanticDedup;
  if (!enabled) return undefined;
  return semanticDedupFeatures.executeWithOptions(
    { summary: `semantic de-duplication of ${evolved.leafCount} features (threshold ${threshold})` },
    [{ treeKey: evolved.treeKey, threshold }]
  );
}
