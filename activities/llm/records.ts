/** Blobs written by the task-writing activities (read back by execution, verification and export). */
import type { TaskStyle } from '../../workflows/types';
import type { Provenance } from './chat';

export interface SelectionRecord {
  subtreeKey: string;
  featureRolesTree: unknown;
  selectedFeaturesTree: unknown;
  integrationStrategy: string;
  provenance: Provenance;
}

export interface StatementRecord {
  taskId: string;
  style: TaskStyle;
  ioMode: 'stdio';
  question: string;
  selectionKey: string;
  provenance: Provenance;
}

export interface Candidate {
  index: number;
  reasoning: string;
  code: string;
  language: 'python';
  valid: boolean;
  invalidReason?: string;
}

export interface CandidatesRecord {
  statementKey: string;
  candidates: Candidate[];
  provenance: Provenance;
}

export interface TestsRecord {
  statementKey: string;
  tests: { input: string; description: string }[];
  dropped: { idx: number; reason: string }[];
  provenance: Provenance;
}
