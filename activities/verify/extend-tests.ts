/**
 * More evidence for a task's verification, on the sandbox queue (it runs untrusted programs): a brute-force
 * reference on the small inputs, inputs the separator role wrote at a disagreement, and adaptive draws from the
 * task's generator (adaptive.ts). It writes an extended tests record and matrix (the first suite unchanged, new
 * tests after it with their source), so verification stays a pure function of stored blobs and relabel works on
 * it. A broken generator, validator or reference loses only its own evidence, with the reason in the matrix.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ArtifactKey } from '../../workflows/types';
import type { Semaphore } from '../common/semaphore';
import { testInputProblem } from '../llm/function-io';
import type { CandidatesRecord, InputProgramRecord, SeparatingInputsRecord, StatementRecord, TestsRecord } from '../llm/records';
import { checkerClasses } from '../sandbox/checker-classes';
import { DRIVER_STDOUT_BYTES } from '../sandbox/generator-run';
import type { MatrixCellRecord, MatrixRecord } from '../sandbox/matrix';
import { DEFAULT_LIMITS, type Program, type RunLimits, type Sandbox } from '../sandbox/types';
import type { ContentStore } from '../store/content-store';
import { addTests, adaptTests, type AdaptiveDeps, type AdaptiveState } from './adaptive';
import { verificationInput } from './activities';
import { verifyMatrix, type VerificationResult } from './dual-verify';
import { liveAdaptiveDeps } from './live-adaptive';
import { resolvePolicy, type VerificationPolicyInput } from './policy';

export interface ExtendTestsInput {
  taskId: string;
  candidatesKey: ArtifactKey;
  testsKey: ArtifactKey;
  matrixKey: ArtifactKey;
  seed: number;
  policy?: VerificationPolicyInput;
  scales: string[];
  timeLimitMs: number;
  memoryMb: number;
  generatorTimeLimitMs: number;
  generatorMemoryMb: number;
  /** A brute-force reference (InputProgramRecord of kind 'reference') to run on the small inputs. */
  referenceKey?: ArtifactKey;
  /** Inputs the separator role wrote (SeparatingInputsRecord); with them, no generator draws are made. */
  separatingInputsKey?: ArtifactKey;
}

export interface ExtendTestsResult {
  testsKey: ArtifactKey;
  matrixKey: ArtifactKey;
  added: number;
  stopped: string;
  decision: VerificationResult['decision'];
  reason?: string;
  /** When the two best clusters are not separated: one program of each and an input where they differ. */
  disagreement?: { candidates: [number, number]; programs: [CandidateProgram, CandidateProgram]; input: string; outputs: [string, string] };
}

/** A candidate's program, as the separator role is shown it. */
export interface CandidateProgram {
  code: string;
  language: 'python' | 'cpp';
}

export interface ExtendTestsDeps {
  store: ContentStore;
  sandbox: Sandbox;
  concurrency: number;
  boxes: Semaphore;
}

/** The sandbox with one of the worker's box permits held by every run, so extra evidence never oversubscribes cores. */
function permitted(sandbox: Sandbox, boxes: Semaphore, signal: AbortSignal): Sandbox {
  return {
    ...sandbox,
    async runMany(program, inputs, limits, opts) {
      const release = await boxes.acquire(signal);
      try {
        return await sandbox.runMany(program, inputs, limits, opts);
      } finally {
        release();
      }
    },
    async openBox(program, limits) {
      const release = await boxes.acquire(signal);
      try {
        const box = await sandbox.openBox(program, limits);
        return { ...box, close: () => box.close().finally(release) };
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}

export function createExtendTestsActivities({ store, sandbox: raw, concurrency, boxes }: ExtendTestsDeps) {
  return {
    async extendTests(input: ExtendTestsInput): Promise<ExtendTestsResult> {
      const signal = cancellationSignal();
      const sandbox = permitted(raw, boxes, signal);
      const beat = setInterval(() => heartbeat({ phase: 'extend tests' }), 1000);
      try {
        const [candidates, tests, matrix] = await Promise.all([
          store.getJson<CandidatesRecord>(input.candidatesKey),
          store.getJson<TestsRecord>(input.testsKey),
          store.getJson<MatrixRecord>(input.matrixKey),
        ]);
        const statement = await store.getJson<StatementRecord>(candidates.statementKey);
        const policy = resolvePolicy(input.policy);
        const limits: RunLimits = { ...DEFAULT_LIMITS, timeLimitMs: input.timeLimitMs, memoryMb: input.memoryMb };
        const generatorLimits: RunLimits = { timeLimitMs: input.generatorTimeLimitMs, memoryMb: input.generatorMemoryMb, outputLimitBytes: DRIVER_STDOUT_BYTES };
        const checkerCode = statement.output?.kind === 'testlib' ? statement.output.code : undefined;
        const fnName = statement.ioMode === 'function' ? statement.fnName : undefined;
        const notes: string[] = [];
        const generator = tests.generator && !tests.generator.unusable ? await store.getJson<InputProgramRecord>(tests.generator.programKey) : undefined;
        const validator = tests.validator && !tests.validator.unusable ? await store.getJson<InputProgramRecord>(tests.validator.programKey) : undefined;
        const validate = validator ? validatorFor(sandbox, validator.code, generatorLimits, signal) : undefined;
        const live = liveAdaptiveDeps({
          sandbox,
          generator: generator?.code ?? '',
          limits,
          generatorLimits,
          concurrency,
          ...(fnName ? { fnName } : {}),
          ...(checkerCode ? { checkerCode } : {}),
          formatProblem: (text) => testInputProblem(statement, text),
          ...(validate ? { validate } : {}),
          signal,
        });
        const deps: AdaptiveDeps = { ...live, verify: verifyMatrix };
        let state: AdaptiveState = {
          ...verificationInput(candidates, tests, matrix, statement),
          seed: input.seed,
          label: input.taskId,
          policy,
          scales: tests.tests.map((t) => t.scale),
        };

        if (input.referenceKey && !state.references?.length) {
          const ref = await store.getJson<InputProgramRecord>(input.referenceKey);
          if (ref.unusable || !ref.code) notes.push(`reference unusable: ${ref.unusable ?? 'no code'}`);
          else state = await withReference(state, ref, deps, policy.adaptive.smallInputBytes, checkerCode, sandbox, signal);
        }
        let added = 0;
        let stopped = 'nothing to draw';
        const sources: TestsRecord['tests'][number]['source'][] = [];
        const start = state.inputs.length;
        let rounds = 0;
        let cpuMs = 0;
        if (input.separatingInputsKey) {
          const sep = await store.getJson<SeparatingInputsRecord>(input.separatingInputsKey);
          const seen = new Set(state.inputs);
          const fresh = (await live.intake(sep.inputs)).inputs.filter((x) => !seen.has(x));
          if (fresh.length) {
            const ran = await addTests(state, fresh, policy, deps, 'generated');
            state = ran.state;
            cpuMs = ran.cpuMs;
            state.scales.push(...fresh.map(() => undefined));
            sources.push(...fresh.map(() => 'separator' as const));
          }
          added = fresh.length;
          rounds = 1;
          stopped = `separator: ${fresh.length} new input(s) of ${sep.inputs.length}`;
        } else if (generator && policy.algorithm === 'witness') {
          const outcome = await adaptTests(state, policy, input.scales, deps);
          ({ state, added, stopped, rounds, cpuMs } = outcome);
          notes.push(...outcome.notes);
          sources.push(...Array.from({ length: added }, () => 'adaptive' as const));
        }
        const result = verifyMatrix(state);
        // Nothing new (no input, no reference): the stage's own blobs stand, no copy is written.
        if (added === 0 && (state.references?.length ?? 0) === (matrix.references?.length ?? 0) && !notes.length) {
          return { testsKey: input.testsKey, matrixKey: input.matrixKey, added, stopped, decision: result.decision, ...(result.reason ? { reason: result.reason } : {}), ...disagreementOf(state, result) };
        }
        const newTests: TestsRecord = {
          ...tests,
          tests: [
            ...tests.tests,
            ...state.inputs.slice(start).map((x, i) => ({ input: x, description: sources[i] === 'separator' ? 'separator' : `adaptive: ${state.scales[start + i] ?? ''}`, source: sources[i], ...(state.scales[start + i] ? { scale: state.scales[start + i] } : {}) })),
          ],
        };
        const newMatrix: MatrixRecord = {
          ...matrix,
          testsKey: '',
          // The verifier's rows are in candidate order, which is the matrix's (candidate index = row).
          cells: state.cells.map((row) => (row ? [...row] : null)) as MatrixRecord['cells'],
          ...(state.classes ? { classes: state.classes.map((c) => [...c]) } : {}),
          ...(state.checkerFailure ? { checkerFailure: state.checkerFailure } : {}),
          ...(state.references?.length
            ? { references: state.references.map((r, k) => ({ programKey: matrix.references?.[k]?.programKey ?? input.referenceKey ?? '', code: r.code, model: r.model ?? 'unknown', cells: r.cells as (MatrixCellRecord | null)[] })) }
            : {}),
          adaptive: { rounds, added, cpuMs: Math.round(cpuMs), stopped, ...(notes.length ? { notes } : {}) },
        };
        const testsKey = await store.putJson(newTests);
        newMatrix.testsKey = testsKey;
        const matrixKey = await store.putJson(newMatrix);
        return {
          testsKey,
          matrixKey,
          added,
          stopped,
          decision: result.decision,
          ...(result.reason ? { reason: result.reason } : {}),
          ...disagreementOf(state, result),
        };
      } finally {
        clearInterval(beat);
      }
    },
  };
}

/** The validator as a function: each input one run; a run that does not exit 0 rejects it. */
function validatorFor(sandbox: Sandbox, code: string, limits: RunLimits, signal: AbortSignal): (inputs: string[]) => Promise<(string | null)[]> {
  return async (inputs) => {
    const prepared = await sandbox.program('python', code);
    if (!prepared.ok) return inputs.map(() => null);
    const runs = await sandbox.runMany(prepared.program as Program, inputs, { ...limits, outputLimitBytes: 64 * 1024 }, { signal });
    return runs.map((r) => (r.status === 'OK' ? null : `rejected by the validator (${r.status})`));
  };
}

/** The reference's runs on the small inputs already in the suite; under a checker, classes again with its row. */
async function withReference(
  state: AdaptiveState,
  ref: InputProgramRecord,
  deps: AdaptiveDeps,
  smallBytes: number,
  checkerCode: string | undefined,
  sandbox: Sandbox,
  signal: AbortSignal,
): Promise<AdaptiveState> {
  const small = state.inputs.map((x) => Buffer.byteLength(x) <= smallBytes);
  const smallInputs = state.inputs.filter((_, i) => small[i]);
  const run = smallInputs.length ? await deps.execute([{ code: ref.code, language: 'python' }], smallInputs) : undefined;
  let j = 0;
  const cells = state.inputs.map((_, i) => (small[i] && run?.cells[0] ? (run.cells[0][j++] ?? null) : null));
  const references = [...(state.references ?? []), { code: ref.code, model: ref.provenance.model, cells }];
  if (!checkerCode || state.checkerFailure) return { ...state, references };
  const rows = [...state.cells, ...references.map((r) => r.cells)];
  const c = await checkerClasses(sandbox, checkerCode, state.inputs.map((input, t) => ({ input, outputs: rows.map((row) => (row?.[t]?.status === 'OK' ? (row[t]?.stdout ?? null) : null)) })), { signal });
  return c.ok ? { ...state, references, classes: c.classes } : { ...state, references, checkerFailure: c.reason };
}

/** One program of each of the two best clusters and the first input where their answers differ. */
function disagreementOf(state: AdaptiveState, result: VerificationResult): Pick<ExtendTestsResult, 'disagreement'> {
  if (result.decision === 'kept' || (result.reason !== 'no_clear_winner' && result.reason !== 'golden_contradicted')) return {};
  const [a, b] = result.witness?.clusters ?? [];
  if (!a || !b) return {};
  const i = a.members[0] as number;
  const j = b.members[0] as number;
  const t = state.inputs.findIndex((_, t) => {
    const x = state.cells[i]?.[t];
    const y = state.cells[j]?.[t];
    return !!x && !!y && x.status === 'OK' && y.status === 'OK' && x.stdout !== y.stdout;
  });
  if (t < 0) return {};
  const program = (k: number): CandidateProgram => ({ code: state.candidates?.[k]?.code ?? '', language: state.candidates?.[k]?.language ?? 'python' });
  return { disagreement: { candidates: [i, j], programs: [program(i), program(j)], input: state.inputs[t] as string, outputs: [state.cells[i]![t]!.stdout, state.cells[j]![t]!.stdout] } };
}
