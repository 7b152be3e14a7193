import { NativeConnection, type Worker } from '@temporalio/worker';
import { readWorkerEnv, type WorkerEnv } from './env';
import type { WorkerDeps } from './create-workers';

type WorkerFactory = (deps: WorkerDeps) => Promise<Worker>;

/**
 * Connects, creates the given workers and runs them until SIGINT/SIGTERM (the SDK's default shutdown
 * signals), which lets in-flight activities finish within the shutdown grace time.
 */
export async function runWorkers(factories: WorkerFactory[], env: WorkerEnv = readWorkerEnv()): Promise<void> {
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  try {
    const workers = await Promise.all(factories.map((create) => create({ connection, env })));
    console.log(`workers polling ${workers.map((w) => w.options.taskQueue).join(', ')} on ${env.temporalAddress} (data: ${env.dataDir})`);
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
}
