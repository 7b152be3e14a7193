/**
 * Adaptive tests: when a task has a generator, draw more inputs where they are cheap and telling, re-verify, and
 * stop when the golden is confirmed on enough tests of every scale, when more tests cannot help, or when the
 * policy's budget (inputs, CPU seconds) is spent. Wrong programs that agree with the right ones on a small test
 * set are the paper's blind spot; only more inputs split such a cluster.
 *
 * The order: the first scale (small and edge inputs) twice, then each larger scale once, then the scale on which
 * the two best clusters disagree (the disagreement shows where the telling inputs are). Each draw is one
 * generator run at (scale, k-th draw of that scale) with its own seed, so the same task and seed always draw
 * the same inputs, and a caller that pre-executes draws (the calibration lane) sees exactly what a live run sees.
 *
 * Only distinct programs are executed on new inputs (identical sources behave the same), and more tests can
 * only split clusters, never merge them, so a task whose best cluster is already below `witnesses.min` stops
 * at once: nothing more is spent on it.
 */
import { hash32, mix32 } from '../common/rng';
import type { MatrixCellRecord } from '../sandbox/matrix';
import type { VerificationInput, VerificationResult } from './dual-verify';
import type { VerificationPolicy } from './policy';
import { programKey } from './programs';

export interface AdaptiveDraw {
  /** New inputs of one generator run (already through the validator, when there is one). */
  inputs?: string[];
  /** Why the run gave nothing: the generator crashed, looped or wrote only invalid inputs. */
  failed?: string;
}

export interface AdaptiveDeps {
  /** The k-th draw at `scale`, with the seed adaptive testing gives it (drawSeed). */
  draw(scale: string, seed: number, k: number): Promise<AdaptiveDraw>;
  /** Runs each program on the inputs; cells per program in the order given, plus the CPU ms spent. */
  execute(programs: readonly { code: string; language: 'python' | 'cpp' }[], inputs: readonly string[]): Promise<{ cells: (MatrixCellRecord[] | null)[]; cpuMs: number }>;
  /** Tasks with a checker program: output classes of the new tests ([test][row], rows as in the state). */
  classify?(tests: readonly { input: string; outputs: (string | null)[] }[]): Promise<{ ok: true; classes: (number | null)[][] } | { ok: false; reason: string }>;
  verify(input: VerificationInput): VerificationResult;
}

/** The verifier's input grown test by test; `scales[t]` says which generator scale made test t, if any. */
export interface AdaptiveState extends VerificationInput {
  scales: (string | undefined)[];
}

export interface AdaptiveOutcome {
  state: AdaptiveState;
  result: VerificationResult;
  rounds: number;
  added: number;
  cpuMs: number;
  stopped: 'disabled' | 'confirmed' | 'cannot_reach_witnesses' | 'checker_failed' | 'budget' | 'generator_exhausted';
  notes: string[];
}

/** Seed of the k-th draw at a scale, from the task's seed and label (stable across runs and callers). */
export function drawSeed(seed: number, label: string, scale: string, k: number): number {
  return mix32((seed ^ hash32(`adaptive/${label}/${scale}`)) + 0x9e3779b1 * (k + 1)) % 1_000_000_007;
}

const STUCK = new Set(['too_few_witnesses', 'no_valid_candidates', 'checker_failed']);

export async function adaptTests(start: AdaptiveState, policy: VerificationPolicy, scales: readonly string[], deps: AdaptiveDeps): Promise<AdaptiveOutcome> {
  const a = policy.adaptive;
  let state: AdaptiveState = { ...start, cells: [...start.cells], inputs: [...start.inputs], scales: [...start.scales], sources: [...(start.sources ?? start.inputs.map(() => 'given' as const))] };
  let result = deps.verify(state);
  const notes: string[] = [];
  const outcome = (stopped: AdaptiveOutcome['stopped'], rounds: number, added: number, cpuMs: number): AdaptiveOutcome => ({ state, result, rounds, added, cpuMs, stopped, notes });
  if (!a.enabled || !scales.length || a.maxInputs === 0) return outcome('disabled', 0, 0, 0);

  const seen = new Set(state.inputs);
  // Scales the first suite already covers (the pipeline's generator inputs) count as drawn: what must be covered
  // is the kind of input, not the number of rounds. Draw indices still start at 0 (their seeds are adaptive ones).
  const covered = new Set(state.scales.filter((x): x is string => x !== undefined));
  const drawn = new Map<string, number>();
  const failures = new Map<string, number>();
  const plan = [scales[0] as string, ...scales];
  let rounds = 0;
  let added = 0;
  let cpuMs = 0;
  let empty = 0;
  for (;;) {
    if (result.reason === 'checker_failed') return outcome('checker_failed', rounds, added, cpuMs);
    if (result.reason && STUCK.has(result.reason)) return outcome('cannot_reach_witnesses', rounds, added, cpuMs);
    const allScalesDrawn = scales.every((s) => covered.has(s) || (drawn.get(s) ?? 0) > 0 || (failures.get(s) ?? 0) >= 2);
    if (result.decision === 'kept' && allScalesDrawn && result.labelled.length >= a.minTests) return outcome('confirmed', rounds, added, cpuMs);
    if (added >= a.maxInputs || cpuMs >= a.maxCpuSeconds * 1000) return outcome('budget', rounds, added, cpuMs);
    const usable = scales.filter((s) => (failures.get(s) ?? 0) < 2);
    if (!usable.length || empty >= 3) return outcome('generator_exhausted', rounds, added, cpuMs);

    const scale = rounds < plan.length && usable.includes(plan[rounds] as string) ? (plan[rounds] as string) : targetScale(state, result, usable, drawn);
    const k = drawn.get(scale) ?? 0;
    drawn.set(scale, k + 1);
    rounds++;
    const got = await deps.draw(scale, drawSeed(start.seed, start.label, scale, k), k);
    if (got.failed) {
      failures.set(scale, (failures.get(scale) ?? 0) + 1);
      notes.push(`${scale} draw ${k}: ${got.failed}`);
    }
    const fresh = (got.inputs ?? []).filter((x) => !seen.has(x)).slice(0, Math.min(a.perRound, a.maxInputs - added));
    if (!fresh.length) {
      empty++;
      continue;
    }
    empty = 0;
    for (const x of fresh) seen.add(x);
    const ran = await addTests(state, fresh, policy, deps, 'generated');
    cpuMs += ran.cpuMs;
    added += fresh.length;
    state = ran.state;
    for (let i = 0; i < fresh.length; i++) state.scales.push(scale);
    result = deps.verify(state);
  }
}

/** The scale with most tests where the two best clusters differ; else the least drawn one. */
function targetScale(state: AdaptiveState, result: VerificationResult, usable: string[], drawn: Map<string, number>): string {
  const [first, second] = result.witness?.clusters ?? [];
  if (first && second) {
    const a = state.cells[first.members[0] as number];
    const b = state.cells[second.members[0] as number];
    const count = new Map<string, number>();
    state.inputs.forEach((_, t) => {
      const x = a?.[t];
      const y = b?.[t];
      const scale = state.scales[t];
      if (!scale || !usable.includes(scale) || !x || !y) return;
      if (x.status !== y.status || (x.status === 'OK' && x.stdout !== y.stdout)) count.set(scale, (count.get(scale) ?? 0) + 1);
    });
    const best = [...count].sort((p, q) => q[1] - p[1])[0];
    if (best) return best[0];
  }
  return [...usable].sort((p, q) => (drawn.get(p) ?? 0) - (drawn.get(q) ?? 0))[0] as string;
}

/**
 * The state with `fresh` tests appended: every distinct program (and each reference, on the small inputs) run
 * on them, classes under a checker. `scales` is left for the caller to extend.
 */
export async function addTests(
  state: AdaptiveState,
  fresh: string[],
  policy: VerificationPolicy,
  deps: Omit<AdaptiveDeps, 'draw' | 'verify'>,
  source: 'given' | 'generated',
): Promise<{ state: AdaptiveState; cpuMs: number }> {
  const meta = state.candidates ?? [];
  const keyOf = new Map<string, number>();
  const programs: { code: string; language: 'python' | 'cpp' }[] = [];
  const rowProgram = state.cells.map((row, i) => {
    if (!row) return -1;
    const m = meta[i] ?? { code: '', language: 'python' as const };
    const key = programKey(m.code, m.language);
    if (!keyOf.has(key)) {
      keyOf.set(key, programs.length);
      programs.push({ code: m.code, language: m.language });
    }
    return keyOf.get(key) as number;
  });
  const refs = state.references ?? [];
  const small = fresh.map((x) => Buffer.byteLength(x) <= policy.adaptive.smallInputBytes);
  const smallInputs = fresh.filter((_, i) => small[i]);
  const [main, refRun] = await Promise.all([
    deps.execute(programs, fresh),
    refs.length && smallInputs.length ? deps.execute(refs.map((r) => ({ code: r.code, language: 'python' as const })), smallInputs) : Promise.resolve(undefined),
  ]);
  const cells = state.cells.map((row, i) => (row ? [...row, ...(main.cells[rowProgram[i] as number] ?? fresh.map(() => notRun))] : null));
  const references = refs.map((r, k) => {
    let j = 0;
    const got = refRun?.cells[k];
    return { ...r, cells: [...r.cells, ...fresh.map((_, i) => (small[i] && got ? (got[j++] ?? null) : null))] };
  });
  let classes = state.classes ? state.classes.map((c) => [...c]) : undefined;
  let checkerFailure = state.checkerFailure;
  if (deps.classify && !checkerFailure) {
    const rows = [...cells, ...references.map((r) => r.cells)];
    const base = state.inputs.length;
    const tests = fresh.map((input, i) => ({ input, outputs: rows.map((row) => (row?.[base + i]?.status === 'OK' ? (row[base + i]?.stdout ?? null) : null)) }));
    const c = await deps.classify(tests);
    if (c.ok) classes = [...(classes ?? []), ...c.classes];
    else checkerFailure = c.reason;
  }
  return {
    cpuMs: main.cpuMs + (refRun?.cpuMs ?? 0),
    state: {
      ...state,
      cells,
      inputs: [...state.inputs, ...fresh],
      sources: [...(state.sources ?? []), ...fresh.map(() => source)],
      scales: [...state.scales],
      ...(refs.length ? { references } : {}),
      ...(classes ? { classes } : {}),
      ...(checkerFailure ? { checkerFailure } : {}),
    },
  };
}

const notRun: MatrixCellRecord = { status: 'RE', stdout: '', wallMs: 0, exitCode: null };
