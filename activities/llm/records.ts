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
  /** 'function': a LeetCode-style task whose solution is `Solution().<fnName>` (activities/sandbox/function-harness.ts). */
  ioMode: 'stdio' | 'function';
  question: string;
  /** Function I/O only: the method every candidate implements, the starter code shown with the statement, and its parameters. */
  fnName?: string;
  starterCode?: string;
  fnParams?: string[];
  selectionKey: string;
  provenance: Provenance;
}

export interface Candidate {
  index: number;
  reasoning: string;
  code: string;
  language: 'python' | 'cpp';
  valid: boolean;
  invalidReason?: string;
  /** The request that made this candidate, when the pool mixes solver models (else the record's). */
  provenance?: Provenance;
}

export interface CandidatesRecord {
  statementKey: string;
  candidates: Candidate[];
  /** The (first) solver's request; candidates of a mixed pool carry their own. */
  provenance: Provenance;
  /** Each solver of a mixed pool, in order, with how many candidates it gave. */
  solvers?: (Provenance & { candidates: number })[];
}

export type TestSource = 'prompted' | 'generator';

export interface TestsRecord {
  statementKey: string;
  /** Absent source = prompted (records written before generators existed). */
  tests: { input: string; description: string; source?: TestSource; scale?: string }[];
  /** idx: position in the prompted answer, or in the scale's file list (by name) for generator inputs. */
  dropped: { idx: number; reason: string; source?: TestSource; scale?: string; name?: string }[];
  /** The prompted answer's provenance; the generator's when only the generator made inputs. */
  provenance: Provenance;
  /** How the generator ran, when it was used. */
  generator?: {
    programKey: string;
    provenance: Provenance;
    seed: number;
    unusable?: string;
    scales: { scale: string; status: 'ok' | 'failed'; files: number; kept: number; reason?: string }[];
  };
  validator?: { programKey: string; provenance: Provenance; unusable?: string; checked: number; rejected: number };
}

/** An LLM-written program around the tests: a generator (paper §4, tool-based) or an input validator. */
export interface InputProgramRecord {
  kind: 'generator' | 'validator';
  statementKey: string;
  reasoning: string;
  code: string;
  /** Why the answer was not usable after the repair attempts (then code is empty and the program is not run). */
  unusable?: string;
  provenance: Provenance;
}
