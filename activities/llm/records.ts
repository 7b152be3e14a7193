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

/**
 * How a task's outputs are judged, declared by the statement writer (absent = exact: records and recorded answers
 * from before the rule existed). The same shape as the sandbox's CheckerSpec, so a rule is handed to the judge
 * as is. `testlib`: a C++17 testlib checker run as `checker in out ans`, where `ans` is another candidate's
 * output, not a trusted jury answer (tasks with several valid answers).
 */
export type OutputRule =
  | { kind: 'exact' }
  | { kind: 'token' }
  | { kind: 'float'; absTolerance: number; relTolerance: number }
  | { kind: 'testlib'; code: string };

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
  /** The statement writer's output rule; absent = exact. Function I/O tasks only ever get exact or float. */
  output?: OutputRule;
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

/** adaptive: drawn from the generator during verification; separator: written by the separator role at a disagreement. */
export type TestSource = 'prompted' | 'generator' | 'adaptive' | 'separator';

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

/**
 * An LLM-written program around the tests: a generator (paper §4, tool-based), an input validator, or a
 * brute-force reference (correct on small inputs only: one more independent witness there, never a candidate).
 */
export interface InputProgramRecord {
  kind: 'generator' | 'validator' | 'reference';
  statementKey: string;
  reasoning: string;
  code: string;
  /** Why the answer was not usable after the repair attempts (then code is empty and the program is not run). */
  unusable?: string;
  provenance: Provenance;
}

/**
 * Inputs an LLM wrote to tell apart two candidate programs that disagree on `witness.input` (adaptive tests).
 * `inputs` are normalized (LF line ends, a final newline) and passed the same intake as prompted inputs;
 * `dropped` says why the others did not (position in the answer's list).
 */
export interface SeparatingInputsRecord {
  kind: 'separating-inputs';
  statementKey: string;
  inputs: string[];
  /** The model's account of how the two programs differ, when it gave one. */
  reasoning?: string;
  witness: { input: string; outputs: [string, string] };
  dropped: { idx: number; reason: string }[];
  /** Why the answer was not usable after the repair attempts (then inputs is empty). */
  unusable?: string;
  provenance: Provenance;
}
