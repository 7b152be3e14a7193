import { log } from '@temporalio/workflow';
import { llm, local } from './activity-proxies';
import { failureReason, failureUsage } from './failures';
import { mapBounded } from './map-bounded';
import type { ExtractBatchInput, ExtractBatchResult } from './types';
import { addUsage, NO_USAGE } from './usage';

/**
 * Feature extraction for one range of seeds: an activity per seed (one bad answer fails that seed only), then
 * one merge of the range's trees. A child workflow per range keeps the pipeline's history at a few events per
 * range instead of three per seed (10k seeds would otherwise be ~30k events), and the merge is associative and
 * order-preserving, so merging the ranges' trees in range order gives the same tree as one flat merge.
 */
export async function extractFeaturesBatch(input: ExtractBatchInput): Promise<ExtractBatchResult> {
  const indices = Array.from({ length: input.to - input.from }, (_, i) => input.from + i);
  const settled = await mapBounded(indices, input.concurrency, (index) =>
    llm.extractFeatures.executeWithOptions({ summary: `extract features of seed ${index}` }, [
      { seedsKey: input.seedsKey, index, endpoint: input.endpoint },
    ])
  );
  const failures = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ index: input.from + i, reason: failureReason(r.reason) }] : []));
  const treeKeys = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.treeKey] : []));
  const usage = settled.reduce((u, r) => addUsage(u, r.status === 'fulfilled' ? r.value.usage : failureUsage(r.reason)), NO_USAGE);
  if (failures.length) log.warn('seeds failed extraction', { from: input.from, to: input.to, failed: failures.length });
  const merged = treeKeys.length ? await local.mergeFeatureTrees({ treeKeys }) : undefined;
  return { ...(merged ? { treeKey: merged.treeKey } : {}), extracted: treeKeys.length, failures, usage };
}
