/** Trainer worker: launches the Python trainer for SFT and RL (queue `synthsmith-gpu`). Run one per GPU host. */
import { createTrainerWorker } from './create-workers';
import { runWorkers } from './run-workers';

runWorkers([createTrainerWorker]).catch((err) => {
  console.error(err);
  process.exit(1);
});
