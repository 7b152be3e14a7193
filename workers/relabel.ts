/**
 * Re-labels a finished run under another verification policy, from the stored execution matrices only (nothing
 * is executed, no LLM is called), and prints a task-by-task comparison as JSON.
 *
 *   npm run relabel -- [--policy policy.json] (--manifest <sha256:key | path/to/manifest.json> | --lineages lineages.json)
 *
 * --policy: a VerificationPolicy (workflows/config.ts; unset fields take the defaults; absent: the default policy). --manifest: a dataset
 * version (its kept records and the discarded tasks it lists). --lineages: a JSON array of task lineages, e.g. the
 * `tasks.outcomes[].lineage` of a pipeline summary. The store is the workers' (SYNTHSMITH_DATA_DIR, SYNTHSMITH_STORE).
 * Exit codes: 0 report printed; 2 invalid arguments or policy; 1 other failure.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ContentStore } from '../activities/store/content-store';
import { resolvePolicy } from '../activities/verify/policy';
import { lineagesOfManifest, relabelLineages, type RelabelLineage } from '../activities/verify/relabel';
import { readWorkerEnv } from './env';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { policy: { type: 'string' }, manifest: { type: 'string' }, lineages: { type: 'string' } } });
  if (!values.manifest && !values.lineages) {
    process.stderr.write('usage: relabel [--policy policy.json] (--manifest KEY|PATH | --lineages lineages.json)\n');
    process.exitCode = 2;
    return;
  }
  let policy;
  try {
    // Without --policy: the default (independent-witnesses@2), so a run made under the paper's policy is compared with it.
    policy = resolvePolicy(values.policy ? (JSON.parse(await readFile(values.policy, 'utf8')) as object) : {});
  } catch (err) {
    process.stderr.write(`relabel: invalid policy ${values.policy}: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const env = readWorkerEnv();
  const store = ContentStore.open({ root: env.dataDir, ...(env.s3 ? { s3: env.s3 } : {}) });
  let lineages: RelabelLineage[] = [];
  if (values.manifest) {
    if (values.manifest.startsWith('sha256:')) lineages = await lineagesOfManifest(store, values.manifest);
    else {
      const m = JSON.parse(await readFile(values.manifest, 'utf8')) as { records: RelabelLineage[]; discarded?: RelabelLineage[] };
      lineages = [...m.records, ...(m.discarded ?? [])];
    }
  }
  if (values.lineages) lineages.push(...(JSON.parse(await readFile(values.lineages, 'utf8')) as RelabelLineage[]));
  const report = await relabelLineages(store, lineages, policy);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
