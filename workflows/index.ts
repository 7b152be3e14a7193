/** Every workflow type the orchestrator worker runs (its workflowsPath points here). */
export { synthSmithPipeline } from './pipeline';
export { synthesizeTask } from './synthesize-task';
export { synthesizeBatch } from './synthesize-batch';
export { extractFeaturesBatch } from './extract-batch';
export { trainModel } from './train';
export { dataRefresh } from './data-refresh';
export { evaluateModel } from './evaluate';
