/**
 * SFT and RL records from verified tasks. SFT uses the chat-messages form TRL's SFTTrainer reads; RL carries
 * the prompt and the golden half of the voted tests (the paper's RL suite) plus the candidates' pass rate.
 * Records hold no run IDs or timestamps, so the same tasks always give byte-identical files (and keys).
 */
import type { ExportDatasetsInput } from '../../workflows/types';
import type { CandidatesRecord, StatementRecord, TestsRecord } from '../llm/records';
import { solvePrompt } from '../llm/prompts/solve';
import { promptTag } from '../llm/prompt';
import { VERIFICATION_POLICY, type VerificationRecord } from '../verify/activities';
import type { ContentStore } from './content-store';

export interface SftRecord {
  task_id: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  style: string;
  model: string;
  prompts: { statement: string; solve: string };
}

export interface RlRecord {
  task_id: string;
  prompt: string;
  io_mode: 'stdio';
  tests: { input: string; output: string; weight: number }[];
  /** Mean fraction of voted tests the valid candidates pass: a difficulty signal for RL bucketing. */
  pass_rate: number;
}

export function assistantTurn(reasoning: string, code: string): string {
  return `${reasoning}\n\n\`\`\`python\n${code.replace(/\s+$/, '')}\n\`\`\``;
}

export async function buildDatasets(store: ContentStore, input: ExportDatasetsInput) {
  const sft: SftRecord[] = [];
  const rl: RlRecord[] = [];
  const lineage: ({ task_id: string } & Record<string, unknown>)[] = [];
  for (const outcome of input.kept) {
    const l = outcome.lineage;
    if (!l.statementKey || !l.candidatesKey || !l.testsKey || !l.verificationKey || outcome.goldenIndex === undefined) {
      throw new Error(`kept task ${outcome.index} lacks lineage keys`);
    }
    const [statement, candidates, tests, verification] = await Promise.all([
      store.getJson<StatementRecord>(l.statementKey),
      store.getJson<CandidatesRecord>(l.candidatesKey),
      store.getJson<TestsRecord>(l.testsKey),
      store.getJson<VerificationRecord>(l.verificationKey),
    ]);
    const golden = candidates.candidates[outcome.goldenIndex];
    if (!golden?.valid) throw new Error(`task ${statement.taskId}: golden candidate ${outcome.goldenIndex} is not valid`);
    const prompt = solvePrompt.user({ statement: statement.question });
    const result = verification.result;
    sft.push({
      task_id: statement.taskId,
      messages: [
        { role: 'user', content: prompt },
        { role: 'assistant', content: assistantTurn(golden.reasoning, golden.code) },
      ],
      style: statement.style,
      model: candidates.provenance.model,
      prompts: { statement: statement.provenance.prompt, solve: promptTag(solvePrompt) },
    });
    const rates = result.passRates.filter((r): r is number => r !== null);
    rl.push({
      task_id: statement.taskId,
      prompt,
      io_mode: statement.ioMode,
      tests: result.goldenHalf.map((t) => ({
        input: tests.tests[t]?.input ?? '',
        output: result.votes[t]?.label ?? '',
        weight: result.weights[t] ?? 1,
      })),
      pass_rate: rates.length ? rates.reduce((s, r) => s + r, 0) / rates.length : 0,
    });
    lineage.push({ task_id: statement.taskId, ...l, goldenIndex: outcome.goldenIndex });
  }
  return { sft, rl, lineage };
}

export interface DatasetManifest {
  runId: string;
  configKey: string;
  /** The version this one appends to, or null for a first version. */
  parent: string | null;
  verificationPolicy: typeof VERIFICATION_POLICY;
  solvePrompt: string;
  records: Record<string, unknown>[];
  stats: { tasks: number; rlTests: number; styles: Record<string, number> };
  files: { sft: string; rl: string };
}

/**
 * A new immutable dataset version: this run's records on top of the parent's (a record with the same task ID,
 * i.e. the same statement, is replaced), sorted by task ID so equal contents give equal files and keys.
 */
export async function writeDatasetVersion(
  store: ContentStore,
  input: ExportDatasetsInput
): Promise<{ manifestKey: string; manifest: DatasetManifest; added: number }> {
  const fresh = await buildDatasets(store, input);
  const parent = input.parentManifestKey ? await store.getJson<DatasetManifest>(input.parentManifestKey) : undefined;
  const merge = <T extends { task_id: string }>(old: T[], add: T[]): T[] => {
    const byId = new Map(old.map((r) => [r.task_id, r]));
    for (const r of add) byId.set(r.task_id, r);
    return [...byId.values()].sort((a, b) => (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0));
  };
  const parentRows = async <T>(key: string | undefined): Promise<T[]> => (key ? parseJsonl<T>(await store.getText(key)) : []);
  const sft = merge(await parentRows<SftRecord>(parent?.files.sft), fresh.sft);
  const rl = merge(await parentRows<RlRecord>(parent?.files.rl), fresh.rl);
  const lineage = merge((parent?.records ?? []) as { task_id: string }[], fresh.lineage as { task_id: string }[]);
  const [sftKey, rlKey] = await Promise.all([store.putText(toJsonl(sft)), store.putText(toJsonl(rl))]);
  const manifest: DatasetManifest = {
    runId: input.runId,
    configKey: input.configKey,
    parent: input.parentManifestKey ?? null,
    verificationPolicy: VERIFICATION_POLICY,
    solvePrompt: promptTag(solvePrompt),
    records: lineage,
    stats: { tasks: sft.length, rlTests: rl.reduce((s, r) => s + r.tests.length, 0), styles: countBy(sft.map((r) => r.style)) },
    files: { sft: sftKey, rl: rlKey },
  };
  const parentIds = new Set((parent?.records ?? []).map((r) => String(r.task_id)));
  return { manifestKey: await store.putJson(manifest), manifest, added: fresh.sft.filter((r) => !parentIds.has(r.task_id)).length };
}

function toJsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

function parseJsonl<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

function countBy(values: string[]): Record<string, number> {
  return values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
}
