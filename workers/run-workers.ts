import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { readWorkerEnv, type WorkerEnv } from './env';
import type { WorkerDeps } from './create-workers';

type WorkerFactory = (deps: WorkerDeps) => Promise<Worker>;

/**
 * Connects, creates the given workers and runs them until SIGINT/SIGTERM (the SDK's default shutdown
 * signals), which lets in-flight activities finish within the shutdown grace time.
 */
export async function runWorkers(factories: WorkerFactory[], env: WorkerEnv = readWorkerEnv()): Promise<void> {
  // Once per process, before any connection: SDK metrics (task latencies, slots, polls) and ours share the
  // endpoint, tagged with the pool so one Prometheus job can scrape every worker.
  Runtime.install({
    logger: new DefaultLogger((process.env.SYNTHSMITH_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO'),
    ...(env.metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: env.metricsAddress }, globalTags: { pool: factories.map((f) => f.name.replace(/^create|Worker$/g, '').toLowerCase()).join('+') } } } }
      : {}),
  });
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  try {
    const workers = await Promise.all(factories.map((create) => create({ connection, env })));
    console.log(`workers polling ${workers.map((w) => w.options.taskQueue).join(', ')} on ${env.temporalAddress} (data: ${env.dataDir})`);
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
}
