/**
 * The RL dataset as Parquet in the layout verl's RLHFDataset reads (verl docs, "Prepare Data"):
 *   data_source: string          — verl picks the reward function by it (ours: the SynthSmith judge)
 *   prompt: list<struct<role, content>>  — chat messages, rendered by the trainer's chat template
 *   ability: string              — "code"
 *   reward_model: struct<style: "rule", ground_truth: string>
 *       ground_truth = JSON {"inputs": [...], "outputs": [...], "fn_name"?, "checker"?} — the APPS/TACO convention verl's
 *       code scorers (prime_code, sandbox_fusion) parse, plus the task's output rule for our reward
 *   extra_info: struct<index, split, task_id, io_mode, fn_name, pass_rate, solver_pass_rate, style, weights (JSON), flags (JSON), reliability (JSON)>
 * Written with hyparquet-writer (pure JS) and an explicit schema, so nested columns get proper LIST/struct
 * types and every file has the same schema whatever the data. Deterministic bytes: same rows, same key.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ChatMessage, RlRecord } from './dataset-records';

export interface VerlRow {
  data_source: string;
  prompt: ChatMessage[];
  ability: string;
  reward_model: { style: string; ground_truth: string };
  extra_info: {
    index: bigint;
    split: string;
    task_id: string;
    io_mode: string;
    fn_name: string | null;
    pass_rate: number;
    solver_pass_rate: number | null;
    style: string;
    weights: string;
    flags: string;
    reliability: string;
  };
}

export function toVerlRow(record: RlRecord, index: number, dataSource: string): VerlRow {
  const ground = {
    inputs: record.tests.map((t) => t.input),
    outputs: record.tests.map((t) => t.output),
    ...(record.fn_name ? { fn_name: record.fn_name } : {}),
    ...(record.checker ? { checker: record.checker } : {}),
  };
  return {
    data_source: dataSource,
    prompt: [...(record.system ? [{ role: 'system' as const, content: record.system }] : []), { role: 'user', content: record.prompt }],
    ability: 'code',
    reward_model: { style: 'rule', ground_truth: JSON.stringify(ground) },
    extra_info: {
      index: BigInt(index),
      split: 'train',
      task_id: record.task_id,
      io_mode: record.io_mode,
      fn_name: record.fn_name ?? null,
      pass_rate: record.pass_rate,
      solver_pass_rate: record.solver_pass_rate ?? null,
      style: record.style,
      weights: JSON.stringify(record.tests.map((t) => t.weight)),
      flags: JSON.stringify(record.tests.map((t) => t.flags ?? [])),
      reliability: JSON.stringify(record.reliability ?? null),
    },
  };
}

const str = (name: string, optional = false) => ({
  name,
  type: 'BYTE_ARRAY' as const,
  converted_type: 'UTF8' as const,
  repetition_type: optional ? ('OPTIONAL' as const) : ('REQUIRED' as const),
});

/** The explicit Parquet schema (flattened depth-first, as the format stores it). */
const SCHEMA = [
  { name: 'root', num_children: 5 },
  str('data_source'),
  { name: 'prompt', repetition_type: 'REQUIRED' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', repetition_type: 'REQUIRED' as const, num_children: 2 },
  str('role'),
  str('content'),
  str('ability'),
  { name: 'reward_model', repetition_type: 'REQUIRED' as const, num_children: 2 },
  str('style'),
  str('ground_truth'),
  { name: 'extra_info', repetition_type: 'REQUIRED' as const, num_children: 11 },
  { name: 'index', type: 'INT64' as const, repetition_type: 'REQUIRED' as const },
  str('split'),
  str('task_id'),
  str('io_mode'),
  str('fn_name', true),
  { name: 'pass_rate', type: 'DOUBLE' as const, repetition_type: 'REQUIRED' as const },
  { name: 'solver_pass_rate', type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const },
  str('style'),
  str('weights'),
  str('flags'),
  str('reliability'),
];

const COLUMNS = ['data_source', 'prompt', 'ability', 'reward_model', 'extra_info'] as const;

export function writeVerlParquet(rows: readonly VerlRow[]): Buffer {
  const buffer = parquetWriteBuffer({
    columnData: COLUMNS.map((name) => ({ name, data: rows.map((r) => r[name]) })),
    schema: SCHEMA,
    createdBy: 'synthsmith',
    // Small files: one row group keeps them simple to inspect; verl reads any row-group layout.
    rowGroupSize: Math.max(1, rows.length),
  });
  return Buffer.from(buffer);
}
