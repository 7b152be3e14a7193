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
  const lineage: Record<string, unknown>[] = [];
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
  const byId = <T extends { task_id: string }>(a: T, b: T): number => (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0);
  sft.sort(byId);
  rl.sort(byId);
  const toJsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  return {
    sft: { jsonl: toJsonl(sft), count: sft.length },
    rl: { jsonl: toJsonl(rl), count: rl.length },
    manifest: {
      runId: input.runId,
      configKey: input.configKey,
      verificationPolicy: VERIFICATION_POLICY,
      solvePrompt: promptTag(solvePrompt),
      records: lineage.sort((a, b) => String(a.task_id).localeCompare(String(b.task_id))),
      stats: {
        tasks: sft.length,
        rlTests: rl.reduce((s, r) => s + r.tests.length, 0),
        styles: countBy(sft.map((r) => r.style)),
      },
    },
  };
}

function countBy(values: string[]): Record<string, number> {
  return values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
}
