/** Sandbox worker: executes untrusted candidate code under bubblewrap (queue `synthsmith-sandbox`). Run one per CPU machine. */
import { createSandboxWorker } from './create-workers';
import { runWorkers } from './run-workers';

runWorkers([createSandboxWorker]).catch((err) => {
  console.error(err);
  process.exit(1);
});
