/** Orchestrator worker: workflows plus LLM, feature, store and verification activities (queue `synthsmith`). */
import { createOrchestratorWorker } from './create-workers';
import { runWorkers } from './run-workers';

runWorkers([createOrchestratorWorker]).catch((err) => {
  console.error(err);
  process.exit(1);
});
