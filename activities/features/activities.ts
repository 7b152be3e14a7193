import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { failureUsage } from '../../workflows/failures';
import type {
  LlmUsage,
  EvolveFeaturesInput,
  EvolveFeaturesResult,
  ExtractFeaturesInput,
  FeatureTreeResult,
  MergeFeaturesInput,
  SampleSubtreesInput,
  SampleSubtreesResult,
} from '../../workflows/types';
import { mapLimit } from '../common/map-limit';
import { rngFor } from '../common/rng';
import { askParsed, isRequestSpecificRejection, LLM_FAILURE } from '../llm/chat';
import { addUsage, NO_USAGE } from '../llm/usage';
import type { LlmClientFactory } from '../llm/client';
import { jsonBetweenMarkers } from '../llm/parse';
import { evolveFeaturesPrompt } from '../llm/prompts/evolve-features';
import { extractFeaturesPrompt } from '../llm/prompts/extract-features';
import type { ContentStore } from '../store/content-store';
import type { Seed } from '../store/seeds';
import {
  cleanTree,
  countLeaves,
  leavesPerCategory,
  mergeTrees,
  sampleEvolutionSubtree,
  sampleSubtrees,
  type FeatureTree,
} from './feature-tree';

export interface FeatureActivityDeps {
  store: ContentStore;
  clientFor: LlmClientFactory;
}

/** Stage 1 of the pipeline: extract → merge → evolve → sample (paper §1). */
export function createFeatureActivities({ store, clientFor }: FeatureActivityDeps) {
  const describe = async (tree: FeatureTree): Promise<FeatureTreeResult> => ({
    treeKey: await store.putJson(tree),
    leafCount: countLeaves(tree),
    perCategory: leavesPerCategory(tree),
  });

  return {
    /** One seed → its feature tree. An unusable answer fails this seed only (InvalidLlmOutput). */
    async extractFeatures({ seedsKey, index, endpoint }: ExtractFeaturesInput): Promise<FeatureTreeResult> {
      const seeds = await store.getJson<Seed[]>(seedsKey);
      const seed = seeds[index];
      if (!seed) throw ApplicationFailure.nonRetryable(`no seed at index ${index}`, 'InvalidInput');
      const { value, usage } = await askParsed(clientFor, endpoint, extractFeaturesPrompt, seed, (text) => {
        const tree = cleanTree(jsonBetweenMarkers(text), { emptyListIsFeature: false });
        if (countLeaves(tree) === 0) throw new Error('the JSON holds no features (lists of strings)');
        return tree;
      }, { signal: cancellationSignal() });
      return { ...(await describe(value)), usage };
    },

    async mergeFeatureTrees({ treeKeys }: MergeFeaturesInput): Promise<FeatureTreeResult> {
      let merged: FeatureTree = {};
      for (const key of treeKeys) merged = mergeTrees(merged, await store.getJson<FeatureTree>(key));
      return describe(merged);
    },

    /**
     * Rounds of breadth/depth evolution, each merged into the tree. Progress is heartbeated, so a retried
     * attempt resumes after the last finished round instead of paying for the LLM calls again.
     */
    async evolveFeatureTree(input: EvolveFeaturesInput): Promise<EvolveFeaturesResult> {
      const resume = activityInfo().heartbeatDetails as
        | { round: number; treeKey: string; succeeded: number; failures: string[]; usage: LlmUsage }
        | undefined;
      let tree = await store.getJson<FeatureTree>(resume?.treeKey ?? input.treeKey);
      let succeeded = resume?.succeeded ?? 0;
      let usage = resume?.usage ?? NO_USAGE;
      const failures = resume?.failures ?? [];
      for (let round = resume?.round ?? 0; round < input.rounds; round++) {
        const subtree = sampleEvolutionSubtree(tree, input.branching, rngFor(input.seed, 'evolve', round));
        try {
          const { value, usage: roundUsage } = await askParsed(
            clientFor,
            input.endpoint,
            evolveFeaturesPrompt,
            { subtree: JSON.stringify(subtree, null, 2) },
            (text) => {
              // An answer of the wrong shape (prose in the JSON, no lists of strings) adds nothing: not a success.
              const evolved = cleanTree(jsonBetweenMarkers(text));
              if (countLeaves(evolved) === 0) throw new Error('the JSON holds no features (lists of strings)');
              return evolved;
            },
            { signal: cancellationSignal() }
          );
          tree = mergeTrees(tree, value);
          usage = addUsage(usage, roundUsage);
          succeeded++;
        } catch (err) {
          // One unusable evolution answer, or one request the endpoint rejects for its content (e.g. the subtree
          // makes it too long), costs that round, not the run: the tree stays as it was. A bad key or model fails.
          if (!(err instanceof ApplicationFailure && (err.type === LLM_FAILURE.invalidOutput || isRequestSpecificRejection(err)))) throw err;
          // The failed round's spend still counts (askParsed attaches it to the failure).
          usage = addUsage(usage, failureUsage(err));
          failures.push(`round ${round}: ${err.message}`);
          log.warn('evolution round skipped', { round, reason: err.message });
        }
        heartbeat({ round: round + 1, treeKey: await store.putJson(tree), succeeded, failures, usage });
      }
      return { ...(await describe(tree)), roundsSucceeded: succeeded, roundFailures: failures, usage };
    },

    async sampleFeatureSubtrees(input: SampleSubtreesInput): Promise<SampleSubtreesResult> {
      const tree = await store.getJson<FeatureTree>(input.treeKey);
      const available = countLeaves(tree);
      if (available < input.minLeaves) {
        throw ApplicationFailure.nonRetryable(
          `the feature tree has ${available} leaves, fewer than features.minLeaves=${input.minLeaves}; lower it or add seeds`,
          'InvalidConfig'
        );
      }
      const { subtrees, attempts } = sampleSubtrees(tree, input.count, {
        shapes: input.shapes,
        minLeaves: input.minLeaves,
        maxDepth: input.maxDepth,
        rng: rngFor(input.seed, 'subtrees'),
      });
      // Bounded: millions of concurrent writes would exhaust file descriptors (or S3 connections).
      const subtreeKeys = await mapLimit(subtrees, 32, (s) => store.putJson(s));
      const chunkKeys: string[] = [];
      for (let i = 0; i < subtreeKeys.length; i += input.chunkSize) chunkKeys.push(await store.putJson(subtreeKeys.slice(i, i + input.chunkSize)));
      return {
        chunksKey: await store.putJson(chunkKeys),
        chunkCount: chunkKeys.length,
        count: subtreeKeys.length,
        ...(subtrees.length < input.count
          ? { shortfall: `only ${subtrees.length} distinct subtrees with ≥${input.minLeaves} leaves in ${attempts} draws` }
          : {}),
      };
    },
  };
}
