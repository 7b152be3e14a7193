/** All three workers in one process: the embedded default for a laptop or a single machine. */
import { createOrchestratorWorker, createSandboxWorker, createTrainerWorker } from './create-workers';
import { runWorkers } from './run-workers';

runWorkers([createOrchestratorWorker, createSandboxWorker, createTrainerWorker]).catch((err) => {
  console.error(err);
  process.exit(1);
});
