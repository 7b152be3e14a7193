import * as os from 'node:os';
import * as path from 'node:path';
import type { S3BackendOptions } from '../activities/store/backends/s3';
import { TASK_QUEUES } from '../workflows/task-queues';

/** Repository root (workers/ is one level down), for default paths of the venv, trainer and judge. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * Worker settings come from the environment (twelve-factor style), so the same entry points run on a laptop,
 * in docker compose and on GPU hosts. Nothing here enters workflow history.
 */
export interface WorkerEnv {
  temporalAddress: string;
  namespace: string;
  /**
   * Root of the content store and run outputs (datasets, checkpoints), shared by the workers of a machine;
   * with S3 configured it is this worker's local cache and the store itself is the bucket.
   */
  dataDir: string;
  /** SYNTHSMITH_STORE=s3://bucket/prefix (+ SYNTHSMITH_S3_ENDPOINT for MinIO & co, AWS_* credentials). */
  s3?: S3BackendOptions;
  /** Python of the project virtualenv (torch, transformers, the trainer). */
  python: string;
  sandboxSlots: number;
  /** host:port of the Prometheus endpoint (`/metrics`) for SDK and SynthSmith metrics; off when unset. */
  metricsAddress?: string;
  /** Queues each pool polls; overridable so several deployments (or tests) share one namespace. */
  taskQueues: { orchestrator: string; sandbox: string; gpu: string };
}

export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    dataDir: path.resolve(env.SYNTHSMITH_DATA_DIR ?? path.join(REPO_ROOT, '.data')),
    python: env.SYNTHSMITH_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python'),
    sandboxSlots: Number(env.SYNTHSMITH_SANDBOX_SLOTS ?? os.cpus().length),
    ...(env.SYNTHSMITH_STORE?.startsWith('s3://')
      ? {
          s3: {
            url: env.SYNTHSMITH_STORE,
            endpoint: env.SYNTHSMITH_S3_ENDPOINT,
            region: env.AWS_REGION,
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          },
        }
      : {}),
    ...(env.SYNTHSMITH_METRICS_ADDRESS ? { metricsAddress: env.SYNTHSMITH_METRICS_ADDRESS } : {}),
    taskQueues: {
      orchestrator: env.SYNTHSMITH_QUEUE_ORCHESTRATOR ?? TASK_QUEUES.orchestrator,
      sandbox: env.SYNTHSMITH_QUEUE_SANDBOX ?? TASK_QUEUES.sandbox,
      gpu: env.SYNTHSMITH_QUEUE_GPU ?? TASK_QUEUES.gpu,
    },
  };
}
