/**
 * Starts an evaluation and prints its report, or compares two finished ones:
 *   npm run evaluate -- start eval.json [--id my-eval]   start evaluateModel and wait for its report
 *   npm run evaluate -- follow <workflowId>              wait for a running evaluation's report
 *   npm run evaluate -- compare <baselineKey> <candidateKey>   two report keys (sha256:...) from the store
 * The config file is the workflow input (workflows/evaluate.ts documents every field).
 */
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { compareReports, formatComparison, formatReport } from '../activities/eval/metrics';
import type { EvaluationReport } from '../activities/eval/types';
import { ContentStore } from '../activities/store/content-store';
import { DEFAULT_WINDOWS, EvaluationConfigSchema, type EvaluationSummary } from '../workflows/evaluate';
import { readWorkerEnv } from './env';

function printSummary(s: EvaluationSummary): void {
  console.log(formatReport(s.report));
  if (s.comparison) console.log(`\n${formatComparison(s.comparison)}`);
  if (s.failedProblems.length) console.log(`\nfailed problems: ${s.failedProblems.map((f) => `${f.id} (${f.reason})`).join('; ')}`);
  if (s.rejected.length) console.log(`rejected lines: ${s.rejected.map((r) => `${r.line} (${r.reason})`).join('; ')}`);
  console.log(`\nreport ${s.reportKey}\n       ${s.reportPath}`);
}

async function run(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const env = readWorkerEnv();
  if (command === 'compare') {
    const [baseline, candidate] = rest;
    if (!baseline || !candidate) throw new Error('usage: evaluate compare <baselineReportKey> <candidateReportKey>');
    const store = ContentStore.open({ root: env.dataDir, s3: env.s3 });
    const [a, b] = await Promise.all([store.getJson<EvaluationReport>(baseline), store.getJson<EvaluationReport>(candidate)]);
    console.log(formatComparison(compareReports(a, b, DEFAULT_WINDOWS)));
    return;
  }
  if (command !== 'start' && command !== 'follow') throw new Error('usage: evaluate start <config.json> [--id ID] | follow <workflowId> | compare <keyA> <keyB>');
  const connection = await Connection.connect({ address: env.temporalAddress });
  try {
    const client = new Client({ connection, namespace: env.namespace });
    let workflowId = rest[0];
    if (command === 'start') {
      if (!rest[0]) throw new Error('usage: evaluate start <config.json> [--id ID]');
      const input = JSON.parse(await readFile(rest[0], 'utf8')) as unknown;
      const parsed = EvaluationConfigSchema.safeParse(input);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      const idFlag = rest.indexOf('--id');
      workflowId = idFlag >= 0 && rest[idFlag + 1] ? rest[idFlag + 1]! : `eval/${Date.now()}`;
      await client.workflow.start('evaluateModel', { taskQueue: env.taskQueues.orchestrator, workflowId, args: [input] });
      console.log(`started ${workflowId}; Web UI shows its progress`);
    }
    if (!workflowId) throw new Error('usage: evaluate follow <workflowId>');
    printSummary((await client.workflow.getHandle(workflowId).result()) as EvaluationSummary);
  } finally {
    await connection.close();
  }
}

run().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
