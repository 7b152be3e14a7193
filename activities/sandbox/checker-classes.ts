/**
 * Equivalence classes of candidates' outputs under a task's testlib checker. On a task with many right answers,
 * comparing outputs byte for byte splits candidates that agree; the checker knows which outputs are the same
 * answer. Two outputs are equivalent iff each is accepted when the other is the jury answer (the checker need
 * not be symmetric, and an invalid output must not join a class by being lenient as the "jury answer").
 *
 * Assignment is greedy in a fixed order, so it is deterministic: distinct outputs (after the trimming of
 * common/compare.ts; identical ones never cost a checker run) in order of first appearance, each joining the
 * first class whose representative (its first output) it is mutually accepted with, else opening a new class.
 * Equivalence under a checker need not be transitive; greedy-by-representative is the usual compromise.
 * Cost: up to k·(k-1) checker runs for k distinct outputs on a test, so past `maxOutputsPerTest` distinct
 * outputs the extra ones each get a class of their own without being compared (an overestimate of the number
 * of distinct answers, never a false merge).
 */
import { normalizeOutput } from '../common/compare';
import { CHECKER_FILES, CHECKER_LIMITS, checkerInvocation } from './checkers';
import { SandboxInfraError, type OpenBox, type Program, type RunLimits, type Sandbox } from './types';

export type CheckerClassesResult = { ok: true; classes: (number | null)[][]; checkerRuns: number } | { ok: false; reason: string };

export interface CheckerClassesTest {
  input: string;
  /** Candidate c's stdout on this test; null where the run did not succeed. */
  outputs: (string | null)[];
}

export interface CheckerClassesOptions {
  signal?: AbortSignal;
  /** Distinct outputs per test that are compared; default 8. */
  maxOutputsPerTest?: number;
  /** Limits of one checker run; default the judge's (CHECKER_LIMITS). */
  limits?: RunLimits;
}

const DEFAULT_MAX_OUTPUTS = 8;
const MESSAGE_BYTES = 1024;

/** Why the checker cannot be trusted to compare (it broke, not the outputs): ends the whole call. */
class CheckerBroken extends Error {}

export async function checkerClasses(
  sandbox: Sandbox,
  checkerCode: string,
  tests: readonly CheckerClassesTest[],
  opts: CheckerClassesOptions = {},
): Promise<CheckerClassesResult> {
  const maxOutputs = opts.maxOutputsPerTest ?? DEFAULT_MAX_OUTPUTS;
  let box: OpenBox | undefined;
  let runs = 0;
  try {
    // Compiled even when no test needs a comparison, so a broken checker is reported the same way every time.
    const prepared = await sandbox.program('cpp', checkerCode);
    if (!prepared.ok) return { ok: false, reason: `the checker does not compile: ${prepared.message.slice(0, MESSAGE_BYTES)}` };
    const program: Program = checkerInvocation(prepared.program);

    /** Whether the checker accepts `output` against the jury answer `answer`; a FAIL (exit 3) is a rejection. */
    const accepts = async (t: number, output: string, answer: string): Promise<boolean> => {
      opts.signal?.throwIfAborted();
      box ??= await sandbox.openBox(program, opts.limits ?? CHECKER_LIMITS);
      const [inFile, outFile, ansFile] = CHECKER_FILES;
      box.putFile(inFile, tests[t]?.input ?? '');
      box.putFile(outFile, output);
      box.putFile(ansFile, answer);
      const r = await box.run('', opts.signal);
      runs++;
      opts.signal?.throwIfAborted(); // an aborted run reads as a crash; it is not the checker's fault
      const stderr = r.stderr.trim().slice(0, MESSAGE_BYTES);
      const at = `on test ${t + 1} of ${tests.length}`;
      if (r.status === 'OK') return true;
      if (r.status !== 'RE') throw new CheckerBroken(`the checker hit a limit (${r.status}) ${at}: ${stderr}`);
      if (r.exitCode === 1 || r.exitCode === 2 || r.exitCode === 3) return false;
      const how = r.exitCode !== null ? `exit ${r.exitCode}` : (r.signal ?? 'killed');
      throw new CheckerBroken(`the checker crashed (RE, ${how}) ${at}: ${stderr}`);
    };

    const classes: (number | null)[][] = [];
    for (let t = 0; t < tests.length; t++) classes.push(await classesOfTest(t, tests[t]?.outputs ?? [], maxOutputs, accepts));
    return { ok: true, classes, checkerRuns: runs };
  } catch (err) {
    if (err instanceof CheckerBroken) return { ok: false, reason: err.message };
    if (err instanceof SandboxInfraError || opts.signal?.aborted) throw err;
    // Anything else is still a reason not to trust the comparison, never a crash of the caller.
    return { ok: false, reason: `cannot run the checker: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await box?.close();
  }
}

async function classesOfTest(
  t: number,
  outputs: readonly (string | null)[],
  maxOutputs: number,
  accepts: (t: number, output: string, answer: string) => Promise<boolean>,
): Promise<(number | null)[]> {
  const classOf = new Map<string, number>(); // normalized output → class id
  const reps: string[] = []; // class id → the first output of the class, as the candidate printed it
  let distinct = 0;
  const result: (number | null)[] = [];
  for (const output of outputs) {
    if (output === null) {
      result.push(null);
      continue;
    }
    const key = normalizeOutput(output);
    let id = classOf.get(key);
    if (id === undefined) {
      // Past the cap, nothing is compared: every later distinct output starts a class of its own.
      if (distinct++ < maxOutputs) {
        for (let k = 0; k < reps.length && id === undefined; k++) {
          const rep = reps[k] as string;
          if ((await accepts(t, output, rep)) && (await accepts(t, rep, output))) id = k;
        }
      }
      if (id === undefined) {
        id = reps.length;
        reps.push(output);
      }
      classOf.set(key, id);
    }
    result.push(id);
  }
  return result;
}
