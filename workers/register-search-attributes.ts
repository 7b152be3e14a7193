/**
 * Registers SynthSmith's search attributes on a namespace of a real cluster (the dev server started by the
 * demo and tests registers them itself). Idempotent: attributes that already exist are left alone.
 *   TEMPORAL_ADDRESS=host:7233 TEMPORAL_NAMESPACE=default npm run register-search-attributes
 */
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { readWorkerEnv } from './env';

async function run(): Promise<void> {
  const env = readWorkerEnv();
  const connection = await Connection.connect({ address: env.temporalAddress });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace: env.namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace: env.namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type) as NonNullable<ReturnType<typeof encodeSearchAttributeIndexedValueType>>])),
      });
    }
    console.log(`search attributes on ${env.namespace}: ${SEARCH_ATTRIBUTES.map((k) => k.name).join(', ')} (${missing.length} added)`);
  } finally {
    await connection.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
