import { defineQuery } from '@temporalio/workflow';
import type { PipelineProgress } from './types';

/** `temporal workflow query --name progress -w <id>`; the demo polls it to print progress. */
export const progressQuery = defineQuery<PipelineProgress>('progress');
