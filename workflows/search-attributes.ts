/**
 * Search attributes that make runs findable in the Web UI and with `temporal workflow list --query`, e.g.
 * `SynthsmithStage = 'training sft'` or `SynthsmithOutcome = 'completed' AND SynthsmithTasksKept > 100`.
 * Upserted only at stage changes: each upsert is a history event and a visibility write.
 *
 * They must be registered on the namespace first: the dev server gets them from `startDevServer`, a real
 * cluster from `npm run register-search-attributes` (or `temporal operator search-attribute create`).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const StageKey = defineSearchAttributeKey('SynthsmithStage', SearchAttributeType.KEYWORD);
export const RunIdKey = defineSearchAttributeKey('SynthsmithRunId', SearchAttributeType.KEYWORD);
export const ConfigHashKey = defineSearchAttributeKey('SynthsmithConfigHash', SearchAttributeType.KEYWORD);
export const DatasetVersionKey = defineSearchAttributeKey('SynthsmithDatasetVersion', SearchAttributeType.KEYWORD);
export const OutcomeKey = defineSearchAttributeKey('SynthsmithOutcome', SearchAttributeType.KEYWORD);
export const TasksKeptKey = defineSearchAttributeKey('SynthsmithTasksKept', SearchAttributeType.INT);

export const SEARCH_ATTRIBUTES = [StageKey, RunIdKey, ConfigHashKey, DatasetVersionKey, OutcomeKey, TasksKeptKey];

/** CLI type names for `temporal server start-dev --search-attribute NAME=Type`. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
};
