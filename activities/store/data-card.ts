/**
 * The data card written beside each dataset version: a Markdown page with the numbers a person checks before
 * training on the data (style mix, feature coverage, test counts, pass-rate histogram, discard reasons,
 * cheatable-test flags), each with an SVG chart, plus the policy, prompts, models and lineage pointers.
 */
import { calibrationFiguresOf } from '../verify/calibration-figures';
import type { DatasetStats } from './dataset-stats';
import { barChart, type Bar } from './svg-charts';

export interface DataCardInput {
  parent: string | null;
  runId: string;
  policyTag: string;
  policy: unknown;
  solvePrompt: string;
  models: { solver: string[]; statement: string[] };
  stats: DatasetStats;
  files: Record<string, string>;
}

export interface DataCard {
  markdown: string;
  /** Chart file name (charts/<name>.svg) → SVG text. */
  charts: Record<string, string>;
}

const bars = (counts: Record<string, number>): Bar[] =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([label, value]) => ({ label, value }));

/** Decontamination and near-duplicate removal, when they took tasks out (the run's quality-report.json lists each). */
function qualityLine(reasons: Record<string, number>): string {
  const contaminated = reasons.contaminated ?? 0;
  const duplicates = reasons.near_duplicate ?? 0;
  if (!contaminated && !duplicates) return '';
  return `
Removed before export: ${contaminated} contaminated (word n-gram overlap with the benchmark file), ${duplicates} near-duplicates
of a kept task. \`runs/<runId>/quality-report.json\` lists each with its reason, the benchmark problem or kept task, and the score.
`;
}

export function renderDataCard(input: DataCardInput): DataCard {
  const s = input.stats;
  const charts: Record<string, string> = {
    'style-mix': barChart('Task styles', bars(s.styles)),
    'feature-coverage': barChart('Tasks per feature category', bars(s.features.perCategory).slice(0, 20)),
    'test-counts': barChart('Tests per task (RL suite)', bars(s.testCounts.rlSuiteSizes)),
    'pass-rate': barChart('Candidate pass rate (RL records)', s.passRateHistogram),
    'discard-reasons': barChart('Why tasks were not kept (this run)', bars(s.discardReasons)),
    'test-flags': barChart('Cheatable-test flags (RL-suite tests)', bars(s.flags)),
  };
  const img = (name: string, alt: string): string => `![${alt}](charts/${name}.svg)`;
  const list = (xs: string[]): string => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : '—');
  const markdown = `# SynthSmith dataset

A synthetic competitive-programming dataset: tasks written from sampled algorithmic features, candidate solutions
and test inputs from LLMs, outputs labelled by executing the candidates and voting, kept only when dual
verification confirms a golden solution.

| | |
|---|---|
| tasks (SFT records) | ${s.tasks} |
| RL records | ${s.rlTasks} (${s.rlTests} tests) |
| added by this version | ${s.added} |
| parent version | ${input.parent ? `\`${input.parent}\`` : 'none (first version)'} |
| run | \`${input.runId}\` |
| verification policy | \`${input.policyTag}\` |
| solve prompt | \`${input.solvePrompt}\` |
| solver models | ${list(input.models.solver)} |
| task-writer models | ${list(input.models.statement)} |

## Files

| file | form | read by |
|---|---|---|
| \`sft.jsonl\` | \`{"messages": [{role, content}, …]}\` | TRL \`SFTTrainer\` (conversational), LLaMA-Factory (sharegpt entry of \`dataset_info.json\`) |
| \`sft.query-response.jsonl\` | \`{"system"?, "query", "response"}\` | ms-swift (\`--dataset sft.query-response.jsonl\`), LLaMA-Factory (alpaca entry) |
| \`rl.jsonl\` | \`{"prompt", "tests": [{input, output, weight, flags?}], "pass_rate", …}\` | SynthSmith GRPO trainer |
| \`rl.parquet\` | verl: \`data_source, prompt, ability, reward_model{style, ground_truth}, extra_info\` | verl \`RLHFDataset\` |
| \`manifest.json\` | records with lineage, policy, prompts, models, statistics | people and tools |

## Style mix

${img('style-mix', 'style mix')}

## Feature coverage

${s.features.distinct} distinct leaf features over ${Object.keys(s.features.perCategory).length} categories; tasks
with no recorded features: ${s.features.tasksWithout}.

${img('feature-coverage', 'feature coverage')}

## Tests

Generated ${s.testCounts.generated}, labelled ${s.testCounts.labelled}, in RL suites ${s.rlTests} (the labelled tests
of each task, under the paper's policy only its golden half, less any the policy drops for flags). Every record's
\`reliability\` says how many distinct programs back its golden, by what margin, and on how many tests.

${img('test-counts', 'tests per task')}

## Pass rate

Mean fraction of the voted tests that a task's valid candidates pass (a difficulty signal for RL bucketing).
${s.solverPassRates ? `Strong-solver pass rates were measured for ${s.solverPassRates} tasks.` : 'No strong-solver pass rate was measured.'}

${img('pass-rate', 'pass-rate histogram')}

## Discards

${Object.keys(s.discardReasons).length ? img('discard-reasons', 'discard reasons') : 'The exporting run reported no discarded tasks (or did not pass them to the exporter).'}
${qualityLine(s.discardReasons)}
## Cheatable-test flags

\`constant\`: a constant program passes it (label shared with another test); \`echo\`: echoing the input passes it;
\`trivial\`: every candidate passes it; \`single_vote\`: one run decided its label.

${img('test-flags', 'test flags')}

## Verification policy

${calibrationLine(input.policyTag)}

\`\`\`json
${JSON.stringify(input.policy, null, 2)}
\`\`\`
`;
  return { markdown, charts };
}

/** What the calibration lane measured for the policy that made this dataset (`npm run calibrate`). */
function calibrationLine(tag: string): string {
  const f = calibrationFiguresOf(tag);
  if (!f) return `The policy \`${tag}\` has no stored calibration figures (run \`npm run calibrate -- --write\` with it).`;
  const r = (x: { mean: number; min: number; max: number }): string => `${x.mean.toFixed(3)} (${x.min.toFixed(3)}–${x.max.toFixed(3)} over ${f.seeds} seeds)`;
  return (
    `Calibration of \`${tag}\` (${f.measuredAt}; ${f.problems} problems with known correct and wrong solutions, ${f.sets} candidate sets): ` +
    `golden precision ${r(f.goldenPrecision)}, label accuracy ${r(f.labelAccuracy)}, kept with a correct majority ${r(f.keptMajority)}, ` +
    `kept with 3 correct of 8 ${r(f.keptThree)}, discarded with none correct ${r(f.discardedNone)}. ` +
    `The paper's algorithm on the same sets: golden precision ${f.paper.goldenPrecision.toFixed(3)}, label accuracy ${f.paper.labelAccuracy.toFixed(3)}.`
  );
}
