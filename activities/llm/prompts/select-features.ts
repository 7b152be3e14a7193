import type { Prompt } from '../prompt';

/** Paper §3(i) stage 1 (repo select_feature.py): choose compatible features and an integration strategy. */
export const selectFeaturesPrompt: Prompt<{ subtree: string }> = {
  id: 'select-features',
  version: 1,
  system: 'You are an expert competitive-programming problem setter.',
  user: ({ subtree }) => `Below is a tree of algorithmic features. Plan one hard, original competitive-programming problem from it.

1. Annotate every leaf with its potential use in a problem (core technique, subroutine, constraint, ...): "feature_roles_tree".
2. Select as many features as can interact meaningfully in ONE problem (do not be conservative) and return them in
   the same tree shape, each chosen leaf as {"feature": ..., "potential_use": ...}: "selected_features_tree".
3. Describe in one paragraph how the selected features combine into a single problem: "integration_strategy".

Example of the answer's form:
{"feature_roles_tree": {"algorithm": {"search": [{"feature": "binary search", "potential_use": "core: search the answer"}]}},
 "selected_features_tree": {"algorithm": {"search": [{"feature": "binary search", "potential_use": "core: search the answer"}]},
   "implementation logic": [{"feature": "bitwise AND", "potential_use": "check feasibility of a mask"}]},
 "integration_strategy": "Binary search on the answer while a bitwise feasibility check validates each candidate value."}

Answer with one JSON object with exactly the keys feature_roles_tree, selected_features_tree, integration_strategy.

<features>
${subtree}
</features>`,
};
